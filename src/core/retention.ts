import crypto from 'node:crypto'
import type { Db } from '../db/client.js'
import type { InboundMessage } from './types.js'

/**
 * Keep only what is needed. An inbound event is stored whole (it must survive a crash until it
 * is handled); once it is done or has failed for good its payload is emptied, and what is left is
 * what de-duplication needs — platform, event id and times, in their own columns — and its trace,
 * written on arrival so that a batch is marked done by one statement: so that an adapter can
 * still tell a reply to a private chat from a notice, whether it came from a private chat and
 * digests of its sender's ids. No name, no text, no platform id.
 */
export const REDUCED = 'reduced'

/** The payload of a handled event (its trace says the rest). */
export const HANDLED_PAYLOAD = '{}'

const digest = (id: string) => crypto.createHash('sha256').update(id).digest('hex').slice(0, 32)

export function traceOf(msg: InboundMessage): string {
  return JSON.stringify({ [REDUCED]: true, private: msg.chatId === null, senders: msg.sender.ids.map((i) => digest(i.id)) })
}

/**
 * Whether a stored inbound event was a private message from this platform user: by its trace, or
 * (rows stored before traces) by its payload, whole or reduced.
 */
export function wasPrivateChatWith(event: { payload: string; trace: string | null }, userId: string): boolean {
  const stored = JSON.parse(event.trace ?? event.payload) as (InboundMessage & { reduced?: undefined }) | { reduced: true; private: boolean; senders: string[] }
  if (stored.reduced) return stored.private && stored.senders.includes(digest(userId))
  return stored.chatId === null && (stored.sender?.ids.some((i) => i.id === userId) ?? false)
}

/** The stored content of a sent message once its days are over. */
export const DROPPED_PAYLOAD = '{}'

/**
 * The scheduled clean-up (RETENTION_CRON, one instance per tick): the contents of messages sent
 * more than `days` ago are dropped from the outbox; the rows stay (their keys keep a late retry
 * from sending twice). Dead letters keep theirs until an administrator deals with them.
 */
export async function dropOldContents(db: Db, now: Date, days: number): Promise<number> {
  const before = new Date(now.getTime() - days * 24 * 60 * 60 * 1000)
  const { count } = await db.outboxMessage.updateMany({
    where: { status: 'sent', sentAt: { lt: before }, payload: { not: DROPPED_PAYLOAD } },
    data: { payload: DROPPED_PAYLOAD },
  })
  return count
}
