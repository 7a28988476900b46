/**
 * The narrow ports the core gives platform adapters, so that an adapter translates and nothing
 * else: it never reads or writes a table. Everything an adapter needs to know of what the core
 * stored goes through here, in the neutral shapes of `types.ts`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Asker } from './commands.js'
import { openDatabase, type Db } from '../db/client.js'
import { migrate } from '../db/migrate.js'
import { AdapterState } from './adapter-state.js'
import type { Clock } from './clock.js'
import { leaseHeldBy } from './lease.js'
import type { Outbox } from './outbox.js'
import { PlatformRecords } from './platform-records.js'
import { wasPrivateChatWith } from './retention.js'
import type { Card, Delivery, Platform } from './types.js'

/** A delivery as the outbox keeps it: what was sent (or is to be), and how it went. */
export interface SentDelivery extends Delivery {
  status: 'pending' | 'sending' | 'sent' | 'dead' | 'discarded'
  /** The platform's id of the message, once sent. */
  platformMessageId?: string
}

/** What a delivery answers: the inbound event that caused it. */
export interface DeliveryCause {
  /** The platform's id of the event (as the adapter gave it in InboundMessage.eventId). */
  eventId: string
  /** True when that event was a private message from `userId` (works after its content is reduced). */
  privateChatWith(userId: string): boolean
}

/** What an adapter's admin routes get besides their scope. */
export interface AdminRouteKit {
  /**
   * The asker, an administrator; otherwise throws 403. With `bearerOnly`, a browser session
   * (cookie) is refused too (401): for routes that change where messages go.
   */
  requireAdmin(req: FastifyRequest, opts?: { bearerOnly?: boolean }): Asker
}

/**
 * An adapter with administrators' routes: registered inside the admin API's authenticated scope
 * (staff token or session checked, rate limit, zod schemas, listed in /docs).
 */
export interface WithAdminRoutes {
  adminRoutes(scope: FastifyInstance, kit: AdminRouteKit): void | Promise<void>
}

export const hasAdminRoutes = <T extends object>(a: T): a is T & WithAdminRoutes => typeof (a as Partial<WithAdminRoutes>).adminRoutes === 'function'

type StoredPayload = { text: string; mentions?: Delivery['mentions']; card?: Card; replyTo?: string }

function toSent(row: {
  key: string
  platform: string
  targetKind: string
  target: string
  payload: string
  status: string
  platformMessageId: string | null
}): SentDelivery {
  let payload: StoredPayload = { text: '' }
  try {
    payload = { ...payload, ...(JSON.parse(row.payload) as StoredPayload) }
  } catch {
    // A payload dropped by retention reads as empty text.
  }
  return {
    key: row.key,
    platform: row.platform as Platform,
    targetKind: row.targetKind as Delivery['targetKind'],
    target: row.target,
    ...payload,
    status: row.status as SentDelivery['status'],
    ...(row.platformMessageId ? { platformMessageId: row.platformMessageId } : {}),
  }
}

/** The ports, over the service's database and outbox. One per service; adapters get it in their deps. */
export class AdapterPorts {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** Waits until the inbound event `eventRowId` (as `core.accept` answered it) is handled or has failed; false on timeout or when `stopped()`. */
  async handled(eventRowId: number, opts: { timeoutMs: number; stopped?: () => boolean }): Promise<boolean> {
    const deadline = Date.now() + opts.timeoutMs
    for (;;) {
      if (opts.stopped?.()) return false
      const row = await this.db.inboundEvent.findUnique({ where: { id: eventRowId }, select: { status: true } })
      if (!row || row.status === 'done' || row.status === 'failed') return true
      if (Date.now() > deadline) return false
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** The delivery with this idempotency key, if the outbox has it. */
  async delivery(key: string): Promise<SentDelivery | null> {
    const row = await this.db.outboxMessage.findUnique({ where: { key } })
    return row ? toSent(row) : null
  }

  /** The deliveries an inbound event caused, in the order they were written. */
  async causedBy(eventRowId: number): Promise<SentDelivery[]> {
    return (await this.db.outboxMessage.findMany({ where: { causeEventId: eventRowId }, orderBy: { id: 'asc' } })).map(toSent)
  }

  /** Waits (up to `timeoutMs`) until the deliveries an event caused and due now are sent or dead; returns them. */
  async settled(eventRowId: number, timeoutMs?: number): Promise<SentDelivery[]> {
    return (await this.outbox.settled(eventRowId, timeoutMs)).map(toSent)
  }

  /** The inbound event a delivery answers, when it answers one. */
  async causeOf(key: string): Promise<DeliveryCause | null> {
    const row = await this.db.outboxMessage.findUnique({ where: { key }, select: { causeEventId: true } })
    if (row?.causeEventId == null) return null
    const event = await this.db.inboundEvent.findUnique({ where: { id: row.causeEventId }, select: { eventId: true, payload: true, trace: true } })
    if (!event) return null
    return { eventId: event.eventId, privateChatWith: (userId) => wasPrivateChatWith(event, userId) }
  }

  /** A keyed store with expiry for the adapter's own state, namespaced per platform and purpose. */
  state<T>(platform: Platform, namespace: string): AdapterState<T> {
    return new AdapterState<T>(this.db, this.clock, platform, namespace)
  }

  /** The platform's chats and identities as the core records them. */
  records(platform: Platform): PlatformRecords {
    return new PlatformRecords(this.db, platform)
  }

  /** Whether this instance is the one sending for `platform` now (it holds the outbox's lease). */
  sendsFor(platform: Platform): Promise<boolean> {
    return leaseHeldBy(this.db, `outbox:${platform}`, this.outbox.instanceId, this.clock.now())
  }

  /** Wakes the outbox to send what waits (e.g. after the platform reconnected). */
  wake(): void {
    this.outbox.wake()
  }

  /** The platforms the outbox sends for. */
  platforms(): Platform[] {
    return this.outbox.platforms()
  }
}

/**
 * For an adapter's command-line tool (no service running): the platform's records over
 * DATABASE_URL, migrated first, and how to close them.
 */
export async function openPlatformRecords(databaseUrl: string, platform: Platform): Promise<{ records: PlatformRecords; close(): Promise<void> }> {
  await migrate(databaseUrl)
  const db = openDatabase(databaseUrl)
  return { records: new PlatformRecords(db, platform), close: () => db.$disconnect() }
}
