import type { InboundMessage, OutboundMessage } from '../core/types.js'
import type { Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'

/** Request numbers as the bot writes them (SQ-2026-0042). */
const REQUEST_NUMBER = /SQ-\d{4}-\d{4,6}/g

/**
 * The core's handling of platform happenings (InboundMessage.event, see LifecycleEvent), in the
 * event's transaction; returns what to send. Each is idempotent: a second removal of the same
 * group finds it unbound and tells nobody again.
 */
export async function handleLifecycle(tx: Tx, msg: InboundMessage, t: Messages, now: Date): Promise<OutboundMessage[]> {
  switch (msg.event) {
    case 'bot_removed':
    case 'chat_disbanded':
      return msg.chatId ? groupGone(tx, msg, t, msg.event === 'chat_disbanded') : []
    case 'person_left':
      await personLeft(tx, msg)
      return []
    case 'message_recalled':
      await messageRecalled(tx, msg, now)
      return []
    default:
      return []
  }
}

/** Every active administrator, privately (the outbox picks the platform that reaches each). */
export async function toAdministrators(tx: Tx, text: string, urgent = false): Promise<OutboundMessage[]> {
  const admins = await tx.person.findMany({ where: { role: 'admin', active: true }, select: { id: true }, orderBy: { id: 'asc' } })
  return admins.map((a) => ({ to: { kind: 'person', personId: a.id }, text, ...(urgent ? { urgent: true } : {}) }))
}

/** The bot can no longer speak in the group: it is unbound, and the administrators are told once. */
async function groupGone(tx: Tx, msg: InboundMessage, t: Messages, disbanded: boolean): Promise<OutboundMessage[]> {
  const group = await tx.chatGroup.findUnique({ where: { platform_externalId: { platform: msg.platform, externalId: msg.chatId! } }, include: { unit: true } })
  if (!group || group.unitId === null) return []
  await tx.chatGroup.update({ where: { id: group.id }, data: { unitId: null } })
  const text = t.lifecycle.groupUnbound(
    t.binding.platforms[msg.platform] ?? msg.platform,
    group.name,
    group.unit ? group.unit.path || group.unit.name : '',
    disbanded,
  )
  return toAdministrators(tx, text, true)
}

/** Someone left the company: every binding of theirs on that platform ends (the roster keeps the person). */
async function personLeft(tx: Tx, msg: InboundMessage): Promise<void> {
  if (msg.sender.ids.length === 0) return
  const known = await tx.platformIdentity.findMany({
    where: { platform: msg.platform, OR: msg.sender.ids.map((i) => ({ kind: i.kind, externalId: i.id })) },
    select: { personId: true },
  })
  const people = [...new Set(known.map((k) => k.personId))]
  if (people.length) await tx.platformIdentity.deleteMany({ where: { platform: msg.platform, personId: { in: people } } })
}

/**
 * A message was recalled: a request it filed stays, and its timeline records the recall. The
 * requests it filed are those the bot named in its answers to that message.
 */
async function messageRecalled(tx: Tx, msg: InboundMessage, now: Date): Promise<void> {
  if (!msg.about) return
  const original = await tx.inboundEvent.findUnique({
    where: { platform_eventId: { platform: msg.platform, eventId: msg.about } },
    select: { id: true, receivedAt: true },
  })
  if (!original) return
  const answers = await tx.outboxMessage.findMany({ where: { causeEventId: original.id }, select: { payload: true } })
  const numbers = [...new Set(answers.flatMap((a) => a.payload.match(REQUEST_NUMBER) ?? []))]
  if (numbers.length === 0) return
  const requests = await tx.workerRequest.findMany({
    where: { number: { in: numbers }, createdAt: { gte: new Date(original.receivedAt.getTime() - 1000) } },
    select: { id: true },
  })
  for (const r of requests) {
    const already = await tx.requestEvent.findFirst({ where: { requestId: r.id, kind: 'recalled' }, select: { id: true } })
    if (!already) await tx.requestEvent.create({ data: { requestId: r.id, at: now, kind: 'recalled' } })
  }
}
