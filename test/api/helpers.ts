import { issueToken } from '../../src/auth/tokens.js'
import type { TestService } from '../helpers/service.js'

/** An API token for a demo person (by employee number). */
export async function tokenFor(svc: TestService, employeeNo: string, opts: { expiresAt?: Date; label?: string } = {}): Promise<string> {
  const person = await svc.db.person.findUniqueOrThrow({ where: { employeeNo } })
  return issueToken(svc.db, person.id, opts)
}

export interface ApiCall {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  token?: string | null
  payload?: unknown
  headers?: Record<string, string>
}

/** Calls the API in-process with a bearer token. */
export async function call(svc: TestService, c: ApiCall) {
  const headers: Record<string, string> = { ...(c.token ? { authorization: `Bearer ${c.token}` } : {}), ...c.headers }
  return svc.app.inject({ method: c.method ?? 'GET', url: c.url, headers, ...(c.payload !== undefined ? { payload: c.payload as object } : {}) })
}

/** The request number in a bot reply. */
export const numberIn = (s: string) => /SQ-\d{4}-\d{4}/.exec(s)?.[0] ?? ''

/** Files a request in the playground and answers its number. */
export async function file(svc: TestService, from: string, words: string, chat = 'dm'): Promise<string> {
  const replies = await svc.say(from, chat, words)
  const number = numberIn(replies.map((r) => r.text).join('\n'))
  if (!number) throw new Error(`no request number in: ${JSON.stringify(replies)}`)
  return number
}

/** The sign-in code from the bot's 登录后台 answer. */
export function codeIn(text: string): string {
  const m = /\/dashboard\/login\?code=([^\s]+)/.exec(text)
  if (!m) throw new Error(`no sign-in link in: ${text}`)
  return decodeURIComponent(m[1]!)
}

/** Polls `probe` until it answers something truthy (bounded at 10 s), and answers that. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, svc?: TestService): Promise<T> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    svc?.outbox.wake()
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The private messages the bot delivered to a person in the playground, oldest first. */
export async function dmsTo(svc: TestService, employeeNo: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId: null, personNo: employeeNo }, orderBy: { id: 'asc' } })
  return rows.map((r) => r.text)
}
