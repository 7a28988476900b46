import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { createClient } from '@libsql/client'
import { providerOf, splitPostgresUrl, sqlitePath, type DatabaseProvider } from './client.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

export function migrationsDir(provider: DatabaseProvider): string {
  return path.join(root, 'prisma', provider, 'migrations')
}

export interface Migration {
  name: string
  sql: string
  checksum: string
}

export function readMigrations(provider: DatabaseProvider): Migration[] {
  const dir = migrationsDir(provider)
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8')
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') }
    })
}

export interface MigrateResult {
  applied: string[]
}

/**
 * Applies pending migrations in order, each in a transaction, recorded in `_prisma_migrations`
 * exactly as Prisma Migrate records them (so `prisma migrate status` agrees). On PostgreSQL the
 * whole run holds an advisory lock, so instances starting together apply each migration once.
 * Prisma's own `migrate deploy` cannot run offline against PostgreSQL through the pg adapter in
 * 6.19 (see STACK.md), hence this runner. An applied migration whose file changed is refused.
 */
export async function migrate(url: string): Promise<MigrateResult> {
  return providerOf(url) === 'sqlite' ? migrateSqlite(url) : migratePostgres(url)
}

const createTableSql = (q: (id: string) => string) => `CREATE TABLE IF NOT EXISTS ${q('_prisma_migrations')} (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`

function checkApplied(applied: Map<string, string>, migrations: Migration[]): Migration[] {
  for (const m of migrations) {
    const sum = applied.get(m.name)
    if (sum !== undefined && sum !== m.checksum) {
      throw new Error(`Migration ${m.name} was changed after it was applied (checksum mismatch); add a new migration instead`)
    }
  }
  return migrations.filter((m) => !applied.has(m.name))
}

async function migrateSqlite(url: string): Promise<MigrateResult> {
  const file = sqlitePath(url)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const client = createClient({ url: `file:${file}` })
  try {
    await client.execute('PRAGMA busy_timeout = 10000')
    // Write-ahead log: one fsync per commit instead of several, readers never block the writer.
    // The mode is kept in the file, so every later connection uses it; synchronous stays FULL,
    // so a committed event survives a power cut too.
    await client.execute('PRAGMA journal_mode = WAL')
    await client.execute(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "checksum" TEXT NOT NULL,
      "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL,
      "logs" TEXT,
      "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
      "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
    )`)
    const applied: string[] = []
    for (;;) {
      // One migration per write transaction: BEGIN IMMEDIATE serialises concurrent starters.
      const tx = await beginWrite(client)
      try {
        const rows = await tx.execute('SELECT migration_name, checksum FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL')
        const done = new Map(rows.rows.map((r) => [String(r.migration_name), String(r.checksum)]))
        const next = checkApplied(done, readMigrations('sqlite'))[0]
        if (!next) {
          await tx.rollback()
          break
        }
        await tx.executeMultiple(next.sql)
        const now = new Date().toISOString()
        await tx.execute({
          sql: 'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)',
          args: [crypto.randomUUID(), next.checksum, now, next.name, now],
        })
        await tx.commit()
        applied.push(next.name)
      } catch (error) {
        if (!tx.closed) await tx.rollback().catch(() => {})
        throw error
      } finally {
        tx.close()
      }
    }
    return { applied }
  } finally {
    client.close()
  }
}

/** BEGIN IMMEDIATE, waiting while another process holds the write lock (each transaction gets a fresh connection, so busy_timeout cannot be relied on). */
async function beginWrite(client: ReturnType<typeof createClient>, waitMs = 30_000) {
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      return await client.transaction('write')
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 75))
    }
  }
}

/** Any 64-bit number works; this one spells the project. */
const MIGRATION_LOCK_ID = 0x676f6e67796f75n

async function migratePostgres(url: string): Promise<MigrateResult> {
  const { connectionString, schema } = splitPostgresUrl(url)
  const client = new pg.Client({ connectionString })
  await client.connect()
  const q = (id: string) => `"${schema.replace(/"/g, '""')}"."${id}"`
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID.toString()])
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`)
      await client.query(`SET search_path TO "${schema.replace(/"/g, '""')}"`)
      await client.query(createTableSql(q))
      const rows = await client.query(
        `SELECT migration_name, checksum FROM ${q('_prisma_migrations')} WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`,
      )
      const done = new Map<string, string>(rows.rows.map((r: { migration_name: string; checksum: string }) => [r.migration_name, r.checksum]))
      const pending = checkApplied(done, readMigrations('postgresql'))
      for (const m of pending) {
        await client.query('BEGIN')
        try {
          // Migrations are written for the public schema by `prisma migrate diff`; run them in ours.
          await client.query(m.sql.replace(/CREATE SCHEMA IF NOT EXISTS "public";/g, '').replace(/"public"\./g, ''))
          await client.query(
            `INSERT INTO ${q('_prisma_migrations')} (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, now(), 1)`,
            [crypto.randomUUID(), m.checksum, m.name],
          )
          await client.query('COMMIT')
        } catch (error) {
          await client.query('ROLLBACK')
          throw new Error(`Migration ${m.name} failed: ${(error as Error).message}`)
        }
      }
      return { applied: pending.map((m) => m.name) }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID.toString()])
    }
  } finally {
    await client.end()
  }
}
