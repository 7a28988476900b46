import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { openDatabase, splitPostgresUrl, type Db } from '../../src/db/client.js'
import { migrate } from '../../src/db/migrate.js'

/**
 * Which database the suite runs on: SQLite files by default; set TEST_DATABASE_URL to a
 * postgresql:// URL (as .ci/run does) to run every test on PostgreSQL instead. Each call makes
 * its own empty database (a fresh SQLite file, or a fresh PostgreSQL schema), so test files
 * never see each other's data.
 */
export const testProvider: 'sqlite' | 'postgresql' = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'postgresql' : 'sqlite'

export interface TestDatabase {
  url: string
  db: Db
  /** Disconnects and drops the database. */
  drop(): Promise<void>
}

/** A fresh, migrated, empty database URL (not yet opened). */
export async function createTestDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  const id = `t_${process.pid}_${crypto.randomBytes(4).toString('hex')}`
  if (testProvider === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongyou-test-'))
    const url = `file:${path.join(dir, `${id}.db`)}`
    await migrate(url)
    return { url, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) }
  }
  const base = new URL(process.env.TEST_DATABASE_URL!)
  base.searchParams.set('schema', id)
  const url = base.toString()
  await migrate(url)
  return {
    url,
    drop: async () => {
      const client = new pg.Client({ connectionString: splitPostgresUrl(url).connectionString })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${id}" CASCADE`)
      } finally {
        await client.end()
      }
    },
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const { url, drop } = await createTestDatabaseUrl()
  const db = openDatabase(url)
  return {
    url,
    db,
    drop: async () => {
      await db.$disconnect()
      await drop()
    },
  }
}

/** A fresh database opened by two clients, as two instances of the service would; `drop` disconnects both. */
export async function createSharedTestDatabase(): Promise<{ a: Db; b: Db; drop: () => Promise<void> }> {
  const { url, drop } = await createTestDatabaseUrl()
  const a = openDatabase(url)
  const b = openDatabase(url)
  return {
    a,
    b,
    drop: async () => {
      await a.$disconnect()
      await b.$disconnect()
      await drop()
    },
  }
}
