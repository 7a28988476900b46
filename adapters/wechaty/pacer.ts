import { ThrottledError } from '../../src/core/types.js'

export interface PaceSettings {
  /** The least time between the end of one send and the start of the next. */
  paceMs: number
  /** Plus a random pause of up to this. */
  jitterMs: number
  /** Plus this much per character of the message about to go. */
  msPerChar: number
  /** At most this many sends a calendar day (in `timeZone`). */
  dailyLimit: number
  timeZone: string
}

/**
 * One WeChat account's sending, one message at a time: however many sends the outbox starts at
 * once, each waits for its slot in this queue, and the account never sends faster than a person
 * would (pace, jitter, longer pauses before longer messages, a daily ceiling).
 */
export class AccountPacer {
  private tail: Promise<unknown> = Promise.resolve()
  /** When the last send finished (real time, ms). */
  private lastEnd = 0
  private day = ''
  private sentToday = 0
  private queued = 0
  /** The most sends ever waiting or sending at once (the outbox is meant to keep this small). */
  peakQueued = 0

  constructor(
    private readonly settings: PaceSettings,
    private readonly random: () => number = Math.random,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** How many sends today's ceiling has used. */
  get usedToday(): number {
    return this.day === this.dayOf(this.now()) ? this.sentToday : 0
  }

  /**
   * Runs `send` in its turn. `check` runs once the slot is reached and before the ceiling is
   * counted (e.g. "still logged in?"); past the daily ceiling this throws ThrottledError with
   * the time until the next day.
   */
  run<T>(length: number, send: () => Promise<T>, check: () => void = () => {}): Promise<T> {
    this.peakQueued = Math.max(this.peakQueued, ++this.queued)
    const turn = this.tail.then(() => this.slot(length, send, check)).finally(() => this.queued--)
    this.tail = turn.catch(() => {})
    return turn
  }

  private async slot<T>(length: number, send: () => Promise<T>, check: () => void): Promise<T> {
    const { paceMs, jitterMs, msPerChar, dailyLimit } = this.settings
    this.ceiling(dailyLimit)
    const gap = paceMs + Math.floor(this.random() * (jitterMs + 1)) + msPerChar * length
    const wait = this.lastEnd + gap - Date.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    check()
    this.ceiling(dailyLimit)
    this.sentToday++
    try {
      return await send()
    } finally {
      this.lastEnd = Date.now()
    }
  }

  private ceiling(limit: number): void {
    const now = this.now()
    const today = this.dayOf(now)
    if (today !== this.day) {
      this.day = today
      this.sentToday = 0
    }
    if (this.sentToday >= limit) {
      throw new ThrottledError(`wechaty: the account's daily ceiling of ${limit} messages is reached`, Math.max(60_000, this.untilTomorrow(now)))
    }
  }

  private dayOf(d: Date): string {
    return new Intl.DateTimeFormat('en-CA', { timeZone: this.settings.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
  }

  /** Milliseconds until the next calendar day in the time zone (to the minute). */
  private untilTomorrow(now: Date): number {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: this.settings.timeZone,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(now)
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0)
    const elapsed = ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000
    return 24 * 3_600_000 - elapsed
  }
}
