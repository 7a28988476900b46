/**
 * The outbox: delivery rows written in the caller's transaction, and the per-platform pumps that send
 * them within each adapter's limits, with retries and dead letters.
 *
 * The rows themselves (stored form, writing, claiming, recording, backoff) are in outbox-store.ts,
 * holding writes back for a fan-out in held-writes.ts, resolving recipients in outbox-deliveries.ts.
 */
import crypto from 'node:crypto'
import type { Db, Tx } from '../db/client.js'
import type { Clock } from './clock.js'
import { releaseLease, tryAcquireLease } from './lease.js'
import { RateLimiter, type Bucket } from './rate-limiter.js'
import { noMetrics, type Metrics } from '../metrics/types.js'
import { holdBack, type RowWriter } from '../db/held-writes.js'
import {
  BATCH,
  backoffMs,
  type ClaimedRow,
  claimRow,
  deliveryOf,
  type NewRow,
  newRow,
  type OutboxRow,
  recordOutcome,
  recordSent,
  writeRows,
} from './outbox-store.js'
import { PermanentSendError, ThrottledError, type Adapter, type Delivery, type Platform } from './types.js'

export { holdWrites } from '../db/held-writes.js'
export { resolveDeliveries } from './outbox-deliveries.js'
export { backoffMs, type OutboxRow } from './outbox-store.js'

export interface OutboxOptions {
  clock: Clock
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** Sends in flight at once per platform (never more than one per target, so a chat sees its messages in order). */
  concurrency?: number
  /** How often to look for due rows when nothing wakes the pump. */
  pollMs?: number
  /** How long a claimed row stays claimed before another instance may take it over. */
  claimMs?: number
  instanceId?: string
  log?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void }
  /**
   * Awaited before each use of the database for sending: the service passes the chat core's
   * `giveWay`, so under a burst of inbound events the platforms are answered first.
   */
  giveWay?: () => Promise<void>
  /** Called once when a message goes to the dead letters (after the last attempt). */
  onDead?: (row: { id: number; key: string; platform: string; targetKind: string; target: string; lastError: string | null }) => void
  /** Counts sends, throttles and dead letters per platform. */
  metrics?: Metrics
}

/** A due row as the pump first sees it: enough to decide whether it may go now (its content is read when it is claimed). */
interface Candidate {
  id: number
  targetKind: string
  target: string
}

/** Rows written by a transaction show up when it commits: after an enqueue, look again this often, for a second. */
const AFTER_ENQUEUE_MS = 25
const AFTER_ENQUEUE_FOR_MS = 1000
/** Never read the due rows more often than this, however often the pump is woken. */
const MIN_QUERY_GAP_MS = 20

/**
 * The persisted outbox. Every outbound message becomes one row with an idempotency key, written
 * in the same transaction as the change that caused it; a pump per platform sends due rows
 * through the platform's adapter under its declared rate limits, retrying with exponential
 * backoff and jitter, and moves a row to the dead letters after the last attempt. Only the
 * instance holding a platform's lease sends for it, so limits hold across instances; a restart
 * resumes whatever was pending.
 */
export class Outbox implements RowWriter<NewRow> {
  private readonly adapters = new Map<Platform, Adapter>()
  private readonly limiter = new RateLimiter()
  private readonly inFlight = new Map<number, Promise<void>>()
  private readonly busyTargets = new Set<string>()
  private readonly pumps = new Map<Platform, Promise<void>>()
  private readonly wakers = new Set<() => void>()
  /** Due rows read by the last query, per platform, minus those claimed since (see `candidates`). */
  private readonly due = new Map<Platform, { rows: Candidate[]; at: number; full: boolean; wakes: number }>()
  /** Calls of `wake`: a read made before the latest one is stale. */
  private wakes = 0
  private lastEnqueueAt = 0
  private readonly provider: string | undefined
  private running = false
  readonly instanceId: string
  private readonly opts: Required<Omit<OutboxOptions, 'log' | 'onDead' | 'giveWay' | 'metrics'>> &
    Pick<OutboxOptions, 'log' | 'onDead' | 'giveWay'> & { metrics: Metrics }

  constructor(
    private readonly db: Db,
    options: OutboxOptions,
  ) {
    this.instanceId = options.instanceId ?? crypto.randomUUID()
    this.opts = { concurrency: 16, pollMs: 500, claimMs: 60_000, ...options, instanceId: this.instanceId, metrics: options.metrics ?? noMetrics }
    // The generated client's provider: it decides how a row is written once (see `enqueue`).
    this.provider = (db as unknown as { _activeProvider?: string })._activeProvider
  }

  register(adapter: Adapter): void {
    this.adapters.set(adapter.platform, adapter)
    if (this.running) this.startPump(adapter.platform)
  }

  adapter(platform: Platform): Adapter | undefined {
    return this.adapters.get(platform)
  }

  platforms(): Platform[] {
    return [...this.adapters.keys()]
  }

  /**
   * Writes deliveries in the caller's transaction; a key already present is left alone (idempotent).
   * One statement per call where the database allows (a fan-out calls this once per group, inside
   * one transaction that holds SQLite's write lock, so statements per call count): PostgreSQL
   * inserts with ON CONFLICT DO NOTHING; SQLite inserts one row and takes a unique violation as
   * "already there" (a failed statement leaves an SQLite transaction usable, unlike PostgreSQL's),
   * or checks many keys at once and inserts the rest together.
   */
  async enqueue(tx: Tx, deliveries: Delivery[], causeEventId?: number, notBefore?: Date): Promise<void> {
    const rows = deliveries.map((d) => newRow(d, causeEventId ?? null, d.notBefore ?? notBefore ?? this.opts.clock.now()))
    if (holdBack(this, tx, rows)) return
    await this.write(tx, rows)
  }

  /** Writes rows made by `enqueue` (now, or when `holdWrites` returns); of several with one key, the first is kept. */
  async write(tx: Tx, all: NewRow[]): Promise<void> {
    await writeRows(tx, all, this.provider)
    if (all.length === 0) return
    this.lastEnqueueAt = Date.now()
    // New rows sort after every row already due (by id). A pump that holds a full read (more rows
    // were due than it read) has nothing to gain from reading again before it has used that read
    // up: under a burst it would re-read hundreds of rows every few milliseconds to send a few.
    for (const platform of new Set(all.map((r) => r.platform as Platform))) {
      const cached = this.due.get(platform)
      // Marked stale: read again (no sooner than MIN_QUERY_GAP_MS after the last read).
      if (cached && (!cached.full || cached.rows.length === 0)) cached.wakes = -1
    }
    this.nudge()
  }

  /** Starts one sending pump per registered platform. */
  start(): void {
    if (this.running) return
    this.running = true
    for (const platform of this.adapters.keys()) this.startPump(platform)
  }

  /** Stops taking new rows and waits for the sends in flight to finish. */
  async stop(graceMs = 10_000): Promise<void> {
    this.running = false
    this.wake()
    // A send the platform never answers must not hold the shutdown: after the grace its row stays
    // claimed, and the claim's expiry hands it to whoever sends next (nothing is lost).
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs)
      timer.unref()
    })
    await Promise.race([Promise.allSettled([...this.pumps.values(), ...this.inFlight.values()]), grace])
    clearTimeout(timer)
    // Hand the sending over at once: an instance started next (a restart, a deploy) need not wait
    // for the leases to expire.
    for (const platform of this.adapters.keys()) await releaseLease(this.db, `outbox:${platform}`, this.instanceId).catch(() => {})
  }

  /** Wakes the pumps now (e.g. after an enqueue, or a dead letter put back) to read the due rows again instead of at their next poll. */
  wake(): void {
    this.wakes++
    this.nudge()
  }

  /** Wakes the pumps to try the rows they know of (a send finished: its target and its slot are free). */
  private nudge(): void {
    for (const w of [...this.wakers]) w()
  }

  /**
   * Waits until every row caused by an inbound event and due now is sent or dead (or the timeout
   * passes), and returns those rows. The playground answers with them.
   */
  async settled(causeEventId: number, timeoutMs = 10_000): Promise<OutboxRow[]> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const rows = await this.db.outboxMessage.findMany({ where: { causeEventId }, orderBy: { id: 'asc' } })
      // Rows held for later (quiet hours, a retry's backoff) are not waited for.
      const now = this.opts.clock.now()
      const open = rows.some((r) => (r.status === 'pending' && r.nextAttemptAt <= now) || r.status === 'sending')
      if (!open || Date.now() > deadline) return rows
      this.wake()
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  private startPump(platform: Platform): void {
    if (this.pumps.has(platform)) return
    const pump = this.pump(platform).finally(() => this.pumps.delete(platform))
    this.pumps.set(platform, pump)
  }

  private sleep(ms: number): Promise<void> {
    // Stopped while the pump was reading or sending (no waker to call then): no wait for the next poll.
    if (!this.running) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wakers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.wakers.add(done)
    })
  }

  private async pump(platform: Platform): Promise<void> {
    const leaseKey = `outbox:${platform}`
    let leaseCheckedAt = 0
    let holding = false
    while (this.running) {
      try {
        const nowMs = Date.now()
        if (nowMs - leaseCheckedAt > this.opts.claimMs / 4) {
          holding = await tryAcquireLease(this.db, leaseKey, this.instanceId, this.opts.claimMs, this.opts.clock.now())
          leaseCheckedAt = nowMs
        }
        if (!holding) {
          await this.sleep(this.opts.pollMs * 4)
          continue
        }
        await this.opts.giveWay?.()
        const waitMs = await this.sendDue(platform)
        await this.sleep(Math.min(waitMs, this.opts.pollMs))
      } catch (error) {
        this.opts.log?.error({ err: error, platform }, 'outbox pump error; retrying')
        this.opts.metrics.error('outbox', error)
        leaseCheckedAt = 0
        await this.sleep(Math.min(5000, this.opts.pollMs * 4))
      }
    }
  }

  private appBucket(adapter: Adapter): Bucket {
    return { key: `${adapter.platform}:app`, rules: adapter.limits.perPlatform ?? [] }
  }

  private buckets(adapter: Adapter, target: string): Bucket[] {
    return [{ key: `${adapter.platform}:target:${target}`, rules: adapter.limits.perTarget ?? [] }, this.appBucket(adapter)]
  }

  /**
   * The due rows, in order: read from the database when the last read is stale (woken by `wake`,
   * older than `pollMs`, or `AFTER_ENQUEUE_MS` for a second after an enqueue, whose rows appear when
   * its transaction commits), or used up while more were due; otherwise what is left of the last
   * read. Rows are claimed one by one with a conditional update, so a row another path changed in
   * between is simply not claimed. Returns null when it is too soon to read again.
   */
  private async candidates(platform: Platform): Promise<Candidate[] | null> {
    const nowMs = Date.now()
    const cached = this.due.get(platform)
    // Soon after an enqueue the new rows may not have been committed at the last read: read again
    // soon — unless that read was full, so new rows come after it anyway (see `write`).
    const maxAge = nowMs - this.lastEnqueueAt < AFTER_ENQUEUE_FOR_MS && !cached?.full ? AFTER_ENQUEUE_MS : this.opts.pollMs
    const age = cached ? nowMs - cached.at : Infinity
    const reread = !cached || cached.wakes !== this.wakes || age >= maxAge || (cached.rows.length === 0 && cached.full)
    if (!reread) return cached.rows
    if (age < MIN_QUERY_GAP_MS) return null
    const wakes = this.wakes
    const now = this.opts.clock.now()
    const rows = await this.db.outboxMessage.findMany({
      where: {
        platform,
        nextAttemptAt: { lte: now },
        OR: [{ status: 'pending' }, { status: 'sending', lockedUntil: { lt: now } }],
        id: { notIn: [...this.inFlight.keys()] },
      },
      select: { id: true, targetKind: true, target: true },
      orderBy: { id: 'asc' },
      take: BATCH,
    })
    this.due.set(platform, { rows, at: nowMs, full: rows.length === BATCH, wakes })
    return rows
  }

  /** Starts sends for due rows within limits; returns how long until something may be due. */
  private async sendDue(platform: Platform): Promise<number> {
    const adapter = this.adapters.get(platform)
    if (!adapter) return this.opts.pollMs
    // A finishing send wakes the pump.
    if (this.inFlight.size >= this.opts.concurrency) return this.opts.pollMs
    const afterEnqueue = Date.now() - this.lastEnqueueAt < AFTER_ENQUEUE_FOR_MS ? AFTER_ENQUEUE_MS : this.opts.pollMs
    // While the platform's own window is full nothing may start: wait for its next free slot
    // without reading anything (under a long fan-out this is where the pump spends its time).
    const appWait = this.limiter.waitMs([this.appBucket(adapter)], Date.now())
    if (appWait > 0) return appWait
    const rows = await this.candidates(platform)
    if (!rows) return MIN_QUERY_GAP_MS
    let wait = afterEnqueue
    let started = 0
    // Targets whose earlier row could not be claimed in this round: their later rows wait, and the
    // rows are read again (the list is stale), so a chat gets its messages in the order written.
    const passed = new Set<string>()
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      if (!this.running) break
      if (this.inFlight.size >= this.opts.concurrency) break
      const targetKey = `${row.targetKind}:${row.target}`
      if (this.busyTargets.has(targetKey) || passed.has(targetKey)) continue
      const buckets = this.buckets(adapter, row.target)
      const limitWait = this.limiter.waitMs(buckets, Date.now())
      if (limitWait > 0) {
        wait = Math.min(wait, limitWait)
        // The app's window is full: no later row may go either.
        if (this.limiter.waitMs([this.appBucket(adapter)], Date.now()) > 0) break
        continue
      }
      // Taken off the list whether the claim succeeds or not (another path changed the row).
      rows.splice(i--, 1)
      await this.opts.giveWay?.()
      const claimed = await this.claim(row.id)
      if (!claimed) {
        passed.add(targetKey)
        this.due.delete(platform)
        continue
      }
      const finished = this.limiter.start(buckets)
      this.busyTargets.add(targetKey)
      started++
      const send = this.sendOne(adapter, claimed, claimed.attempts, finished)
        // The row stays claimed (and is taken up again when its claim runs out) if even recording failed.
        .catch(
          (error) => (
            this.opts.metrics.error('outbox', error),
            this.opts.log?.error({ err: error, platform, key: claimed.key }, 'outbox: could not record the outcome of a send')
          ),
        )
        .finally(() => {
          finished(Date.now())
          this.inFlight.delete(claimed.id)
          this.busyTargets.delete(targetKey)
          this.nudge()
        })
      this.inFlight.set(claimed.id, send)
    }
    // Rows left because their target was busy are tried again when a send finishes (it wakes us).
    return started > 0 || this.inFlight.size > 0 ? Math.min(wait, 50) : wait
  }

  private claim(id: number): Promise<ClaimedRow | null> {
    return claimRow(this.db, id, this.opts.clock.now(), this.opts.claimMs)
  }

  private record(id: number, data: Parameters<Db['outboxMessage']['update']>[0]['data']): Promise<void> {
    return recordOutcome(this.db, id, data)
  }

  private async sendOne(adapter: Adapter, row: ClaimedRow, attempt: number, finished: (at: number) => void): Promise<void> {
    const delivery = deliveryOf(row)
    try {
      const result = await adapter.send(delivery).finally(() => finished(Date.now()))
      await recordSent(this.db, row.id, this.opts.clock.now(), result.platformMessageId ?? null)
      this.opts.metrics.sent(adapter.platform)
    } catch (error) {
      await this.failed(adapter, row, attempt, error)
    }
  }

  private async failed(adapter: Adapter, row: ClaimedRow, attempt: number, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error)
    const now = this.opts.clock.now()
    if (error instanceof ThrottledError) {
      // The platform said "too many": hold the target back; a throttle does not use up an attempt.
      this.limiter.penalize(`${adapter.platform}:target:${row.target}`, Date.now() + error.retryAfterMs)
      this.opts.metrics.throttled(adapter.platform)
      await this.record(row.id, {
        status: 'pending',
        attempts: { decrement: 1 },
        lockedUntil: null,
        lastError: message,
        nextAttemptAt: new Date(now.getTime() + error.retryAfterMs),
      })
      this.opts.log?.warn({ platform: row.platform, key: row.key, retryAfterMs: error.retryAfterMs }, 'outbox: throttled by platform, backing off')
      return
    }
    if (error instanceof PermanentSendError || attempt >= this.opts.maxAttempts) {
      await this.record(row.id, { status: 'dead', lockedUntil: null, lastError: message })
      this.opts.metrics.deadLetter(adapter.platform)
      this.opts.log?.error({ platform: row.platform, key: row.key, attempts: attempt, error: message }, 'outbox: message moved to dead letters')
      this.opts.onDead?.({ id: row.id, key: row.key, platform: row.platform, targetKind: row.targetKind, target: row.target, lastError: message })
      return
    }
    const delay = backoffMs(attempt, this.opts.baseDelayMs, this.opts.maxDelayMs)
    await this.record(row.id, { status: 'pending', lockedUntil: null, lastError: message, nextAttemptAt: new Date(now.getTime() + delay) })
    this.opts.metrics.sendFailed(adapter.platform)
    this.opts.log?.warn({ platform: row.platform, key: row.key, attempt, retryInMs: delay, error: message }, 'outbox: send failed, will retry')
  }
}
