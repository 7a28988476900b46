/**
 * The one-line grammar of `发起投票` (and the heading of `发起问卷`), forgiving on purpose:
 *
 *   发起投票 周末加班意愿 | 愿意 | 不愿意 | 看情况 匿名 截止 周五18:00
 *   发起投票 食堂换哪个菜：红烧肉、宫保鸡丁、鱼香肉丝 多选2 范围 一车间
 *
 * - The title comes first, then the options, separated by `|` (also full-width `｜`) or by `、`
 *   (then the title ends at a `：`/`？` or a space).
 * - Then, in any order, after a space: `匿名` (anonymous) / `实名`; `多选` (any number), `多选2`,
 *   `最多选2项`, `可选2项` / `单选`; `不可改` (a vote is final) / `可改`; `截止 <time>` (see
 *   core/time/when.ts; missing = 24 hours); `范围 <unit>[、<unit>…]` (default: the group's unit, or
 *   the creator's own in a private chat). Leading `匿名` / `多选` before the title work too.
 * Anything else after the options is refused with the list of what may be written there.
 */
import { chineseNumber } from '../core/time/numerals.js'
import type { Messages } from '../messages/index.js'

export interface PollLine {
  title: string
  options: string[]
  /** 'all': as many as there are options; undefined: not said (single choice). */
  maxChoices?: number | 'all'
  anonymous?: boolean
  allowChange?: boolean
  deadline?: string
  units?: string[]
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

/** A word as compared with the flag words: NFKC, small Chinese numbers as digits. */
function flagForm(word: string): string {
  return word.normalize('NFKC').replace(/[一二两三四五六七八九十]+/g, chineseNumber)
}

type Flag = { kind: 'bool'; apply: (line: PollLine) => void } | { kind: 'value'; name: 'deadline' | 'units'; glued: string }

function readFlag(word: string): Flag | null {
  const w = flagForm(word)
  const bool = (apply: (line: PollLine) => void): Flag => ({ kind: 'bool', apply })
  if (/^(匿名|不记名|无记名|匿名投票)$/.test(w)) return bool((l) => (l.anonymous = true))
  if (/^(实名|记名|实名投票)$/.test(w)) return bool((l) => (l.anonymous = false))
  if (/^(不可改|不可修改|不能改|不能修改|不许改|不可更改|投后不可改)$/.test(w)) return bool((l) => (l.allowChange = false))
  if (/^(可改|可修改|可以改)$/.test(w)) return bool((l) => (l.allowChange = true))
  if (/^单选$/.test(w)) return bool((l) => (l.maxChoices = 1))
  if (/^(多选|可多选|多项选择)$/.test(w)) return bool((l) => (l.maxChoices = 'all'))
  const n = /^(?:多选|(?:最多|至多|可)选?)(\d{1,2})项?$/.exec(w)
  if (n) return bool((l) => (l.maxChoices = Number(n[1])))
  // A value glued to its word keeps its own numbers (范围一车间, 截止周五).
  const value = /^(截止时间|截止日期|截止到|截止|截至|期限|范围|对象|发给)[:：]?(.*)$/.exec(word.normalize('NFKC'))
  if (value) return { kind: 'value', name: /^(范围|对象|发给)$/.test(value[1]!) ? 'units' : 'deadline', glued: value[2]! }
  return null
}

/** Applies the flags in `words`; an error names the first word it did not understand. */
function readFlags(words: string[], line: PollLine, t: Messages): string | null {
  let i = 0
  while (i < words.length) {
    const flag = readFlag(words[i]!)
    if (!flag) return t.polls.grammar.unknownWord(words[i]!)
    i++
    if (flag.kind === 'bool') {
      flag.apply(line)
      continue
    }
    const value = flag.glued ? [flag.glued] : []
    while (i < words.length && !readFlag(words[i]!)) value.push(words[i++]!)
    const text = value.join(' ').trim()
    if (flag.name === 'deadline') {
      if (!text) return t.polls.grammar.deadlineMissing
      line.deadline = text
    } else {
      const units = text.split(/[、,，;；\s]+/).filter(Boolean)
      if (units.length === 0) return t.polls.grammar.unitsMissing
      line.units = [...(line.units ?? []), ...units]
    }
  }
  return null
}

/** Where the flags start in a list of words: the first word (after `from`) that is a flag. */
function flagsStart(words: string[], from = 1): number {
  for (let i = from; i < words.length; i++) if (readFlag(words[i]!)) return i
  return words.length
}

/** Cleans what a person typed: full-width bars and spaces made plain, blank runs collapsed. */
function clean(raw: string): string {
  return raw
    .replace(/｜/g, '|')
    .replace(/[\u3000\t\r ]+/g, ' ')
    .trim()
}

/** Takes the boolean flags written before the title (`发起投票 匿名 多选 …`). */
function leadingFlags(words: string[], line: PollLine): string[] {
  let i = 0
  while (i < words.length - 1) {
    const flag = readFlag(words[i]!)
    if (flag?.kind !== 'bool') break
    flag.apply(line)
    i++
  }
  return words.slice(i)
}

/**
 * Reads `标题 | 选项 | 选项 … [flags]`. With `withOptions` false (a survey's heading), everything
 * before the flags is the title.
 */
export function parsePollLine(raw: string, t: Messages, withOptions = true): Parsed<PollLine> {
  const g = t.polls.grammar
  const fail = (error: string): Parsed<PollLine> => ({ ok: false, error })
  const text = clean(raw.split('\n')[0] ?? '')
  if (!text) return fail(withOptions ? g.empty : g.emptySurvey)
  const line: PollLine = { title: '', options: [] }

  if (!withOptions) {
    const words = leadingFlags(text.split(' '), line)
    const start = flagsStart(words)
    const error = readFlags(words.slice(start), line, t)
    if (error) return fail(error)
    line.title = words.slice(0, start).join(' ').trim()
    return line.title ? { ok: true, value: line } : fail(g.emptySurvey)
  }

  if (text.includes('|')) {
    const segments = text.split('|').map((s) => s.trim())
    const firstWords = leadingFlags(segments[0]!.split(' ').filter(Boolean), line)
    const titleEnd = flagsStart(firstWords)
    const titleError = readFlags(firstWords.slice(titleEnd), line, t)
    if (titleError) return fail(titleError)
    line.title = firstWords.slice(0, titleEnd).join(' ')
    const lastWords = segments[segments.length - 1]!.split(' ').filter(Boolean)
    const start = segments.length > 1 ? flagsStart(lastWords, 0) : lastWords.length
    const error = readFlags(lastWords.slice(start), line, t)
    if (error) return fail(error)
    const lastOption = lastWords.slice(0, start).join(' ')
    let options = [...segments.slice(1, -1), ...(segments.length > 1 && (lastOption || start === lastWords.length) ? [lastOption] : [])]
    // `标题 | 甲、乙、丙`: one segment listing them all.
    if (options.length === 1 && options[0]!.includes('、')) options = options[0]!.split('、').map((o) => o.trim())
    line.options = options
  } else if (text.includes('、')) {
    const words = leadingFlags(text.split(' '), line)
    const start = flagsStart(words)
    const error = readFlags(words.slice(start), line, t)
    if (error) return fail(error)
    const body = words.slice(0, start).join(' ')
    const firstList = body.indexOf('、')
    // The title ends at a colon or question mark before the list, else at the last space before it.
    const mark = /[:：?？]/.exec(body.slice(0, firstList))
    let title: string
    let list: string
    if (mark) {
      const end = mark.index + (/[?？]/.test(mark[0]) ? 1 : 0)
      title = body.slice(0, end)
      list = body.slice(mark.index + 1)
    } else {
      const space = body.lastIndexOf(' ', firstList)
      if (space === -1) return fail(g.needSeparator)
      title = body.slice(0, space)
      list = body.slice(space + 1)
    }
    line.title = title.trim()
    line.options = list.split('、').map((o) => o.trim())
  } else {
    return fail(g.needSeparator)
  }
  line.title = line.title.replace(/[:：]$/, '').trim()
  if (!line.title) return fail(g.needTitle)
  return { ok: true, value: line }
}

export interface QuestionLine {
  kind: 'choice' | 'scale' | 'text'
  prompt: string
  options?: string[]
  maxChoices?: number
}

/**
 * One question line of `发起问卷` (each on its own line after the heading):
 * `问题 | 选项 | 选项` (a choice; `（多选）` or `（多选2）` in the prompt allows several),
 * `问题（评分）` (1–5), anything else — or `（文字）` — a short text answer.
 */
export function parseQuestionLine(raw: string): QuestionLine | null {
  let text = clean(raw).replace(/^(?:第?\d{1,2}[.、)）:：]|[(（]\d{1,2}[)）]|Q\d{1,2}[.、:：]?)\s*/i, '')
  if (!text) return null
  let kind: QuestionLine['kind'] | null = null
  let maxChoices: number | undefined
  const marker = /[（([【]\s*(评分|打分|分数|1\s*[-~～到]\s*5\s*分?|文字|填空|问答|简答|意见|多选\s*(\d{1,2})?\s*项?|单选)\s*[)）\]】]/.exec(text)
  if (marker) {
    const word = marker[1]!
    if (/^(文字|填空|问答|简答|意见)$/.test(word)) kind = 'text'
    else if (/^多选/.test(word)) {
      kind = 'choice'
      maxChoices = marker[2] ? Number(marker[2]) : 10
    } else if (word === '单选') kind = 'choice'
    else kind = 'scale'
    text = (text.slice(0, marker.index) + text.slice(marker.index + marker[0].length)).trim()
  }
  if (text.includes('|')) {
    const [prompt = '', ...options] = text.split('|').map((s) => s.trim())
    return { kind: 'choice', prompt, options, ...(maxChoices ? { maxChoices: Math.min(maxChoices, options.length) } : {}) }
  }
  return { kind: kind === 'choice' || kind === null ? 'text' : kind, prompt: text }
}
