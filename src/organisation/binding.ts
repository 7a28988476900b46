import crypto from 'node:crypto'
import { vouchedRoles, type PersonRow, type Role } from '../core/commands.js'
import { bindingsRead } from '../core/chat-identity.js'
import type { Adapter, Directory, InboundMessage, OutboundMessage, Platform, SenderId } from '../core/types.js'
import type { Db, Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'

/**
 * Who vouches that a platform account is a roster person: the platform's own directory, an
 * administrator's confirmation, a one-time code an administrator issued, or only a typed 工号 and
 * 姓名 (a claim). A staff role bound by a claim acts as a worker until it is vouched for (see
 * ChatCore.resolveSender).
 */
export type VouchedBy = 'directory' | 'admin' | 'code' | 'claim'

/** How long a one-time binding code works. */
export const CODE_HOURS = 24
/** Codes use letters and digits that cannot be mistaken for each other when read out. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
const CODE_LENGTH = 8

/** A fresh code, shown as ABCD-2345. */
export function newCode(): string {
  let code = ''
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[crypto.randomInt(CODE_ALPHABET.length)]
  return `${code.slice(0, 4)}-${code.slice(4)}`
}

/** A code as a person may type it (lower case, spaces, dashes, full-width) → its canonical form. */
export function normaliseCode(text: string): string {
  return text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
}

export const hashCode = (code: string) =>
  crypto
    .createHash('sha256')
    .update(`gongyou-binding:${normaliseCode(code)}`)
    .digest('hex')

const platformWords: Record<string, Platform> = {
  飞书: 'feishu',
  feishu: 'feishu',
  lark: 'feishu',
  企业微信: 'wecom',
  企微: 'wecom',
  wecom: 'wecom',
  微信: 'wechaty',
  wechat: 'wechaty',
  wechaty: 'wechaty',
}

/** A platform named in chat (飞书, 企业微信, 微信, or the English names), or null. */
export function platformOf(word: string): Platform | null {
  return platformWords[word.trim().toLowerCase()] ?? null
}

export const needsVouching = (role: string) => vouchedRoles.includes(role as Role)

/** The notices a new binding sends: to the person's accounts on other platforms, and (staff roles) to the administrators. */
export async function bindingNotices(tx: Tx, t: Messages, person: PersonRow, platform: Platform, vouchedBy: VouchedBy): Promise<OutboundMessage[]> {
  const out: OutboundMessage[] = []
  const platformLabel = t.binding.platforms[platform] ?? platform
  const others = await tx.platformIdentity.findMany({ where: { personId: person.id, platform: { not: platform } }, orderBy: { id: 'asc' } })
  for (const p of new Set(others.map((o) => o.platform))) {
    const id = others.find((o) => o.platform === p && o.kind !== 'union_id') ?? others.find((o) => o.platform === p)!
    out.push({
      to: { kind: 'user', platform: p as Platform, userId: id.externalId },
      text: t.binding.noticeOther(person.employeeNo, person.name, platformLabel),
      urgent: true,
    })
  }
  if (needsVouching(person.role)) {
    const admins = await tx.person.findMany({ where: { role: 'admin', active: true, id: { not: person.id } }, select: { id: true } })
    const roleLabel = t.roles[person.role] ?? person.role
    const text =
      vouchedBy === 'claim'
        ? t.binding.noticeAdminClaim(person.name, person.employeeNo, roleLabel, platformLabel)
        : t.binding.noticeAdminVouched(person.name, person.employeeNo, roleLabel, platformLabel, t.binding.vouched[vouchedBy] ?? vouchedBy)
    const buttons = [
      ...(vouchedBy === 'claim'
        ? [
            {
              label: t.binding.confirmButton,
              action: { command: `${t.binding.usage.confirm.split(' ')[0]} ${person.employeeNo} ${platformLabel}` },
              style: 'primary' as const,
            },
          ]
        : []),
      {
        label: t.binding.unbindButton,
        action: { command: `${t.binding.usage.unbind.split(' ')[0]} ${person.employeeNo} ${platformLabel}` },
        style: 'danger' as const,
      },
    ]
    for (const a of admins)
      out.push({
        to: { kind: 'person', personId: a.id },
        text,
        card: { title: t.binding.noticeAdminTitle, body: text, buttons, tone: 'attention' },
        notice: true,
      })
  }
  return out
}

/**
 * Binds platform ids to a person (vouched as said) and answers the notices to send. Ids bound to
 * someone else move to this person; the caller decided that is right (the directory or a code
 * says so, or the ids are the sender's own).
 */
export async function bindIdentities(
  tx: Tx,
  t: Messages,
  b: { platform: Platform; ids: SenderId[]; displayName?: string | null; person: PersonRow; vouchedBy: VouchedBy; confirmedById?: number | null; now: Date },
): Promise<OutboundMessage[]> {
  const vouch = { vouchedBy: b.vouchedBy, confirmedById: b.confirmedById ?? null, confirmedAt: b.vouchedBy === 'claim' ? null : b.now }
  for (const id of b.ids) {
    await tx.platformIdentity.upsert({
      where: { platform_kind_externalId: { platform: b.platform, kind: id.kind, externalId: id.id } },
      create: { platform: b.platform, kind: id.kind, externalId: id.id, personId: b.person.id, displayName: b.displayName ?? null, ...vouch },
      update: { personId: b.person.id, ...(b.displayName !== undefined ? { displayName: b.displayName } : {}), ...vouch },
    })
  }
  return bindingNotices(tx, t, b.person, b.platform, b.vouchedBy)
}

/** Confirms a person's claimed bindings (on one platform or all); answers the platforms confirmed. */
export async function confirmBindings(tx: Tx, personId: number, platform: Platform | null, adminId: number, now: Date): Promise<Platform[]> {
  const where = { personId, vouchedBy: 'claim', ...(platform ? { platform } : {}) }
  const rows = await tx.platformIdentity.findMany({ where, select: { platform: true } })
  await tx.platformIdentity.updateMany({ where, data: { vouchedBy: 'admin', confirmedById: adminId, confirmedAt: now } })
  return [...new Set(rows.map((r) => r.platform as Platform))]
}

/** Undoes a person's bindings (on one platform or all); answers where they were bound and one id per platform to tell them. */
export async function unbind(tx: Tx, personId: number, platform: Platform | null): Promise<{ platform: Platform; userId: string }[]> {
  const where = { personId, ...(platform ? { platform } : {}) }
  const rows = await tx.platformIdentity.findMany({ where, orderBy: { id: 'asc' } })
  await tx.platformIdentity.deleteMany({ where })
  return [...new Set(rows.map((r) => r.platform))].map((p) => {
    const id = rows.find((r) => r.platform === p && r.kind !== 'union_id') ?? rows.find((r) => r.platform === p)!
    return { platform: p as Platform, userId: id.externalId }
  })
}

/** Issues a one-time code for a person (earlier unused codes stop working); answers the code itself, stored only hashed. */
export async function issueCode(tx: Tx, personId: number, issuedById: number, now: Date): Promise<string> {
  await tx.bindingCode.deleteMany({ where: { personId, usedAt: null } })
  const code = newCode()
  await tx.bindingCode.create({ data: { codeHash: hashCode(code), personId, issuedById, expiresAt: new Date(now.getTime() + CODE_HOURS * 3600_000) } })
  return code
}

/** Uses a person's code once; answers who issued it, or null when it is wrong, expired or used. */
export async function redeemCode(tx: Tx, personId: number, code: string, now: Date): Promise<{ issuedById: number } | null> {
  if (normaliseCode(code).length !== CODE_LENGTH) return null
  const used = await tx.bindingCode.updateManyAndReturn({
    where: { codeHash: hashCode(code), personId, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  })
  return used[0] ? { issuedById: used[0].issuedById } : null
}

/** One binding: a person on a platform (all their ids there), named by its first identity's id. */
export interface BindingView {
  id: number
  platform: Platform
  person: { id: number; employeeNo: string; name: string; role: string; active: boolean }
  vouchedBy: VouchedBy
  /** A staff role bound by a claim: acting as a worker until confirmed. */
  pending: boolean
  confirmedBy: { id: number; name: string } | null
  confirmedAt: Date | null
  createdAt: Date
}

export type BindingStatus = 'pending' | 'claim' | 'vouched' | 'all'

/** Bindings, newest first, grouped by person and platform. */
export async function listBindings(db: Db | Tx, filter: { status: BindingStatus; platform?: Platform | null; personId?: number }): Promise<BindingView[]> {
  const rows = await db.platformIdentity.findMany({
    where: { ...(filter.platform ? { platform: filter.platform } : {}), ...(filter.personId ? { personId: filter.personId } : {}) },
    orderBy: { id: 'asc' },
    include: { person: { select: { id: true, employeeNo: true, name: true, role: true, active: true } } },
    take: 20_000,
  })
  const byKey = new Map<string, (typeof rows)[number][]>()
  for (const r of rows) byKey.set(`${r.personId}:${r.platform}`, [...(byKey.get(`${r.personId}:${r.platform}`) ?? []), r])
  const confirmerIds = [...new Set(rows.map((r) => r.confirmedById).filter((x): x is number => x !== null))]
  const confirmers = new Map((await db.person.findMany({ where: { id: { in: confirmerIds } }, select: { id: true, name: true } })).map((p) => [p.id, p]))
  const views: BindingView[] = [...byKey.values()].map((ids) => {
    const first = ids[0]!
    // The weakest voucher among its ids speaks for the binding.
    const vouchedBy = (ids.some((i) => i.vouchedBy === 'claim') ? 'claim' : first.vouchedBy) as VouchedBy
    return {
      id: first.id,
      platform: first.platform as Platform,
      person: first.person,
      vouchedBy,
      pending: vouchedBy === 'claim' && needsVouching(first.person.role),
      confirmedBy: first.confirmedById === null ? null : (confirmers.get(first.confirmedById) ?? null),
      confirmedAt: first.confirmedAt,
      createdAt: first.createdAt,
    }
  })
  const wanted = views.filter((v) =>
    filter.status === 'pending'
      ? v.pending
      : filter.status === 'claim'
        ? v.vouchedBy === 'claim'
        : filter.status === 'vouched'
          ? v.vouchedBy !== 'claim'
          : true,
  )
  return wanted.reverse()
}

/** The binding (person and platform) an identity id names, or null. */
export async function bindingById(db: Db | Tx, id: number): Promise<{ personId: number; platform: Platform } | null> {
  const row = await db.platformIdentity.findUnique({ where: { id }, select: { personId: true, platform: true } })
  return row ? { personId: row.personId, platform: row.platform as Platform } : null
}

// ------------------------------------------------------------------------------------ directory

export type Deliver = (tx: Tx, messages: OutboundMessage[], keyPrefix: string) => Promise<void>

export interface DirectoryDeps {
  db: Db
  t: Messages
  deliver: Deliver
  now: () => Date
  log?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void }
}

/**
 * A mobile as directories are asked about it: a mainland number as its 11 digits (a +86 / 86
 * prefix dropped), any other with its + and country code, as Feishu and WeCom document.
 */
export function mobileKey(mobile: string): string {
  const digits = mobile.replace(/\D/g, '')
  if (digits.length === 13 && digits.startsWith('86')) return digits.slice(2)
  return mobile.trim().startsWith('+') ? `+${digits}` : digits
}

/**
 * Asks a platform's directory about every active roster person with a 手机 who is not vouched for on
 * that platform yet, and binds those it knows (vouched by the directory). A claimed binding by
 * another account gives way to the directory's. A mobile two people share is skipped. Calls are
 * made outside any transaction; each binding commits on its own with its notices.
 */
export async function syncDirectory(deps: DirectoryDeps, platform: Platform, directory: Directory): Promise<{ asked: number; bound: number }> {
  const { db } = deps
  const people = await db.person.findMany({
    where: { active: true, phone: { not: null }, identities: { none: { platform, vouchedBy: { not: 'claim' } } } },
    orderBy: { id: 'asc' },
  })
  const byMobile = new Map<string, PersonRow[]>()
  for (const p of people) {
    const key = mobileKey(p.phone!)
    if (key) byMobile.set(key, [...(byMobile.get(key) ?? []), p])
  }
  const mobiles = [...byMobile.keys()].filter((m) => byMobile.get(m)!.length === 1)
  let bound = 0
  const size = Math.max(1, directory.batchSize)
  for (let i = 0; i < mobiles.length; i += size) {
    const found = await directory.findByMobiles(mobiles.slice(i, i + size))
    for (const [mobile, ids] of found) {
      const person = byMobile.get(mobileKey(mobile))?.[0]
      if (!person || ids.length === 0) continue
      await db.$transaction(async (tx) => {
        // A claim by another account on this platform gives way to the directory.
        const claims = await tx.platformIdentity.findMany({ where: { personId: person.id, platform, vouchedBy: 'claim' } })
        const stale = claims.filter((c) => !ids.some((id) => id.kind === c.kind && id.id === c.externalId))
        if (stale.length) await tx.platformIdentity.deleteMany({ where: { id: { in: stale.map((c) => c.id) } } })
        const notices = await bindIdentities(tx, deps.t, { platform, ids, person, vouchedBy: 'directory', now: deps.now() })
        await deps.deliver(tx, notices, `bind:directory:${platform}:${person.id}:${deps.now().getTime()}`)
      })
      bound++
    }
  }
  if (bound) deps.log?.info({ platform, bound }, 'bound people by the platform directory')
  return { asked: mobiles.length, bound }
}

/** Syncs every adapter that has a directory (after a roster import); a platform's failure is logged, not thrown. */
export async function syncDirectories(deps: DirectoryDeps, adapters: readonly Adapter[]): Promise<{ platform: Platform; bound: number; error?: string }[]> {
  const results: { platform: Platform; bound: number; error?: string }[] = []
  for (const a of adapters) {
    if (!a.directory) continue
    try {
      results.push({ platform: a.platform, bound: (await syncDirectory(deps, a.platform, a.directory)).bound })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      deps.log?.warn({ platform: a.platform, error: message }, 'directory lookup failed; people can still bind by 工号 and 姓名')
      results.push({ platform: a.platform, bound: 0, error: message.slice(0, 200) })
    }
  }
  return results
}

/**
 * What ChatCore runs before handling a message: a sender the service does not know on a platform
 * with a directory (or a staff member bound only by a claim) makes it ask the directory about the
 * roster's unvouched mobiles — at most once per `minIntervalMs` per platform, one lookup at a time.
 */
export function directoryIdentifier(
  deps: DirectoryDeps,
  adapters: () => readonly Adapter[],
  minIntervalMs = 60_000,
): (msgs: InboundMessage[]) => Promise<void> {
  const last = new Map<Platform, number>()
  const running = new Map<Platform, Promise<unknown>>()
  /** Whether a platform's messages come from someone the directory should be asked about: one query for all of them. */
  const anyUnknown = async (platform: Platform, msgs: InboundMessage[]): Promise<boolean> => {
    // The read the batch's read-ahead makes too (prefetchSenders): asked once for both.
    const known = await deps.db.platformIdentity.findMany(
      bindingsRead(
        platform,
        msgs.flatMap((m) => m.sender.ids),
      ),
    )
    const vouched = new Set(known.filter((k) => k.vouchedBy !== 'claim' || !needsVouching(k.person.role)).map((k) => `${k.kind}\u0000${k.externalId}`))
    const seen = new Set(known.map((k) => `${k.kind}\u0000${k.externalId}`))
    // A sender is known by the first of their ids the service has; unknown, or known only by a claim, asks.
    return msgs.some((m) => {
      const first = m.sender.ids.find((i) => seen.has(`${i.kind}\u0000${i.id}`))
      return !first || !vouched.has(`${first.kind}\u0000${first.id}`)
    })
  }
  const identify = async (platform: Platform, msgs: InboundMessage[]) => {
    const directory = adapters().find((a) => a.platform === platform)?.directory
    if (!directory?.onUnknownSender) return
    if (!(await anyUnknown(platform, msgs))) return
    const inFlight = running.get(platform)
    if (inFlight) {
      await inFlight
      return
    }
    const now = Date.now()
    if (now - (last.get(platform) ?? -Infinity) < minIntervalMs) return
    last.set(platform, now)
    const run = syncDirectory(deps, platform, directory).finally(() => running.delete(platform))
    running.set(platform, run)
    await run
  }
  return async (msgs) => {
    const byPlatform = new Map<Platform, InboundMessage[]>()
    for (const m of msgs) if (m.platform !== 'web' && m.sender.ids.length > 0) byPlatform.set(m.platform, [...(byPlatform.get(m.platform) ?? []), m])
    for (const [platform, list] of byPlatform) await identify(platform, list)
  }
}
