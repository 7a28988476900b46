/**
 * The outbox's rows: what a delivery is stored as, writing rows once per key on either database,
 * claiming a due row for sending, recording a send's outcome.
 */
import { isUniqueViolation, type Db, type Tx } from '../db/client.js'
import { insertRows } from '../db/direct-writes.js'
import type { Card, Delivery, Platform } from './types.js'

/** The stored form of a delivery's content. */
interface StoredPayload {
  text: string
  mentions?: Delivery['mentions']
  card?: Card
  replyTo?: string
}

export type OutboxRow = Awaited<ReturnType<Db['outboxMessage']['findFirstOrThrow']>>

/** A row as `enqueue` writes it. */
export type NewRow = { key: string; platform: string; targetKind: string; target: string; payload: string; causeEventId: number | null; nextAttemptAt: Date }

/** Due rows read at once. */
export const BATCH = 500

/** The row a delivery is stored as. */
export function newRow(d: Delivery, causeEventId: number | null, nextAttemptAt: Date): NewRow {
  const payload: StoredPayload = {
    text: d.text,
    ...(d.mentions?.length ? { mentions: d.mentions } : {}),
    ...(d.card ? { card: d.card } : {}),
    ...(d.replyTo ? { replyTo: d.replyTo } : {}),
  }
  return {
    key: d.key,
    platform: d.platform,
    targetKind: d.targetKind,
    target: d.target,
    payload: JSON.stringify(payload),
    causeEventId,
    nextAttemptAt,
  }
}

/** The delivery a stored row sends. */
export function deliveryOf(row: OutboxRow): Delivery {
  const payload = JSON.parse(row.payload) as StoredPayload
  return {
    key: row.key,
    platform: row.platform as Platform,
    targetKind: row.targetKind as 'chat' | 'user',
    target: row.target,
    ...payload,
  }
}

/**
 * Writes rows in the caller's transaction, a key already present left alone (of several with one
 * key, the first is kept): in a batch of events, one INSERT … ON CONFLICT DO NOTHING by the driver
 * (direct-writes.ts); elsewhere through Prisma, as follows. `provider` is the generated client's:
 * see `Outbox.enqueue`.
 */
export async function writeRows(tx: Tx, all: NewRow[], provider: string | undefined): Promise<void> {
  const seen = new Set<string>()
  const rows = all.filter((r) => !seen.has(r.key) && Boolean(seen.add(r.key)))
  // A batch of events' replies: by the driver, on the batch's connection (direct-writes.ts), with the
  // schema's @default(now()) that Prisma's client would have filled in.
  const createdAt = new Date()
  const written = await insertRows(
    tx,
    'OutboxMessage',
    rows.map((r) => ({ ...r, createdAt })),
    { skipDuplicates: true },
  )
  if (written) return
  if (provider === 'postgresql') {
    for (let i = 0; i < rows.length; i += BATCH)
      await tx.outboxMessage.createMany({ data: rows.slice(i, i + BATCH), skipDuplicates: true } as Parameters<Tx['outboxMessage']['createMany']>[0])
  } else if (provider === 'sqlite' && rows.length === 1) {
    try {
      await tx.outboxMessage.create({ data: rows[0]!, select: { id: true } })
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
    }
  } else {
    for (let i = 0; i < rows.length; i += BATCH) {
      const chunk = rows.slice(i, i + BATCH)
      const present = new Set((await tx.outboxMessage.findMany({ where: { key: { in: chunk.map((r) => r.key) } }, select: { key: true } })).map((r) => r.key))
      const fresh = chunk.filter((r) => !present.has(r.key))
      if (fresh.length) await tx.outboxMessage.createMany({ data: fresh })
    }
  }
}

/**
 * Claims a due row for sending (its attempt counted, locked for `claimMs`) and returns it, or null
 * when it is no longer due or someone else holds it. One conditional UPDATE … RETURNING: Prisma runs
 * updateMany in a transaction of its own, which costs SQLite a fresh connection every time.
 */
export async function claimRow(db: Db, id: number, now: Date, claimMs: number): Promise<OutboxRow | null> {
  try {
    return await db.outboxMessage.update({
      where: { id, nextAttemptAt: { lte: now }, OR: [{ status: 'pending' }, { status: 'sending', lockedUntil: { lt: now } }] },
      data: { status: 'sending', lockedUntil: new Date(now.getTime() + claimMs), attempts: { increment: 1 } },
    })
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
}

/** Records a send's outcome; a row deleted meanwhile (an administrator discarded it) is left gone. */
export async function recordOutcome(db: Db, id: number, data: Parameters<Db['outboxMessage']['update']>[0]['data']): Promise<void> {
  try {
    await db.outboxMessage.update({ where: { id }, data, select: { id: true } })
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
}

/** Prisma's "record to update not found" (P2025). */
function isNotFound(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'P2025'
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(exp / 2 + random() * (exp / 2))
}
