import type { FastifyBaseLogger } from 'fastify'
import type { Contact, Room, Wechaty } from 'wechaty'
import type { PlatformRecords } from '../../src/core/platform-records.js'

/**
 * Re-linking WeChat ids that change between sessions: rooms by topic, contacts by name, both when
 * the match is unique and the old id is neither in use this session nor known to the puppet.
 */
export class Relinker {
  /** Room and contact ids in use this login session (a message came from or went to them): never re-linked away. */
  readonly activeRooms = new Set<string>()
  readonly activeContacts = new Set<string>()
  /** The topic or name last checked against the database, per id (so each message does not query it again). */
  readonly roomTopics = new Map<string, string>()
  readonly contactNames = new Map<string, string>()
  /** Old id → new id for rows still queued to an id re-linked since. */
  readonly relinked = new Map<string, string>()

  constructor(
    private readonly bot: Wechaty,
    private readonly records: PlatformRecords,
    private readonly log: FastifyBaseLogger,
  ) {}

  /**
   * A room id not known yet: if exactly one of our WeChat groups has this topic and its id is
   * neither in use this session nor known to the puppet any more, the room is that group under a
   * new id (ids may change between sessions), and the group follows it. Known rooms keep their
   * name in step with the topic.
   */
  async linkRoom(id: string, topic: string): Promise<void> {
    if (this.roomTopics.get(id) === topic) return
    const records = this.records
    const known = await records.chat(id)
    if (known) {
      if (topic && known.name !== topic) await records.renameChat(id, topic)
    } else if (topic) {
      const same = await records.chatsNamed(topic)
      const old = same.length === 1 ? same[0]! : undefined
      if (same.length > 1) this.log.warn({ roomId: id, groups: same.map((g) => g.id) }, 'wechaty: several groups have this topic; not re-linking a new room id')
      if (old && !this.activeRooms.has(old.externalId) && !(await this.roomExists(old.externalId)) && (await records.moveChat(old.id, id))) {
        this.relinked.set(`chat:${old.externalId}`, id)
        this.log.warn({ chatGroupId: old.id, oldId: old.externalId, newId: id }, 'wechaty: re-linked a group to its new room id by topic')
      }
    }
    this.roomTopics.set(id, topic)
    this.activeRooms.add(id)
  }

  /** The same for a contact: an unknown id whose name is the display name of exactly one bound WeChat identity. */
  async linkContact(id: string, name: string): Promise<void> {
    if (this.contactNames.get(id) === name) return
    const records = this.records
    const known = await records.identity('contact', id)
    if (known) {
      if (name && known.displayName !== name) await records.renameIdentity(known.id, name)
    } else if (name) {
      const same = await records.identitiesNamed('contact', name)
      const old = same.length === 1 ? same[0]! : undefined
      if (same.length > 1) this.log.warn({ identities: same.map((i) => i.id) }, 'wechaty: several bound people have this name; not re-linking a new contact id')
      if (old && !this.activeContacts.has(old.externalId) && !(await this.contactExists(old.externalId)) && (await records.moveIdentity(old.id, id))) {
        this.relinked.set(`user:${old.externalId}`, id)
        this.log.warn(
          { identityId: old.id, personId: old.personId, oldId: old.externalId, newId: id },
          'wechaty: re-linked a person to their new contact id by name',
        )
      }
    }
    this.contactNames.set(id, name)
    this.activeContacts.add(id)
  }

  /** Forgets which ids are in use, as at a new login (after which WeChat ids may differ). */
  forgetSession(): void {
    this.activeRooms.clear()
    this.activeContacts.clear()
    this.roomTopics.clear()
    this.contactNames.clear()
  }

  private async roomExists(id: string): Promise<boolean> {
    return (await this.bot.Room.find({ id }).catch(() => undefined)) !== undefined
  }

  private async contactExists(id: string): Promise<boolean> {
    return (await this.bot.Contact.find({ id }).catch(() => undefined)) !== undefined
  }

  /** A queued message for a room id the puppet no longer knows: the group's room under its topic, when exactly one. */
  async relinkRoomForSend(oldId: string): Promise<Room | undefined> {
    const records = this.records
    const group = await records.chat(oldId)
    if (!group || (await records.chatsNamed(group.name)).length !== 1) return undefined
    const rooms = await this.bot.Room.findAll({ topic: group.name })
    const room = rooms.length === 1 ? rooms[0]! : undefined
    if (!room || (await records.chat(room.id)) || !(await records.moveChat(group.id, room.id))) return undefined
    this.relinked.set(`chat:${oldId}`, room.id)
    this.log.warn({ chatGroupId: group.id, oldId, newId: room.id }, 'wechaty: re-linked a group to its new room id by topic')
    return room
  }

  /** The same for a person: the one contact with the identity's display name, when exactly one. */
  async relinkContactForSend(oldId: string): Promise<Contact | undefined> {
    const records = this.records
    const identity = await records.identity('contact', oldId)
    if (!identity?.displayName) return undefined
    if ((await records.identitiesNamed('contact', identity.displayName)).length !== 1) return undefined
    const contacts = (await this.bot.Contact.findAll({ name: identity.displayName })).filter(
      (c) => c.friend() !== false && (!this.bot.isLoggedIn || c.id !== this.bot.currentUser.id),
    )
    const contact = contacts.length === 1 ? contacts[0]! : undefined
    if (!contact) return undefined
    if ((await records.identity('contact', contact.id)) || !(await records.moveIdentity(identity.id, contact.id))) return undefined
    this.relinked.set(`user:${oldId}`, contact.id)
    this.log.warn(
      { identityId: identity.id, personId: identity.personId, oldId, newId: contact.id },
      'wechaty: re-linked a person to their new contact id by name',
    )
    return contact
  }
}
