/**
 * Numbers people use (a request's SQ-2026-0042, a poll's P-17, an announcement's N-3): the next
 * value of a named counter, atomic on both databases (an upsert that increments).
 *
 * In a transaction, a counter's row is the transaction's from its first number to its commit
 * (locked on PostgreSQL, the whole file on SQLite): so while events are handled together
 * (`holdWrites`), the first number is taken from the database and the next ones counted on from it,
 * the counter's new value written once before the commit (any other query of the counters in the
 * transaction writes it first). A batch of filings takes its numbers with two statements, not one
 * each; a batch that fails gives its numbers again. Another instance's batch filing meanwhile waits
 * for this one's commit for its first number: taking each number beside the transaction instead,
 * by its own statement on the pool, cost PostgreSQL a commit per filing, and two instances filed
 * fewer requests a second that way than one instance does this way (bench, 2026-12-02).
 */
import type { Tx } from './client.js'
import { heldRows, holdBack, type RowWriter } from './held-writes.js'

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
