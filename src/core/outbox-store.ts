/**
 * The outbox's rows: what a delivery is stored as, writing rows once per key on either database,
 * claiming a due row for sending, recording a send's outcome.
 */
import { isUniqueViolation, type Db, type Tx } from '../db/client.js'
import { insertRows, runBeside } from '../db/direct-writes.js'
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
export function deliveryOf(row: Pick<OutboxRow, 'key' | 'platform' | 'targetKind' | 'target' | 'payload'>): Delivery {
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

/** What a claimed row's send needs of it. */
export type ClaimedRow = Pick<OutboxRow, 'id' | 'key' | 'platform' | 'targetKind' | 'target' | 'payload' | 'attempts'>
const CLAIMED = { id: true, key: true, platform: true, targetKind: true, target: true, payload: true, attempts: true } as const
const RETURNED = Object.keys(CLAIMED)
  .map((c) => `"${c}"`)
  .join(', ')

/**
 * Claims a due row for sending (its attempt counted, locked for `claimMs`) and returns it, or null
 * when it is no longer due or someone else holds it. One conditional UPDATE … RETURNING: Prisma runs
 * updateMany in a transaction of its own, which costs SQLite a fresh connection every time. On
 * PostgreSQL it is the driver's own statement on the pool (db/direct-writes.ts): a send's two
 * updates through Prisma's client cost it more CPU than the send itself.
 */
export async function claimRow(db: Db, id: number, now: Date, claimMs: number): Promise<ClaimedRow | null> {
  const lockedUntil = new Date(now.getTime() + claimMs)
  const byDriver = runBeside(
    db,
    (table) =>
      `UPDATE ${table('OutboxMessage')} SET "status" = 'sending', "lockedUntil" = $2, "attempts" = "attempts" + 1 WHERE "id" = $1 AND "nextAttemptAt" <= $3 AND ("status" = 'pending' OR ("status" = 'sending' AND "lockedUntil" < $3)) RETURNING ${RETURNED}`,
    [id, lockedUntil, now],
  )
  if (byDriver) return ((await byDriver)[0] as ClaimedRow | undefined) ?? null
  try {
    return await db.outboxMessage.update({
      where: { id, nextAttemptAt: { lte: now }, OR: [{ status: 'pending' }, { status: 'sending', lockedUntil: { lt: now } }] },
      data: { status: 'sending', lockedUntil, attempts: { increment: 1 } },
      select: CLAIMED,
    })
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
}

/** Records that a claimed row was sent (on PostgreSQL by the driver, as `claimRow`); a row deleted meanwhile is left gone. */
export async function recordSent(db: Db, id: number, sentAt: Date, platformMessageId: string | null): Promise<void> {
  const byDriver = runBeside(
    db,
    (table) =>
      `UPDATE ${table('OutboxMessage')} SET "status" = 'sent', "sentAt" = $2, "lockedUntil" = NULL, "lastError" = NULL, "platformMessageId" = $3 WHERE "id" = $1`,
    [id, sentAt, platformMessageId],
  )
  if (byDriver) await byDriver
  else await recordOutcome(db, id, { status: 'sent', sentAt, lockedUntil: null, lastError: null, platformMessageId })
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
