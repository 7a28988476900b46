/**
 * Times as people write them in a chat: `周五18:00`, `星期五下午6点`, `下周一 9点`, `明天12:00`,
 * `今晚8点`, `后天上午10点半`, `3天后`, `2小时后`, `30分钟后`, `11月30日18:00`, `11-30 18:00`,
 * `2026-11-30 18:00`, `18:00`, `今天下班前`, `月底`… read as wall-clock time in a given time zone
 * (never the machine's). Shared by polls (deadlines) and announcements (schedules).
 *
 * Defaults, when a part is left out:
 * - a day without a time (`周五`, `明天`, `11月30日`, `月底`) means the end of that working day, 18:00;
 * - `下班前` / `下班` means 17:30;
 * - a part of the day without an hour: 早上 09:00, 上午 12:00, 中午 12:00, 下午/傍晚 18:00, 晚上 21:00, 凌晨 06:00;
 * - a time without a day (`18:00`, `下午3点`) is today, or tomorrow once today's has passed;
 * - `周五` is the nearest Friday from today on (today included); `本周五` this week's (Monday to Sunday),
 *   `下周五` next week's; a month and day without a year is this year's, or next year's once that day
 *   is behind us; `30号` is this month's 30th, or next month's;
 * - a bare hour below 12 written with 点 (`6点`) is the morning one, except today when the morning
 *   one has passed and the evening one has not (`6点` at 10:00 → 18:00); `18:00`-style times are 24-hour;
 * - `N天后`, `N小时后`, `N分钟后`, `N周后`, `N个月后` (also `…内`) count from now, to the minute;
 * - a leading `截止` / `到` and a trailing `前` / `之前` / `为止` are ignored.
 * A time already past (or now) is refused, as is one more than five years ahead. Never throws.
 */
import { zhCN, type Messages } from '../../messages/zh-CN.js'
import { chineseNumber } from './numerals.js'
import { addDays, daysInMonth, formatLocal, localParts, zonedTime } from './zone.js'

export type WhenResult = { at: Date } | { error: string }
export type WhenMessages = Messages['when']

/** 18:00: the end of a working day, for a day given without a time. */
export const END_OF_DAY = { hour: 18, minute: 0 } as const
/** 17:30: `下班前`. */
export const AFTER_WORK = { hour: 17, minute: 30 } as const
const MAX_AHEAD_MS = 5 * 366 * 24 * 60 * 60 * 1000
const MAX_INPUT = 60

const MINUTE = 60_000
const DAY_MS = 24 * 60 * MINUTE

function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u200B-\u200F\u2060\uFEFF]/g, '')
    .replace(/[零〇一二两三四五六七八九十]+/g, chineseNumber)
    .replace(/\s+/g, ' ')
    .trim()
}

export type Period = 'dawn' | 'morning' | 'forenoon' | 'noon' | 'afternoon' | 'evening' | 'night' | 'afterWork'

const PERIODS: [RegExp, Period][] = [
  [/^(下班时|下班|收工)/, 'afterWork'],
  [/^凌晨/, 'dawn'],
  [/^(早上|早晨|清晨|早)/, 'morning'],
  [/^上午/, 'forenoon'],
  [/^(中午|午间)/, 'noon'],
  [/^(下午|午后)/, 'afternoon'],
  [/^傍晚/, 'evening'],
  [/^(晚上|晚间|夜里|夜间|晚|夜)/, 'night'],
]

/** The part of the day a word names (`下午` → afternoon), or null. */
export function periodOf(word: string): Period | null {
  return PERIODS.find(([re]) => re.test(word))?.[1] ?? null
}

/**
 * An hour said with a part of the day on the 24-hour clock (`下午3点` → 15, `晚上12点` → 24, the
 * midnight that ends the day; `凌晨12点` → 0), or null when the two do not go together (`上午15点`).
 */
export function hourInPeriod(period: Period | null, hour: number): number | null {
  switch (period) {
    case 'afternoon':
    case 'evening':
    case 'night':
      if (hour < 12) return hour + 12
      if (hour === 12 && period === 'night') return 24
      return hour
    case 'noon':
      return hour <= 5 ? hour + 12 : hour
    case 'dawn':
      if (hour === 12) return 0
      return hour > 12 ? null : hour
    case 'morning':
    case 'forenoon':
      return hour > 12 ? null : hour
    default:
      return hour
  }
}

/** When a part of the day is named without an hour. */
const PERIOD_DEFAULT: Record<Period, { hour: number; minute: number }> = {
  dawn: { hour: 6, minute: 0 },
  morning: { hour: 9, minute: 0 },
  forenoon: { hour: 12, minute: 0 },
  noon: { hour: 12, minute: 0 },
  afternoon: { hour: 18, minute: 0 },
  evening: { hour: 18, minute: 0 },
  night: { hour: 21, minute: 0 },
  afterWork: AFTER_WORK,
}

class Refusal {
  constructor(readonly message: string) {}
}

/**
 * Reads a time as people write it, in `timeZone`; `{ at }` is always after `now`. Errors are one
 * short sentence with an example (zh-CN unless other words are given).
 */
export function parseWhen(text: string, now: Date, timeZone: string, t: WhenMessages = zhCN.when): WhenResult {
  const shown = typeof text === 'string' ? text.trim().slice(0, MAX_INPUT) : ''
  try {
    if (!(now instanceof Date) || !Number.isFinite(now.getTime())) return { error: t.notUnderstood(shown) }
    const at = read(typeof text === 'string' ? text : '', now, timeZone, t)
    if (!Number.isFinite(at.getTime())) return { error: t.notUnderstood(shown) }
    if (at.getTime() <= now.getTime()) return { error: t.past(formatLocal(at, timeZone)) }
    if (at.getTime() - now.getTime() > MAX_AHEAD_MS) return { error: t.tooFar }
    return { at }
  } catch (error) {
    return { error: error instanceof Refusal ? error.message : t.notUnderstood(shown) }
  }
}

function read(input: string, now: Date, timeZone: string, t: WhenMessages): Date {
  if (input.trim() === '') throw new Refusal(t.empty)
  if (input.length > MAX_INPUT * 2) throw new Refusal(t.notUnderstood(input.trim().slice(0, MAX_INPUT)))
  const original = input.trim()
  let s = normalise(input)
  const notUnderstood = () => new Refusal(t.notUnderstood(original))
  // Leading 截止/到, trailing 前/为止: the time itself is meant.
  s = s.replace(/^(?:(?:截止时间|截止到|截止|截至|到|于|在|至)[:\s]*)+/, '').trim()
  s = s.replace(/(?:之前|以前|为止|前)$/, '').trim()
  if (s === '') throw notUnderstood()

  // Relative: 3天后, 2小时后, 30分钟后, 半小时后, 1个半小时后, 2周后, 1个月后 (also …内).
  const rel = /^(\d{1,4}(?:\.\d{1,2})?|半)? ?(个)? ?(半)? ?(分钟|分|小时|钟头|天|日|周|星期|礼拜|月)(?:后|以后|之后|过后|内|以内|之内)$/.exec(s)
  if (rel) {
    const [, amountText, , half, unit] = rel
    if (amountText === undefined && !half) throw notUnderstood()
    let amount = amountText === undefined || amountText === '半' ? (amountText === '半' ? 0.5 : 0) : Number(amountText)
    if (half) amount += 0.5
    if (!(amount > 0)) throw new Refusal(t.past(formatLocal(now, timeZone)))
    if (unit === '月') {
      if (!Number.isInteger(amount)) throw notUnderstood()
      const p = localParts(now, timeZone)
      const y = p.year + Math.floor((p.month - 1 + amount) / 12)
      const m = ((p.month - 1 + amount) % 12) + 1
      return zonedTime(y, m, Math.min(p.day, daysInMonth(y, m)), p.hour, p.minute, timeZone)
    }
    const unitMs =
      unit === '分钟' || unit === '分' ? MINUTE : unit === '小时' || unit === '钟头' ? 60 * MINUTE : unit === '天' || unit === '日' ? DAY_MS : 7 * DAY_MS
    return new Date(now.getTime() + Math.round(amount * unitMs))
  }

  const p = localParts(now, timeZone)
  let rest = s
  const take = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(rest)
    if (m) rest = rest.slice(m[0].length).replace(/^ ?(?:的 ?)?/, '')
    return m
  }

  // 1. The day.
  let day: { y: number; m: number; d: number } | null = null
  /** True when the day was named (then a past time is refused rather than moved to tomorrow). */
  let dayGiven = false
  const checkDate = (y: number, m: number, d: number, written: string) => {
    if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) throw new Refusal(t.invalidDate(written))
  }
  const before = (a: { m: number; d: number }, b: { m: number; d: number }) => a.m < b.m || (a.m === b.m && a.d < b.d)
  let m: RegExpExecArray | null
  if ((m = take(/^(\d{4}) ?[-/.年] ?(\d{1,2}) ?[-/.月] ?(\d{1,2}) ?[日号]?/))) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
    checkDate(y, mo, d, m[0].trim())
    day = { y, m: mo, d }
  } else if ((m = take(/^(\d{1,2}) ?[-/月] ?(\d{1,2}) ?[日号]?/))) {
    const [mo, d] = [Number(m[1]), Number(m[2])]
    // Checked against a leap year first: 2月29日 is a real day, in the next leap year if need be.
    checkDate(2000, mo, d, m[0].trim())
    let y = before({ m: mo, d }, { m: p.month, d: p.day }) ? p.year + 1 : p.year
    while (d > daysInMonth(y, mo)) y++
    day = { y, m: mo, d }
  } else if ((m = take(/^(\d{1,2}) ?[日号](?!后|内)/))) {
    const d = Number(m[1])
    if (d < 1 || d > 31) throw new Refusal(t.invalidDate(m[0].trim()))
    let { year: y, month: mo } = p
    if (d < p.day) ({ y, m: mo } = addDays(y, mo, 1, 31))
    while (d > daysInMonth(y, mo)) ({ y, m: mo } = addDays(y, mo, 1, 31))
    day = { y, m: mo, d }
  } else if ((m = take(/^(大后天|后天|明天|明日|明儿|今天|今日|今儿|今(?=[晚早夜])|明(?=[晚早夜]))/))) {
    const word = m[1]!
    const offset = word === '大后天' ? 3 : word === '后天' ? 2 : word.startsWith('明') ? 1 : 0
    day = addDays(p.year, p.month, p.day, offset)
  } else if ((m = take(/^(下下个?|下个?|本|这个?)? ?(?:周|星期|礼拜)([1-7日天])/))) {
    const prefix = m[1] ?? ''
    const target = m[2] === '日' || m[2] === '天' ? 7 : Number(m[2])
    const today = p.weekday === 0 ? 7 : p.weekday
    let offset: number
    if (prefix === '') offset = (target - today + 7) % 7
    else if (prefix.startsWith('下下')) offset = 14 - today + target
    else if (prefix.startsWith('下')) offset = 7 - today + target
    else offset = target - today
    day = addDays(p.year, p.month, p.day, offset)
  } else if ((m = take(/^(本|这个?|下个?)?月(?:底|末)/))) {
    const next = (m[1] ?? '').startsWith('下')
    const first = next ? addDays(p.year, p.month, 1, 31) : { y: p.year, m: p.month }
    day = { y: first.y, m: first.m, d: daysInMonth(first.y, first.m) }
  } else if ((m = take(/^(今|本|明)?年(?:底|末)/))) {
    day = { y: p.year + ((m[1] ?? '') === '明' ? 1 : 0), m: 12, d: 31 }
  }
  if (day) dayGiven = true

  // 2. The part of the day.
  let period: Period | null = null
  for (const [re, name] of PERIODS) {
    if (take(re)) {
      period = name
      break
    }
  }

  // 3. The time.
  let hour: number | null = null
  let minute = 0
  let twentyFour = false
  if ((m = take(/^(\d{1,2}) ?: ?(\d{2})/))) {
    hour = Number(m[1])
    minute = Number(m[2])
    twentyFour = true
  } else if ((m = take(/^(\d{1,2}) ?(?:点|时) ?(?:(半)|(1|3) ?刻|(\d{1,2}) ?分?)? ?(?:钟)?/))) {
    hour = Number(m[1])
    minute = m[2] ? 30 : m[3] ? Number(m[3]) * 15 : m[4] ? Number(m[4]) : 0
  }
  // A period written after the time (`6点下午`) is still understood.
  if (period === null && hour !== null) {
    for (const [re, name] of PERIODS) {
      if (name !== 'afterWork' && take(re)) {
        period = name
        break
      }
    }
  }
  rest = rest.trim()
  if (rest !== '') throw notUnderstood()
  if (!day && period === null && hour === null) throw notUnderstood()

  if (hour !== null) {
    const written = original
    if (minute > 59 || hour > 24 || (hour === 24 && minute > 0)) throw new Refusal(t.invalidTime(written))
    const inPeriod = hourInPeriod(period, hour)
    if (inPeriod === null) throw new Refusal(t.invalidTime(written))
    hour = inPeriod
    if (hour === 24 && minute > 0) throw new Refusal(t.invalidTime(written))
  } else if (period !== null) {
    ;({ hour, minute } = PERIOD_DEFAULT[period])
  } else {
    ;({ hour, minute } = END_OF_DAY)
  }

  let base = day ?? { y: p.year, m: p.month, d: p.day }
  const isToday = base.y === p.year && base.m === p.month && base.d === p.day
  // 晚上12点 is midnight, the start of the next day.
  if (hour === 24) {
    base = addDays(base.y, base.m, base.d, 1)
    hour = 0
  }
  let at = zonedTime(base.y, base.m, base.d, hour, minute, timeZone)
  // A bare morning hour written with 点 whose time has passed today: the evening one, if still ahead.
  if (isToday && period === null && !twentyFour && hour < 12 && at <= now) {
    const evening = zonedTime(base.y, base.m, base.d, hour + 12, minute, timeZone)
    if (evening > now) return evening
  }
  if (!dayGiven) {
    // A time without a day that has passed today: tomorrow's.
    if (at <= now) {
      const tomorrow = addDays(base.y, base.m, base.d, 1)
      at = zonedTime(tomorrow.y, tomorrow.m, tomorrow.d, hour, minute, timeZone)
    }
  }
  return at
}

const DATE = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/

/** A calendar date (2026-03-01, 2026/3/1, 2026年3月1日) as year, month, day; null otherwise. */
export function parseDate(text: string): { year: number; month: number; day: number } | null {
  const m = DATE.exec(text.trim())
  if (!m) return null
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const probe = new Date(Date.UTC(year, month - 1, day))
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null
  return { year, month, day }
}
