/**
 * Writes of handling's hot path made by the database driver itself, not by Prisma's client: a batch
 * of events' rows written together (its requests, their timeline entries, its first votes, its
 * replies in the outbox) on the batch's transaction connection, and on PostgreSQL the hot path's
 * statements outside any transaction (the intake's insert, the outbox's claim and record of a send)
 * on the pool. Prisma's `createMany` does for every value of
 * every row what it does for a query (the value checked and serialized, put into the plan's copy,
 * written into the SQL from the plan's fragments), and its raw SQL about as much: in one process,
 * 16 outbox rows cost 1.6–2.6 ms of CPU either way, where the driver's statement costs a few tens of
 * microseconds on SQLite and a few hundred on PostgreSQL.
 *
 * The connection: `directWrites` runs the one `$transaction` call it is given with a slot that the
 * driver side fills when that transaction begins (sqlite-connection.ts opens it on its one
 * connection; on PostgreSQL the pool client that sends its BEGIN, pg-statements.ts). Only the first
 * transaction begun in the slot counts, and the slot closes when the call returns: a statement here
 * is in that transaction or is not run. Elsewhere (no slot, or a client instead of a transaction)
 * `insertRows` answers undefined and the caller writes through Prisma.
 *
 * Values are written as Prisma writes them (test/db/direct-writes.test.ts reads rows written both
 * ways and finds them alike, times compared and ordered alike): a time as SQLite's ISO text with
 * +00:00, or PostgreSQL's timestamp in UTC. Columns with a database default may be left out only
 * where the default is a constant: `@default(now())` and `@updatedAt` are Prisma's client's to fill
 * in (SQLite's CURRENT_TIMESTAMP is another text), so they must be given.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Tx } from './client.js'
import { rowsWritten } from './read-memo.js'

export type SqlValue = string | number | boolean | Date | null

/** A transaction's connection as the driver side gives it: runs one statement with positional values. */
export interface DirectConnection {
  readonly dialect: 'sqlite' | 'postgresql'
  /** PostgreSQL's schema of the service's tables (its URL's `?schema=`); none on SQLite. */
  readonly schema?: string
  /** The rows the statement returns (its RETURNING columns), as objects. */
  run(sql: string, values: unknown[]): Promise<Record<string, unknown>[]>
}

interface Slot {
  connection?: DirectConnection
  open: boolean
  /** Ids taken ahead from each table's sequence and not yet given out (`nextIdOf`). */
  ids?: Map<string, number[]>
}
const slots = new AsyncLocalStorage<Slot>()

/**
 * Runs `transaction` — one `db.$transaction(...)` call — so that `insertRows` inside it writes on
 * its connection.
 */
export async function directWrites<T>(transaction: () => Promise<T>): Promise<T> {
  const slot: Slot = { open: true }
  try {
    return await slots.run(slot, transaction)
  } finally {
    slot.open = false
    slot.connection = undefined
  }
}

/** Called by the driver side when a transaction begins on `connection`: the slot's first one is kept. */
export function transactionBegun(connection: DirectConnection): void {
  const slot = slots.getStore()
  if (slot?.open && slot.connection === undefined) slot.connection = connection
}

/** Each PostgreSQL client's pool, by the client its extensions and transactions know as their original. */
const pools = new WeakMap<object, DirectConnection>()

/** Called by `openDatabase` on PostgreSQL: statements beside a transaction may go by `pool`. */
export function byPool(client: object, pool: DirectConnection): void {
  pools.set(client, pool)
}

/**
 * The pool of `db`'s PostgreSQL client, for a statement of its own beside any transaction (each
 * checks out a connection, runs, and gives it back: autocommit); undefined on SQLite, whose one
 * connection is the adapter's to share out.
 */
function poolOf(db: Tx): DirectConnection | undefined {
  const original = (db as unknown as { _originalClient?: object })._originalClient
  return original ? pools.get(original) : undefined
}

/** `table` as a statement on `connection` names it: in PostgreSQL's schema of the service's tables. */
function tableOn(connection: DirectConnection, table: string): string {
  return connection.schema === undefined ? quote(table) : `${quote(connection.schema)}.${quote(table)}`
}

/** The most values one statement binds (SQLite's oldest limit is 999); more rows go in further statements. */
const MAX_VALUES = 900

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

/**
 * A value as the driver must be given it to store what Prisma stores: a time as text in Prisma's
 * form (the drivers would write a Date otherwise: SQLite's as milliseconds, pg's in the process's
 * zone). Booleans go as they are (sqlite-connection.ts binds them as 1 and 0, as libSQL does).
 */
function bound(value: SqlValue, dialect: DirectConnection['dialect']): unknown {
  if (value instanceof Date) return dialect === 'sqlite' ? value.toISOString().replace('Z', '+00:00') : value.toISOString()
  return value
}

/**
 * Inserts `rows` (all with the same columns, in the same order) into `table` on the connection of
 * the transaction `tx` is, when `directWrites` knows it; answers undefined, having written nothing,
 * when it does not (the caller then writes through Prisma). With `skipDuplicates`, a row breaking a
 * unique rule (a key already there) is left out, on either database. With `returning`, answers
 * those columns of each row written, in order (numbers, texts and booleans as the driver reads
 * them: SQLite's booleans are 0 and 1); otherwise no rows. The reads a batch remembers of the rows
 * written are forgotten (read-memo.ts), as a write through Prisma has them forgotten.
 */
export async function insertRows<R extends { [K in keyof R]: SqlValue }>(
  tx: Tx,
  table: string,
  rows: readonly R[],
  options: InsertOptions = {},
): Promise<Record<string, unknown>[] | undefined> {
  const connection = batchConnection(tx)
  return connection ? insertOn(connection, table, rows, options) : undefined
}

/** The connection of the batch's transaction `tx` is, when `directWrites` knows it (not for a client, which has `$transaction`). */
function batchConnection(tx: Tx): DirectConnection | undefined {
  const slot = slots.getStore()
  return slot?.open && !('$transaction' in tx) ? slot.connection : undefined
}

/** Ids `nextIdOf` takes from a sequence at once: unused ones are gaps in ids nobody sees. */
const IDS_AHEAD = 32

/**
 * On PostgreSQL, in a batch's transaction (`directWrites`), the id the next row of `table` will
 * have: from its id column's sequence, IDS_AHEAD taken at once, so a row can be held back and
 * written with others (held-writes.ts) while what refers to it is made. Undefined elsewhere (SQLite's
 * ids are given by its insert, which costs a few microseconds there).
 */
export async function nextIdOf(tx: Tx, table: string): Promise<number | undefined> {
  const connection = batchConnection(tx)
  if (connection?.dialect !== 'postgresql') return undefined
  const slot = slots.getStore()!
  slot.ids ??= new Map()
  let ids = slot.ids.get(table)
  if (!ids?.length) {
    const rows = await connection.run(`SELECT nextval(pg_get_serial_sequence($1, 'id'))::int AS "id" FROM generate_series(1, ${IDS_AHEAD})`, [
      tableOn(connection, table),
    ])
    slot.ids.set(table, (ids = rows.map((r) => Number(r.id))))
  }
  return ids.shift()
}

/**
 * Inserts `rows` as `insertRows` does, by a statement of its own on `db`'s PostgreSQL pool, beside
 * any transaction (autocommit): the intake's events, which are committed before the platform is
 * answered. Undefined on SQLite, having written nothing (the caller writes through Prisma).
 */
export function insertBeside<R extends { [K in keyof R]: SqlValue }>(
  db: Tx,
  table: string,
  rows: readonly R[],
  options: InsertOptions = {},
): Promise<Record<string, unknown>[]> | undefined {
  const pool = poolOf(db)
  return pool ? insertOn(pool, table, rows, options) : undefined
}

/** Whether `insertBeside` and `runBeside` write on `db` (PostgreSQL) or leave it to Prisma (SQLite). */
export function storesBeside(db: Tx): boolean {
  return poolOf(db) !== undefined
}

/**
 * A statement of its own on `db`'s PostgreSQL pool, beside any transaction, its values bound as
 * `insertRows` binds them; `sql` is given each table's name as the pool names it. Undefined on SQLite.
 */
export function runBeside(db: Tx, sql: (table: (name: string) => string) => string, values: SqlValue[]): Promise<Record<string, unknown>[]> | undefined {
  const pool = poolOf(db)
  return pool
    ? pool.run(
        sql((name) => tableOn(pool, name)),
        values.map((v) => bound(v, pool.dialect)),
      )
    : undefined
}

interface InsertOptions {
  skipDuplicates?: boolean
  returning?: readonly string[]
}

async function insertOn<R extends { [K in keyof R]: SqlValue }>(
  connection: DirectConnection,
  table: string,
  rows: readonly R[],
  options: InsertOptions,
): Promise<Record<string, unknown>[]> {
  if (rows.length === 0) return []
  const columns = Object.keys(rows[0]!)
  for (const row of rows) {
    const keys = Object.keys(row)
    if (keys.length !== columns.length || keys.some((k, i) => k !== columns[i]))
      throw new Error(`insertRows: every row into ${table} must have the columns ${columns.join(', ')} in that order`)
  }
  const { dialect } = connection
  const head = `INSERT INTO ${tableOn(connection, table)} (${columns.map(quote).join(', ')}) VALUES `
  const tail = `${options.skipDuplicates ? ' ON CONFLICT DO NOTHING' : ''}${options.returning?.length ? ` RETURNING ${options.returning.map(quote).join(', ')}` : ''}`
  const perStatement = Math.max(1, Math.floor(MAX_VALUES / columns.length))
  const returned: Record<string, unknown>[] = []
  for (let i = 0; i < rows.length; i += perStatement) {
    const values: unknown[] = []
    const tuples = rows.slice(i, i + perStatement).map((row) => {
      const marks = columns.map((c) => {
        const value = (row as Record<string, SqlValue | undefined>)[c]
        if (value === undefined) throw new Error(`insertRows: ${table}.${c} is undefined (write null for no value)`)
        values.push(bound(value, dialect))
        return dialect === 'sqlite' ? '?' : `$${values.length}`
      })
      return `(${marks.join(', ')})`
    })
    returned.push(...(await connection.run(head + tuples.join(', ') + tail, values)))
  }
  rowsWritten(table, rows)
  return options.returning?.length ? returned : []
}
