import cron, { type Logger as CronLogger, type RunCoordinator, type ScheduledTask } from 'node-cron'
import { isUniqueViolation, type Db } from '../db/client.js'
import type { Clock } from './clock.js'
import { assertTimeZone } from './time/zone.js'
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

  constructor(
    private readonly inner: RunCoordinator,
    private readonly metrics: Metrics,
  ) {}

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
