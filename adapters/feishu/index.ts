import * as lark from '@larksuiteoapi/node-sdk'
import type { FastifyInstance } from 'fastify'
import type { AdapterDeps, AdapterFactory, PlatformAdapter } from '../index.js'
import {
  ThrottledError,
  type Delivery,
  type Directory,
  type InboundMessage,
  type MediaSource,
  type SenderId,
  type SendLimits,
  type SendResult,
} from '../../src/core/types.js'
import { feishuEnabled, feishuLimitsFor, feishuSettings, type FeishuSettings } from './config.js'
import { feishuDirectory } from './directory.js'
import { openRef, sealRef } from './crypto.js'
import { feishuWebhookRoutes, type Json } from './http.js'
import { feishuMedia } from './media.js'
import { type LongConnectionHealth, longConnectionStatus, openLongConnection } from './ws.js'
import { cardAsText, cardJson, renderDelivery, uuidFor } from './render.js'
import { FeishuApiError, httpWithTimeout, isInvalidToken, sdkLogger, sdkLoggerLevel, toSendError, TokenCache, apiFailure } from './sdk.js'
import {
  botAddedEvent,
  botMenuEvent,
  buttonValue,
  cardActionEvent,
  feishuTime,
  chatGoneEvent,
  messageRecalledEvent,
  userDeletedEvent,
  messageEvent,
  menuCommand,
  messageToInbound,
  parseOrThrow,
  senderIds,
  type BotIdentity,
  type ButtonValue,
} from './translate.js'

export { feishuEnabled, feishuLimits, feishuLimitsFor, feishuSettings } from './config.js'

const strings = {
  'zh-CN': { received: (c: string) => `已收到：${c}`, done: (c: string) => `已处理：${c}`, stale: '这个按钮已失效，请直接发送命令。' },
  en: { received: (c: string) => `Received: ${c}`, done: (c: string) => `Done: ${c}`, stale: 'This button no longer works; please type the command.' },
}

/** Feishu's answer to content over its size limit. */
const CONTENT_TOO_LONG = 230025
/** Feishu's answer to a reply to a message that was recalled or deleted. */
const MESSAGE_GONE = 230011

export interface FeishuAdapterOptions {
  /**
   * How long one API call may take before it counts as failed and its row is retried (default
   * 15 s). Tests shorten it to see a slow answer retried within seconds. Never set in production.
   */
  timeoutMs?: number
}

/**
 * The Feishu / Lark adapter. Events arrive by webhook (POST /webhooks/feishu: signature over the raw
 * body, AES decryption, url_verification) or by the SDK's long connection (FEISHU_MODE=ws); both go
 * through one EventDispatcher whose handlers translate to InboundMessage and hand it to
 * core.accept (stored before Feishu is answered, handled in the background). Sending goes through
 * the SDK's Client under Feishu's limits, with the outbox key as the message uuid.
 */
export class FeishuAdapter implements PlatformAdapter {
  readonly platform = 'feishu' as const
  readonly limits: SendLimits
  readonly client: lark.Client
  /** The one dispatcher both the webhook and the long connection feed. */
  readonly dispatcher: lark.EventDispatcher
  readonly settings: FeishuSettings
  private readonly cache = new TokenCache()
  private readonly http
  private readonly sdkLog
  private readonly sdkLevel
  private readonly t
  private ws?: lark.WSClient
  private readonly health: LongConnectionHealth = { reconnects: 0 }
  private readonly bot: BotIdentity
  private botFetch?: Promise<void>
  private stopped = false
  private readonly background = new Set<Promise<unknown>>()
  /** Feishu's directory: roster mobiles → open_ids (directory.ts). */
  readonly directory: Directory = feishuDirectory((mobiles) =>
    this.call(() => this.client.contact.user.batchGetId({ params: { user_id_type: 'open_id' }, data: { mobiles, include_resigned: false } })),
  )

  /** Photos and files people send: fetched as message resources (media.ts). */
  readonly media: MediaSource

  constructor(
    private readonly deps: AdapterDeps,
    settings: FeishuSettings,
    options: FeishuAdapterOptions = {},
  ) {
    this.settings = settings
    this.http = httpWithTimeout(options.timeoutMs ?? 15_000)
    this.limits = feishuLimitsFor(settings)
    this.sdkLog = sdkLogger(deps.log)
    this.sdkLevel = sdkLoggerLevel(deps.config.LOG_LEVEL)
    this.t = strings[deps.config.GONGYOU_LOCALE] ?? strings['zh-CN']
    this.bot = { name: deps.core.t.botName }
    this.client = new lark.Client({
      appId: settings.appId,
      appSecret: settings.appSecret,
      domain: settings.domain,
      cache: this.cache,
      httpInstance: this.http,
      logger: this.sdkLog,
      loggerLevel: this.sdkLevel,
    })
    this.media = feishuMedia(this.client)
    // Webhook bodies are verified and decrypted here before the dispatcher sees them, and the long
    // connection delivers plain events, so the dispatcher itself needs no key.
    this.dispatcher = new lark.EventDispatcher({ cache: this.cache, logger: this.sdkLog, loggerLevel: this.sdkLevel })
    this.dispatcher.register<{ 'card.action.trigger': (data: unknown) => Promise<unknown> }>({
      'im.message.receive_v1': (data: unknown) => this.onMessage(data),
      'im.chat.member.bot.added_v1': (data: unknown) => this.onBotAdded(data),
      // Read receipts are acknowledged; nothing in the core waits for them yet.
      'im.message.message_read_v1': () => ({}),
      'card.action.trigger': (data: unknown) => this.onCardAction(data),
      'application.bot.menu_v6': (data: unknown) => this.onMenu(data),
      'im.chat.member.bot.deleted_v1': (data: unknown) => this.onChatGone(data, 'bot_removed'),
      'im.chat.disbanded_v1': (data: unknown) => this.onChatGone(data, 'chat_disbanded'),
      'contact.user.deleted_v3': (data: unknown) => this.onUserDeleted(data),
      'im.message.recalled_v1': (data: unknown) => this.onRecalled(data),
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Receiving: the dispatcher's handlers (shared by webhook and long connection)

  private async onMessage(data: unknown): Promise<Json> {
    const e = parseOrThrow(messageEvent, data, 'im.message.receive_v1 event')
    // Messages from other bots and apps (or without a person behind them) are not for us.
    if ((e.sender.sender_type && e.sender.sender_type !== 'user') || !e.sender.sender_id?.open_id) return {}
    // Telling a mention of the bot from others needs the bot's open_id.
    if (e.message.mentions?.length) await this.knowBot()
    const msg = messageToInbound(e, this.bot)
    // Group chatter not addressed to the bot is not stored at all.
    if (!this.deps.core.isForBot(msg)) return {}
    await this.deps.core.accept(msg)
    return {}
  }

  private async onBotAdded(data: unknown): Promise<Json> {
    const e = parseOrThrow(botAddedEvent, data, 'im.chat.member.bot.added_v1 event')
    const msg: InboundMessage = {
      platform: 'feishu',
      eventId: e.event_id,
      chatId: e.chat_id,
      ...(e.name ? { chatName: e.name } : {}),
      sender: { ids: senderIds(e.operator_id) },
      text: '',
      mentions: [],
      mentionsBot: false,
      event: 'bot_added',
    }
    await this.deps.core.accept(msg)
    return {}
  }

  /** A happening, as the core's neutral event (no text, nobody to answer). */
  private async happening(
    eventId: string,
    event: NonNullable<InboundMessage['event']>,
    o: { chatId?: string; ids?: SenderId[]; about?: string },
  ): Promise<Json> {
    await this.deps.core.accept({
      platform: 'feishu',
      eventId,
      chatId: o.chatId ?? null,
      sender: { ids: o.ids ?? [] },
      text: '',
      mentions: [],
      mentionsBot: false,
      event,
      ...(o.about ? { about: o.about } : {}),
    })
    return {}
  }

  /** The bot removed from a chat, or the chat disbanded: the core unbinds the group. */
  private async onChatGone(data: unknown, event: 'bot_removed' | 'chat_disbanded'): Promise<Json> {
    const e = parseOrThrow(chatGoneEvent, data, `${event} event`)
    return this.happening(e.event_id, event, { chatId: e.chat_id })
  }

  /** A person deleted from the tenant (left the company): the core ends their binding. */
  private async onUserDeleted(data: unknown): Promise<Json> {
    const e = parseOrThrow(userDeletedEvent, data, 'contact.user.deleted_v3 event')
    const ids = senderIds(e.object)
    return ids.length ? this.happening(e.event_id, 'person_left', { ids }) : {}
  }

  /** A recalled message: the core records it on a request the message filed. Messages arrive under their message_id. */
  private async onRecalled(data: unknown): Promise<Json> {
    const e = parseOrThrow(messageRecalledEvent, data, 'im.message.recalled_v1 event')
    return this.happening(e.event_id, 'message_recalled', { ...(e.chat_id ? { chatId: e.chat_id } : {}), about: e.message_id })
  }

  /** A press on the bot's menu: the command its event_key stands for, answered privately like a typed one. */
  private async onMenu(data: unknown): Promise<Json> {
    const e = parseOrThrow(botMenuEvent, data, 'application.bot.menu_v6 event')
    const command = menuCommand(e.event_key)
    await this.deps.core.accept({
      platform: 'feishu',
      eventId: e.event_id,
      chatId: null,
      sender: { ids: senderIds(e.operator.operator_id) },
      text: command,
      mentions: [],
      mentionsBot: false,
      action: { command },
    })
    return {}
  }

  /** A card button press. Answered at once with a toast; a private card is then re-rendered with the result. */
  private async onCardAction(data: unknown): Promise<Json> {
    const e = parseOrThrow(cardActionEvent, data, 'card.action.trigger callback')
    const value = buttonValue.safeParse(e.action.value)
    if (!value.success) return { toast: { type: 'warning', content: this.t.stale } }
    const { command, to, k } = value.data
    // A card sent to a group is answered in the group; one sent privately, privately.
    const chatId = to === 'chat' && e.context?.open_chat_id ? e.context.open_chat_id : null
    const msg: InboundMessage = {
      platform: 'feishu',
      eventId: e.event_id,
      chatId,
      sender: { ids: senderIds(e.operator) },
      text: command,
      mentions: [],
      mentionsBot: false,
      action: { command },
      ...(feishuTime(e.create_time) ? { sentAt: feishuTime(e.create_time) } : {}),
    }
    const { id, duplicate } = await this.deps.core.accept(msg)
    const messageId = e.context?.open_message_id
    // Only a private card is updated: a group card is shared, and one person's press must not disable it for everyone.
    if (!duplicate && to === 'user' && k && messageId) this.track(this.updateCardAfter(id, value.data, messageId, e.operator.open_id))
    return { toast: { type: 'info', content: this.t.received(command) } }
  }

  private track(work: Promise<unknown>): void {
    // Only the message: an SDK (axios) error carries the request, headers and token included.
    const p = work
      .catch((err) => this.deps.log.warn({ platform: 'feishu', error: toSendError(err).message }, 'feishu: updating a card after a press failed'))
      .finally(() => this.background.delete(p))
    this.background.add(p)
  }

  /** Waits for the press to be handled, then shows the card with its buttons disabled and the result under them. */
  private async updateCardAfter(eventRowId: number, value: ButtonValue, messageId: string, operatorOpenId: string): Promise<void> {
    const { ports } = this.deps
    if (!(await ports.handled(eventRowId, { timeoutMs: 30_000, stopped: () => this.stopped }))) return
    const key = openRef(value.k!, this.settings.appSecret)
    if (!key) return
    const original = await ports.delivery(key)
    // Act only when the reference names that very message.
    if (original?.platform !== 'feishu' || original.platformMessageId !== messageId || !original.card) return
    const answer = (await ports.causedBy(eventRowId)).find((r) => r.target === operatorOpenId)
    const firstLine = answer ? answer.text.split('\n')[0]!.slice(0, 200) : ''
    const done = `${this.t.done(value.command)}${firstLine ? ` — ${firstLine}` : ''}`
    const content = JSON.stringify(cardJson(original.card, original.text, { to: 'user', ref: value.k!, done }))
    const patch = () => this.call(() => this.client.im.message.patch({ path: { message_id: messageId }, data: { content } }))
    try {
      await patch()
    } catch (error) {
      // Too many updates at once: one more try after the pause Feishu asks for.
      const err = toSendError(error)
      if (!(err instanceof ThrottledError) || this.stopped) throw err
      await new Promise((r) => setTimeout(r, err.retryAfterMs))
      await patch()
    }
  }

  /** The bot's open_id (to recognise mentions of it), fetched once; a message never waits more than 1.5 s for it. */
  private async knowBot(): Promise<void> {
    if (this.bot.openId) return
    this.botFetch ??= this.fetchBot().finally(() => (this.botFetch = undefined))
    await Promise.race([this.botFetch.catch(() => undefined), new Promise((r) => setTimeout(r, 1500).unref())])
  }

  private async fetchBot(): Promise<void> {
    try {
      const res = await this.call(() =>
        this.client.request<{ code?: number; msg?: string; bot?: { open_id?: string; app_name?: string } }>({ method: 'GET', url: '/open-apis/bot/v3/info' }),
      )
      if (res.bot?.open_id) this.bot.openId = res.bot.open_id
      if (res.bot?.app_name) this.bot.name = res.bot.app_name
    } catch (error) {
      const { status, code, msg } = apiFailure(error)
      this.deps.log.warn(
        { platform: 'feishu', status, code, error: msg },
        'feishu: could not read the bot info (GET /open-apis/bot/v3/info); mentions of the bot are recognised by name until it works',
      )
      throw error
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Receiving by webhook (http.ts)

  async routes(app: FastifyInstance): Promise<void> {
    if (this.settings.mode !== 'webhook') return
    await feishuWebhookRoutes(app, { settings: this.settings, dispatcher: this.dispatcher, now: () => this.deps.clock.now().getTime() })
  }

  // ---------------------------------------------------------------------------------------------
  // Receiving by long connection (ws.ts)

  async start(): Promise<void> {
    this.stopped = false
    void this.knowBot()
    if (this.settings.mode !== 'ws') return
    this.ws = openLongConnection(this.settings, { http: this.http, logger: this.sdkLog, loggerLevel: this.sdkLevel }, this.deps.log, this.health)
    await this.ws.start({ eventDispatcher: this.dispatcher })
  }

  status(): { connected: boolean; detail?: string } {
    if (this.settings.mode === 'webhook') return { connected: true, detail: 'webhook /webhooks/feishu' }
    if (!this.ws) return { connected: false, detail: 'long connection not started' }
    return longConnectionStatus(this.ws, this.health)
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.ws?.close({ force: true })
    await Promise.allSettled([...this.background])
  }

  // ---------------------------------------------------------------------------------------------
  // Sending

  async send(d: Delivery): Promise<SendResult> {
    // Only private cards are updated after a press, so only they carry a reference to their row.
    const rendered = renderDelivery(d, d.card && d.targetKind === 'user' ? sealRef(d.key, this.settings.appSecret) : undefined, this.deps.core.t.platforms)
    try {
      return await this.create(d, rendered)
    } catch (error) {
      // Too long after all (230025: Feishu measures differently from us): once more as text that keeps the commands.
      if (apiFailure(error).code !== CONTENT_TOO_LONG || rendered.msg_type !== 'interactive') throw toSendError(error)
      this.deps.log.warn({ platform: 'feishu', key: d.key }, 'feishu: a card was refused as too long (230025); sending it as text')
      try {
        return await this.create(d, cardAsText(d, this.deps.core.t.platforms))
      } catch (again) {
        throw toSendError(again)
      }
    }
  }

  private async create(d: Delivery, { msg_type, content }: { msg_type: string; content: string }): Promise<SendResult> {
    if (d.replyTo && d.targetKind === 'chat') {
      try {
        const res = await this.call(() =>
          this.client.im.message.reply({ path: { message_id: d.replyTo! }, data: { msg_type, content, reply_in_thread: true, uuid: uuidFor(d.key) } }),
        )
        return res.data?.message_id ? { platformMessageId: res.data.message_id } : {}
      } catch (error) {
        // The message answered was recalled or deleted (230011): the answer goes to the chat itself.
        if (apiFailure(error).code !== MESSAGE_GONE) throw error
      }
    }
    const res = await this.call(() =>
      this.client.im.message.create({
        params: { receive_id_type: d.targetKind === 'chat' ? 'chat_id' : 'open_id' },
        data: { receive_id: d.target, msg_type, content, uuid: uuidFor(d.key) },
      }),
    )
    return res.data?.message_id ? { platformMessageId: res.data.message_id } : {}
  }

  /**
   * One API call; a business error answered with HTTP 200 becomes an error too. When Feishu says the
   * tenant token is invalid (99991663 and kin) the SDK would keep using its cached token until it
   * expires: drop it and try once more with a fresh one.
   */
  private async call<T extends { code?: number; msg?: string }>(fn: () => Promise<T>): Promise<T> {
    const once = async () => {
      const res = await fn()
      if (res && typeof res.code === 'number' && res.code !== 0) throw new FeishuApiError(res.code, res.msg ?? '', 200)
      return res
    }
    try {
      return await once()
    } catch (error) {
      if (!isInvalidToken(error)) throw error
      this.cache.dropTenantToken(this.settings.appId)
      this.deps.log.warn(
        { platform: 'feishu', code: apiFailure(error).code },
        'feishu: tenant access token refused; dropping the cached token and retrying once with a fresh one',
      )
      return once()
    }
  }
}

export function createFeishuAdapterFactory(options: FeishuAdapterOptions = {}): AdapterFactory {
  return {
    platform: 'feishu',
    enabled: feishuEnabled,
    create(deps) {
      return new FeishuAdapter(deps, feishuSettings(deps.config), options)
    },
  }
}

export const feishuAdapterFactory: AdapterFactory = createFeishuAdapterFactory()
