/**
 * PostgreSQL stops during an ingest burst. A private PostgreSQL instance (initdb in a temp dir,
 * its own port and socket directory) is started for this file alone and stopped mid-burst with
 * `pg_ctl stop -m fast`: the webhook answers 503 while it is down (so Feishu would deliver again),
 * /readyz says not ready; once it is back, the refused events are delivered again and every event
 * is processed exactly once, without restarting the service.
 *
 * Runs the same whether the suite is on SQLite or PostgreSQL (it never uses the shared server).
 *
 * An event claimed for processing when the database went away keeps its claim (60 s, the chat
 * core's fixed lock) because the release itself could not be written; the same for a message
 * being sent. The test ages such claims after the restart, as if that minute had passed, rather
 * than waiting it out.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { feishuAdapterFactory } from '../../adapters/feishu/index.js'
import { messageEvent, request, type Person } from '../adapters/feishu/events.js'
import { FakeFeishu } from '../adapters/feishu/fake-feishu.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { freePort } from './child.js'
import { feishuEnv, keys, messageIdOf, SECRET, settle, stranger, waitFor } from './kit.js'

const bin = (() => {
  const base = '/usr/lib/postgresql'
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((v) => fs.existsSync(path.join(base, v, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (!versions.length) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)')
  return path.join(base, versions[0]!, 'bin')
})()
const asRoot = process.getuid?.() === 0

let dir = ''
let port = 0
let fake: FakeFeishu
let svc: TestService

/** Runs a PostgreSQL tool as the postgres OS user (it refuses to run as root). */
function pgTool(tool: string, args: string[]): void {
  const cmd = path.join(bin, tool)
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', timeout: 30_000 })
  else execFileSync(cmd, args, { stdio: 'pipe', timeout: 30_000 })
}
const pgStart = () =>
  pgTool('pg_ctl', [
    '-D',
    path.join(dir, 'data'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    '-l',
    path.join(dir, 'log'),
    '-w',
    '-t',
    '20',
    'start',
  ])
const pgRunning = () => {
  try {
    pgTool('pg_ctl', ['-D', path.join(dir, 'data'), 'status'])
    return true
  } catch {
    return false
  }
}
const pgStop = () => pgTool('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'fast', '-w', '-t', '20', 'stop'])

/**
 * When PostgreSQL is stopped, pg clients checked out of the pool receive the server's
 * "terminating connection due to administrator command" (57P01) and emit 'error'. With nobody
 * listening that is an uncaught exception that ends the process; src/db/client.ts gives every
 * pooled client a listener. This records any 'error' emitted with no listener, and the test
 * asserts there was none.
 */
const unhandledPgErrors: Error[] = []
const emit = pg.Client.prototype.emit
pg.Client.prototype.emit = function (this: pg.Client, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'error' && this.listenerCount('error') === 0) {
    unhandledPgErrors.push(args[0] as Error)
    return true
  }
  return emit.call(this, event, ...args)
} as typeof emit
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongyou-pg-'))
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir])
  pgTool('initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions'])
  port = await freePort()
  pgStart()
  fake = await new FakeFeishu(keys.appId, SECRET).start()
  svc = await startTestService({
    url: `postgresql://postgres@127.0.0.1:${port}/postgres?schema=outage`,
    env: feishuEnv(fake),
    adapterFactories: [feishuAdapterFactory],
  })
})
afterAll(async () => {
  if (dir && !pgRunning()) pgStart()
  // Bounded: a leaked pool client (see above) would hold the close of the pool forever.
  await Promise.race([svc?.close().catch(() => undefined), new Promise((r) => setTimeout(r, 5000))])
  await fake?.stop()
  if (dir && pgRunning()) pgStop()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

const post = (r: { payload: string; headers: Record<string, string> }) =>
  svc.app.inject({ method: 'POST', url: '/webhooks/feishu', headers: r.headers, payload: r.payload })

describe('PostgreSQL stops mid-burst', () => {
  it('answers 503 while it is down, and processes every event exactly once after it is back', { timeout: 90_000 }, async () => {
    const people: Person[] = Array.from({ length: 30 }, (_, i) => stranger(`outage${i}`))
    const events = people.map((p) => messageEvent(keys, { from: p, chatId: `oc_p2p_${p.open_id}`, chatType: 'p2p', text: '帮助' }))
    const status = new Map<number, number>()

    // The burst: all 30 at once; the database is stopped once the first few are stored.
    let stopped: Promise<void> | undefined
    let accepted = 0
    await Promise.all(
      events.map(async (ev, i) => {
        await new Promise((r) => setTimeout(r, i * 15))
        const res = await post(request(ev, keys))
        status.set(i, res.statusCode)
        if (res.statusCode === 200 && ++accepted === 8) stopped = Promise.resolve().then(pgStop)
      }),
    )
    await stopped
    // Whatever came in while it was down: 5xx (never 2xx for an event not stored, never 4xx).
    for (const [i, code] of status) expect([200, 503], `event ${i}`).toContain(code)
    const refused = [...status].filter(([, code]) => code !== 200).map(([i]) => i)

    // Down: every delivery is refused with 503, and /readyz says so.
    for (const ev of events.slice(0, 5)) expect((await post(request(ev, keys))).statusCode).toBe(503)
    const fresh = stranger('while-down')
    const later = messageEvent(keys, { from: fresh, chatId: `oc_p2p_${fresh.open_id}`, chatType: 'p2p', text: '帮助' })
    const res = await post(request(later, keys))
    expect(res.statusCode).toBe(503)
    expect(res.json().error.code).toBe('unavailable')
    expect((await svc.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503)
    expect((await svc.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)

    // Back up: the same service (no restart) is ready again.
    pgStart()
    await waitFor('/readyz 200', async () => (await svc.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, 20_000)
    const past = new Date(Date.now() - 1000)
    await svc.db.inboundEvent.updateMany({ where: { status: 'processing' }, data: { lockedUntil: past } })
    await svc.db.outboxMessage.updateMany({ where: { status: 'sending' }, data: { lockedUntil: past } })

    // Feishu delivers the refused ones again (and, as it may, a few of the accepted ones too).
    for (const i of [...refused, 0, 1, 2]) expect((await post(request(events[i]!, keys))).statusCode, `event ${i}`).toBe(200)
    expect((await post(request(later, keys))).statusCode).toBe(200)
    await svc.core.recover()
    await settle(svc, 30_000)

    for (const [i, p] of [...people, fresh].entries()) {
      const ev = i < events.length ? events[i]! : later
      const rows = await svc.db.inboundEvent.findMany({ where: { platform: 'feishu', eventId: messageIdOf(ev) } })
      expect(
        rows.map((r) => r.status),
        `event ${i}`,
      ).toEqual(['done'])
      expect(fake.shownTo(p.open_id), `replies to ${i}`).toHaveLength(1)
    }
    expect(refused.length + accepted).toBe(events.length)
    // The dropped connections failed their queries; none ended the process.
    expect(unhandledPgErrors.map((e) => e.message)).toEqual([])
  })
})
