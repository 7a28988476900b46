import cron, { type Logger as CronLogger, type RunCoordinator, type ScheduledTask } from 'node-cron'
import { isUniqueViolation, type Db } from '../db/client.js'
import type { Clock } from './clock.js'
import { noMetrics, type Metrics } from '../metrics/types.js'

type Log = { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void }

const silentLog: Log = { info() {}, warn() {}, error() {} }

/** Prefix of the lease rows that record which instance fired a scheduled slot. */
export const CRON_LEASE_PREFIX = 'cron:'
/** A slot's row is kept at least this long, so an instance that is late never fires it again. */
const MIN_SLOT_LEASE_MS = 24 * 60 * 60 * 1000
/** How often (at most) a coordinator deletes expired slot rows. */
const PRUNE_EVERY_MS = 10 * 60 * 1000

/**
 * Decides, across every instance on one database, which one fires a scheduled slot. node-cron
 * asks `shouldRun(key)` before each fire with a key unique to the task's name and the slot
 * (`name:2026-03-02T01:00:00.000Z`); the first instance to insert the lease row for that key wins,
 * the others hit the primary key and stand aside. The row is never released when the run ends
 * (that would let an instance that reached the slot late fire it a second time); expired rows are
 * pruned now and then instead.
 */
export class DatabaseRunCoordinator implements RunCoordinator {
  private lastPrune = 0

  constructor(
    private readonly db: Db,
    readonly instanceId: string,
  ) {}

  async shouldRun(key: string, ttlMs: number): Promise<boolean> {
    const now = new Date()
    await this.prune(now)
    const expiresAt = new Date(now.getTime() + Math.max(ttlMs, MIN_SLOT_LEASE_MS))
    try {
      await this.db.lease.create({ data: { key: CRON_LEASE_PREFIX + key, holder: this.instanceId, expiresAt } })
      return true
    } catch (err) {
      if (isUniqueViolation(err)) return false
      // Anything else: node-cron skips the slot (fails closed) rather than risk running it twice.
      throw err
    }
  }

  /** Deletes slot rows that have expired; at most once per ten minutes, and never fails the caller. */
  private async prune(now: Date): Promise<void> {
    if (now.getTime() - this.lastPrune < PRUNE_EVERY_MS) return
    this.lastPrune = now.getTime()
    try {
      await this.db.lease.deleteMany({ where: { key: { startsWith: CRON_LEASE_PREFIX }, expiresAt: { lt: now } } })
    } catch {
      // Best effort: the next prune will catch up.
    }
  }
}

interface Deferred {
  promise: Promise<void>
  resolve(): void
}

function deferred(): Deferred {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

/**
 * Wraps the database coordinator so the scheduler knows which slots are in flight (from the
 * moment node-cron asks until the run has finished), and can wait for them when it stops.
 */
class TrackingCoordinator implements RunCoordinator {
  readonly inFlight = new Map<string, Deferred>()

  constructor(private readonly inner: RunCoordinator, private readonly metrics: Metrics) {}

  async shouldRun(key: string, ttlMs: number): Promise<boolean> {
    const done = deferred()
    this.inFlight.set(key, done)
    let allowed = false
    try {
      allowed = await this.inner.shouldRun(key, ttlMs)
      this.metrics.schedulerTick(key, allowed)
      return allowed
    } finally {
      // Lost or failed: nothing will run. Won: onComplete finishes it once the run is over.
      if (!allowed) this.finish(key, done)
    }
  }

  onComplete(key: string): void {
    const done = this.inFlight.get(key)
    if (done) this.finish(key, done)
  }

  private finish(key: string, done: Deferred): void {
    if (this.inFlight.get(key) === done) this.inFlight.delete(key)
    done.resolve()
  }
}

export interface SchedulerOptions {
  db: Db
  instanceId: string
  /** IANA time zone the cron expressions are read in, e.g. Asia/Shanghai. */
  timeZone: string
  clock: Clock
  log?: Log
  /** Counts slots asked for and won, and runs, per job. */
  metrics?: Metrics
}

interface Job {
  name: string
  cronExpression: string
  run: (now: Date) => Promise<void>
  task?: ScheduledTask
}

/**
 * Scheduled jobs. Each job is a node-cron task in the configured time zone; with several
 * instances on one database, each slot of each job runs on exactly one of them (the
 * DatabaseRunCoordinator decides). A job never runs twice at once on one instance, and an error
 * in a job is logged and never stops the scheduler.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>()
  private readonly coordinator: TrackingCoordinator
  private readonly manual = new Set<Promise<void>>()
  private readonly log: Log
  private running = false

  constructor(private readonly opts: SchedulerOptions) {
    assertTimeZone(opts.timeZone)
    this.log = opts.log ?? silentLog
    this.coordinator = new TrackingCoordinator(new DatabaseRunCoordinator(opts.db, opts.instanceId), opts.metrics ?? noMetrics)
  }

  /** Registers a job under a unique name; `cronExpression` has 5 or 6 fields (seconds first when 6). */
  add(name: string, cronExpression: string, job: (now: Date) => Promise<void>): void {
    if (!name.trim()) throw new Error('a scheduled job needs a name')
    if (this.jobs.has(name)) throw new Error(`scheduled job "${name}" is already registered`)
    const detail = cron.validateDetailed(cronExpression)
    if (!cron.validate(cronExpression) || !detail.valid) {
      const why = detail.errors.map((e) => e.message).join('; ')
      throw new Error(`scheduled job "${name}": invalid cron expression "${cronExpression}"${why ? ` (${why})` : ''}`)
    }
    const entry: Job = { name, cronExpression, run: job }
    this.jobs.set(name, entry)
    if (this.running) this.startTask(entry)
  }

  jobNames(): string[] {
    return [...this.jobs.keys()]
  }

  start(): void {
    if (this.running) return
    this.running = true
    for (const job of this.jobs.values()) this.startTask(job)
  }

  /**
   * Stops firing, then waits (at most `timeoutMs`) for runs already under way, including slots
   * whose coordination question is still out. The scheduler can be started again afterwards.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.running = false
    for (const job of this.jobs.values()) {
      const task = job.task
      job.task = undefined
      if (!task) continue
      try {
        await task.stop()
        await task.destroy()
      } catch (err) {
        this.log.warn({ err, job: job.name }, 'could not stop a scheduled task cleanly')
      }
    }
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const pending = [...this.coordinator.inFlight.values()].map((d) => d.promise).concat([...this.manual])
      if (pending.length === 0) return
      const left = deadline - Date.now()
      if (left <= 0) {
        this.log.warn({ pending: pending.length }, 'scheduler stopped with scheduled jobs still running')
        return
      }
      let timer: NodeJS.Timeout | undefined
      await Promise.race([Promise.allSettled(pending), new Promise<void>((r) => (timer = setTimeout(r, left)))])
      clearTimeout(timer)
      // A slot whose question was just answered `true` starts its run a few ticks later; look again.
      await new Promise<void>((r) => setImmediate(r))
    }
  }

  /** Runs a job at once on this instance, outside the schedule and without coordination. */
  async runNow(name: string): Promise<void> {
    const job = this.jobs.get(name)
    if (!job) throw new Error(`no scheduled job named "${name}"`)
    const run = this.execute(job, 'manual')
    this.manual.add(run)
    try {
      await run
    } finally {
      this.manual.delete(run)
    }
  }

  private startTask(job: Job): void {
    const task = cron.createTask(job.cronExpression, () => this.execute(job, 'scheduled'), {
      name: job.name,
      timezone: this.opts.timeZone,
      noOverlap: true,
      distributed: true,
      runCoordinator: this.coordinator,
      logger: this.cronLogger(job.name),
    })
    job.task = task
    void task.start()
  }

  /** Runs a job with the clock's time; its errors are logged, never thrown. */
  private async execute(job: Job, reason: 'scheduled' | 'manual'): Promise<void> {
    const now = this.opts.clock.now()
    try {
      await job.run(now)
      this.opts.metrics?.schedulerRun(job.name, true)
    } catch (err) {
      this.opts.metrics?.schedulerRun(job.name, false)
      this.opts.metrics?.error('scheduler', err)
      this.log.error({ err, job: job.name, reason }, 'scheduled job failed')
    }
  }

  private cronLogger(job: string): CronLogger {
    const describe = (m: string | Error) => (typeof m === 'string' ? m : m.message)
    return {
      info: (m) => this.log.info({ job }, `node-cron: ${m}`),
      warn: (m) => this.log.warn({ job }, `node-cron: ${m}`),
      error: (m, err) => this.log.error({ job, err: err ?? (m instanceof Error ? m : undefined) }, `node-cron: ${describe(m)}`),
      debug: () => {},
    }
  }
}

function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
  } catch {
    throw new Error(`unknown time zone "${timeZone}"`)
  }
}

// ---------------------------------------------------------------------------------------------
// Wall-clock time in a zone

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

/** The wall-clock date and time of an instant in a time zone. */
export function localParts(date: Date, timeZone: string): LocalParts {
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
