/**
 * The platform-free command parser. It knows command *words* (诉求, 帮助, help…), never what a
 * command does: it turns one chat message into "command X with these args", "an unknown word
 * (perhaps a typo of Y)" or "nothing at all". It never throws and works in linear time, so it is
 * safe on any text a chat platform hands over.
 */

/** One command as the parser sees it. */
export interface CommandSpec {
  /** The command's stable id, e.g. 'request'. */
  name: string
  /** Chinese command words, e.g. ['诉求']. They match even with no space after them. */
  words: string[]
  /** English/other aliases, matched case-insensitively, e.g. ['help', '?']. */
  aliases?: string[]
}

export type ParseResult =
  | {
      kind: 'command'
      name: string
      word: string
      /** The arguments, normalised (full-width → half-width, Chinese separators → ASCII). */
      args: string
      /** The arguments as the person wrote them (only invisible characters removed): for free text such as a request's content. */
      rawArgs: string
      tokens: string[]
      mentions: string[]
    }
  | { kind: 'unknown'; word: string; suggestion?: { name: string; word: string } }
  | { kind: 'empty' }

// ---------------------------------------------------------------------------------------------
// Normalisation

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
/** CR, CRLF, NEL and the Unicode line/paragraph separators all become '\n'. */
const LINE_BREAK = /\r\n?|[\u0085\u2028\u2029]/g
/** Controls except tab and newline, plus invisible format characters (zero-width, bidi marks, BOM). */
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/g
/** Chinese separators that NFKC leaves alone but that mean the ASCII ones. `、` is kept on purpose. */
const SEPARATOR_MAP: Record<string, string> = { '，': ',', '；': ';', '：': ':', '｜': '|', '﹐': ',', '﹔': ';', '﹕': ':' }
const SEPARATORS_TO_MAP = /[，；：｜﹐﹔﹕]/g
/** Any whitespace run other than newline (tabs, NBSP, ogham space…) becomes one space. */
const BLANK_RUN = /[^\S\n]+/g
const SPACE_AROUND_NEWLINE = / ?\n ?/g

/**
 * Brings chat text to one canonical form: NFKC (full-width → half-width, U+3000 → space),
 * Chinese separators mapped to ASCII, invisible and control characters removed (newlines kept),
 * blank runs collapsed to one space, trimmed. Idempotent; never throws.
 */
export function normalizeText(input: string): string {
  if (typeof input !== 'string') return ''
  // Invisible characters go before NFKC: removing them afterwards could let neighbours compose.
  let s = input.replace(LONE_SURROGATE, '\uFFFD').replace(LINE_BREAK, '\n').replace(INVISIBLE, '')
  s = s.normalize('NFKC')
  s = s.replace(SEPARATORS_TO_MAP, (c) => SEPARATOR_MAP[c] ?? c)
  return s.replace(BLANK_RUN, ' ').replace(SPACE_AROUND_NEWLINE, '\n').trim()
}

// ---------------------------------------------------------------------------------------------
// Tokenising

/** Characters that separate tokens (after normalisation); whitespace separates too. */
const TOKEN_SEPARATORS = new Set([',', ';', '、'])
const QUOTE_PAIRS: Record<string, string> = { '"': '"', '“': '”', '「': '」', '『': '』' }

function isBlank(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\t'
}

/**
 * Splits command arguments into tokens: on whitespace, `,` `;` `、`; a `|` is always a token of
 * its own (poll options are separated by it). A segment quoted with "…", “…”, 「…」 or 『…』 at
 * the start of a token is one token, quotes removed; an unclosed quote is an ordinary character.
 * Empty tokens are dropped.
 */
export function tokenize(args: string): string[] {
  const s = normalizeText(args)
  const tokens: string[] = []
  let current = ''
  const flush = (): void => {
    if (current !== '') tokens.push(current)
    current = ''
  }
  const lastSeen = new Map<string, number>()
  const lastIndex = (c: string): number => {
    let at = lastSeen.get(c)
    if (at === undefined) lastSeen.set(c, (at = s.lastIndexOf(c)))
    return at
  }
  let i = 0
  while (i < s.length) {
    const c = s[i] as string
    const close = QUOTE_PAIRS[c]
    // Checking the last closing quote first keeps this linear: an unclosed quote never scans on.
    if (close !== undefined && current === '' && lastIndex(close) > i) {
      const end = s.indexOf(close, i + 1)
      if (end !== -1) {
        current = s.slice(i + 1, end).trim()
        flush()
        i = end + 1
        continue
      }
    }
    if (isBlank(c) || TOKEN_SEPARATORS.has(c)) {
      flush()
    } else if (c === '|') {
      flush()
      tokens.push('|')
    } else {
      current += c
    }
    i++
  }
  flush()
  return tokens
}

// ---------------------------------------------------------------------------------------------
// Mentions

/** A mention's name runs up to one of these (or the end). */
const MENTION_END = new Set([' ', '\n', '\t', ',', ';', ':', '、', '|', '@'])
/** Characters skipped between leading mentions (and before the command word). */
const LEADING_NOISE = new Set([' ', '\n', '\t', ',', ';', ':', '、'])

/** Reads a mention name starting just after an `@` at `from`; returns the name and where it ends. */
function readMention(s: string, from: number): { name: string; end: number } {
  let end = from
  while (end < s.length && !MENTION_END.has(s[end] as string)) end++
  return { name: s.slice(from, end), end }
}

/**
 * Mentions inside `s`: an `@` at the start, after whitespace or a separator, or right after
 * another mention (`@甲@乙`). An `@` inside a word (a@b.com) is not a mention.
 */
function findMentions(s: string): string[] {
  const found: string[] = []
  let atBoundary = true
  let i = 0
  while (i < s.length) {
    const c = s[i] as string
    if (c === '@' && atBoundary) {
      const { name, end } = readMention(s, i + 1)
      if (name !== '') found.push(name)
      i = end
      atBoundary = true
    } else {
      atBoundary = MENTION_END.has(c)
      i++
    }
  }
  return found
}

/** Strips leading mentions (and the noise between them) and one leading '/'. */
function stripLeading(s: string): { rest: string; mentions: string[] } {
  const mentions: string[] = []
  let i = 0
  while (i < s.length) {
    const c = s[i] as string
    if (LEADING_NOISE.has(c)) {
      i++
    } else if (c === '@') {
      const { name, end } = readMention(s, i + 1)
      if (name !== '') mentions.push(name)
      i = end
    } else {
      break
    }
  }
  if (s[i] === '/') i++
  return { rest: s.slice(i).trim(), mentions }
}

// ---------------------------------------------------------------------------------------------
// Matching

interface Candidate {
  name: string
  /** The word or alias as written in the spec. */
  word: string
  /** Normalised and ASCII-lowercased, as compared against input. */
  key: string
  /** `key` as code points, for edit distance. */
  points: string[]
  /** Order of appearance in the specs, for stable tie-breaking. */
  order: number
  /** True unless the key ends in an ASCII letter, i.e. it may be followed directly by args. */
  glued: boolean
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
}

function isAsciiLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
}

/**
 * Edit distance over code points: Levenshtein plus adjacent transpositions (optimal string
 * alignment), so 'hepl' is one edit from 'help'. Inputs here are short (≤ 20 code points).
 */
function editDistance(a: string[], b: string[]): number {
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let before: number[] = []
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1)
      row[j] = d
    }
    before = prev
    prev = row
  }
  return prev[b.length] as number
}

/** How far a typo may be from a command word and still be suggested. */
function maxDistance(length: number): number {
  return length <= 3 ? 1 : 2
}

/** The longest unknown word reported back. */
const UNKNOWN_WORD_MAX = 20
const WORD_BREAK = /[\s,;、|]/

/**
 * Builds a parser for the given commands. Words and aliases are matched at the start of the
 * message (after leading @mentions and one optional '/'); the longest match wins.
 */
export function createParser(specs: CommandSpec[]): {
  parse(text: string): ParseResult
  startsWithCommand(text: string): boolean
} {
  const candidates: Candidate[] = []
  for (const spec of specs) {
    for (const word of [...spec.words, ...(spec.aliases ?? [])]) {
      const key = asciiLower(normalizeText(word))
      if (key === '') continue
      const glued = !isAsciiLetter(key[key.length - 1])
      candidates.push({ name: spec.name, word, key, points: Array.from(key), order: candidates.length, glued })
    }
  }
  // Longest first, so 我的诉求 is tried before 诉求 and 绑定班组 before 绑定.
  const byLength = [...candidates].sort((a, b) => b.key.length - a.key.length || a.order - b.order)

  /** The command at the start of `rest`, if any. */
  const match = (rest: string): Candidate | undefined => {
    const lowered = asciiLower(rest.slice(0, (byLength[0]?.key.length ?? 0) + 1))
    for (const c of byLength) {
      if (!lowered.startsWith(c.key)) continue
      // An alias ending in a letter needs a boundary: 'helpme' is not 'help'.
      if (!c.glued && isAsciiLetter(rest[c.key.length])) continue
      return c
    }
    return undefined
  }

  const suggest = (word: string, rest: string): { name: string; word: string } | undefined => {
    const wordPoints = Array.from(asciiLower(word))
    const restPoints = Array.from(asciiLower(rest.slice(0, 2 * ((byLength[0]?.key.length ?? 0) + 1))))
    let best: { c: Candidate; rank: number[] } | undefined
    for (const c of candidates) {
      const limit = Math.min(maxDistance(c.points.length), c.points.length - 1)
      const viaWord = editDistance(wordPoints, c.points)
      // Chinese words glue to their args (诉球食堂…), so compare them with the input's start too;
      // ASCII aliases are followed by a boundary, so the first word is enough for them.
      const viaPrefix = c.glued ? editDistance(restPoints.slice(0, c.points.length), c.points) : Infinity
      const distance = Math.min(viaWord, viaPrefix)
      if (distance > limit) continue
      // Nearest first; a whole-word match over a prefix one; then the closest in length; then spec order.
      const rank = [distance, viaWord <= viaPrefix ? 0 : 1, Math.abs(c.points.length - wordPoints.length), c.order]
      if (best === undefined || lessThan(rank, best.rank)) best = { c, rank }
    }
    return best && { name: best.c.name, word: best.c.word }
  }

  const parse = (text: string): ParseResult => {
    try {
      const { rest, mentions } = stripLeading(normalizeText(text))
      if (rest === '') return { kind: 'empty' }
      const hit = match(rest)
      if (hit !== undefined) {
        const args = stripLeadingNoise(rest.slice(hit.key.length))
        return {
          kind: 'command',
          name: hit.name,
          word: hit.word,
          args,
          rawArgs: rawArguments(text, args),
          tokens: tokenize(args),
          mentions: [...mentions, ...findMentions(args)],
        }
      }
      const word = firstWord(rest)
      const suggestion = suggest(word, rest)
      return suggestion ? { kind: 'unknown', word, suggestion } : { kind: 'unknown', word }
    } catch {
      // Defensive only: nothing above is expected to throw.
      return { kind: 'unknown', word: '' }
    }
  }

  const startsWithCommand = (text: string): boolean => {
    try {
      const { rest } = stripLeading(normalizeText(text))
      return rest !== '' && match(rest) !== undefined
    } catch {
      return false
    }
  }

  return { parse, startsWithCommand }
}

function lessThan(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number
    const y = b[i] as number
    if (x !== y) return x < y
  }
  return false
}

/**
 * The arguments as written: the shortest suffix of the (lightly cleaned) input whose normal form
 * is `args`. The prefix before it — mentions, '/', the command word — is short, so only a bounded
 * number of cut points is tried.
 */
function rawArguments(input: string, args: string): string {
  if (args === '') return ''
  const light = input.replace(LONE_SURROGATE, '\uFFFD').replace(LINE_BREAK, '\n').replace(INVISIBLE, '')
  const limit = Math.min(light.length, 200)
  for (let i = 1; i <= limit; i++) {
    if (stripLeadingNoise(normalizeText(light.slice(i))) === args) {
      // Go on while the same suffix still matches, to drop leading separators as written (：，).
      let j = i
      while (j + 1 <= light.length && stripLeadingNoise(normalizeText(light.slice(j + 1))) === args && RAW_NOISE.test(light[j] ?? '')) j++
      return light.slice(j).trim()
    }
  }
  return args
}

const RAW_NOISE = /[\s,;:、，；：]/

/** Drops whitespace and separators between the command word and its args (诉求：食堂… → 食堂…). */
function stripLeadingNoise(s: string): string {
  let i = 0
  while (i < s.length && LEADING_NOISE.has(s[i] as string)) i++
  return s.slice(i).trim()
}

/** The first word of an unknown message, at most UNKNOWN_WORD_MAX code points. */
function firstWord(rest: string): string {
  const head = rest.slice(0, 4 * UNKNOWN_WORD_MAX)
  const broken = head.split(WORD_BREAK).find((w) => w !== '') ?? head
  return Array.from(broken).slice(0, UNKNOWN_WORD_MAX).join('')
}
