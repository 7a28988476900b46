import type { Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import type { InboundMessage, OutboundMessage } from '../core/types.js'

/** Every active administrator, privately (the outbox picks the platform that reaches each). */
export async function toAdministrators(tx: Tx, text: string): Promise<OutboundMessage[]> {
  const admins = await tx.person.findMany({ where: { role: 'admin', active: true }, select: { id: true }, orderBy: { id: 'asc' } })
  return admins.map((a) => ({ to: { kind: 'person', personId: a.id }, text }))
}

/**
 * The bot was removed from a group (event `bot_removed`): a group bound to a team is unbound and
 * the administrators are told. Told once: a second removal event finds the group unbound already.
 */
export async function botRemoved(tx: Tx, msg: InboundMessage, t: Messages): Promise<OutboundMessage[]> {
  if (msg.chatId === null) return []
  const group = await tx.chatGroup.findUnique({ where: { platform_externalId: { platform: msg.platform, externalId: msg.chatId } }, include: { unit: true } })
  if (!group?.unit) return []
  const { count } = await tx.chatGroup.updateMany({ where: { id: group.id, unitId: group.unitId }, data: { unitId: null } })
  if (count === 0) return []
  const platform = t.binding.platforms[msg.platform] ?? msg.platform
  return toAdministrators(tx, t.botRemoval.unbound(group.name, platform, group.unit.path || group.unit.name))
}
