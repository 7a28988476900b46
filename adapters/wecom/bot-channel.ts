import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { WSAuthFailureError, WSClient, type TemplateCard, type WsFrame } from '@wecom/aibot-node-sdk'
import type { AdapterPorts } from '../../src/core/adapter-ports.js'
import type { ChatCore } from '../../src/core/chat-core.js'
import type { Clock } from '../../src/core/clock.js'
import { PermanentSendError, ThrottledError, type Delivery, type FetchedMedia, type InboundMessage, type SendResult } from '../../src/core/types.js'
import { botAttachments, fetchBotMedia } from './bot-media.js'
import { sendError, type WecomHttp, type WecomReply } from './api.js'
import { CallbackRejected, echoQuery, openEnvelope, sealEnvelope, signedQuery, type EnvelopeKeys } from './envelope.js'
import { mentionsIn, refuse, stripBotMention } from './inbound.js'
import { buttonCard, clipBytes, commandOfButtonKey } from './render.js'
import { cardAfterPress, CardPresses, updateBody, type CardPress } from './card-update.js'
import { botPayload, chatKey, isBotEvent, pressOf, type BotPayload } from './bot-payload.js'
import { ResponseUrls } from './response-urls.js'
import type { BotSettings } from './settings.js'

export interface BotChannelDeps {
  core: ChatCore
  ports: AdapterPorts
  log: FastifyBaseLogger
  http: WecomHttp
  apiBase: string
  /** Callbacks more than 5 minutes from this clock are refused (replays). */
  clock?: Clock
  /** How often the long connection checks that this instance is the one sending for WeCom. */
  connectionCheckMs: number
}

/**
 * The intelligent bot (智能机器人), the way into WeCom group chats: a group message reaches it when
 * it is @-mentioned (so mentionsBot is true for every group message).
 *
 * - Long connection (WECOM_BOT_MODE=ws): the official @wecom/aibot-node-sdk WSClient. Frames
 *   arrive as events; replies and notices go by `sendMessage(chatid)` (aibot_send_msg). WeCom
 *   allows one connection per bot, so only the instance holding the outbox's WeCom lease (the one
 *   that sends) keeps it open.
 * - Callback (WECOM_BOT_MODE=callback): GET/POST /webhooks/wecom/bot, JSON {encrypt} with the
 *   same crypto and receiveid "". WeCom has no active-send API for the bot in this mode: a message
 *   is answered through its response_url (once, within an hour). So a group hears the bot only in
 *   answer to someone there; a notice to a group nobody has spoken in cannot be sent (it becomes a
 *   dead letter naming the reason) — use ws mode, or a group robot, for such groups.
 */
export class BotChannel {
  private readonly keys: EnvelopeKeys | null
  private cardPresses?: CardPresses
  private responseUrls?: ResponseUrls
  private client: WSClient | null = null
  private timer: NodeJS.Timeout | null = null
  private wanted = false
  private authFailed = false
  private checking = false
  /** The connection check under way, awaited by stop() so that it cannot connect after the channel stopped. */
  private check: Promise<void> = Promise.resolve()
  private stopped = false
  private readonly apiOrigin: string

  constructor(
    private readonly s: BotSettings,
    private readonly deps: BotChannelDeps,
  ) {
    this.keys = s.mode === 'callback' ? { token: s.token, encodingAesKey: s.encodingAesKey, receiveId: '' } : null
    this.apiOrigin = new URL(deps.apiBase).origin
  }

  /** The bytes of an image or file a person sent (bot-media.ts). */
  fetchMedia(ref: string, maxBytes: number): Promise<FetchedMedia> {
    return fetchBotMedia(ref, maxBytes, this.s.mode === 'callback' ? this.s.encodingAesKey : undefined, this.apiOrigin)
  }

  private get presses(): CardPresses {
    this.cardPresses ??= new CardPresses(this.deps.ports.state<string>('wecom', 'card_press'))
    return this.cardPresses
  }

  private get urls(): ResponseUrls {
    this.responseUrls ??= new ResponseUrls(this.deps.ports.state<string>('wecom', 'response_url'))
    return this.responseUrls
  }

  get mode(): BotSettings['mode'] {
    return this.s.mode
  }

  private nowMs(): number {
    return this.deps.clock?.now().getTime() ?? Date.now()
  }

  routes(app: FastifyInstance): void {
    const keys = this.keys
    if (!keys) return
    const { log, core } = this.deps
    app.get('/webhooks/wecom/bot', async (req, reply) => {
      try {
        const q = echoQuery(req.query)
        const plain = openEnvelope(keys, q, q.echostr, this.nowMs())
        return reply.type('text/plain; charset=utf-8').send(plain)
      } catch (error) {
        return refuse(reply, error, log, 'bot:verify')
      }
    })

    app.post('/webhooks/wecom/bot', async (req, reply) => {
      let payload: BotPayload
      let msg: InboundMessage | null
      try {
        const q = signedQuery(req.query)
        let body: unknown = req.body
        if (typeof body === 'string') body = parseJson(body)
        const encrypted = (body as { encrypt?: unknown } | null)?.encrypt
        if (typeof encrypted !== 'string' || encrypted === '') throw new CallbackRejected(400, 'no encrypt in the body')
        const parsed = botPayload.safeParse(parseJson(openEnvelope(keys, q, encrypted, this.nowMs())))
        if (!parsed.success) throw new CallbackRejected(400, 'the decrypted callback is not a bot message')
        payload = parsed.data
        msg = this.toInbound(payload)
      } catch (error) {
        return refuse(reply, error, log, 'bot:message')
      }
      const empty = () => reply.code(200).type('text/plain; charset=utf-8').send('')
      if (!msg) return empty()
      const unavailable = () => reply.code(503).send({ error: { code: 'unavailable', message: '暂时无法处理，请稍后重试' } })
      const press = pressOf(payload, msg)
      try {
        // The same card pressed again by the same person: nothing happens twice.
        if (press && !(await this.presses.first(press))) return empty()
        // Remembered before the event is accepted: its reply may be sent as soon as it is handled.
        if (payload.response_url) await this.rememberResponseUrl(msg, payload.response_url)
      } catch (err) {
        log.error({ err }, 'could not store a WeCom bot callback; answering 503 so WeCom retries')
        return unavailable()
      }
      let accepted: { id: number; duplicate: boolean }
      try {
        accepted = await core.accept(msg)
      } catch (err) {
        log.error({ err, platform: 'wecom' }, 'could not store a WeCom event; answering 503 so WeCom retries')
        if (press) await this.presses.forget(press).catch(() => {})
        return unavailable()
      }
      // A press is answered with the update of its card (the passive reply, encrypted); other replies go later, through the response_url.
      if (!press || accepted.duplicate) return empty()
      const card = await cardAfterPress(this.deps.ports, accepted.id, press, core.t.platforms)
      const sealed = sealEnvelope(keys, JSON.stringify(updateBody(press, card)), this.nowMs())
      return reply.code(200).type('text/plain; charset=utf-8').send(JSON.stringify(sealed))
    })
  }

  private async rememberResponseUrl(msg: InboundMessage, url: string): Promise<void> {
    let origin: string
    try {
      origin = new URL(url).origin
    } catch {
      origin = ''
    }
    // The payload is authenticated, but a response_url is only ever WeCom's own API: never post elsewhere.
    if (origin !== this.apiOrigin) {
      this.deps.log.warn('WeCom bot response_url is not on WECOM_API_BASE; ignored')
      return
    }
    const chat = msg.chatId !== null ? chatKey('chat', msg.chatId) : chatKey('user', msg.sender.ids[0]!.id)
    await this.urls.remember(chat, msg.eventId, url)
  }

  /** The neutral message for a bot payload, or null for kinds the bot does not act on. */
  toInbound(p: BotPayload): InboundMessage | null {
    if (p.aibotid !== undefined && p.aibotid !== this.s.botId) throw new CallbackRejected(403, 'aibotid is not our bot')
    const group = p.chattype === 'group'
    if (group && !p.chatid) throw new CallbackRejected(400, 'a group message without chatid')
    let text: string | null = null
    let command: string | null = null
    if (p.msgtype === 'text') text = p.text?.content ?? ''
    else if (p.msgtype === 'voice') text = p.voice?.content ?? ''
    else if (p.msgtype === 'mixed')
      text = (p.mixed?.msg_item ?? [])
        .map((i) => i.text?.content ?? '')
        .filter(Boolean)
        .join('\n')
    else if (p.msgtype === 'image' || p.msgtype === 'file') text = ''
    else if (p.msgtype === 'event' && p.event?.eventtype === 'template_card_event') {
      command = commandOfButtonKey(p.event.template_card_event?.event_key ?? p.event.event_key)
      if (!command) return null
    } else return null
    const botName = this.deps.core.t.botName
    const attachments = botAttachments(p as Parameters<typeof botAttachments>[0])
    const body = text === null ? '' : group ? stripBotMention(text, botName) : text.trim()
    return {
      platform: 'wecom',
      eventId: `bot:${p.msgid}`,
      chatId: group ? p.chatid! : null,
      sender: { ids: [{ kind: 'userid', id: p.from.userid }] },
      text: body,
      mentions: mentionsIn(body).filter((m) => m.name !== botName),
      mentionsBot: group,
      ...(command ? { action: { command } } : {}),
      ...(attachments.length ? { attachments } : {}),
      ...(p.create_time ? { sentAt: new Date(p.create_time * 1000).toISOString() } : {}),
    }
  }

  // ------------------------------------------------------------------ long connection

  /** Starts keeping the long connection on whichever instance sends for WeCom (ws mode). */
  start(): void {
    if (this.s.mode !== 'ws' || this.timer) return
    this.stopped = false
    const s = this.s
    const log = this.deps.log
    const client = new WSClient({
      botId: s.botId,
      secret: s.secret,
      ...(s.wsUrl ? { wsUrl: s.wsUrl } : {}),
      maxReconnectAttempts: -1,
      // The SDK's debug lines carry message bodies: never logged.
      logger: {
        debug: () => {},
        info: (m: string) => log.debug({ sdk: 'aibot' }, m),
        warn: (m: string) => log.warn({ sdk: 'aibot' }, m),
        error: (m: string) => log.error({ sdk: 'aibot' }, m),
      },
    })
    const inbound = (frame: WsFrame) => void this.fromConnection(frame)
    client.on('message', inbound)
    client.on('event.template_card_event', inbound)
    client.on('error', (error: Error) => {
      if (error instanceof WSAuthFailureError) {
        this.authFailed = true
        log.error('WeCom intelligent bot: authentication failed repeatedly; check WECOM_BOT_ID and WECOM_BOT_SECRET')
      }
    })
    client.on('event.disconnected_event', () => {
      // Another connection for this bot took over (WeCom keeps one); ours is closed and not retried.
      this.wanted = false
    })
    this.client = client
    this.timer = setInterval(() => void this.keepConnection(), this.deps.connectionCheckMs)
    this.timer.unref()
    void this.keepConnection()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    // A check that was asking for the lease when the service stopped would otherwise connect afterwards,
    // and the SDK would keep that connection (and its reconnects) alive past the shutdown.
    await this.check
    if (this.client && this.wanted) this.client.disconnect()
    this.wanted = false
  }

  /** Connects while this instance holds the outbox's WeCom lease (it sends for WeCom), disconnects otherwise. */
  private keepConnection(): Promise<void> {
    if (this.checking || !this.client || this.stopped) return this.check
    this.checking = true
    this.check = this.checkConnection()
    return this.check
  }

  private async checkConnection(): Promise<void> {
    if (!this.client) return
    try {
      const mine = await this.deps.ports.sendsFor('wecom')
      if (this.stopped) return
      if (mine && !this.wanted && !this.authFailed) {
        this.wanted = true
        this.client.connect()
      } else if (!mine && this.wanted) {
        this.wanted = false
        this.client.disconnect()
      }
    } catch (err) {
      this.deps.log.warn({ err }, 'WeCom intelligent bot: could not check the sending lease')
    } finally {
      this.checking = false
    }
  }

  private async fromConnection(frame: WsFrame): Promise<void> {
    const parsed = botPayload.safeParse(frame.body)
    if (!parsed.success) return
    let msg: InboundMessage | null
    try {
      msg = this.toInbound(parsed.data)
    } catch (err) {
      this.deps.log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'WeCom intelligent bot: frame refused')
      return
    }
    if (!msg) return
    const press = pressOf(parsed.data, msg)
    // The same card pressed again by the same person (its update not yet shown there): nothing happens twice.
    if (press && !(await this.presses.first(press).catch(() => true))) return
    // A long connection has no "answer 5xx and WeCom retries": try a few times, then give up (logged).
    for (let attempt = 1; ; attempt++) {
      try {
        const { id, duplicate } = await this.deps.core.accept(msg)
        if (press && !duplicate) await this.updatePressedCard(frame, press, id)
        return
      } catch (err) {
        if (attempt >= 3) {
          this.deps.log.error({ err }, 'WeCom intelligent bot: could not store a message from the long connection; it is lost')
          if (press) await this.presses.forget(press).catch(() => {})
          return
        }
        await new Promise((r) => setTimeout(r, 1000 * attempt))
      }
    }
  }

  /** Replaces the pressed card, for the presser, by one saying what was done (aibot_respond_update_msg, within 5 s of the event). */
  private async updatePressedCard(frame: WsFrame, press: CardPress, eventRowId: number): Promise<void> {
    try {
      const card = await cardAfterPress(this.deps.ports, eventRowId, press, this.deps.core.t.platforms)
      const { template_card, userids } = updateBody(press, card)
      const answer = (await this.client?.updateTemplateCard(frame, template_card as unknown as TemplateCard, userids)) as WecomReply | undefined
      if (answer?.errcode) throw sendError('aibot_respond_update_msg', answer)
    } catch (err) {
      this.deps.log.warn({ error: err instanceof Error ? err.message : String(err) }, 'WeCom intelligent bot: could not update a pressed card')
    }
  }

  status(): { connected: boolean; detail?: string } {
    if (this.s.mode === 'callback') return { connected: true, detail: 'bot: callback' }
    if (this.authFailed) return { connected: false, detail: 'bot: authentication failed' }
    if (!this.wanted) return { connected: true, detail: 'bot: standby (another instance sends for WeCom)' }
    return this.client?.isConnected ? { connected: true, detail: 'bot: connected' } : { connected: false, detail: 'bot: connecting' }
  }

  // ------------------------------------------------------------------ sending

  /** Sends to a group chat (chatid) or, when no app is configured, to a person's private chat with the bot (userid). */
  async send(d: Delivery, kind: 'chat' | 'user'): Promise<SendResult> {
    const card = buttonCard(d)
    const markdown = { msgtype: 'markdown', markdown: { content: clipBytes(withMentions(d), 4096) } }
    if (card) {
      try {
        return await this.deliver(d, kind, { msgtype: 'template_card', template_card: card })
      } catch (error) {
        if (!(error instanceof PermanentSendError) || !/errcode 40058\b/.test(error.message)) throw error
        this.deps.log.warn({ key: d.key }, 'WeCom refused a template card; sending it as markdown')
      }
    }
    return this.deliver(d, kind, markdown)
  }

  private async deliver(d: Delivery, kind: 'chat' | 'user', body: { msgtype: string } & Record<string, unknown>): Promise<SendResult> {
    if (this.s.mode === 'ws') {
      const client = this.client
      if (!client || !this.wanted || !client.isConnected) {
        // Not a refusal: the connection is (re)opening. Hold the target back without using up an attempt.
        throw new ThrottledError('WeCom intelligent bot: long connection not open yet', 2_000)
      }
      try {
        await client.sendMessage(d.target, body as never)
        return {}
      } catch (error) {
        const frame = error as WecomReply | Error
        if (frame && !(frame instanceof Error) && typeof frame.errcode === 'number') throw sendError('aibot_send_msg', frame)
        throw error instanceof Error ? error : new Error(String(error))
      }
    }
    const chat = chatKey(kind, d.target)
    const cause = await this.deps.ports.causeOf(d.key)
    const eventId = cause && isBotEvent(cause.eventId) ? cause.eventId : null
    const url = await this.urls.claim(chat, eventId)
    if (!url) {
      throw new PermanentSendError(
        'WeCom intelligent bot (callback mode): no unused response_url for this conversation — the bot can only answer a message within an hour of it; use WECOM_BOT_MODE=ws or a group robot for notices',
      )
    }
    let reply: WecomReply
    try {
      reply = await this.deps.http.post(url, body)
    } catch (error) {
      // WeCom never answered: the URL is most likely unused, keep it for the retry.
      await this.urls.putBack(chat, eventId ?? `retry:${d.key}`, url).catch(() => {})
      throw error
    }
    if (reply.errcode !== undefined && reply.errcode !== 0) throw sendError('aibot response_url', reply)
    return {}
  }
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s)
  } catch {
    throw new CallbackRejected(400, 'not JSON')
  }
}

/** The bot's markdown has no mention list: people to mention are named in front, unless the text names them. */
function withMentions(d: Delivery): string {
  const names = (d.mentions ?? []).map((m) => m.name).filter((n) => !d.text.includes(`@${n}`))
  return names.length ? `${names.map((n) => `@${n}`).join(' ')} ${d.text}` : d.text
}
