/**
 * Recurrences (as for recurring announcements): cron expressions read in GONGYOU_TIMEZONE, the Chinese phrases people
 * write for them (每周一 07:50, 每天 8点, 工作日 7:50, 每月1号 9:00), and the slots a cron
 * expression names: the latest one due (for firing, once per slot) and the next one (to show).
 *
 * Expressions are node-cron's five-field syntax (ranges, steps, lists, month and weekday names),
 * parsed by node-cron itself; the day-of-month and day-of-week fields must both match, as in
 * node-cron. Its extensions (L, W, #) and a seconds field are refused: a post per second is not
 * an announcement.
 */
import cron from 'node-cron'
import { normalizeText } from '../parser.js'
import { SMALL_NUMBER_PATTERN, smallNumber } from './numerals.js'
import { hourInPeriod, periodOf } from './when.js'
import { localParts, zonedTime } from './zone.js'

export interface CronFields {
  minute: number[]
  hour: number[]
  dayOfMonth: number[]
  month: number[]
  /** 0 = Sunday … 6 = Saturday */
  dayOfWeek: number[]
}

/** The fields of a five-field cron expression, or null when it is not one node-cron accepts (or uses L, W, #). */
export function parseCron(expression: string): CronFields | null {
  const parts = normalizeText(expression).split(/\s+/).filter(Boolean)
  if (parts.length !== 5) return null
  const expr = parts.join(' ')
  if (!cron.validate(expr)) return null
  const detail = cron.validateDetailed(expr)
  if (!detail.valid || !detail.fields) return null
  const f = detail.fields
  const numbers = (xs: (number | string)[]): number[] | null =>
    xs.every((x): x is number => typeof x === 'number') ? [...new Set(xs)].sort((a, b) => a - b) : null
  const dayOfMonth = numbers(f.dayOfMonth)
  const dayOfWeek = numbers(f.dayOfWeek)
  if (!dayOfMonth || !dayOfWeek || f.minute.length === 0 || f.hour.length === 0) return null
  return {
    minute: [...f.minute].sort((a, b) => a - b),
    hour: [...f.hour].sort((a, b) => a - b),
    dayOfMonth,
    month: [...f.month].sort((a, b) => a - b),
    dayOfWeek: [...new Set(dayOfWeek.map((d) => d % 7))].sort((a, b) => a - b),
  }
}

/** The expression as stored: fields separated by one space. */
export function canonicalCron(expression: string): string {
  return normalizeText(expression).split(/\s+/).filter(Boolean).join(' ')
}

const DAY_MS = 24 * 60 * 60 * 1000

/** A local calendar day `offset` days from (year, month, day), with its weekday. */
function dayAt(year: number, month: number, day: number, offset: number): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(Date.UTC(2000, month - 1, day + offset))
  d.setUTCFullYear(year, month - 1, day + offset)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() }
}

function dayMatches(f: CronFields, d: { month: number; day: number; weekday: number }): boolean {
  return f.month.includes(d.month) && f.dayOfMonth.includes(d.day) && f.dayOfWeek.includes(d.weekday)
}

/** The instant of a slot, or null when that wall-clock time does not exist that day (clocks jumping forward). */
function slotInstant(d: { year: number; month: number; day: number }, hour: number, minute: number, timeZone: string): Date | null {
  const at = zonedTime(d.year, d.month, d.day, hour, minute, timeZone)
  const p = localParts(at, timeZone)
  return p.hour === hour && p.minute === minute && p.day === d.day ? at : null
}

/** The latest slot in (after, atOrBefore], or null. */
export function lastSlot(f: CronFields, timeZone: string, after: Date, atOrBefore: Date): Date | null {
  if (atOrBefore <= after) return null
  const end = localParts(atOrBefore, timeZone)
  const days = Math.ceil((atOrBefore.getTime() - after.getTime()) / DAY_MS) + 1
  const hours = [...f.hour].reverse()
  const minutes = [...f.minute].reverse()
  for (let i = 0; i <= days; i++) {
    const d = dayAt(end.year, end.month, end.day, -i)
    if (!dayMatches(f, d)) continue
    for (const h of hours) {
      for (const m of minutes) {
        const at = slotInstant(d, h, m, timeZone)
        if (!at || at > atOrBefore) continue
        return at > after ? at : null
      }
    }
  }
  return null
}

/** The first slot after `after`, looking at most `horizonDays` ahead; null when there is none. */
export function nextSlot(f: CronFields, timeZone: string, after: Date, horizonDays = 5 * 366): Date | null {
  const start = localParts(after, timeZone)
  for (let i = 0; i <= horizonDays; i++) {
    const d = dayAt(start.year, start.month, start.day, i)
    if (!dayMatches(f, d)) continue
    for (const h of f.hour) {
      for (const m of f.minute) {
        const at = slotInstant(d, h, m, timeZone)
        if (at && at > after) return at
      }
    }
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// Chinese recurrence phrases

const NUM = SMALL_NUMBER_PATTERN
const TIME_OF_DAY = new RegExp(
  `^(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|晚)?\\s*(${NUM})(?:\\s*[:：]\\s*(\\d{2})|\\s*[点时]\\s*(?:(半)|(${NUM})\\s*分?)?)$`,
)

/** A time of day: 07:50, 7:50, 7点, 7点50(分), 7点半, 下午3点, 八点. Null when it is not one. */
export function parseTimeOfDay(text: string): { hour: number; minute: number } | null {
  const m = TIME_OF_DAY.exec(normalizeText(text))
  if (!m) return null
  const hour = hourInPeriod(m[1] ? periodOf(m[1]) : null, smallNumber(m[2]!))
  const minute = m[3] !== undefined ? Number(m[3]) : m[4] ? 30 : m[5] !== undefined ? smallNumber(m[5]) : 0
  if (hour === null) return null
  if (!(hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59)) return null
  return { hour, minute }
}

const WEEKDAY_CHARS: Record<string, number> = {
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  日: 0,
  天: 0,
  七: 0,
  '1': 1,
  '2': 2,
  '3': 3,
  '4': 4,
  '5': 5,
  '6': 6,
  '7': 0,
  '0': 0,
}
// Digits name weekdays only when the days are set apart from the time by a space (每周1-5 7:50).

/** 一、三、五 / 一三五 / 一至五 / 1-5 → weekdays; null when something else is there. */
function parseWeekdays(text: string): number[] | null {
  const days = new Set<number>()
  const s = text.replace(/(周|星期|礼拜)/g, '')
  const parts = s.split(/[、,，和及与]+/).filter(Boolean)
  if (parts.length === 0) return null
  for (const part of parts) {
    const range = /^([一二三四五六日天七0-7])(?:至|到|-|~|—)([一二三四五六日天七0-7])$/.exec(part)
    if (range) {
      let from = WEEKDAY_CHARS[range[1]!]!
      const to = WEEKDAY_CHARS[range[2]!]!
      if (from === 0) from = 7
      const last = to === 0 ? 7 : to
      if (last < from) return null
      for (let d = from; d <= last; d++) days.add(d % 7)
      continue
    }
    for (const c of part) {
      const d = WEEKDAY_CHARS[c]
      if (d === undefined) return null
      days.add(d)
    }
  }
  return [...days].sort((a, b) => a - b)
}

export type Recurrence = { cron: string } | { error: 'time' | 'days' | 'cron' }

/** Words that start a recurrence phrase. */
export const RECURRENCE_START = /^(每天|每日|天天|每个?工作日|工作日|每(个)?(周|星期|礼拜)|每个?月|cron\b)/i

/**
 * A recurrence written as people write it, as a cron expression: 每天 8:00, 工作日 7:50,
 * 每周一 07:50, 每周一、三、五 8点, 每周一至周五 7:50, 每月1号 9:00, 每月1、15日 9:00,
 * cron 50 7 * * 1. Null when the text is not a recurrence at all; an error naming the part
 * that could not be read otherwise.
 */
export function parseRecurrence(text: string): Recurrence | null {
  const s = normalizeText(text)
  if (!RECURRENCE_START.test(s)) return null
  const cronMatch = /^cron\s+(.+)$/i.exec(s)
  if (cronMatch) {
    const expr = canonicalCron(cronMatch[1]!)
    return parseCron(expr) ? { cron: expr } : { error: 'cron' }
  }
  let m: RegExpExecArray | null
  let dom = '*'
  let dow = '*'
  let rest: string
  if ((m = /^(?:每天|每日|天天)\s*(.*)$/.exec(s))) {
    rest = m[1]!
  } else if ((m = /^(?:每个?工作日|工作日)\s*(.*)$/.exec(s))) {
    dow = '1-5'
    rest = m[1]!
  } else if ((m = /^每个?(?:周|星期|礼拜)\s*(.*)$/.exec(s))) {
    const r = m[1]!
    const spaced = /^(\S+)\s+(.*)$/.exec(r)
    const daysText = spaced ? spaced[1]! : (/^[一二三四五六日天至到~—\-、,，和及与周星期礼拜]*/.exec(r)?.[0] ?? '')
    const days = daysText ? parseWeekdays(daysText) : null
    if (!days || days.length === 0) return { error: 'days' }
    dow = days.join(',')
    rest = spaced ? spaced[2]! : r.slice(daysText.length)
  } else if (
    (m = /^每个?月\s*((?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:\s*[号日]?\s*[、,，和及]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3}))*)\s*[号日]\s*(.*)$/.exec(s))
  ) {
    const days = m[1]!
      .split(/[、,，和及号日\s]+/)
      .filter(Boolean)
      .map(smallNumber)
    if (days.some((d) => !(d >= 1 && d <= 31))) return { error: 'days' }
    dom = [...new Set(days)].sort((a, b) => a - b).join(',')
    rest = m[2]!
  } else {
    return { error: 'days' }
  }
  const time = parseTimeOfDay(rest.trim())
  if (!time) return { error: 'time' }
  return { cron: `${time.minute} ${time.hour} ${dom} * ${dow}` }
}

/** How a cron expression reads to people; `cron …` when it is not one of the simple shapes. */
export function describeCron(
  expression: string,
  words: {
    daily: string
    workdays: string
    weekly: (days: string) => string
    monthly: (days: string) => string
    weekdayNames: readonly string[]
    cron: (e: string) => string
  },
): string {
  const f = parseCron(expression)
  if (f?.minute.length !== 1 || f.hour.length !== 1 || f.month.length !== 12) return words.cron(expression)
  const time = `${String(f.hour[0]).padStart(2, '0')}:${String(f.minute[0]).padStart(2, '0')}`
  const allDays = f.dayOfMonth.length === 31
  const allWeek = f.dayOfWeek.length === 7
  if (allDays && allWeek) return `${words.daily} ${time}`
  if (allDays && f.dayOfWeek.join(',') === '1,2,3,4,5') return `${words.workdays} ${time}`
  if (allDays) return `${words.weekly(f.dayOfWeek.map((d) => words.weekdayNames[d]).join('、'))} ${time}`
  if (allWeek) return `${words.monthly(f.dayOfMonth.join('、'))} ${time}`
  return words.cron(expression)
}
