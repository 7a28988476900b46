/**
 * The SQLite connection under Prisma's libSQL adapter: one connection to the file, its statements
 * prepared once and kept. libSQL's own client prepares every statement anew (the SQL parsed and
 * planned, its columns asked twice) and hands its connection to each transaction, opening the file
 * again for what follows; under a burst the service runs the same few dozen statements thousands
 * of times. This speaks the part of libSQL's client the adapter uses (`execute`,
 * `executeMultiple`, `transaction` with its `execute`/`commit`/`rollback`, `close`) with the same values and errors (libSQL's
 * `LibsqlError`, which the adapter turns into Prisma's), on `libsql` itself, the driver the client
 * wraps.
 *
 * One statement or transaction at a time: the adapter holds its lock from a statement's start to
 * its end, and from BEGIN to COMMIT, so a transaction runs here on the same connection, and what
 * runs after it does not run inside it. A failed statement in a transaction, or a failed COMMIT
 * (another process holding the file past the busy timeout), rolls it back: nothing stays open.
 */
import type { InStatement, InValue, ResultSet, TransactionMode } from '@libsql/client'
import { LibsqlError } from '@libsql/client'
import Database from 'libsql'
import { LRUCache } from 'lru-cache'
import { type DirectConnection, transactionBegun } from './direct-writes.js'

/** Statements kept prepared (the service's own are a few hundred shapes; a bulk import's may be more). */
const KEPT_STATEMENTS = 500

interface Prepared {
  statement: Database.Statement
  /** Null when the statement returns no rows (an INSERT without RETURNING, an UPDATE). */
  columns: string[] | null
  columnTypes: string[]
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER)
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** A value read, as libSQL's client gives it with its default `intMode: 'number'`. */
function fromSql(value: unknown): unknown {
  if (typeof value === 'bigint') {
    if (value < MIN_SAFE || value > MAX_SAFE) throw new RangeError('Received integer which cannot be safely represented as a JavaScript number')
    return Number(value)
  }
  if (value instanceof Buffer) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength)
  return value
}

/** A value bound, as libSQL's client binds it. */
function toSql(value: InValue): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments')
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof ArrayBuffer) return Buffer.from(value)
  if (value instanceof Date) return value.valueOf()
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database')
  return value
}

function asLibsqlError(error: unknown): unknown {
  const e = error as { message?: string; code?: string; rawCode?: number }
  return error instanceof Database.SqliteError ? new LibsqlError(e.message ?? '', e.code ?? 'UNKNOWN', e.rawCode, error as Error) : error
}

function result(columns: string[], columnTypes: string[], rows: unknown[][], rowsAffected: number, lastInsertRowid: bigint | undefined): ResultSet {
  return {
    columns,
    columnTypes,
    // Rows as arrays: the adapter reads them by position.
    rows: rows as unknown as ResultSet['rows'],
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({ columns, columnTypes, rows, rowsAffected, lastInsertRowid: lastInsertRowid === undefined ? null : String(lastInsertRowid) }),
  }
}

/** What the adapter does with a transaction. */
interface SqliteTransaction {
  execute(stmt: InStatement): Promise<ResultSet>
  commit(): Promise<void>
  rollback(): Promise<void>
}

export class SqliteConnection {
  closed = false
  readonly #db: Database.Database
  readonly #prepared = new LRUCache<string, Prepared>({ max: KEPT_STATEMENTS })
  /** Statements of direct-writes.ts: only ever inside the transaction that told it of this connection. */
  readonly #direct: DirectConnection = {
    dialect: 'sqlite',
    run: async (sql, values) => {
      if (!this.#db.inTransaction) throw new LibsqlError('insertRows: the transaction has ended', 'TRANSACTION_CLOSED')
      const { columns, rows } = this.#run({ sql, args: values as InValue[] })
      return (rows as unknown as unknown[][]).map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])))
    },
  }

  constructor(file: string, busyTimeoutMs: number) {
    this.#db = new Database(file)
    this.#run(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
  }

  #prepare(sql: string): Prepared {
    let prepared = this.#prepared.get(sql)
    if (prepared) return prepared
    const statement = this.#db.prepare(sql)
    statement.safeIntegers(true)
    let columns: string[] | null = null
    let columnTypes: string[] = []
    try {
      statement.raw(true)
      const described = statement.columns()
      columns = described.map((c) => c.name)
      columnTypes = described.map((c) => c.type ?? '')
    } catch {
      // raw() throws for a statement that returns no rows.
    }
    prepared = { statement, columns, columnTypes }
    this.#prepared.set(sql, prepared)
    return prepared
  }

  #run(stmt: InStatement): ResultSet {
    if (this.closed) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED')
    const sql = typeof stmt === 'string' ? stmt : stmt.sql
    if (typeof stmt !== 'string' && stmt.args !== undefined && !Array.isArray(stmt.args))
      throw new TypeError('arguments by name are not supported (the adapter passes a list)')
    const args = typeof stmt === 'string' || stmt.args === undefined ? [] : (stmt.args as InValue[]).map(toSql)
    try {
      const { statement, columns, columnTypes } = this.#prepare(sql)
      if (columns) {
        const rows = (statement.all(args) as unknown[][]).map((row) => row.map(fromSql))
        return result(columns, columnTypes, rows, 0, undefined)
      }
      const info = statement.run(args)
      return result([], [], [], info.changes, BigInt(info.lastInsertRowid))
    } catch (error) {
      throw asLibsqlError(error)
    }
  }

  async execute(stmt: InStatement): Promise<ResultSet> {
    return this.#run(stmt)
  }

  /** A script (a migration); outside a transaction, what it left open is rolled back. */
  async executeMultiple(sql: string): Promise<void> {
    // A script may change the schema: statements are prepared again after it.
    this.#prepared.clear()
    try {
      this.#exec(sql)
    } finally {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
    }
  }

  #exec(sql: string): void {
    if (this.closed) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED')
    try {
      this.#db.exec(sql)
    } catch (error) {
      throw asLibsqlError(error)
    }
  }

  /** A transaction on this connection (see above): what the adapter asks of one. */
  async transaction(mode: TransactionMode = 'write'): Promise<SqliteTransaction> {
    this.#run(mode === 'write' ? 'BEGIN IMMEDIATE' : mode === 'read' ? 'BEGIN TRANSACTION READONLY' : 'BEGIN DEFERRED')
    transactionBegun(this.#direct)
    let closed = false
    const end = () => {
      if (closed) return
      closed = true
      if (this.#db.inTransaction) this.#run('ROLLBACK')
    }
    return {
      execute: async (stmt: InStatement) => {
        if (closed) throw new LibsqlError('The transaction is closed', 'TRANSACTION_CLOSED')
        return this.#run(stmt)
      },
      commit: async () => {
        try {
          this.#run('COMMIT')
          closed = true
        } finally {
          end()
        }
      },
      rollback: async () => end(),
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.#prepared.clear()
    this.#db.close()
  }
}
