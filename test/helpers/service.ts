import { createService, decidePlayground, type Service, type ServiceOptions } from '../../src/app.js'
import { enabledPlatforms } from '../../adapters/index.js'
import { loadConfig } from '../../src/config.js'
import { isOrganisationEmpty } from '../../src/organisation/demo.js'
import { openDatabase, type DatabaseOptions } from '../../src/db/client.js'
import { createTestDatabaseUrl } from './db.js'
import { importSampleOrganisation, sayInTestChat, TestChatAdapter, type Reply } from './test-chat.js'

export type { Reply }

export interface TestService extends Service {
  /**
   * Says something as a person; returns the replies. In the playground (demo people) when it is
   * on; otherwise through the test chat (test/helpers/test-chat.ts), as a real person.
   */
  say(from: string, chat: string, text: string): Promise<Reply[]>
  press(from: string, chat: string, command: string): Promise<Reply[]>
  dropDatabase(): Promise<void>
}

/**
 * A whole service on a fresh database, workers started, not listening. Where the playground is on
 * (no platform configured by the environment, no PUBLIC_URL) the service seeds the demo
 * organisation and `say` speaks in the playground. Where it is off, the service seeds nothing:
 * the helper imports the sample roster (the demo's people, as a real roster) unless
 * `organisation: 'none'`, and `say` speaks through the test chat. `observe` sees every query the
 * service makes (inside transactions too): a test-only observer on the database client, e.g. to
 * prove a table is never read.
 */
export async function startTestService(
  options: ServiceOptions & { env?: Record<string, string>; url?: string; organisation?: 'none'; observe?: DatabaseOptions['observe'] } = {},
): Promise<TestService> {
  const fresh = options.url ? { url: options.url, drop: async () => {} } : await createTestDatabaseUrl()
  // Quiet hours off unless a test turns them on: the suite must not depend on the hour it runs at.
  const config = loadConfig({
    DATABASE_URL: fresh.url,
    LOG_LEVEL: 'silent',
    OUTBOX_BASE_DELAY_MS: '20',
    OUTBOX_MAX_DELAY_MS: '200',
    QUIET_HOURS: 'off',
    ...options.env,
  })
  let testChat = false
  try {
    testChat = !decidePlayground(config, enabledPlatforms(config, options.adapterFactories)).on
  } catch {
    // A refused configuration: createService says so below.
  }
  const chatAdapter = new TestChatAdapter()
  let service: Service
  try {
    const { observe, organisation, ...rest } = options
    service = await createService(config, {
      logger: false,
      ...rest,
      ...(observe ? { db: openDatabase(fresh.url, { observe }) } : {}),
      ...(testChat ? { adapters: [...(options.adapters ?? []), chatAdapter] } : {}),
    })
    chatAdapter.attach(service.db)
    if (testChat && organisation !== 'none' && (await isOrganisationEmpty(service.db))) await importSampleOrganisation(service.db)
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
  const speak = (from: string, chat: string, text: string, action?: { command: string }): Promise<Reply[]> => {
    if (service.playground.on) return post({ from, chat, ...(action ? { action } : { text }) })
    if (!testChat) throw new Error('the playground is off and the test chat is not registered: say is not available')
    return sayInTestChat(service, from, chat, text, action)
  }
  return Object.assign(service, {
    say: (from: string, chat: string, text: string) => speak(from, chat, text),
    press: (from: string, chat: string, command: string) => speak(from, chat, '', { command }),
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
