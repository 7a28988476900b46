/**
 * Numbers people use (a request's SQ-2026-0042, a poll's P-17, an announcement's N-3): the next
 * value of a named counter, atomic on both databases (an upsert that increments).
 *
 * Taken in the caller's transaction, a counter's row stays locked until that transaction commits.
 * Handling events, that is a whole batch (tens of milliseconds): on PostgreSQL two instances'
 * batches would then file one after the other, each waiting for the other's commit. Inside
 * `numbersBeside` a number is taken by its own statement on the pool, beside the transaction,
 * and its row is locked for that statement only; a number taken by a batch that then fails is
 * not given again (the retry takes the next), so numbers stay unique and increasing but may skip
 * one. SQLite writes through one connection at a time, so its numbers stay in the transaction.
 *
 * In a transaction, a counter's row is the transaction's from its first number to its commit
 * (locked on PostgreSQL, the whole file on SQLite): so while events are handled together
 * (`holdWrites`), the first number is taken from the database and the next ones counted on from it,
 * the counter's new value written once before the commit (any other query of the counters in the
 * transaction writes it first). A batch of filings takes its numbers with two statements, not one each.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Db, Tx } from './client.js'
import { heldRows, holdBack, type RowWriter } from './held-writes.js'
import { runBeside } from './direct-writes.js'

const beside = new AsyncLocalStorage<Db>()

/** Runs `work` with numbers taken beside its transactions, by `db` (PostgreSQL only: on SQLite it would wait for itself). */
export function numbersBeside<T>(db: Db, work: () => Promise<T>): Promise<T> {
  return beside.run(db, work)
}

/** A number taken in a transaction: from the database (`stored`), or counted on from one that was. */
interface Taken {
  name: string
  value: number
  stored: boolean
}

/** A transaction's counters, written with their last numbers (only those counted on from the database's). */
const counted: RowWriter<Taken> = {
  model: 'Counter',
  async write(tx, rows) {
    const last = new Map<string, Taken>()
    for (const r of rows) last.set(r.name, r)
    for (const { name, value, stored } of last.values()) if (!stored) await tx.counter.update({ where: { name }, data: { value } })
  },
}

/** The next value of the counter `name` (1 for the first). */
export async function takeNumber(tx: Tx, name: string): Promise<number> {
  const client = beside.getStore()
  if (client) {
    // By the pool itself: Prisma's upsert cost a filing more CPU than the statement (direct-writes.ts).
    const taken = runBeside(
      client,
      (table) =>
        `INSERT INTO ${table('Counter')} ("name", "value") VALUES ($1, 1) ON CONFLICT ("name") DO UPDATE SET "value" = ${table('Counter')}."value" + 1 RETURNING "value"`,
      [name],
    )
    if (!taken) return (await client.counter.upsert(increment(name))).value
    return Number((await taken)[0]!.value)
  }
  // Outside a transaction (the client itself has $transaction), nothing keeps the row: each number is taken.
  if ('$transaction' in tx) return (await tx.counter.upsert(increment(name))).value
  const before = [...heldRows(counted, tx)].reverse().find((r) => r.name === name)
  if (before) {
    const value = before.value + 1
    holdBack(counted, tx, [{ name, value, stored: false }])
    return value
  }
  const { value } = await tx.counter.upsert(increment(name))
  holdBack(counted, tx, [{ name, value, stored: true }])
  return value
}

const increment = (name: string) => ({ where: { name }, create: { name, value: 1 }, update: { value: { increment: 1 } } })
