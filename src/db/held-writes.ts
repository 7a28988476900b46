/**
 * Writes held back while a loop makes many (`holdWrites`), then written together: the outbox's
 * rows (an announcement's fan-out, a batch of events' replies) and the first votes of a batch of
 * button presses — a few statements in all instead of some for every call.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Tx } from './client.js'

/** What writes held rows of one kind (the outbox; first votes; a request's timeline entries). */
export interface RowWriter<R> {
  write(tx: Tx, rows: R[]): Promise<void>
  /**
   * The model the rows are of, when every other use of it must find them: then any query of that
   * model made while they are held writes them first (`openDatabase` asks `writeHeldOf`), so a read
   * sees them and a row written directly comes after them.
   */
  readonly model?: string
}

/** Writes held back by `holdWrites`: rows per writer and transaction, in order. */
interface Held {
  open: boolean
  rows: Map<RowWriter<never>, Map<Tx, unknown[]>>
}
const holding = new AsyncLocalStorage<Held>()

/**
 * Runs `fn`, holding back the rows its writers' calls would write (`holdBack`), and writes them
 * together when it returns: in the same transactions, before they commit. Nothing in `fn` may read
 * those rows back without writing them first (`writeHeld`). If `fn` throws, nothing is written (its
 * transaction rolls back). Inside another `holdWrites`, the outer one writes.
 */
export async function holdWrites<T>(fn: () => Promise<T>): Promise<T> {
  if (holding.getStore()?.open) return fn()
  const held: Held = { open: true, rows: new Map() }
  try {
    const result = await holding.run(held, fn)
    held.open = false
    for (const [writer, byTx] of held.rows) for (const tx of byTx.keys()) await writeOut(held, writer, tx)
    return result
  } finally {
    held.open = false
  }
}

/** Holds `rows` back when inside `holdWrites` (they are written when it returns); false when they must be written now. */
export function holdBack<R>(writer: RowWriter<R>, tx: Tx, rows: R[]): boolean {
  const held = holding.getStore()
  if (!held?.open) return false
  const byTx = held.rows.get(writer as RowWriter<never>) ?? new Map<Tx, unknown[]>()
  held.rows.set(writer as RowWriter<never>, byTx)
  byTx.set(tx, [...(byTx.get(tx) ?? []), ...rows])
  return true
}

/** True when rows of `model` are held back (see RowWriter.model). */
export function holdsRowsOf(model: string): boolean {
  const held = holding.getStore()
  if (!held) return false
  for (const [writer, byTx] of held.rows) if (writer.model === model) for (const rows of byTx.values()) if (rows.length) return true
  return false
}

/** Writes the rows of `model` held back, in their transactions: before any other query of that model. */
export async function writeHeldOf(model: string): Promise<void> {
  const held = holding.getStore()
  if (!held) return
  for (const [writer, byTx] of held.rows) if (writer.model === model) for (const tx of byTx.keys()) await writeHeld(writer, tx)
}

/** The rows held back for `writer` in `tx` so far (none outside `holdWrites`). */
export function heldRows<R>(writer: RowWriter<R>, tx: Tx): readonly R[] {
  return (holding
    .getStore()
    ?.rows.get(writer as RowWriter<never>)
    ?.get(tx) ?? []) as R[]
}

/** Writes what is held back for `writer` in `tx` now: before a read or a change that must find those rows. */
export async function writeHeld<R>(writer: RowWriter<R>, tx: Tx): Promise<void> {
  const held = holding.getStore()
  if (held) await writeOut(held, writer, tx)
}

/** Writes the rows held for `writer` in `tx`, taken out first: whatever the write itself asks finds none held. */
async function writeOut<R>(held: Held, writer: RowWriter<R>, tx: Tx): Promise<void> {
  const byTx = held.rows.get(writer as RowWriter<never>)
  const rows = byTx?.get(tx)
  if (!rows?.length) return
  byTx!.set(tx, [])
  await writer.write(tx, rows as R[])
}
