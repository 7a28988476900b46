/**
 * Numbers people use (a request's SQ-2026-0042, a poll's P-17, an announcement's N-3): the next
 * value of a named counter, atomic on both databases (an upsert that increments).
 *
 * Taken in the caller's transaction, a counter's row stays locked until that transaction commits.
 * Handling events, that is a whole batch (tens of milliseconds): on PostgreSQL two instances'
 * batches would then file one after the other, each waiting for the other's commit. Inside
 * `numbersBeside` a number is taken by its own statement on the client, beside the transaction,
 * and its row is locked for that statement only; a number taken by a batch that then fails is
 * not given again (the retry takes the next), so numbers stay unique and increasing but may skip
 * one. SQLite writes through one connection at a time, so its numbers stay in the transaction.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Db, Tx } from './client.js'

const beside = new AsyncLocalStorage<Db>()

/** Runs `work` with numbers taken beside its transactions, by `db` (PostgreSQL only: on SQLite it would wait for itself). */
export function numbersBeside<T>(db: Db, work: () => Promise<T>): Promise<T> {
  return beside.run(db, work)
}

/** The next value of the counter `name` (1 for the first). */
export async function takeNumber(tx: Tx, name: string): Promise<number> {
  const client = beside.getStore() ?? tx
  const row = await client.counter.upsert({ where: { name }, create: { name, value: 1 }, update: { value: { increment: 1 } } })
  return row.value
}
