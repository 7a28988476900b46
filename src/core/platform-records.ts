import { isUniqueViolation, type Db } from '../db/client.js'
import { findUnits, unitLabel } from '../organisation/scope.js'
import type { Platform } from './types.js'

export interface ChatRecord {
  id: number
  externalId: string
  name: string
}

/** A chat bound to a unit by an administrator (e.g. a WeCom group robot), as listed. */
export interface BoundChatRecord extends ChatRecord {
  /** The unit's label (its path), or null when it has none. */
  unit: string | null
  purpose: string
}

export type BindChatOutcome =
  | { ok: true; chat: BoundChatRecord; created: boolean }
  /** 404: no such unit; 422: the unit's name is ambiguous (the message names the candidates). */
  | { ok: false; status: 404 | 422; message: string }

export interface IdentityRecord {
  id: number
  personId: number
  externalId: string
  displayName: string | null
}

/**
 * What an adapter may know and change of its own platform's records, without reaching into the
 * core's tables: its chats (groups) and people's identities by platform id and by name — enough
 * for a platform whose ids change between sessions to follow them (Wechaty re-links by name).
 */
export class PlatformRecords {
  constructor(
    private readonly db: Db,
    readonly platform: Platform,
  ) {}

  chat(externalId: string): Promise<ChatRecord | null> {
    return this.db.chatGroup.findUnique({
      where: { platform_externalId: { platform: this.platform, externalId } },
      select: { id: true, externalId: true, name: true },
    })
  }

  /** Chats with this name, at most `limit` (enough to tell "exactly one"). */
  chatsNamed(name: string, limit = 2): Promise<ChatRecord[]> {
    return this.db.chatGroup.findMany({
      where: { platform: this.platform, name },
      select: { id: true, externalId: true, name: true },
      orderBy: { id: 'asc' },
      take: limit,
    })
  }

  async renameChat(externalId: string, name: string): Promise<void> {
    await this.db.chatGroup.updateMany({ where: { platform: this.platform, externalId, NOT: { name } }, data: { name } })
  }

  /** The chat (and its binding) follows its new platform id; false when another record has that id already. */
  async moveChat(id: number, externalId: string): Promise<boolean> {
    try {
      await this.db.chatGroup.update({ where: { id }, data: { externalId } })
      return true
    } catch (err) {
      if (isUniqueViolation(err)) return false
      throw err
    }
  }

  identity(kind: string, externalId: string): Promise<IdentityRecord | null> {
    return this.db.platformIdentity.findUnique({
      where: { platform_kind_externalId: { platform: this.platform, kind, externalId } },
      select: { id: true, personId: true, externalId: true, displayName: true },
    })
  }

  /** Bound identities of this kind with this display name, at most `limit`. */
  identitiesNamed(kind: string, displayName: string, limit = 2): Promise<IdentityRecord[]> {
    return this.db.platformIdentity.findMany({
      where: { platform: this.platform, kind, displayName },
      select: { id: true, personId: true, externalId: true, displayName: true },
      orderBy: { id: 'asc' },
      take: limit,
    })
  }

  async renameIdentity(id: number, displayName: string): Promise<void> {
    await this.db.platformIdentity.update({ where: { id }, data: { displayName } })
  }

  /** The person's binding follows their new platform id; false when another identity has that id already. */
  async moveIdentity(id: number, externalId: string): Promise<boolean> {
    try {
      await this.db.platformIdentity.update({ where: { id }, data: { externalId } })
      return true
    } catch (err) {
      if (isUniqueViolation(err)) return false
      throw err
    }
  }

  /**
   * Binds a chat the adapter knows of (by its platform id) to a unit, found by path or a unique
   * name, as its team group or officers' group; binding the same id again updates it.
   */
  async bindChat(externalId: string, o: { name: string; unit: string; purpose: 'team' | 'officers' }): Promise<BindChatOutcome> {
    const units = await findUnits(this.db, o.unit)
    if (units.length === 0) return { ok: false, status: 404, message: `没有找到单位“${o.unit}”` }
    if (units.length > 1) return { ok: false, status: 422, message: `“${o.unit}”对应多个单位：${units.map(unitLabel).join('、')}，请写完整路径` }
    const unit = units[0]!
    const where = { platform_externalId: { platform: this.platform, externalId } }
    const existing = await this.db.chatGroup.findUnique({ where, select: { id: true } })
    const row = await this.db.chatGroup.upsert({
      where,
      create: { platform: this.platform, externalId, name: o.name, purpose: o.purpose, unitId: unit.id },
      update: { name: o.name, purpose: o.purpose, unitId: unit.id },
    })
    return { ok: true, created: !existing, chat: { id: row.id, externalId: row.externalId, name: row.name, unit: unitLabel(unit), purpose: row.purpose } }
  }

  /** The chats whose platform id starts with `prefix` (exactly), oldest first. */
  async boundChats(prefix: string): Promise<BoundChatRecord[]> {
    const rows = await this.db.chatGroup.findMany({
      where: { platform: this.platform, externalId: { startsWith: prefix } },
      include: { unit: true },
      orderBy: { id: 'asc' },
    })
    return rows
      .filter((r) => r.externalId.startsWith(prefix))
      .map((r) => ({ id: r.id, externalId: r.externalId, name: r.name, unit: r.unit ? unitLabel(r.unit) : null, purpose: r.purpose }))
  }

  /** Removes the chat `id` if its platform id starts with `prefix`; false when there is no such chat. */
  async removeChat(id: number, prefix: string): Promise<boolean> {
    const row = await this.db.chatGroup.findFirst({ where: { id, platform: this.platform }, select: { externalId: true } })
    if (!row?.externalId.startsWith(prefix)) return false
    const removed = await this.db.chatGroup.deleteMany({ where: { id, platform: this.platform } })
    return removed.count === 1
  }
}
