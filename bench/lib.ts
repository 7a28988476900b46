import { spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { splitPostgresUrl } from '../src/db/client.js'
import { migrate } from '../src/db/migrate.js'

/** One row of the printed table: a figure next to its baseline measured in the same run. */
export interface BenchRow {
  bench: string
  database: string
  metric: string
  value: number
  unit: string
  baseline: number
  /** How the figure compares: value / baseline. */
  ratio: number
  target?: string
  met?: boolean
}

/**
 * The environment of the service under test: quiet logs, no quiet hours, and, when given, Feishu
 * pointed at a fake open platform.
 */
export function serviceEnv(
  port: number,
  databaseUrl: string,
  feishu?: { keys: { appId: string; encryptKey: string; verificationToken: string }; secret: string; domain: string },
): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    QUIET_HOURS: 'off',
    ...(feishu
      ? {
          FEISHU_APP_ID: feishu.keys.appId,
          FEISHU_APP_SECRET: feishu.secret,
          FEISHU_ENCRYPT_KEY: feishu.keys.encryptKey,
          FEISHU_VERIFICATION_TOKEN: feishu.keys.verificationToken,
          FEISHU_DOMAIN: feishu.domain,
        }
      : {}),
  }
}

/**
 * How many instances of the service share the database in the ingest and vote benches: on
 * PostgreSQL, several instances (behind a load balancer in a deployment, here the bench's own
 * round robin) are how the service uses more than one core; SQLite has one writer. Default 1:
 * on these two-core machines, which the server and the bench's own client share, one instance
 * handled more events a second than two (2026-12-02: 303–335/s against 289/s), since a batch is
 * one transaction whose request numbers another instance's batch waits for (src/db/counters.ts).
 * BENCH_INSTANCES=2 runs two, on either database.
 */
export function instancesFor(_provider: Provider): number {
  return Number(process.env.BENCH_INSTANCES ?? 1)
}

/** Starts `n` instances of the service one after the other (each on its own port); answers their webhook URLs and a stop. */
export async function startInstances(
  n: number,
  envFor: (port: number) => Record<string, string>,
  path = '/webhooks/feishu',
): Promise<{ urls: string[]; stop: () => Promise<void> }> {
  const started: ChildProcess[] = []
  const urls: string[] = []
  const stop = async () => {
    for (const child of started.splice(0)) await stopProcess(child)
  }
  try {
    for (let i = 0; i < n; i++) {
      const port = await freePort()
      started.push((await startProcess('src/main.ts', envFor(port), `http://127.0.0.1:${port}/healthz`)).child)
      urls.push(`http://127.0.0.1:${port}${path}`)
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { urls, stop }
}

export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'

export type Provider = 'sqlite' | 'postgresql'

/** A fresh migrated database for one bench run, dropped afterwards. */
export async function freshDatabase(provider: Provider): Promise<{ url: string; drop: () => Promise<void> }> {
  const id = `bench_${process.pid}_${crypto.randomBytes(3).toString('hex')}`
  if (provider === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongyou-bench-'))
    const url = `file:${path.join(dir, `${id}.db`)}`
    await migrate(url)
    return { url, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) }
  }
  const u = new URL(POSTGRES_URL)
  u.searchParams.set('schema', id)
  const url = u.toString()
  await migrate(url)
  return {
    url,
    drop: async () => {
      const client = new pg.Client({ connectionString: splitPostgresUrl(url).connectionString })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${id}" CASCADE`)
      await client.end()
    },
  }
}

export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.end()
    return true
  } catch {
    return false
  }
}

/** Starts a node script (through tsx) and resolves when `readyUrl` answers 200; returns the child and the time it took. */
export async function startProcess(
  script: string,
  env: Record<string, string>,
  readyUrl: string,
  timeoutMs = Number(process.env.BENCH_START_TIMEOUT_MS ?? 30_000),
): Promise<{ child: ChildProcess; readyMs: number }> {
  const started = performance.now()
  // BENCH_PROFILE_DIR: each process started writes a CPU profile there when it exits (open it in Chrome's DevTools).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d) => (stderr += String(d)))
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}: ${stderr.slice(-2000)}`)
    try {
      const res = await fetch(readyUrl)
      if (res.status === 200) return { child, readyMs: performance.now() - started }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${script} was not ready within ${timeoutMs} ms: ${stderr.slice(-2000)}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
  if (child.exitCode === null) child.kill('SIGKILL')
}

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    import('node:net').then(({ createServer }) => {
      const srv = createServer()
      srv.listen(0, '127.0.0.1', () => {
        const port = (srv.address() as { port: number }).port
        srv.close(() => resolve(port))
      })
      srv.on('error', reject)
    })
  })
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export function printTable(rows: BenchRow[]): void {
  const header = ['bench', 'database', 'metric', 'value', 'baseline', 'ratio', 'target', 'met']
  const cells = rows.map((r) => [
    r.bench,
    r.database,
    r.metric,
    `${round(r.value)} ${r.unit}`,
    `${round(r.baseline)} ${r.unit}`,
    `${r.ratio.toFixed(2)}×`,
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ])
  const widths = header.map((h, i) => Math.max(width(h), ...cells.map((c) => width(c[i]!))))
  const line = (c: string[]) => c.map((x, i) => x + ' '.repeat(widths[i]! - width(x))).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const c of cells) console.log(line(c))
}

function round(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2)
}

/** Display width: CJK characters take two columns. */
function width(s: string): number {
  let w = 0
  for (const ch of s) w += /[\u1100-\uFFFF]/.test(ch) ? 2 : 1
  return w
}
