import fs from 'node:fs'
import path from 'node:path'
import type { Client, Config } from '@libsql/client'
import { PrismaLibSQL } from '@prisma/adapter-libsql'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient as SqliteClient } from '../generated/sqlite/client.js'
import { PrismaClient as PostgresClient } from '../generated/postgresql/client.js'
import { relateModels, writeHeldFor } from './held-writes.js'
import { byPool, type DirectConnection } from './direct-writes.js'
import { CONNECTION_LIFETIME_S, PreparingClient } from './pg-statements.js'
import { installPlanCache } from './plan-cache.js'
import { memoised, relationMap } from './read-memo.js'
import { SqliteConnection } from './sqlite-connection.js'

installPlanCache()

/**
 * The database client. Both providers' generated clients have the same models (the schema drift
 * test keeps it so), so the SQLite client's type stands for both.
 */
export type Db = SqliteClient
/** A client or an interactive transaction on it. */
export type Tx = Omit<Db, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>

export type DatabaseProvider = 'sqlite' | 'postgresql'

export function providerOf(url: string): DatabaseProvider {
  return url.startsWith('file:') ? 'sqlite' : 'postgresql'
}

/** PostgreSQL URLs may carry `?schema=name`; the pg driver itself does not understand it. */
export function splitPostgresUrl(url: string): { connectionString: string; schema: string } {
  const parsed = new URL(url)
  const schema = parsed.searchParams.get('schema') ?? 'public'
  parsed.searchParams.delete('schema')
  return { connectionString: parsed.toString(), schema }
}

/** The SQLite file path of a file: URL, relative paths taken from the working directory. */
export function sqlitePath(url: string): string {
  return path.resolve(url.replace(/^file:(\/\/)?/, '').split('?')[0]!)
}

/** One query as an observer sees it: the model (none for a raw query), the operation, its arguments. */
export interface ObservedQuery {
  model?: string
  operation: string
  args: unknown
}

export interface DatabaseOptions {
  /**
   * For tests only: told of every query before it runs — on the client and inside interactive
   * transactions, model operations and raw SQL alike, except reads answered from a batch's memory
   * (read-memo.ts).
   */
  observe?: (query: ObservedQuery) => void
}

export function openDatabase(url: string, options: DatabaseOptions = {}): Db {
  const { client, pool } = openClient(url)
  const { observe } = options
  // Reads repeated within a batch of events are answered from memory (read-memo.ts); the observer
  // sees the queries that reach the database.
  const relations = relationMap((client as unknown as { _runtimeDataModel: Parameters<typeof relationMap>[0] })._runtimeDataModel)
  const remember = memoised(relations)
  relateModels(relations)
  const extended = client.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        // Rows of this model (or related ones) held back to be written together are written first (held-writes.ts).
        await writeHeldFor(model)
        return remember({
          ...(model ? { model } : {}),
          operation,
          args,
          query: (a) => {
            observe?.({ ...(model ? { model } : {}), operation, args: a })
            return query(a as typeof args)
          },
        })
      },
    },
  })
  // On PostgreSQL, statements beside any transaction may go by the pool itself (direct-writes.ts).
  if (pool) byPool((extended as unknown as { _originalClient: object })._originalClient, pool)
  return extended as unknown as Db
}

/**
 * Errors say what failed without a code frame of the calling line: for that frame Prisma makes an
 * Error (a stack trace) on every query, a tenth of a query's time (bench, profile); the stack of
 * the error itself still says where.
 */
const ERROR_FORMAT = 'minimal'

function openClient(url: string): { client: Db; pool?: DirectConnection } {
  if (providerOf(url) === 'sqlite') {
    const file = sqlitePath(url)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const adapter = new OneConnectionLibSQL({ url: `file:${file}` })
    return { client: new SqliteClient({ adapter, errorFormat: ERROR_FORMAT }) }
  }
  const { connectionString, schema } = splitPostgresUrl(url)
  // Our own pool, so every connection has an error listener: when the server goes away (a
  // restart, an outage) pg emits 'error' on checked-out clients, and an unheard 'error' would
  // end the process instead of failing the queries and letting the service recover.
  // Its clients keep the service's hot statements prepared and write a batch's rows themselves (pg-statements.ts).
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    Client: PreparingClient,
    maxLifetimeSeconds: CONNECTION_LIFETIME_S,
    tablesSchema: schema,
  } as unknown as pg.PoolConfig)
  const ignore = () => {}
  pool.on('error', ignore)
  pool.on('connect', (client) => client.on('error', ignore))
  // Disconnecting ends the pool: a process that opens and closes clients (the tests, sharing a
  // worker's process) must not keep their connections until pg's idle timeout.
  const adapter = new PrismaPg(pool, { schema, disposeExternalPool: true })
  return {
    client: new PostgresClient({ adapter, errorFormat: ERROR_FORMAT }) as unknown as Db,
    pool: { dialect: 'postgresql', schema, run: async (text, values) => (await pool.query({ text, values })).rows },
  }
}

/**
 * How long an SQLite statement waits for another connection's write to finish (another instance on
 * the same file, or a migration) before failing with SQLITE_BUSY. Within one process the adapter
 * runs one statement or transaction at a time, so only another process's write makes it wait.
 */
const SQLITE_BUSY_TIMEOUT_MS = 5000

/** The libSQL adapter on one connection, its statements kept prepared (sqlite-connection.ts). */
class OneConnectionLibSQL extends PrismaLibSQL {
  override createClient(config: Config): Client {
    return new SqliteConnection(sqlitePath(config.url), SQLITE_BUSY_TIMEOUT_MS) as unknown as Client
  }
}

/** True when the error is a unique-constraint violation (Prisma P2002), whatever the provider. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null
  if (!e) return false
  if (e.code === 'P2002') return true
  return /UNIQUE constraint failed|duplicate key value violates unique constraint/i.test(e.message ?? '')
}
