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
  /**
   * The rows are forgotten by the batch's memory of reads as they are held (read-memo.ts
   * `rowsWritten`), so a read answered from that memory meanwhile is still right: such reads need
   * not write them first. A read that reaches the database does.
   */
  readonly forgottenWhenHeld?: boolean
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
    // Written where `writeHeldOf` still finds them: a writer may write another's rows first.
    return await holding.run(held, async () => {
      const result = await fn()
      held.open = false
      for (const [writer, byTx] of held.rows) for (const tx of byTx.keys()) await writeOut(held, writer, tx)
      return result
    })
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

/**
 * True when rows of `model` are held back (see RowWriter.model) that a read answered from the
 * batch's memory must not go without (`remembered`: all but those `forgottenWhenHeld`).
 */
export function holdsRowsOf(model: string, remembered = false): boolean {
  const held = holding.getStore()
  if (!held) return false
  for (const [writer, byTx] of held.rows)
    if (writer.model === model && !(remembered && writer.forgottenWhenHeld)) for (const rows of byTx.values()) if (rows.length) return true
  return false
}

/** For each model, the models its relations lead to (either side of a foreign key): set by `openDatabase`. */
let related: Record<string, readonly string[]> = {}
export function relateModels(relations: Record<string, Record<string, string>>): void {
  related = Object.fromEntries(Object.entries(relations).map(([model, fields]) => [model, [...new Set(Object.values(fields))]]))
}

/**
 * Writes the rows held back that a query of `model` must find, in their transactions: those of the
 * model itself, and of the models related to it (a row written may refer to them, a read may
 * include them). `undefined` for raw SQL, which may touch any: all of them.
 */
export async function writeHeldFor(model: string | undefined): Promise<void> {
  const held = holding.getStore()
  if (!held?.rows.size) return
  const models = model === undefined ? undefined : [model, ...(related[model] ?? [])]
  for (const [writer, byTx] of held.rows)
    if (writer.model !== undefined && (models === undefined || models.includes(writer.model))) for (const tx of byTx.keys()) await writeHeld(writer, tx)
}

/** Writes the rows of `model` held back, in their transactions: before a row that refers to them. */
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
