import type { Db } from '../db/client.js'
import { isUniqueViolation } from '../db/client.js'
import { insertBeside, storesBeside } from '../db/direct-writes.js'
import { traceOf } from './retention.js'
import type { InboundMessage } from './types.js'

export interface Received {
  id: number
  duplicate: boolean
}

interface Waiting {
  msg: InboundMessage
  resolve: (r: Received) => void
  reject: (e: unknown) => void
}

/** Most events stored by one statement. */
const MAX_BATCH = 256

/**
 * Stores inbound events before the platform is answered, committing the events that arrive
 * together in one statement (group commit): under a burst, one write and one sync serve dozens of
 * webhook requests instead of one each. Every caller still gets its own row id, or learns its
 * event is a redelivery (same platform and event id), once the row is durably stored; if the
 * write fails, every caller in that batch gets the error (so each platform is answered 5xx and
 * delivers again).
 *
 * It also tells background work when to give way: `quiet()` resolves once nothing has arrived
 * for a moment, so handling (long transactions on SQLite's one connection) does not stand
 * between a platform and its answer during a burst.
 */
/** An inbound event's row: the whole message until it is handled, and from the start what is kept of it afterwards. */
const stored = (m: InboundMessage) => ({ platform: m.platform, eventId: m.eventId, payload: JSON.stringify(m), trace: traceOf(m) })

export class Intake {
  private pending: Waiting[] = []
  private flushing: Promise<void> | null = null
  private lastArrival = 0

  /** Whether inserts go by the driver on the pool (PostgreSQL), see `insert`. */
  private readonly byDriver: boolean

  constructor(private readonly db: Db) {
    this.byDriver = storesBeside(db)
  }

  store(msg: InboundMessage): Promise<Received> {
    this.lastArrival = performance.now()
    return new Promise<Received>((resolve, reject) => {
      this.pending.push({ msg, resolve, reject })
      // Requests arriving in the same turn of the event loop share the write.
      if (!this.flushing) this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flush())
    })
  }

  /** True when an event arrived less than `ms` ago: a burst is going on. */
  arrivedWithin(ms: number): boolean {
    return performance.now() - this.lastArrival < ms
  }

  /** True while events are waiting to be stored or being stored. */
  get busy(): boolean {
    return this.flushing !== null
  }

  /**
   * Resolves when nothing is being stored and nothing has arrived for `idleMs`, or after
   * `maxWaitMs` at the latest (so background work always moves, if slowly, under a long burst);
   * never before the event loop has had a turn.
   */
  async quiet(idleMs: number, maxWaitMs: number): Promise<void> {
    const started = performance.now()
    // First let the event loop read what has arrived: SQLite's driver answers synchronously, so
    // background work chained on its promises would otherwise never yield to incoming requests.
    await new Promise((r) => setImmediate(r))
    for (;;) {
      const now = performance.now()
      if (now - started >= maxWaitMs) return
      if (!this.flushing && now - this.lastArrival >= idleMs) return
      if (this.flushing) await Promise.race([this.flushing, sleep(maxWaitMs - (now - started))])
      else await sleep(Math.min(idleMs - (now - this.lastArrival), maxWaitMs - (now - started)))
    }
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH)
        try {
          const results = await this.insert(batch.map((w) => w.msg))
          batch.forEach((w, i) => w.resolve(results[i]!))
        } catch (error) {
          for (const w of batch) w.reject(error)
        }
      }
    } finally {
      this.flushing = null
    }
  }

  /**
   * One insert for the batch. A redelivery is rare: only when the insert meets one are the
   * batch's stored events looked up, and the rest inserted. On PostgreSQL the insert is the
   * driver's own statement on the pool, a stored event left alone (db/direct-writes.ts): Prisma's
   * `createManyAndReturn` cost an event's webhook more CPU than the rest of its storing.
   */
  private async insert(msgs: InboundMessage[]): Promise<Received[]> {
    if (msgs.length === 1 && !this.byDriver) return [await this.insertOne(msgs[0]!)]
    const keyOf = (m: { platform: string; eventId: string }) => `${m.platform}\u0000${m.eventId}`
    const known = new Map<string, number>()
    const created = new Map<string, number>()
    const createAll = async (list: InboundMessage[]) => {
      const receivedAt = new Date()
      const rows =
        (await insertBeside(
          this.db,
          'InboundEvent',
          list.map((m) => ({ ...stored(m), receivedAt })),
          { skipDuplicates: true, returning: ['id', 'platform', 'eventId'] },
        )) ??
        (await this.db.inboundEvent.createManyAndReturn({
          data: list.map(stored),
          select: { id: true, platform: true, eventId: true },
        }))
      for (const row of rows) created.set(keyOf(row as { platform: string; eventId: string }), Number(row.id))
    }
    const lookUp = async (list: InboundMessage[]) => {
      const existing = await this.db.inboundEvent.findMany({
        where: { OR: list.map((m) => ({ platform: m.platform, eventId: m.eventId })) },
        select: { id: true, platform: true, eventId: true },
      })
      for (const row of existing) known.set(keyOf(row), row.id)
    }
    // A redelivery can arrive in the same batch as the original: the event is stored once.
    const byKey = new Map<string, InboundMessage>()
    for (const m of msgs) if (!byKey.has(keyOf(m))) byKey.set(keyOf(m), m)
    const firsts = [...byKey.values()]
    try {
      await createAll(firsts)
      // By the driver, a stored event is left out rather than refused: it is a redelivery.
      const left = firsts.filter((m) => !created.has(keyOf(m)))
      if (left.length > 0) await lookUp(left)
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      await lookUp(firsts)
      const fresh = firsts.filter((m) => !known.has(keyOf(m)))
      try {
        if (fresh.length > 0) await createAll(fresh)
      } catch (again) {
        // Another instance stored one of them meanwhile: one at a time.
        if (!isUniqueViolation(again)) throw again
        for (const m of fresh) {
          const one = await this.insertOne(m)
          if (one.duplicate) known.set(keyOf(m), one.id)
          else created.set(keyOf(m), one.id)
        }
      }
    }
    // Within the batch, only the first of several copies of a new event is new.
    const claimed = new Set<string>()
    return msgs.map((m) => {
      const key = keyOf(m)
      const id = created.get(key)
      if (id !== undefined && !claimed.has(key)) {
        claimed.add(key)
        return { id, duplicate: false }
      }
      return { id: id ?? known.get(key)!, duplicate: true }
    })
  }

  private async insertOne(m: InboundMessage): Promise<Received> {
    try {
      return {
        id: (await this.db.inboundEvent.create({ data: stored(m), select: { id: true } })).id,
        duplicate: false,
      }
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      const row = await this.db.inboundEvent.findUniqueOrThrow({
        where: { platform_eventId: { platform: m.platform, eventId: m.eventId } },
        select: { id: true },
      })
      return { id: row.id, duplicate: true }
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(1, ms)))
