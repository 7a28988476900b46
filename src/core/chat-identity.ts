/** Who is speaking, where, and whom they mention: a message's sender, group and @mentions resolved to rows. */
import type { Tx } from '../db/client.js'
import { primeRead } from '../db/read-memo.js'
import { vouchedRoles, type Asker, type ChatRow, type PersonRow, type Role } from './commands.js'
import { MAX_MENTIONS } from './limits.js'
import { identitiesOfRead } from './outbox-deliveries.js'
import type { InboundMessage } from './types.js'

/** A group seen for the first time is recorded (unbound) so an officer can bind it. */
export async function ensureChat(tx: Tx, msg: InboundMessage): Promise<ChatRow> {
  const where = { platform_externalId: { platform: msg.platform, externalId: msg.chatId! } }
  const existing = await tx.chatGroup.findUnique({ where })
  if (existing) return existing
  return tx.chatGroup.create({ data: { platform: msg.platform, externalId: msg.chatId!, name: msg.chatName ?? msg.chatId! } })
}

/**
 * The person behind the sender's platform ids. The web playground names people by employee
 * number, and may speak only as demo people: a real person is never resolved that way.
 * Nobody acts as somebody else: a staff role (collector, officer, admin) bound only by a typed
 * claim is answered as a worker — every command sees `role: 'worker'` — until an administrator
 * confirms the binding or the person redeems a one-time code (`pendingRole` keeps the roster role).
 */
export async function resolveSender(tx: Tx, msg: InboundMessage): Promise<{ person: Asker | null; pendingRole?: Role }> {
  for (const id of msg.sender.ids) {
    if (msg.platform === 'web' && id.kind === 'employeeNo') {
      const person = await tx.person.findUnique({ where: { employeeNo: id.id }, include: { unit: true } })
      if (person?.active && person.demo) return { person }
      continue
    }
    const identity = await tx.platformIdentity.findUnique(identityRead(msg.platform, id))
    if (!identity?.person.active) continue
    const role = identity.person.role as Role
    if (identity.vouchedBy === 'claim' && vouchedRoles.includes(role)) return { person: { ...identity.person, role: 'worker' }, pendingRole: role }
    return { person: identity.person }
  }
  return { person: null }
}

/** The read of one sender id's binding, with its person and unit. */
const identityRead = (platform: string, id: { kind: string; id: string }) => ({
  where: { platform_kind_externalId: { platform, kind: id.kind, externalId: id.id } },
  include: { person: { include: { unit: true } } },
})

/**
 * The read of the bindings of some sender ids on one platform, with their people and units: one
 * query, each id found by its own index lookup (the platform is inside each alternative: outside
 * them SQLite scans every binding). The ids are sorted, so the same senders make the same read
 * (the directory check and the read-ahead of one batch ask once: read-memo.ts).
 */
export function bindingsRead(platform: string, ids: { kind: string; id: string }[]) {
  const unique = [...new Map(ids.map((i) => [`${i.kind}\u0000${i.id}`, i])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => i)
  return {
    where: { OR: unique.map((i) => ({ platform, kind: i.kind, externalId: i.id })) },
    include: { person: { include: { unit: true } } },
  }
}

/**
 * The bindings of a batch's senders, read in one query and remembered as the answers to the
 * reads `resolveSender` makes (read-memo.ts), so a batch of events does not ask once per sender;
 * and all their people's identities in one more, for the answers sent to them privately.
 */
export async function prefetchSenders(db: Tx, msgs: InboundMessage[]): Promise<void> {
  const byPlatform = new Map<string, { kind: string; id: string }[]>()
  for (const m of msgs) {
    if (m.platform === 'web' && m.sender.ids.every((i) => i.kind === 'employeeNo')) continue
    byPlatform.set(m.platform, [...(byPlatform.get(m.platform) ?? []), ...m.sender.ids])
  }
  const people = new Set<number>()
  for (const [platform, ids] of byPlatform) {
    if (ids.length === 0) continue
    const found = await db.platformIdentity.findMany(bindingsRead(platform, ids))
    const byId = new Map(found.map((f) => [`${f.kind}\u0000${f.externalId}`, f]))
    for (const id of ids) primeRead('PlatformIdentity', 'findUnique', identityRead(platform, id), byId.get(`${id.kind}\u0000${id.id}`) ?? null)
    for (const f of found) people.add(f.personId)
  }
  if (people.size === 0) return
  const all = await db.platformIdentity.findMany({ where: { personId: { in: [...people] } }, orderBy: { id: 'asc' } })
  for (const personId of people)
    primeRead(
      'PlatformIdentity',
      'findMany',
      identitiesOfRead(personId),
      all.filter((i) => i.personId === personId),
    )
}

/**
 * The people behind @mentions (already de-duplicated and capped): by the platform ids the mention
 * carries, else by a name or employee number naming exactly one active person. Two queries
 * whatever the number of mentions.
 */
export async function resolveMentions(tx: Tx, msg: InboundMessage, names: string[]): Promise<{ name: string; person: PersonRow | null }[]> {
  if (names.length === 0) return []
  const idsOf = new Map(names.map((name) => [name, msg.mentions.find((x) => x.name === name && !x.isBot)?.ids ?? []]))
  const pairs = [...idsOf.values()].flat().slice(0, 5 * MAX_MENTIONS)
  const identities = pairs.length
    ? await tx.platformIdentity.findMany({
        where: { platform: msg.platform, OR: pairs.map((id) => ({ kind: id.kind, externalId: id.id })) },
        include: { person: true },
      })
    : []
  const byId = new Map(identities.map((i) => [`${i.kind}\u0000${i.externalId}`, i.person]))
  const unresolved = names.filter((name) => !idsOf.get(name)!.some((id) => byId.has(`${id.kind}\u0000${id.id}`)))
  const people = unresolved.length
    ? await tx.person.findMany({ where: { active: true, OR: [{ name: { in: unresolved } }, { employeeNo: { in: unresolved } }] } })
    : []
  return names.map((name) => {
    for (const id of idsOf.get(name)!) {
      const person = byId.get(`${id.kind}\u0000${id.id}`)
      if (person) return { name, person }
    }
    // By name (or employee number), when it names exactly one active person.
    const candidates = people.filter((p) => p.name === name || p.employeeNo === name)
    return { name, person: candidates.length === 1 ? candidates[0]! : null }
  })
}
