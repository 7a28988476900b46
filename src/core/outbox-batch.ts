/** Holding back an outbox's writes while a loop enqueues many (`batchEnqueues`), then writing them together. */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Tx } from '../db/client.js'
import type { NewRow } from './outbox-store.js'

/** What writes held rows: the outbox. */
export interface RowWriter {
  write(tx: Tx, rows: NewRow[]): Promise<void>
}

/** Enqueues held back by `batchEnqueues`: rows per outbox and transaction, in order. */
interface Held {
  open: boolean
  rows: Map<RowWriter, Map<Tx, NewRow[]>>
}
const holding = new AsyncLocalStorage<Held>()

/**
 * Runs `fn`, holding back the rows that its `Outbox.enqueue` calls would write, and writes them
 * together when it returns: in the same transactions, before they commit, a few statements in all
 * instead of some for every call. For loops that enqueue one message per group, such as an
 * announcement's fan-out to thousands of groups inside the transaction that claims it. Nothing in
 * `fn` may read those rows back. If `fn` throws, nothing is written (its transaction rolls back).
 * Inside another `batchEnqueues`, the outer one writes.
 */
export async function batchEnqueues<T>(fn: () => Promise<T>): Promise<T> {
  if (holding.getStore()?.open) return fn()
  const held: Held = { open: true, rows: new Map() }
  try {
    const result = await holding.run(held, fn)
    held.open = false
    for (const [outbox, byTx] of held.rows) for (const [tx, rows] of byTx) await outbox.write(tx, rows)
    return result
  } finally {
    held.open = false
  }
}

/** Holds `rows` back when inside `batchEnqueues` (they are written when it returns); false when they must be written now. */
export function holdBack(outbox: RowWriter, tx: Tx, rows: NewRow[]): boolean {
  const held = holding.getStore()
  if (!held?.open) return false
  const byTx = held.rows.get(outbox) ?? new Map<Tx, NewRow[]>()
  held.rows.set(outbox, byTx)
  byTx.set(tx, [...(byTx.get(tx) ?? []), ...rows])
  return true
}
