/** The shape of a message before it is read: punctuation, faces, request numbers, greetings before the point. */
import { OPENERS } from './lexicon.js'

export const PUNCT = /[\s,.;:!?~、。，；：！？…—\-_"'“”‘’()（）【】[\]<>《》·*#^&%$@]+/gu
export const TRAIL = /[\s,.;:!?~、。，；：！？…]+$/u
export const LEAD = /^[\s,.;:!?~、。，；：！？…]+/u
/** Emoji and WeChat's bracketed faces count as nothing when judging small talk. */
export const FACES = /\[[^\]]{1,4}\]|\p{Extended_Pictographic}/gu
export const HAS_FACE = /\[[^\]]{1,4}\]|\p{Extended_Pictographic}/u

const FULL_NUMBER = /(?:sq)\s*-?\s*(\d{4})\s*-?\s*(\d{1,6})/i
const SHORT_NUMBER = /(?:^|[^\d-])(?:#|第|编号|单号)?\s*(\d{1,6})\s*号/

/** A request number found anywhere in the text: the full form, or "42号" / "#42". */
export function findNumber(s: string): string | undefined {
  const full = FULL_NUMBER.exec(s)
  if (full) return `SQ-${full[1]}-${full[2]!.padStart(4, '0')}`
  const short = SHORT_NUMBER.exec(s) ?? /#\s*(\d{1,6})\b/.exec(s)
  return short ? short[1] : undefined
}

export const startsWithAny = (s: string, words: readonly string[]): string | undefined => {
  let best: string | undefined
  for (const w of words) if (s.startsWith(w) && (!best || w.length > best.length)) best = w
  return best
}
export const includesAny = (s: string, words: readonly string[]): string | undefined => words.find((w) => s.includes(w))

/** Drops greetings and fillers before the point: "你好，工友，我想…" → "我想…". */
export function dropOpeners(s: string): string {
  let rest = s
  for (let i = 0; i < 4; i++) {
    const before = rest
    const w = startsWithAny(rest, OPENERS)
    if (w) rest = rest.slice(w.length).replace(LEAD, '')
    if (rest === before) break
  }
  return rest
}
