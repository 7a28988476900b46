import fs from 'node:fs'
import path from 'node:path'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import QRCode from 'qrcode'
import { ScanStatus, WechatyBuilder, types, type Contact, type Message, type Room, type Wechaty } from 'wechaty'
import type { AdminRouteKit } from '../../src/core/adapter-ports.js'
import type { PlatformRecords } from '../../src/core/platform-records.js'
import type { Delivery, InboundMention, InboundMessage, Platform, SendLimits, SendResult } from '../../src/core/types.js'
import { ThrottledError } from '../../src/core/types.js'
import type { AdapterDeps, AdapterFactory, PlatformAdapter } from '../index.js'
import { wechatyEnabled } from './config.js'
import { TAKEN_TYPES, wechatyAttachments, wechatyMedia } from './media.js'
import { AccountPacer } from './pacer.js'
import { CardChoices } from './choices.js'
import { Relinker } from './relink.js'
import { membershipEvent, roomMentions } from './message.js'
import { describeLogin, type LoginState, type LoginStatus, printQr } from './login.js'
export type { LoginState, LoginStatus } from './login.js'
import { errorMessage, safe, sleep } from './utils.js'
import { parseChoice, renderText, wechatyTexts, type WechatyTexts } from './render.js'

const PLATFORM = 'wechaty' as const
/** One administrators' alert per this long, however often the account flaps. */
const LOGOUT_ALERT_EVERY_MS = 10 * 60 * 1000
/** Where administrators are told about a logout, in order (never WeChat itself). */
const ALERT_PLATFORMS: Platform[] = ['feishu', 'wecom', 'web']

export interface WechatyAdapterOptions {
  /** A puppet instance (tests pass wechaty-puppet-mock); otherwise WECHATY_PUPPET names the puppet module. */
  puppet?: unknown
  /** Where Wechaty keeps its session (a memory-card file) so a restart may log in without a scan; none = memory only. */
  memoryName?: string
  /** Shows a login QR code to the operator; by default it is drawn in the terminal. */
  showQr?: (qrcode: string) => void | Promise<void>
  /** For the send jitter (tests). */
  random?: () => number
  /**
   * How long a send refused while the account is logged out waits before it is tried again
   * (default 5 s). Tests shorten it so a held message goes out soon after the next login.
   */
  loggedOutRetryMs?: number
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
  private readonly choices: CardChoices
  private state: LoginState = { status: 'starting', qrcode: null, qrDataUrl: null, user: null, reason: null, since: new Date().toISOString() }
  private starting: Promise<void> | undefined
  private stopping = false
  private everLoggedIn = false
  private lastLogoutAlert = 0
  /** Inbound messages are handled one at a time, in arrival order. */
  private inbound: Promise<void> = Promise.resolve()
  /** WeChat ids that change between sessions, followed by room topic and contact name (relink.ts). */
  private readonly ids: Relinker

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
    this.choices = new CardChoices(deps.ports.state<string[]>(PLATFORM, 'card-choices'), this.log)
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
    this.ids = new Relinker(this.bot, this.records, this.log)
    this.listen()
  }

  // ------------------------------------------------------------------ lifecycle

  /** Forgets which ids are in use, as at a new login (after which WeChat ids may differ). */
  forgetSession(): void {
    this.ids.forgetSession()
  }

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
    return describeLogin(this.state)
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
      this.ids.forgetSession()
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
      this.ids.roomTopics.set(room.id, topic)
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
      await this.ids.linkRoom(room.id, chatName)
      const selfId = this.bot.isLoggedIn ? this.bot.currentUser.id : ''
      ;({ text, mentionsBot } = await roomMentions(msg, room, selfId, text, mentions))
    }
    const name = talker.name()
    await this.ids.linkContact(talker.id, name)

    // A bare number answers the last card sent to this chat (in a group: only when the bot is mentioned).
    let action: { command: string } | undefined
    const choice = parseChoice(text)
    if (choice !== null && (!room || mentionsBot)) action = await this.choices.choiceFor(room ? `chat:${room.id}` : `user:${talker.id}`, choice)

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
    await this.ids.linkRoom(room.id, topic)
    await this.accept(membershipEvent(room.id, 'bot_added', topic))
  }

  private async onBotRemoved(room: Room): Promise<void> {
    if (this.stopping) return
    this.ids.roomTopics.delete(room.id)
    this.ids.activeRooms.delete(room.id)
    await this.accept(membershipEvent(room.id, 'bot_removed'))
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
      const id = this.ids.relinked.get(`chat:${d.target}`) ?? d.target
      const room = (await this.bot.Room.find({ id }).catch(() => undefined)) ?? (await this.ids.relinkRoomForSend(id))
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
      const sent = await this.choices.withChoices(`chat:${room.id}`, d.card, () => room.say(body, ...contacts))
      this.ids.activeRooms.add(room.id)
      return sent ? { platformMessageId: sent.id } : {}
    }

    const id = this.ids.relinked.get(`user:${d.target}`) ?? d.target
    const contact = (await this.bot.Contact.find({ id }).catch(() => undefined)) ?? (await this.ids.relinkContactForSend(id))
    if (!contact) throw new Error(`wechaty: no contact ${d.target} on this account`)
    const text = renderText(d.text, d.card, { texts: this.texts, inRoom: false, botName })
    const sent = await this.choices.withChoices(`user:${contact.id}`, d.card, () => contact.say(text))
    this.ids.activeContacts.add(contact.id)
    return sent ? { platformMessageId: sent.id } : {}
  }

  private assertLoggedIn(): void {
    // Held like a throttle: the message waits without using up attempts until someone scans the
    // QR code again (which takes a person longer than the outbox's retries would last).
    if (!this.bot.isLoggedIn || this.state.status !== 'logged_in') throw new ThrottledError('wechaty: not logged in', this.opts.loggedOutRetryMs ?? 5_000)
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
