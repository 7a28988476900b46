/**
 * Text helpers of the intent layer: one canonical form for reading (full-width → half-width,
 * traditional → simplified, invisible characters gone), pinyin keys for homophone matching, and a
 * similarity of two texts. Pure functions; the two libraries load on first use (opencc-js takes
 * about 0.1 s to build its converter, pinyin-pro about 0.15 s to load), so start-up does not pay.
 */
import { createRequire } from 'node:module'
import { LRUCache } from 'lru-cache'
import { normalizeText } from '../parser.js'

const require = createRequire(import.meta.url)

type Convert = (s: string) => string
let toSimplified: Convert | undefined
let pinyinOf: ((s: string) => string[]) | undefined

/** Any character outside ASCII and common CJK punctuation may be traditional. */
const MAYBE_TRADITIONAL = /[\u3400-\u9fff]/

/** Traditional (Taiwan, Hong Kong, generic) → simplified; text without Han characters is returned as is. */
export function simplified(s: string): string {
  if (!MAYBE_TRADITIONAL.test(s)) return s
  if (!toSimplified) {
    const opencc = require('opencc-js/t2cn') as { Converter(o: { from: string; to: string }): Convert }
    // 'hk' covers Hong Kong forms and the generic traditional ones (Taiwan's differ little in our words).
    const hk = opencc.Converter({ from: 'hk', to: 'cn' })
    const tw = opencc.Converter({ from: 'tw', to: 'cn' })
    toSimplified = (x) => tw(hk(x))
  }
  return toSimplified(s)
}

/**
 * What was worked out of the texts read lately, by text, least recently used dropped first. A
 * message is read several times (its intent, its category), and a filing is compared with each of
 * its sender's recent requests (the duplicate check), each comparison reading both texts: a burst
 * of filings read the same texts again and again. Texts of at most `maxChars` characters in all are kept.
 */
function recentTexts<T extends {}>(maxChars: number): (text: string, work: (text: string) => T) => T {
  const kept = new LRUCache<string, T>({ maxSize: maxChars, sizeCalculation: (_value, text) => text.length + 1 })
  return (text, work) => {
    let value = kept.get(text)
    if (value === undefined) kept.set(text, (value = work(text)))
    return value
  }
}

const readForm = recentTexts<string>(500_000)

/** The canonical reading form: the parser's normal form, simplified characters, ASCII lower case. */
export function readingForm(input: string): string {
  return readForm(input, (text) => simplified(normalizeText(text)).replace(/[A-Z]+/g, (m) => m.toLowerCase()))
}

/** Pinyin syllables without tones, one per character (non-Han characters stay as they are). */
export function syllables(s: string): string[] {
  if (!pinyinOf) {
    const { pinyin } = require('pinyin-pro') as { pinyin(s: string, o: object): string[] }
    pinyinOf = (x) => pinyin(x, { toneType: 'none', type: 'array', v: true })
  }
  return pinyinOf(s)
}

/**
 * A syllable as a southern or hurried typist may confuse it: zh/ch/sh → z/c/s, n → l,
 * -ang/-eng/-ing → -an/-en/-in. Two words with the same fuzzy key sound alike.
 */
export function fuzzySyllable(p: string): string {
  return p
    .replace(/^([zcs])h/, '$1')
    .replace(/^n/, 'l')
    .replace(/(a|e|i)ng$/, '$1n')
}

/** The fuzzy pinyin key of a word: 诉求 and 诉球 and 素求 share "su qiu". */
export function soundKey(word: string): string {
  return syllables(word).map(fuzzySyllable).join(' ')
}

const HAN = /[\u3400-\u9fff]/

export function isHan(c: string | undefined): boolean {
  return c !== undefined && HAN.test(c)
}

/** What two texts are compared on: Han letters, ASCII letters and digits only. */
export function comparable(s: string): string {
  return readingForm(s).replace(/[^\p{Script=Han}a-z0-9]/gu, '')
}

/** Bigrams of the texts compared lately (never changed once made; a set takes some 60 bytes a character). */
const bigramsOf = recentTexts<ReadonlySet<string>>(100_000)

/** Character bigrams of the comparable form (a one-character text is its own bigram). */
function bigrams(s: string): ReadonlySet<string> {
  return bigramsOf(s, (text) => {
    const c = Array.from(comparable(text))
    const out = new Set<string>()
    if (c.length === 1) out.add(c[0]!)
    for (let i = 0; i + 1 < c.length; i++) out.add(c[i]! + c[i + 1]!)
    return out
  })
}

/** Jaccard similarity of the two texts' character bigrams, 0…1. */
export function similarity(a: string, b: string): number {
  const x = bigrams(a)
  const y = bigrams(b)
  if (x.size === 0 && y.size === 0) return 1
  let common = 0
  for (const g of x) if (y.has(g)) common++
  return common / (x.size + y.size - common)
}
