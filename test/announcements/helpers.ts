/**
 * Shared helpers for the announcement tests: services on a ManualClock with every schedule
 * pushed out of reach (jobs run when a test says so), and readers for what people received.
 */
import { expect, onTestFinished } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import type { ServiceOptions } from '../../src/app.js'
import { testProvider } from '../helpers/db.js'
import { startTestService, type Reply, type TestService } from '../helpers/service.js'

/** Schedules that never fire while the suite runs (midnight on 1 January). */
export const NO_CRON = {
  REQUEST_DIGEST_CRON: '0 0 1 1 *',
  REQUEST_SUPERVISED_CRON: '0 0 1 1 *',
  REQUEST_AUTOCLOSE_CRON: '0 0 1 1 *',
  ANNOUNCEMENT_BIRTHDAY_CRON: '0 0 1 1 *',
}
/** The internal jobs (every minute, every five minutes), pushed out of reach the same way. */
export const NO_INTERNAL_CRON = { 'requests:escalate-overdue': '0 0 1 1 *', 'announcements:fire': '0 0 1 1 *', 'announcements:remind': '0 0 1 1 *' }

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** Monday 2 March 2026, 09:00 in Asia/Shanghai. */
export const MONDAY_9AM = new Date('2026-03-02T01:00:00Z')

let started: TestService[] = []
const dropLater: (() => Promise<void>)[] = []
let cleanUpRegistered = false

/** Closes the services the test started and drops their databases (registered by the test's first `start`). */
async function cleanUp(): Promise<void> {
  cleanUpRegistered = false
  const services = started.reverse()
  started = []
  for (const s of services) await s.close()
  for (const s of services) await s.dropDatabase()
  for (const drop of dropLater.splice(0)) await drop()
}

/** A service for this test (closed, its database dropped, when the test ends). */
export async function start(clock: ManualClock, env: Record<string, string> = {}, extra: ServiceOptions & { url?: string } = {}): Promise<TestService> {
  // Per test, not a module-level afterEach: a hook registered when this module is first imported
  // would belong to the first test file that imports it.
  if (!cleanUpRegistered) {
    onTestFinished(cleanUp)
    cleanUpRegistered = true
  }
  const svc = await startTestService({ clock, env: { ...NO_CRON, ...env }, ...extra, schedules: { ...NO_INTERNAL_CRON, ...extra.schedules } })
  started.push(svc)
  return svc
}

/** Forgets a service the test closes itself; its database is dropped after the test. */
export function forget(svc: TestService): void {
  started = started.filter((s) => s !== svc)
  dropLater.push(() => svc.dropDatabase())
}

export const text = (replies: Reply[]) => replies.map((r) => r.text).join('\n')
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The announcement number in an answer (N-8). */
export function numberIn(replies: Reply[]): string {
  const n = /N-\d+/.exec(text(replies))?.[0] ?? ''
  expect(n, `no announcement number in: ${text(replies)}`).not.toBe('')
  return n
}

export { runJob, settle } from '../helpers/service.js'

/** Bot messages delivered to a group chat (web), oldest first; optionally only those containing `part`. */
export async function inChat(svc: TestService, chatId: string, part?: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId }, orderBy: { id: 'asc' } })
  return rows.map((r) => r.text).filter((t) => part === undefined || t.includes(part))
}

/** Bot messages delivered privately to a person (employee number), oldest first. */
export async function privateTo(svc: TestService, personNo: string, part?: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId: null, personNo }, orderBy: { id: 'asc' } })
  return rows.map((r) => r.text).filter((t) => part === undefined || t.includes(part))
}

/** Everyone who privately received a bot message containing `part`, sorted. */
export async function recipientsOf(svc: TestService, part: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId: null } })
  return rows
    .filter((r) => r.text.includes(part))
    .map((r) => r.personNo!)
    .sort()
}

/** Group chats that received a bot message containing `part`, sorted. */
export async function chatsWith(svc: TestService, part: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId: { not: null } } })
  return rows
    .filter((r) => r.text.includes(part))
    .map((r) => r.chatId!)
    .sort()
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

export { ManualClock, testProvider }
