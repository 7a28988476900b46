import { isUniqueViolation, type Db } from '../db/client.js'
import type { Platform } from './types.js'

export interface ChatRecord {
  id: number
  externalId: string
  name: string
}

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
}
