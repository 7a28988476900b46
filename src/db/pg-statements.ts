/**
 * PostgreSQL statements kept prepared, the counterpart of sqlite-connection.ts. Prisma's adapter
 * sends every statement unnamed: the server parses and plans it anew each time, though under a
 * burst the service runs the same few dozen statements thousands of times. Here a statement the
 * process has run before gets a name, so each connection parses it once and then only binds and
 * executes it (about half the server's work for a small insert or update in a transaction, and
 * less to send).
 *
 * A name is the text's digest, so it never stands for another text. The names in use are the last
 * KEPT_STATEMENTS texts run at least twice (statements run once, and those without parameters —
 * BEGIN, COMMIT — go unnamed as before); a prepared statement lives as long as its connection on the
 * server, and the pool ends each connection after CONNECTION_LIFETIME_S, so what a connection keeps
 * stays within what the service has been running lately. Behind PgBouncer in transaction mode,
 * version 1.21 or later with `max_prepared_statements` set is needed (docs/operations.md).
 */
import crypto from 'node:crypto'
import { LRUCache } from 'lru-cache'
import pg from 'pg'
import { type DirectConnection, transactionBegun } from './direct-writes.js'

/** Texts named at once: the service's hot statements are a few dozen, its statements in all a few hundred. */
export const KEPT_STATEMENTS = 300
/** A pool's connection is ended after this long (on its next release), with its prepared statements. */
export const CONNECTION_LIFETIME_S = 300
/** Texts run once so far, waiting to be run a second time (one-off statements are many). */
const runOnce = new LRUCache<string, true>({ max: 2000 })
const names = new LRUCache<string, string>({ max: KEPT_STATEMENTS })

/** The name a statement's text is prepared under, or undefined to send it unnamed. */
export function statementName(text: string): string | undefined {
  const known = names.get(text)
  if (known !== undefined) return known
  if (!runOnce.has(text)) {
    runOnce.set(text, true)
    return undefined
  }
  runOnce.delete(text)
  const name = `gy_${crypto.createHash('sha1').update(text).digest('base64url')}`
  names.set(text, name)
  return name
}

type QueryConfig = { text: string; values?: unknown[]; name?: string }

/**
 * A pg client that names the statements worth keeping prepared (see above); for `pg.Pool`'s `Client`
 * option. It also tells direct-writes.ts of a transaction begun on it: the pool's `tablesSchema`
 * option says which schema the service's tables are in.
 */
export class PreparingClient extends pg.Client {
  readonly direct: DirectConnection
  constructor(config: pg.ClientConfig & { tablesSchema?: string } = {}) {
    super(config)
    this.direct = {
      dialect: 'postgresql',
      ...(config.tablesSchema !== undefined ? { schema: config.tablesSchema } : {}),
      run: async (text, values) => (await this.query({ text, values })).rows,
    }
  }
}

const query = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown
PreparingClient.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
  // A query given as a config object (as Prisma's adapter gives them); not a submittable (a pg Query or cursor).
  if (typeof config === 'object' && config !== null && 'text' in config && !('submit' in config)) {
    const c = config as QueryConfig
    if (c.text === 'BEGIN' && this instanceof PreparingClient) transactionBegun(this.direct)
    const values = Array.isArray(rest[0]) ? rest[0] : c.values
    if (c.name === undefined && values !== undefined && values.length > 0) {
      const name = statementName(c.text)
      if (name !== undefined) return query.call(this, { ...c, name }, ...rest)
    }
  }
  return query.call(this, config, ...rest)
} as typeof pg.Client.prototype.query
