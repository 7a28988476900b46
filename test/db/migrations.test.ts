import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/client.js'
import { migrate, readMigrations } from '../../src/db/migrate.js'
import { createTestDatabaseUrl, testProvider } from '../helpers/db.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const drops: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const d of drops) await d()
})

async function emptyDatabase(): Promise<string> {
  const fresh = await createTestDatabaseUrl()
  drops.push(fresh.drop)
  return fresh.url
}

/** createTestDatabaseUrl migrates; for "from empty" we want a URL nobody has touched. */
function untouched(url: string): string {
  if (testProvider === 'sqlite') return url.replace(/\.db$/, '-empty.db')
  const u = new URL(url)
  u.searchParams.set('schema', `${u.searchParams.get('schema')}_empty`)
  return u.toString()
}

/** Drops a PostgreSQL schema this file made by hand after the tests (SQLite files go with their folder). */
function dropLater(url: string): void {
  if (testProvider !== 'postgresql') return
  drops.push(async () => {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${new URL(url).searchParams.get('schema')}" CASCADE`)
    await client.end()
  })
}

/** `npm run migrate` (src/cli.ts migrate) as a process of its own; answers what it printed. */
function cliMigrate(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += String(d)))
    child.stderr.on('data', (d) => (out += String(d)))
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`migrate exited with ${code}: ${out}`))))
  })
}

function migrationsTable(url: string): string {
  return testProvider === 'sqlite' ? '"_prisma_migrations"' : `"${new URL(url).searchParams.get('schema')}"."_prisma_migrations"`
}

async function appliedRows(url: string): Promise<{ migration_name: string; checksum: string }[]> {
  const db = openDatabase(url)
  try {
    return await db.$queryRawUnsafe(`SELECT migration_name, checksum FROM ${migrationsTable(url)} ORDER BY migration_name`)
  } finally {
    await db.$disconnect()
  }
}

describe(`migrations on ${testProvider}`, () => {
  const all = readMigrations(testProvider).map((m) => m.name)

  it('apply from an empty database, then re-run as a no-op', async () => {
    const url = untouched(await emptyDatabase())
    dropLater(url)
    expect((await migrate(url)).applied).toEqual(all)
    expect((await migrate(url)).applied).toEqual([])
    const rows = await appliedRows(url)
    expect(rows.map((r) => r.migration_name)).toEqual(all)
    // Every model's table is there: the generated client can query each one.
    const db = openDatabase(url)
    try {
      for (const model of [
        'unit',
        'grid',
        'gridCollector',
        'person',
        'platformIdentity',
        'chatGroup',
        'inboundEvent',
        'outboxMessage',
        'lease',
        'webMessage',
        'apiToken',
        'conversation',
        'requestCategory',
        'officerCategory',
        'workerRequest',
        'requestAuthor',
        'requestEvent',
        'counter',
        'setting',
        'poll',
        'pollOption',
        'pollTarget',
        'pollVote',
        'surveyQuestion',
        'surveyAnswer',
        'campaign',
        'announcement',
        'announcementTarget',
        'announcementDelivery',
        'announcementResponse',
      ] as const) {
        expect(await (db[model] as unknown as { count(): Promise<number> }).count()).toBe(0)
      }
    } finally {
      await db.$disconnect()
    }
  })

  it('two instances starting together apply each migration once', async () => {
    const url = untouched(await emptyDatabase())
      .replace('_empty', '_race')
      .replace('-empty.db', '-race.db')
    dropLater(url)
    // Two processes, as two instances are: in one process libSQL waits out a lock synchronously,
    // so the connection holding it could not finish meanwhile (a 10 s stall that no deployment has).
    const [a, b] = await Promise.all([cliMigrate(url), cliMigrate(url)])
    const applied = (out: string) => (/Applied: (.*)/.exec(out)?.[1] ?? '').split(', ').filter(Boolean)
    expect([...applied(a), ...applied(b)].sort()).toEqual(all)
    expect((await appliedRows(url)).map((r) => r.migration_name)).toEqual(all)
  })

  it('refuses to start when an applied migration was edited afterwards', async () => {
    const url = await emptyDatabase()
    const db = openDatabase(url)
    await db.$executeRawUnsafe(`UPDATE ${migrationsTable(url)} SET checksum = 'edited'`)
    await db.$disconnect()
    await expect(migrate(url)).rejects.toThrow(/changed after it was applied/)
  })
})
