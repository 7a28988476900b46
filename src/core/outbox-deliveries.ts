/** Outbound messages resolved to deliveries: which platform and id reach a person, a chat, or a fallback. */
import type { Tx } from '../db/client.js'
import type { Delivery, OutboundMessage, Platform } from './types.js'

/** Outbound messages resolved to deliveries: a person is reached on the platforms named in `prefer`, in order. */
export async function resolveDeliveries(
  tx: Tx,
  messages: OutboundMessage[],
  keyPrefix: string,
  prefer: Platform[],
): Promise<{ deliveries: Delivery[]; unreachable: OutboundMessage[] }> {
  const deliveries: Delivery[] = []
  const unreachable: OutboundMessage[] = []
  let n = 0
  for (const m of messages) {
    const key = `${keyPrefix}:${n++}`
    const mentionIds = new Map<number, { platform: string; externalId: string }[]>()
    if (m.mentions?.length) {
      const ids = await tx.platformIdentity.findMany({ where: { personId: { in: m.mentions.map((x) => x.personId) } } })
      for (const id of ids) mentionIds.set(id.personId, [...(mentionIds.get(id.personId) ?? []), id])
    }
    const mentionsFor = (platform: Platform) =>
      m.mentions?.map((x) => ({
        name: x.name,
        userId: platform === 'web' ? undefined : mentionIds.get(x.personId)?.find((i) => i.platform === platform)?.externalId,
      }))
    const deliver = (platform: Platform, targetKind: 'chat' | 'user', target: string, fallingBack = false, replyTo?: string) =>
      deliveries.push({
        key,
        platform,
        targetKind,
        target,
        ...(fallingBack && m.fallbackText !== undefined ? { text: m.fallbackText } : { text: m.text, mentions: mentionsFor(platform), card: m.card }),
        ...(replyTo ? { replyTo } : {}),
      })
    let to: OutboundMessage['to'] | undefined = m.to
    if (to.kind === 'person') {
      const target = await personTarget(tx, to.personId, prefer)
      if (target) {
        deliver(target.platform, 'user', target.target)
        continue
      }
      to = m.fallback
    }
    const fallingBack = to !== m.to
    if (!to || to.kind === 'person') unreachable.push(m)
    else if (to.kind === 'chat') deliver(to.platform, 'chat', to.chatId, fallingBack, fallingBack ? undefined : to.replyTo)
    else deliver(to.platform, 'user', to.userId, fallingBack)
  }
  return { deliveries, unreachable }
}

/** The read of a person's identities on every platform, oldest first (a batch reads its senders' at once: chat-identity.ts). */
export const identitiesOfRead = (personId: number) => ({ where: { personId }, orderBy: { id: 'asc' as const } })

/** Where to reach a person privately: the first platform in `prefer` where they have an identity. */
async function personTarget(tx: Tx, personId: number, prefer: Platform[]): Promise<{ platform: Platform; target: string } | null> {
  const identities = await tx.platformIdentity.findMany(identitiesOfRead(personId))
  for (const platform of prefer) {
    if (platform === 'web') {
      const person = await tx.person.findUnique({ where: { id: personId }, select: { employeeNo: true } })
      if (person) return { platform, target: person.employeeNo }
      continue
    }
    // Send to the id kind the platform addresses people by (open_id on Feishu, userid on WeCom…).
    const id = identities.find((i) => i.platform === platform && i.kind !== 'union_id') ?? identities.find((i) => i.platform === platform)
    if (id) return { platform, target: id.externalId }
  }
  return null
}
