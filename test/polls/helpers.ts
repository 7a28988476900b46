import { expect } from 'vitest'
import type { ManualClock } from '../../src/core/clock.js'
import type { InboundMessage } from '../../src/core/types.js'
import { testProvider } from '../helpers/db.js'
import { startTestService, type Reply, type TestService } from '../helpers/service.js'

/** Schedules that do not fire while the suite runs (midnight on 1 January), so jobs run only when a test says so. */
export const NO_CRON = {
  REQUEST_DIGEST_CRON: '0 0 1 1 *',
  REQUEST_SUPERVISED_CRON: '0 0 1 1 *',
  REQUEST_AUTOCLOSE_CRON: '0 0 1 1 *',
}
/** The internal every-minute jobs, pushed out of reach the same way. */
export const NO_INTERNAL_CRON = { 'requests:escalate-overdue': '0 0 1 1 *', 'polls:remind': '0 0 1 1 *', 'polls:close': '0 0 1 1 *' }

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE

export const text = (replies: Reply[]) => replies.map((r) => r.text).join('\n')
export const numberIn = (s: string, prefix = 'P') => new RegExp(`${prefix}-\\d+`).exec(s)?.[0] ?? ''
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Services started by a test file, closed (last first) and dropped by `stopAll`. */
export class Services {
  private started: TestService[] = []

  async start(clock: ManualClock, env: Record<string, string> = {}, url?: string, options: Parameters<typeof startTestService>[0] = {}): Promise<TestService> {
    const svc = await startTestService({
      ...options,
      clock,
      env: { ...NO_CRON, ...env },
      schedules: { ...NO_INTERNAL_CRON, ...options.schedules },
      ...(url ? { url } : {}),
    })
    this.started.push(svc)
    return svc
  }

  async stopAll(): Promise<void> {
    const services = this.started.reverse()
    this.started = []
    for (const s of services) await s.close()
    for (const s of services) await s.dropDatabase()
  }
}

/** Starts a poll and returns its number (failing the test with the bot's answer when it was refused). */
export async function startPoll(svc: TestService, from: string, chat: string, words: string): Promise<{ number: string; replies: Reply[] }> {
  const replies = await svc.say(from, chat, words)
  const number = numberIn(replies[0]?.text ?? '', words.startsWith('发起问卷') ? 'Q' : 'P')
  expect(number, `no number in: ${text(replies)}`).not.toBe('')
  return { number, replies }
}

export { runJob, settle } from '../helpers/service.js'

/** Bot messages delivered privately on the playground to a person (employee number), oldest first; optionally only those containing `part`. */
export async function privateTo(svc: TestService, personNo: string, part?: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId: null, personNo }, orderBy: { id: 'asc' } })
  return rows.map((r) => r.text).filter((t) => part === undefined || t.includes(part))
}

/** Bot messages delivered to a playground group containing `part`. */
export async function inChat(svc: TestService, chatId: string, part: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId }, orderBy: { id: 'asc' } })
  return rows.map((r) => r.text).filter((t) => t.includes(part))
}

/** Everyone who privately received a bot message containing `part`, sorted. */
export async function recipientsOf(svc: TestService, part: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId: null } })
  return rows
    .filter((r) => r.text.includes(part))
    .map((r) => r.personNo!)
    .sort()
}

let seq = 0
/** A Feishu message (private when chatId is null) from an open_id. */
export function feishu(openId: string, words: string, chatId: string | null = null, action?: string): InboundMessage {
  return {
    platform: 'feishu',
    eventId: `ev_poll_${process.pid}_${++seq}`,
    chatId,
    sender: { ids: [{ kind: 'open_id', id: openId }] },
    text: words,
    mentions: [],
    mentionsBot: chatId === null,
    ...(action ? { action: { command: action } } : {}),
  }
}

/**
 * A read while another instance's client may be committing: on SQLite two clients on one file
 * can see "database is locked" for an instant (libsql does not wait); read again.
 */
export async function unlessBusy<T>(read: () => Promise<T>): Promise<T | null> {
  for (let i = 0; i < 20; i++) {
    try {
      return await read()
    } catch (error) {
      if (testProvider !== 'sqlite' || !/timed out|locked|busy/i.test(String(error))) throw error
      await sleep(25)
    }
  }
  return null
}
