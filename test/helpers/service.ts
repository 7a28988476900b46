import { createService, type Service, type ServiceOptions } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase, type DatabaseOptions } from '../../src/db/client.js'
import { createTestDatabaseUrl } from './db.js'

export interface TestService extends Service {
  /** Says something in the playground as a person; returns the replies. */
  say(from: string, chat: string, text: string): Promise<Reply[]>
  press(from: string, chat: string, command: string): Promise<Reply[]>
  dropDatabase(): Promise<void>
}

export interface Reply {
  chat: string
  to?: string
  platform?: string
  text: string
  card?: { title: string; buttons?: { label: string; action: { command: string } }[] }
}

/** A whole service on a fresh database (demo organisation seeded), workers started, not listening. */
/**
 * `observe` sees every query the service makes (inside transactions too): a test-only observer on
 * the database client, e.g. to prove a table is never read.
 */
export async function startTestService(options: ServiceOptions & { env?: Record<string, string>; url?: string; observe?: DatabaseOptions['observe'] } = {}): Promise<TestService> {
  const fresh = options.url ? { url: options.url, drop: async () => {} } : await createTestDatabaseUrl()
  // Quiet hours off unless a test turns them on: the suite must not depend on the hour it runs at.
  const config = loadConfig({ DATABASE_URL: fresh.url, LOG_LEVEL: 'silent', OUTBOX_BASE_DELAY_MS: '20', OUTBOX_MAX_DELAY_MS: '200', QUIET_HOURS: 'off', ...options.env })
  let service: Service
  try {
    const { observe, ...rest } = options
    service = await createService(config, { logger: false, ...rest, ...(observe ? { db: openDatabase(fresh.url, { observe }) } : {}) })
  } catch (error) {
    await fresh.drop()
    throw error
  }
  service.startWorkers()
  const post = async (body: object): Promise<Reply[]> => {
    const res = await service.app.inject({ method: 'POST', url: '/playground/api/messages', payload: body })
    if (res.statusCode !== 200) throw new Error(`playground answered ${res.statusCode}: ${res.body}`)
    return (res.json() as { replies: Reply[] }).replies
  }
  return Object.assign(service, {
    say: (from: string, chat: string, text: string) => post({ from, chat, text }),
    press: (from: string, chat: string, command: string) => post({ from, chat, action: { command } }),
    dropDatabase: fresh.drop,
  })
}

/** Waits (bounded) until every outbox row due by the clock is sent or dead. */
export async function settle(svc: Service, clock: { now(): Date }, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const open = await svc.db.outboxMessage.count({ where: { OR: [{ status: 'pending', nextAttemptAt: { lte: clock.now() } }, { status: 'sending' }] } })
    if (open === 0) return
    if (Date.now() > deadline) throw new Error(`${open} outbox messages still not sent`)
    svc.outbox.wake()
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Runs a scheduled job at once and waits for what it sent to arrive. */
export async function runJob(svc: Service, clock: { now(): Date }, name: string): Promise<void> {
  await svc.scheduler.runNow(name)
  await settle(svc, clock)
}
