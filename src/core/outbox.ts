import crypto from 'node:crypto'
import type { Db, Tx } from '../db/client.js'
import type { Clock } from './clock.js'
import { tryAcquireLease } from './lease.js'
import { RateLimiter, type Bucket } from './rate-limiter.js'
import {
  PermanentSendError,
  ThrottledError,
  type Adapter,
  type Card,
  type Delivery,
  type OutboundMessage,
  type Platform,
} from './types.js'

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
  /** Called once when a message goes to the dead letters (after the last attempt). */
  onDead?: (row: { id: number; key: string; platform: string; targetKind: string; target: string; lastError: string | null }) => void
}

/** The stored form of a delivery's content. */
interface StoredPayload {
  text: string
  mentions?: Delivery['mentions']
  card?: Card
}

export type OutboxRow = Awaited<ReturnType<Db['outboxMessage']['findFirstOrThrow']>>

/**
 * The persisted outbox. Every outbound message becomes one row with an idempotency key, written
 * in the same transaction as the change that caused it; a pump per platform sends due rows
 * through the platform's adapter under its declared rate limits, retrying with exponential
 * backoff and jitter, and moves a row to the dead letters after the last attempt. Only the
 * instance holding a platform's lease sends for it, so limits hold across instances; a restart
 * resumes whatever was pending.
 */
export class Outbox {
  private readonly adapters = new Map<Platform, Adapter>()
  private readonly limiter = new RateLimiter()
  private readonly inFlight = new Map<number, Promise<void>>()
  private readonly busyTargets = new Set<string>()
  private readonly pumps = new Map<Platform, Promise<void>>()
  private readonly wakers = new Set<() => void>()
  private running = false
  readonly instanceId: string
  private readonly opts: Required<Omit<OutboxOptions, 'log' | 'onDead'>> & Pick<OutboxOptions, 'log' | 'onDead'>

  constructor(private readonly db: Db, options: OutboxOptions) {
    this.instanceId = options.instanceId ?? crypto.randomUUID()
    this.opts = { concurrency: 16, pollMs: 500, claimMs: 60_000, ...options, instanceId: this.instanceId }
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

  /** Writes deliveries in the caller's transaction; a key already present is left alone (idempotent). */
  async enqueue(tx: Tx, deliveries: Delivery[], causeEventId?: number, notBefore?: Date): Promise<void> {
    for (const d of deliveries) {
      const exists = await tx.outboxMessage.findUnique({ where: { key: d.key }, select: { id: true } })
      if (exists) continue
      const payload: StoredPayload = { text: d.text, ...(d.mentions?.length ? { mentions: d.mentions } : {}), ...(d.card ? { card: d.card } : {}) }
      await tx.outboxMessage.create({
        data: {
          key: d.key,
          platform: d.platform,
          targetKind: d.targetKind,
          target: d.target,
          payload: JSON.stringify(payload),
          causeEventId: causeEventId ?? null,
          nextAttemptAt: d.notBefore ?? notBefore ?? this.opts.clock.now(),
        },
      })
    }
    this.wake()
  }

  /** Starts one sending pump per registered platform. */
  start(): void {
    if (this.running) return
    this.running = true
    for (const platform of this.adapters.keys()) this.startPump(platform)
  }

  /** Stops taking new rows and waits for the sends in flight to finish. */
  async stop(): Promise<void> {
    this.running = false
    this.wake()
    await Promise.allSettled([...this.pumps.values()])
    await Promise.allSettled([...this.inFlight.values()])
  }

  /** Wakes the pumps now (e.g. after an enqueue) instead of at their next poll. */
  wake(): void {
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
        const waitMs = await this.sendDue(platform)
        await this.sleep(Math.min(waitMs, this.opts.pollMs))
      } catch (error) {
        this.opts.log?.error({ err: error, platform }, 'outbox pump error; retrying')
        leaseCheckedAt = 0
        await this.sleep(Math.min(5000, this.opts.pollMs * 4))
      }
    }
  }

  private buckets(adapter: Adapter, target: string): Bucket[] {
    return [
      { key: `${adapter.platform}:target:${target}`, rules: adapter.limits.perTarget ?? [] },
      { key: `${adapter.platform}:app`, rules: adapter.limits.perPlatform ?? [] },
    ]
  }

  /** Starts sends for due rows within limits; returns how long until something may be due. */
  private async sendDue(platform: Platform): Promise<number> {
    const adapter = this.adapters.get(platform)
    if (!adapter) return this.opts.pollMs
    const now = this.opts.clock.now()
    const rows = await this.db.outboxMessage.findMany({
      where: {
        platform,
        nextAttemptAt: { lte: now },
        OR: [{ status: 'pending' }, { status: 'sending', lockedUntil: { lt: now } }],
        id: { notIn: [...this.inFlight.keys()] },
      },
      orderBy: { id: 'asc' },
      take: 500,
    })
    let wait = this.opts.pollMs
    let started = 0
    for (const row of rows) {
      if (!this.running) break
      if (this.inFlight.size >= this.opts.concurrency) return 5
      const targetKey = `${row.targetKind}:${row.target}`
      if (this.busyTargets.has(targetKey)) continue
      const buckets = this.buckets(adapter, row.target)
      const limitWait = this.limiter.waitMs(buckets, Date.now())
      if (limitWait > 0) {
        wait = Math.min(wait, limitWait)
        continue
      }
      const claimed = await this.db.outboxMessage.updateMany({
        where: { id: row.id, OR: [{ status: 'pending' }, { status: 'sending', lockedUntil: { lt: now } }] },
        data: { status: 'sending', lockedUntil: new Date(now.getTime() + this.opts.claimMs), attempts: { increment: 1 } },
      })
      if (claimed.count !== 1) continue
      const finished = this.limiter.start(buckets)
      this.busyTargets.add(targetKey)
      started++
      const send = this.sendOne(adapter, row, row.attempts + 1, finished).finally(() => {
        finished(Date.now())
        this.inFlight.delete(row.id)
        this.busyTargets.delete(targetKey)
        this.wake()
      })
      this.inFlight.set(row.id, send)
    }
    // Rows left because their target was busy are picked up when a send finishes (it wakes us).
    return started > 0 || this.inFlight.size > 0 ? Math.min(wait, 50) : wait
  }

  private async sendOne(adapter: Adapter, row: OutboxRow, attempt: number, finished: (at: number) => void): Promise<void> {
    const payload = JSON.parse(row.payload) as StoredPayload
    const delivery: Delivery = {
      key: row.key,
      platform: row.platform as Platform,
      targetKind: row.targetKind as 'chat' | 'user',
      target: row.target,
      ...payload,
    }
    try {
      const result = await adapter.send(delivery).finally(() => finished(Date.now()))
      await this.db.outboxMessage.update({
        where: { id: row.id },
        data: { status: 'sent', sentAt: this.opts.clock.now(), lockedUntil: null, lastError: null, platformMessageId: result.platformMessageId ?? null },
      })
    } catch (error) {
      await this.failed(adapter, row, attempt, error)
    }
  }

  private async failed(adapter: Adapter, row: OutboxRow, attempt: number, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error)
    const now = this.opts.clock.now()
    if (error instanceof ThrottledError) {
      // The platform said "too many": hold the target back; a throttle does not use up an attempt.
      this.limiter.penalize(`${adapter.platform}:target:${row.target}`, Date.now() + error.retryAfterMs)
      await this.db.outboxMessage.update({
        where: { id: row.id },
        data: { status: 'pending', attempts: { decrement: 1 }, lockedUntil: null, lastError: message, nextAttemptAt: new Date(now.getTime() + error.retryAfterMs) },
      })
      this.opts.log?.warn({ platform: row.platform, key: row.key, retryAfterMs: error.retryAfterMs }, 'outbox: throttled by platform, backing off')
      return
    }
    if (error instanceof PermanentSendError || attempt >= this.opts.maxAttempts) {
      await this.db.outboxMessage.update({ where: { id: row.id }, data: { status: 'dead', lockedUntil: null, lastError: message } })
      this.opts.log?.error({ platform: row.platform, key: row.key, attempts: attempt, error: message }, 'outbox: message moved to dead letters')
      this.opts.onDead?.({ id: row.id, key: row.key, platform: row.platform, targetKind: row.targetKind, target: row.target, lastError: message })
      return
    }
    const delay = backoffMs(attempt, this.opts.baseDelayMs, this.opts.maxDelayMs)
    await this.db.outboxMessage.update({
      where: { id: row.id },
      data: { status: 'pending', lockedUntil: null, lastError: message, nextAttemptAt: new Date(now.getTime() + delay) },
    })
    this.opts.log?.warn({ platform: row.platform, key: row.key, attempt, retryInMs: delay, error: message }, 'outbox: send failed, will retry')
  }
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(exp / 2 + random() * (exp / 2))
}

/** Outbound messages resolved to deliveries: a person is reached on the platforms named in `prefer`, in order. */
export async function resolveDeliveries(
  tx: Tx,
  messages: OutboundMessage[],
  keyPrefix: string,
  prefer: Platform[],
): Promise<{ deliveries: Delivery[]; unreachable: OutboundMessage[] }> {
  const deliveries: Delivery[] = []
  const unreachable: OutboundMessage[] = []
  let n = 0
  for (const m of messages) {
    const key = `${keyPrefix}:${n++}`
    const mentionIds = new Map<number, { platform: string; externalId: string }[]>()
    if (m.mentions?.length) {
      const ids = await tx.platformIdentity.findMany({ where: { personId: { in: m.mentions.map((x) => x.personId) } } })
      for (const id of ids) mentionIds.set(id.personId, [...(mentionIds.get(id.personId) ?? []), id])
    }
    const mentionsFor = (platform: Platform) =>
      m.mentions?.map((x) => ({ name: x.name, userId: platform === 'web' ? undefined : mentionIds.get(x.personId)?.find((i) => i.platform === platform)?.externalId }))
    const deliver = (platform: Platform, targetKind: 'chat' | 'user', target: string) =>
      deliveries.push({
        key,
        platform,
        targetKind,
        target,
        text: m.text,
        mentions: mentionsFor(platform),
        card: m.card,
      })
    let to: OutboundMessage['to'] | undefined = m.to
    if (to.kind === 'person') {
      const target = await personTarget(tx, to.personId, prefer)
      if (target) {
        deliver(target.platform, 'user', target.target)
        continue
      }
      to = m.fallback
    }
    if (!to || to.kind === 'person') unreachable.push(m)
    else if (to.kind === 'chat') deliver(to.platform, 'chat', to.chatId)
    else deliver(to.platform, 'user', to.userId)
  }
  return { deliveries, unreachable }
}

/** Where to reach a person privately: the first platform in `prefer` where they have an identity. */
async function personTarget(tx: Tx, personId: number, prefer: Platform[]): Promise<{ platform: Platform; target: string } | null> {
  const identities = await tx.platformIdentity.findMany({ where: { personId }, orderBy: { id: 'asc' } })
  for (const platform of prefer) {
    if (platform === 'web') {
      const person = await tx.person.findUnique({ where: { id: personId }, select: { employeeNo: true } })
      if (person) return { platform, target: person.employeeNo }
      continue
    }
    // Send to the id kind the platform addresses people by (open_id on Feishu, userid on WeCom…).
    const id = identities.find((i) => i.platform === platform && i.kind !== 'union_id') ?? identities.find((i) => i.platform === platform)
    if (id) return { platform, target: id.externalId }
  }
  return null
}
