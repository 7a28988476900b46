/**
 * Wall-clock time in a time zone (never the machine's): the local date and time of an instant,
 * the instant of a local date and time, `HH:MM` times of day, and quiet hours.
 */
import { LRUCache } from 'lru-cache'

/** Throws when `timeZone` is not an IANA time zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
  } catch {
    throw new Error(`unknown time zone "${timeZone}"`)
  }
}

export interface LocalParts {
  year: number
  /** 1–12 */
  month: number
  day: number
  /** 0–23 */
  hour: number
  minute: number
  second: number
  /** 0 = Sunday … 6 = Saturday */
  weekday: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 }

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/**
 * Wall clocks of instants read lately, by zone and second (what the formatter reads of an instant):
 * events handled together ask for the same few seconds' (their time, their deadlines), and each
 * asking of the formatter takes as long as a database read.
 */
const recentParts = new LRUCache<string, LocalParts>({ max: 500 })

/** The wall-clock date and time of an instant in a time zone. */
export function localParts(date: Date, timeZone: string): LocalParts {
  const key = `${timeZone} ${Math.floor(date.getTime() / 1000)}`
  let parts = recentParts.get(key)
  if (parts === undefined) {
    parts = readParts(date, timeZone)
    recentParts.set(key, parts)
  }
  return { ...parts }
}

function readParts(date: Date, timeZone: string): LocalParts {
  const parts: Record<string, string> = {}
  for (const p of formatterFor(timeZone).formatToParts(date)) parts[p.type] = p.value
  const year = Number(parts.year)
  const month = Number(parts.month)
  const day = Number(parts.day)
  return {
    year,
    month,
    day,
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? new Date(utcMs(year, month, day, 0, 0)).getUTCDay(),
  }
}

/** The number of days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** The calendar day `offset` days after (y, m, d). */
export function addDays(y: number, m: number, d: number, offset: number): { y: number; m: number; d: number } {
  const date = new Date(Date.UTC(2000, 0, 1))
  date.setUTCFullYear(y, m - 1, d + offset)
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() }
}

/** Milliseconds the zone's wall clock is ahead of UTC at an instant (+8 h for Asia/Shanghai). */
function offsetMs(instant: number, timeZone: string): number {
  const p = localParts(new Date(instant), timeZone)
  const wall = utcMs(p.year, p.month, p.day, p.hour, p.minute, p.second)
  return wall - (instant - (((instant % 1000) + 1000) % 1000))
}

function utcMs(year: number, month: number, day: number, hour: number, minute: number, second = 0): number {
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second))
  d.setUTCFullYear(year, month - 1, day)
  return d.getTime()
}

/**
 * Every instant at which the wall clock in `timeZone` shows the given time, earliest first: one
 * normally, two when clocks go back over it, none when clocks jump forward over it.
 */
function zonedCandidates(wall: number, timeZone: string): { candidates: number[]; offsetBefore: number } {
  const dayMs = 24 * 60 * 60 * 1000
  // At most one offset change within a day either side, as in every real zone.
  const offsetBefore = offsetMs(wall - dayMs, timeZone)
  const offsetAfter = offsetMs(wall + dayMs, timeZone)
  const candidates = [...new Set([offsetBefore, offsetAfter])]
    .map((offset) => wall - offset)
    .filter((t) => t + offsetMs(t, timeZone) === wall)
    .sort((a, b) => a - b)
  return { candidates, offsetBefore }
}

/**
 * The instant at which the wall clock in `timeZone` shows the given date and time (month 1–12).
 * Out-of-range fields roll over (day 32 is the next month's first). A time that happens twice
 * (clocks going back) gives the earlier instant; a time that never happens (clocks going forward)
 * gives the instant as far past the gap as the time was into it (02:30 on a spring-forward day in
 * New York is 03:30 EDT), as Temporal's "compatible" rule does.
 */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const wall = utcMs(year, month, day, hour, minute)
  const { candidates, offsetBefore } = zonedCandidates(wall, timeZone)
  // In a gap: read the wall time with the offset from before the change.
  return new Date(candidates[0] ?? wall - offsetBefore)
}

/** `2026-03-02 09:05`: the wall-clock time in a zone, 24-hour, for messages. */
export function formatLocal(date: Date, timeZone: string): string {
  const p = localParts(date, timeZone)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${String(p.year).padStart(4, '0')}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`
}

/** Minutes after midnight of an `HH:MM` time (00:00–23:59); throws on anything else. */
export function parseHhMm(s: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim())
  const hour = m ? Number(m[1]) : NaN
  const minute = m ? Number(m[2]) : NaN
  if (!(hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59)) throw new Error(`"${s}" is not a time of day in HH:MM form (00:00–23:59)`)
  return hour * 60 + minute
}

/**
 * When the quiet hours that `now` falls in end, or null when `now` is outside them. The window
 * runs from `start` (inclusive) to `end` (exclusive), local time in `timeZone`, and may wrap past
 * midnight (22:00–07:00); equal start and end mean there are no quiet hours.
 */
export function quietHoursEnd(now: Date, timeZone: string, quiet: { start: string; end: string }): Date | null {
  const start = parseHhMm(quiet.start)
  const end = parseHhMm(quiet.end)
  if (start === end) return null
  const p = localParts(now, timeZone)
  const minute = p.hour * 60 + p.minute
  let endsTomorrow: boolean
  if (start < end) {
    if (minute < start || minute >= end) return null
    endsTomorrow = false
  } else {
    if (minute >= end && minute < start) return null
    // In the evening part of a window that wraps midnight, it ends on the next local day.
    endsTomorrow = minute >= start
  }
  const wall = utcMs(p.year, p.month, p.day + (endsTomorrow ? 1 : 0), Math.floor(end / 60), end % 60)
  const { candidates, offsetBefore } = zonedCandidates(wall, timeZone)
  if (candidates.length === 0) return new Date(wall - offsetBefore)
  // When clocks go back, the end time happens twice: quiet hours end at the first one still ahead.
  const ahead = candidates.find((t) => t > now.getTime())
  return new Date(ahead ?? candidates[candidates.length - 1]!)
}
