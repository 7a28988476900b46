/** Command words mistyped by a pinyin input method (诉球, 进渡, 帮住), recognised by their sound. */
import type { IntentKind, OfficerAction, Role } from './reading.js'
import { dropOpeners, LEAD, PUNCT } from './shape.js'
import { fuzzySyllable, isHan, readingForm, soundKey, syllables } from './text.js'

/**
 * Command words and how they may be mistyped by a pinyin input method. Not 反映: its homophone
 * 反应 is an everyday word (反应很快). Only words whose arguments make the typo unmistakable: a number must follow 进度 and officer words, text must
 * follow 诉求, nothing may follow 帮助.
 */
export interface Spoken {
  word: string
  kind: IntentKind
  args: 'none' | 'number' | 'text'
  action?: OfficerAction
  staff?: boolean
}
const SPOKEN: Spoken[] = [
  { word: '诉求', kind: 'file', args: 'text' },
  { word: '匿名诉求', kind: 'fileAnonymous', args: 'text' },
  { word: '隐患', kind: 'hazard', args: 'text' },
  { word: '进度', kind: 'status', args: 'number' },
  { word: '查进度', kind: 'status', args: 'number' },
  { word: '帮助', kind: 'help', args: 'none' },
  { word: '我的诉求', kind: 'list', args: 'none' },
  { word: '受理', kind: 'officer', action: 'accept', args: 'number', staff: true },
  { word: '办结', kind: 'officer', action: 'resolve', args: 'number', staff: true },
  { word: '驳回', kind: 'officer', action: 'reject', args: 'number', staff: true },
  { word: '回复', kind: 'officer', action: 'reply', args: 'number', staff: true },
  { word: '督办', kind: 'officer', action: 'supervise', args: 'number', staff: true },
]
let spokenKeys: Map<string, Spoken> | undefined
function spokenIndex(): Map<string, Spoken> {
  if (!spokenKeys) {
    spokenKeys = new Map()
    for (const s of SPOKEN) spokenKeys.set(`${Array.from(s.word).length}:${soundKey(s.word)}`, s)
  }
  return spokenKeys
}

/** A command word mistyped at the start (诉球, 进渡, 帮住): the word meant and what follows. */
export function typoAtStart(s: string, role: Role): { spoken: Spoken; written: string; rest: string } | undefined {
  if (!isHan(s[0])) return undefined
  const head = Array.from(s.slice(0, 4))
  let han = 0
  while (han < head.length && isHan(head[han])) han++
  if (han < 2) return undefined
  const sounds = syllables(head.slice(0, han).join('')).map(fuzzySyllable)
  const index = spokenIndex()
  for (let n = Math.min(han, 4); n >= 2; n--) {
    const hit = index.get(`${n}:${sounds.slice(0, n).join(' ')}`)
    if (!hit) continue
    const written = head.slice(0, n).join('')
    if (written === hit.word) return undefined
    if (hit.staff && role !== 'officer' && role !== 'admin') continue
    const rest = s.slice(written.length).replace(LEAD, '')
    if (hit.args === 'none' && rest !== '') continue
    if (hit.args === 'number' && !/^(sq)?\s*-?\s*\d/i.test(rest)) continue
    if (hit.args === 'text' && Array.from(rest.replace(PUNCT, '')).length < 2) continue
    return { spoken: hit, written, rest }
  }
  return undefined
}

/** Cheap check for the chat core: a group message that starts with a mistyped command word is for the bot. */
export function startsWithTypo(text: string, role: Role = 'worker'): boolean {
  try {
    return typoAtStart(dropOpeners(readingForm(text)), role) !== undefined
  } catch {
    return false
  }
}
