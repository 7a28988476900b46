/** A request (诉求) as the service sees it: its row, the context every operation takes, statuses, numbers, deadlines, refusals. */
import { Refusal } from '../core/commands.js'
import type { Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import type { CategoryRow } from './categories.js'

export type RequestRow = Awaited<ReturnType<Tx['workerRequest']['findFirstOrThrow']>>

/** What every request operation needs: a transaction, the time, the words, the time zone. */
export interface RequestContext {
  tx: Tx
  now: Date
  t: Messages
  timeZone: string
  /** PRIVACY_MIN_GROUP: a unit with fewer people is not named in an officers' group (its parent is). */
  minGroup?: number
}

/** Open statuses: an officer still has something to do. */
export const OPEN_STATUSES = ['new', 'accepted'] as const
export const MAX_CONTENT = 1000

/** A failure a person should read (not a bug): the text says what was wrong. */
export class RequestRefusal extends Refusal {
  override name = 'RequestRefusal'
}

export const refuse = (text: string): never => {
  throw new RequestRefusal(text)
}

/** A request number in full (SQ-2026-0042, sq20260042) or short (42, 42号, #42: this year's). */
export function normaliseNumber(input: string, year?: number): string {
  const s = input.trim().replace(/[－—–]/g, '-')
  const m = /^(?:SQ)?-?(\d{4})-?(\d{1,6})$/i.exec(s)
  if (m) return `SQ-${m[1]}-${m[2]!.padStart(4, '0')}`
  const short = SHORT_NUMBER.exec(s)
  if (short && year !== undefined) return `SQ-${year}-${short[1]!.padStart(4, '0')}`
  return s.toUpperCase()
}

const SHORT_NUMBER = /^[#＃]?(\d{1,4})号?$/

/** A full request number (what the API takes). */
export function isRequestNumber(input: string | undefined): boolean {
  return !!input && /^(?:SQ)?-?\d{4}-?\d{1,6}$/i.test(input.trim().replace(/[－—–]/g, '-'))
}

/** A request number as people write it in chat: full, or short for this year's (进度 42). */
export function isRequestReference(input: string | undefined): boolean {
  return isRequestNumber(input) || (!!input && SHORT_NUMBER.test(input.trim()))
}

export function deadlines(category: CategoryRow, urgent: boolean, from: Date): { answerDueAt: Date; resultDueAt: Date } {
  const answer = urgent ? category.urgentAnswerMinutes : category.answerMinutes
  const result = urgent ? category.urgentResultMinutes : category.resultMinutes
  return { answerDueAt: new Date(from.getTime() + answer * 60_000), resultDueAt: new Date(from.getTime() + result * 60_000) }
}
