import fs from 'node:fs'
import path from 'node:path'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import QRCode from 'qrcode'
import { ScanStatus, WechatyBuilder, types, type Contact, type Message, type Room, type Wechaty } from 'wechaty'
import type { AdminRouteKit } from '../../src/core/adapter-ports.js'
import type { AdapterState } from '../../src/core/adapter-state.js'
import type { PlatformRecords } from '../../src/core/platform-records.js'
import type { Card, Delivery, InboundMention, InboundMessage, Platform, SendLimits, SendResult } from '../../src/core/types.js'
import { ThrottledError } from '../../src/core/types.js'
import type { AdapterDeps, AdapterFactory, PlatformAdapter } from '../index.js'
import { wechatyEnabled } from './config.js'
import { TAKEN_TYPES, wechatyAttachments, wechatyMedia } from './media.js'
import { AccountPacer } from './pacer.js'
import { choiceCommands, parseChoice, renderText, stripMention, wechatyTexts, type WechatyTexts } from './render.js'

const PLATFORM = 'wechaty' as const
/** A card's numbered choices answer for this long after it was sent. */
const CHOICE_WINDOW_MS = 30 * 60 * 1000
/** One administrators' alert per this long, however often the account flaps. */
const LOGOUT_ALERT_EVERY_MS = 10 * 60 * 1000
/** Where administrators are told about a logout, in order (never WeChat itself). */
const ALERT_PLATFORMS: Platform[] = ['feishu', 'wecom', 'web']

export type LoginStatus = 'starting' | 'waiting' | 'scanned' | 'confirmed' | 'timeout' | 'cancelled' | 'logged_in' | 'logged_out' | 'failed' | 'stopped'

/** The login as the operator needs to see it (GET /status/wechaty/qr). */
export interface LoginState {
  status: LoginStatus
  /** The login QR code's content while one is waiting to be scanned. */
  qrcode: string | null
  /** An image of it, drawn on this server (a data: URL for the dashboard; nothing goes to a third party). */
  qrDataUrl: string | null
  /** The logged-in account's name. */
  user: string | null
  reason: string | null
  since: string
}

export interface WechatyAdapterOptions {
  /** A puppet instance (tests pass wechaty-puppet-mock); otherwise WECHATY_PUPPET names the puppet module. */
  puppet?: unknown
  /** Where Wechaty keeps its session (a memory-card file) so a restart may log in without a scan; none = memory only. */
  memoryName?: string
  /** Shows a login QR code to the operator; by default it is drawn in the terminal. */
  showQr?: (qrcode: string) => void | Promise<void>
  /** For the send jitter (tests). */
  random?: () => number
}

type WechatyOptions = NonNullable<Parameters<typeof WechatyBuilder.build>[0]>

/**
 * WeChat through Wechaty: groups (rooms) and private chats of one WeChat account. The puppet
 * (the protocol provider) is chosen by WECHATY_PUPPET and WECHATY_PUPPET_TOKEN. Cards become
 * numbered text choices that a bare number answers; sends are paced with jitter so the account
 * does not look like a bot; ids that change between sessions are re-linked by room topic and
 * contact name (see adapters/wechaty/README.md).
 */
export class WechatyAdapter implements PlatformAdapter {
  readonly platform = PLATFORM
  readonly limits: SendLimits
  readonly bot: Wechaty
  /** Photos and files people send (media.ts). */
  readonly media = wechatyMedia(() => this.bot)
  private readonly log: FastifyBaseLogger
  private readonly texts: WechatyTexts
  private readonly random: () => number
  /** The account's one sending queue (pace, jitter, daily ceiling). */
  readonly pacer: AccountPacer
  /** WeChat's groups and people as the core records them (the adapter never reads the core's tables). */
  private readonly records: PlatformRecords
  /** The commands behind the last card's numbered choices, per chat or person. */
  private readonly choices: AdapterState<string[]>
  private state: LoginState = { status: 'starting', qrcode: null, qrDataUrl: null, user: null, reason: null, since: new Date().toISOString() }
  private starting: Promise<void> | undefined
  private stopping = false
  private everLoggedIn = false
  private lastLogoutAlert = 0
  /** Inbound messages are handled one at a time, in arrival order. */
  private inbound: Promise<void> = Promise.resolve()
  /** Room and contact ids in use this login session (a message came from or went to them): never re-linked away. */
  private readonly activeRooms = new Set<string>()
  private readonly activeContacts = new Set<string>()
  /** The topic or name last checked against the database, per id (so each message does not query it again). */
  private readonly roomTopics = new Map<string, string>()
  private readonly contactNames = new Map<string, string>()
  /** Old id → new id for rows still queued to an id re-linked since. */
  private readonly relinked = new Map<string, string>()

  constructor(
    private readonly deps: AdapterDeps,
    private readonly opts: WechatyAdapterOptions = {},
  ) {
    const { config } = deps
    this.log = deps.log.child({ platform: PLATFORM })
    this.texts = wechatyTexts[config.GONGYOU_LOCALE]
    this.random = opts.random ?? Math.random
    // One message at a time per chat or person (keeps their order); the account as a whole is paced by
    // the pacer, and the outbox hands it at most one send waiting behind the one going out, so a long
    // WeChat fan-out never fills the outbox's concurrency that other platforms share.
    const window = Math.max(1, config.WECHATY_PACE_MS)
    this.limits = { perTarget: [{ count: 1, perMs: window }], perPlatform: [{ count: 2, perMs: window }] }
    this.records = deps.ports.records(PLATFORM)
    this.choices = deps.ports.state<string[]>(PLATFORM, 'card-choices')
    this.pacer = new AccountPacer(
      {
        paceMs: config.WECHATY_PACE_MS,
        jitterMs: config.WECHATY_JITTER_MS,
        msPerChar: config.WECHATY_MS_PER_CHAR,
        dailyLimit: config.WECHATY_DAILY_LIMIT,
        timeZone: config.GONGYOU_TIMEZONE,
      },
      this.random,
      () => deps.clock.now(),
    )
    const options = (
      opts.puppet
        ? { puppet: opts.puppet }
        : { puppet: config.WECHATY_PUPPET, puppetOptions: config.WECHATY_PUPPET_TOKEN ? { token: config.WECHATY_PUPPET_TOKEN } : {} }
    ) as WechatyOptions
    if (opts.memoryName) {
      fs.mkdirSync(path.dirname(path.resolve(opts.memoryName)), { recursive: true })
      Object.assign(options, { name: opts.memoryName })
    }
    this.bot = WechatyBuilder.build(options)
    this.listen()
  }

  // ------------------------------------------------------------------ lifecycle

  /** Starts the bot (idempotent: a second call waits for the first). Login happens later, by QR code or a kept session. */
  start(): Promise<void> {
    this.starting ??= this.bot.start().then(
      () => {
        if (this.state.status === 'starting') this.setState({ status: 'waiting' })
        this.log.info('wechaty started; waiting for login')
      },
      (err: unknown) => {
        this.setState({ status: 'failed', reason: errorMessage(err) })
        throw err
      },
    )
    return this.starting
  }

  async stop(): Promise<void> {
    this.stopping = true
    await this.inbound
    try {
      await this.bot.stop()
    } catch (err) {
      this.log.warn({ err }, 'wechaty did not stop cleanly')
    }
    this.setState({ status: 'stopped', qrcode: null, qrDataUrl: null })
  }

  status(): { connected: boolean; detail?: string } {
    const s = this.state
    switch (s.status) {
      case 'logged_in':
        return { connected: true, detail: `logged in as ${s.user ?? '?'}` }
      case 'waiting':
      case 'timeout':
        return { connected: false, detail: `waiting for the login QR code to be scanned (see the terminal, or GET /status/wechaty/qr) since ${s.since}` }
      case 'scanned':
      case 'confirmed':
        return { connected: false, detail: 'QR code scanned; waiting for the login to be confirmed on the phone' }
      case 'logged_out':
        return { connected: false, detail: `logged out${s.reason ? ` (${s.reason})` : ''} at ${s.since}; waiting for a new login` }
      case 'failed':
        return { connected: false, detail: `failed to start: ${s.reason ?? 'unknown error'}` }
      default:
        return { connected: false, detail: s.status }
    }
  }

  /** The login state and QR code, for the operator. */
  login(): LoginState {
    return { ...this.state }
  }

  /** The login QR code logs whoever scans it in as the bot: administrators only, inside the admin API's authenticated scope. */
  adminRoutes(app: FastifyInstance, kit: AdminRouteKit): void {
    app.get(
      '/status/wechaty/qr',
      { preHandler: async (req) => void kit.requireAdmin(req), schema: { tags: ['运维'], summary: '微信（Wechaty）登录状态与二维码（仅管理员）' } },
      async () => this.login(),
    )
  }

  private setState(patch: Partial<LoginState>): void {
    this.state = { ...this.state, ...patch, since: new Date().toISOString() }
  }

  private listen(): void {
    const bot = this.bot
    bot.on('scan', (qrcode, status) => void this.onScan(qrcode, status))
    bot.on('login', (user) => {
      const name = safe(() => user.name(), '')
      const again = this.everLoggedIn
      this.everLoggedIn = true
      // A new session: ids in use before may mean something else now.
      this.forgetSession()
      this.setState({ status: 'logged_in', user: name, qrcode: null, qrDataUrl: null, reason: null })
      this.log.info({ user: name, reconnect: again }, again ? 'wechaty logged in again' : 'wechaty logged in')
      this.deps.ports.wake()
    })
    bot.on('logout', (user, reason) => {
      const name = safe(() => user.name(), this.state.user ?? '')
      if (this.stopping) return
      this.setState({ status: 'logged_out', reason: reason ?? null })
      this.log.warn({ user: name, reason }, 'wechaty logged out')
      void this.alertLogout(name, reason ?? '').catch((err) => this.log.error({ err }, 'could not tell administrators about the WeChat logout'))
    })
    bot.on('error', (err) => this.log.warn({ err: { message: errorMessage(err) } }, 'wechaty error'))
    bot.on('message', (msg) => this.enqueueInbound(() => this.onMessage(msg)))
    bot.on('room-join', (room, invitees) => {
      if (!bot.isLoggedIn || !invitees.some((c) => c.id === bot.currentUser.id)) return
      this.enqueueInbound(() => this.onBotAdded(room))
    })
    bot.on('room-leave', (room, leavers) => {
      // The bot itself removed (or its account quitting the group): the core unbinds the group and tells administrators.
      if (!bot.isLoggedIn || !leavers.some((c) => c.id === bot.currentUser.id)) return
      this.enqueueInbound(() => this.onBotRemoved(room))
    })
    bot.on('room-topic', (room, topic) => {
      this.roomTopics.set(room.id, topic)
      void this.records.renameChat(room.id, topic).catch((err) => this.log.warn({ err }, 'could not record a group topic change'))
    })
  }

  private async onScan(qrcode: string, status: ScanStatus): Promise<void> {
    if (status === ScanStatus.Waiting || status === ScanStatus.Timeout) {
      const dataUrl = await QRCode.toDataURL(qrcode, { margin: 2, width: 280 }).catch(() => null)
      this.setState({ status: status === ScanStatus.Waiting ? 'waiting' : 'timeout', qrcode, qrDataUrl: dataUrl })
      // The code itself goes to the terminal and GET /status/wechaty/qr, not into the logs.
      this.log.info({ status: this.state.status }, 'wechaty: waiting for the login QR code to be scanned')
      try {
        await (this.opts.showQr ?? printQr)(qrcode)
      } catch (err) {
        this.log.warn({ err }, 'could not show the login QR code')
      }
      return
    }
    const next: Record<number, LoginStatus> = { [ScanStatus.Scanned]: 'scanned', [ScanStatus.Confirmed]: 'confirmed', [ScanStatus.Cancel]: 'cancelled' }
    const s = next[status]
    if (s) {
      this.setState({ status: s, qrcode: null, qrDataUrl: null })
      this.log.info({ status: s }, 'wechaty login QR code')
    }
  }

  /** Administrators hear of a logout on another platform, if one is on (WeChat itself cannot carry it). */
  private async alertLogout(account: string, reason: string): Promise<void> {
    const now = Date.now()
    if (now - this.lastLogoutAlert < LOGOUT_ALERT_EVERY_MS) return
    const registered = new Set(this.deps.ports.platforms())
    const platforms = ALERT_PLATFORMS.filter((p) => registered.has(p))
    if (platforms.length === 0) {
      this.log.warn('no other platform is on to tell administrators about the WeChat logout')
      return
    }
    this.lastLogoutAlert = now
    // Reached the way the core reaches a person privately, WeChat left out; the `alert:` key keeps a failure from alerting again.
    const reached = await this.deps.core.alertAdministrators(this.texts.loggedOut(account, reason.slice(0, 100)), `alert:wechaty:logout:${now}`, platforms)
    if (reached === 0) this.log.warn({ platforms }, 'no administrator can be reached on another platform about the WeChat logout')
  }

  // ------------------------------------------------------------------ inbound

  private enqueueInbound(work: () => Promise<void>): void {
    this.inbound = this.inbound.then(work).catch((err) => this.log.error({ err }, 'wechaty: handling an inbound message failed'))
  }

  private async onMessage(msg: Message): Promise<void> {
    if (this.stopping || msg.self() || !TAKEN_TYPES.has(msg.type())) return
    // A puppet may replay what was said while the account was away: old messages are neither answered nor stored.
    const ageMs = this.deps.clock.now().getTime() - msg.date().getTime()
    if (ageMs > this.deps.config.WECHATY_MAX_AGE_MINUTES * 60_000) {
      this.log.info({ ageMinutes: Math.round(ageMs / 60_000) }, 'wechaty: skipped a message older than WECHATY_MAX_AGE_MINUTES (a replayed backlog)')
      return
    }
    const talker = msg.talker()
    if (talker.type() === types.Contact.Official) return
    const room = msg.room()
    // A photo or a file has no text: the core fetches it (media.ts).
    let text = msg.type() === types.Message.Text ? msg.text() : ''
    const attachments = wechatyAttachments(msg)
    let mentionsBot = false
    const mentions: InboundMention[] = []
    let chatName: string | undefined
    if (room) {
      chatName = await room.topic()
      await this.linkRoom(room.id, chatName)
      const selfId = this.bot.isLoggedIn ? this.bot.currentUser.id : ''
      const selfNames: string[] = []
      for (const contact of await msg.mentionList()) {
        const alias = (await room.alias(contact).catch(() => undefined)) ?? ''
        const names = [alias, contact.name()].filter((n) => n !== '')
        if (contact.id === selfId) {
          mentionsBot = true
          selfNames.push(...names)
        } else {
          mentions.push({ name: names.find((n) => text.includes(`@${n}`)) ?? contact.name(), ids: [{ kind: 'contact', id: contact.id }] })
        }
      }
      if (mentionsBot) {
        // A mention the text does not spell out (a group nickname we could not see): Wechaty's own stripping, which drops every mention.
        const spelled = selfNames.some((n) => text.includes(`@${n}`) || text.includes(`＠${n}`))
        text = spelled ? stripMention(text, selfNames) : await msg.mentionText()
      }
    }
    const name = talker.name()
    await this.linkContact(talker.id, name)

    // A bare number answers the last card sent to this chat (in a group: only when the bot is mentioned).
    let action: { command: string } | undefined
    const choice = parseChoice(text)
    if (choice !== null && (!room || mentionsBot)) action = await this.choiceFor(room ? `chat:${room.id}` : `user:${talker.id}`, choice)

    const inbound: InboundMessage = {
      platform: PLATFORM,
      eventId: msg.id,
      chatId: room ? room.id : null,
      ...(chatName ? { chatName } : {}),
      sender: { ids: [{ kind: 'contact', id: talker.id }], ...(name ? { name } : {}) },
      text,
      mentions,
      mentionsBot,
      ...(action ? { action } : {}),
      ...(attachments.length ? { attachments } : {}),
      sentAt: msg.date().toISOString(),
    }
    // Only what is addressed to the bot is stored (private, mentioning it, answering a choice it
    // offered, or leading with a command word): ordinary chatter in a group never reaches the database.
    if (!this.deps.core.isForBot(inbound)) return
    await this.accept(inbound)
  }

  private async onBotAdded(room: Room): Promise<void> {
    if (this.stopping) return
    const topic = await room.topic()
    await this.linkRoom(room.id, topic)
    await this.accept({
      platform: PLATFORM,
      eventId: `room-join:${room.id}:${Date.now()}`,
      chatId: room.id,
      ...(topic ? { chatName: topic } : {}),
      sender: { ids: [] },
      text: '',
      mentions: [],
      mentionsBot: false,
      event: 'bot_added',
    })
  }

  private async onBotRemoved(room: Room): Promise<void> {
    if (this.stopping) return
    this.roomTopics.delete(room.id)
    this.activeRooms.delete(room.id)
    await this.accept({
      platform: PLATFORM,
      eventId: `room-leave:${room.id}:${Date.now()}`,
      chatId: room.id,
      sender: { ids: [] },
      text: '',
      mentions: [],
      mentionsBot: false,
      event: 'bot_removed',
    })
  }

  /** WeChat does not deliver a message again: a failed store is retried a few times here. */
  private async accept(msg: InboundMessage): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.core.accept(msg)
        return
      } catch (err) {
        if (attempt >= 3) throw err
        await sleep(200 * attempt)
      }
    }
  }

  // ------------------------------------------------------------------ re-linking

  /**
   * A room id not known yet: if exactly one of our WeChat groups has this topic and its id is
   * neither in use this session nor known to the puppet any more, the room is that group under a
   * new id (ids may change between sessions), and the group follows it. Known rooms keep their
   * name in step with the topic.
   */
  private async linkRoom(id: string, topic: string): Promise<void> {
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
  private async linkContact(id: string, name: string): Promise<void> {
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
  private async relinkRoomForSend(oldId: string): Promise<Room | undefined> {
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
  private async relinkContactForSend(oldId: string): Promise<Contact | undefined> {
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

  // ------------------------------------------------------------------ numbered choices

  /** The command behind choice `n` of the last card sent to `target` ("chat:<room>" or "user:<contact>"), within the window. */
  private async choiceFor(target: string, n: number): Promise<{ command: string } | undefined> {
    const command = (await this.choices.get(target))?.[n - 1]
    return command ? { command } : undefined
  }

  /**
   * Remembers the card about to be sent to `target`: its choices replace the previous card's (a
   * card without buttons clears them). Written before the send, so that an answer, however quick,
   * finds them; the returned function puts the previous ones back if the send fails.
   */
  private async rememberChoices(target: string, card: Card | undefined): Promise<() => Promise<void>> {
    if (!card) return async () => {}
    const previous = await this.choices.entry(target)
    const commands = choiceCommands(card)
    if (commands.length === 0) await this.choices.delete(target)
    else await this.choices.set(target, commands, CHOICE_WINDOW_MS)
    return async () => {
      try {
        if (previous) await this.choices.setUntil(target, previous.value, previous.expiresAt)
        else await this.choices.delete(target)
      } catch (err) {
        this.log.error({ err }, 'wechaty: could not restore a chat’s card choices after a failed send')
      }
    }
  }

  /** Sends with the card's choices remembered for the chat; they are put back as they were if the send fails. */
  private async withChoices<T>(target: string, card: Card | undefined, send: () => Promise<T>): Promise<T> {
    const undo = await this.rememberChoices(target, card)
    try {
      return await send()
    } catch (err) {
      await undo()
      throw err
    }
  }

  // ------------------------------------------------------------------ outbound

  async send(d: Delivery): Promise<SendResult> {
    this.assertLoggedIn()
    // The account's serial queue: whatever the outbox sends at once goes out one by one, paced.
    const length = d.text.length + (d.card ? JSON.stringify(d.card).length : 0)
    return this.pacer.run(
      Math.min(length, 2000),
      () => this.sendNow(d),
      () => this.assertLoggedIn(),
    )
  }

  private async sendNow(d: Delivery): Promise<SendResult> {
    const botName = safe(() => this.bot.currentUser.name(), '') || this.deps.core.t.botName

    if (d.targetKind === 'chat') {
      const id = this.relinked.get(`chat:${d.target}`) ?? d.target
      const room = (await this.bot.Room.find({ id }).catch(() => undefined)) ?? (await this.relinkRoomForSend(id))
      if (!room) throw new Error(`wechaty: no room ${d.target} on this account (not a member any more, or not synced yet)`)
      const text = renderText(d.text, d.card, { texts: this.texts, inRoom: true, botName })
      const contacts: Contact[] = []
      const unresolved: string[] = []
      for (const m of d.mentions ?? []) {
        const contact = m.userId ? await this.bot.Contact.find({ id: m.userId }).catch(() => undefined) : undefined
        if (contact && (await room.has(contact).catch(() => false))) contacts.push(contact)
        else unresolved.push(m.name)
      }
      const body = unresolved.length > 0 ? `${unresolved.map((n) => `@${n}`).join(' ')} ${text}` : text
      const sent = await this.withChoices(`chat:${room.id}`, d.card, () => room.say(body, ...contacts))
      this.activeRooms.add(room.id)
      return sent ? { platformMessageId: sent.id } : {}
    }

    const id = this.relinked.get(`user:${d.target}`) ?? d.target
    const contact = (await this.bot.Contact.find({ id }).catch(() => undefined)) ?? (await this.relinkContactForSend(id))
    if (!contact) throw new Error(`wechaty: no contact ${d.target} on this account`)
    const text = renderText(d.text, d.card, { texts: this.texts, inRoom: false, botName })
    const sent = await this.withChoices(`user:${contact.id}`, d.card, () => contact.say(text))
    this.activeContacts.add(contact.id)
    return sent ? { platformMessageId: sent.id } : {}
  }

  private assertLoggedIn(): void {
    // Held like a throttle: the message waits without using up attempts until someone scans the
    // QR code again (which takes a person longer than the outbox's retries would last).
    if (!this.bot.isLoggedIn || this.state.status !== 'logged_in') throw new ThrottledError('wechaty: not logged in', 5_000)
  }
}

/** Builds the WeChat adapter; tests pass a ready puppet (wechaty-puppet-mock) through `opts.puppet`. */
export function createWechatyAdapter(deps: AdapterDeps, opts: WechatyAdapterOptions = {}): WechatyAdapter {
  return new WechatyAdapter(deps, opts)
}

export const wechatyAdapterFactory: AdapterFactory = {
  platform: PLATFORM,
  enabled: wechatyEnabled,
  // The session is kept next to the default SQLite database, so a restart may not need a new scan.
  create: (deps) => createWechatyAdapter(deps, { memoryName: path.join('data', 'wechaty') }),
}

/** Draws the login QR code in the terminal, locally (the bundled qrcode package); nothing leaves the server. */
async function printQr(qrcode: string): Promise<void> {
  const art = await QRCode.toString(qrcode, { type: 'terminal', small: true }).catch(() => '')
  process.stderr.write(`\n${art}\n微信扫码登录工友机器人 / Scan with WeChat to log the bot in (or open GET /status/wechaty/qr as an administrator)\n\n`)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f()
  } catch {
    return fallback
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
