import crypto from 'node:crypto'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { ChatCore } from '../../src/core/chat-core.js'
import type { Clock } from '../../src/core/clock.js'
import { PermanentSendError, type Delivery, type FetchedMedia, type InboundMessage, type SendResult } from '../../src/core/types.js'
import { AccessToken, sendError, type WecomHttp, type WecomReply } from './api.js'
import { CallbackRejected, echoQuery, openEnvelope, parseFlatXml, signedQuery, type EnvelopeKeys } from './envelope.js'
import { acceptOr503, refuse } from './inbound.js'
import { appAttachments, fetchAppMedia } from './media.js'
import { buttonCard, cardAsText, commandOfButtonKey } from './render.js'
import type { AppSettings } from './settings.js'

export interface AppChannelDeps {
  core: ChatCore
  log: FastifyBaseLogger
  http: WecomHttp
  apiBase: string
  /** Callbacks more than 5 minutes from this clock are refused (replays). */
  clock?: Clock
  /** message/send's duplicate_check_interval, in seconds. */
  duplicateCheckSeconds: number
}

/**
 * The self-built app (自建应用): people talk to it privately, and it reaches anyone in its
 * visible range by userid.
 *
 * Receiving: GET /webhooks/wecom/app answers WeCom's URL verification; POST takes the encrypted
 * XML, checks the signature and that it was meant for our CorpID (and AgentId), stores the event
 * and answers an empty 200 at once; the core handles it in the background.
 *
 * Sending: POST /cgi-bin/message/send with the cached access token. WeCom has no per-message
 * idempotency key; the nearest is enable_duplicate_check, which drops a request whose JSON equals
 * one sent within duplicate_check_interval — so a retry after a lost answer is not shown twice,
 * and a card (unique task_id per outbox key) is never confused with another. The cost: the same
 * plain text sent twice to one person within the interval is shown once.
 */
export class AppChannel {
  readonly token: AccessToken
  private readonly keys: EnvelopeKeys

  constructor(
    private readonly s: AppSettings,
    private readonly deps: AppChannelDeps,
  ) {
    this.token = new AccessToken(deps.http, deps.apiBase, s.corpId, s.secret)
    this.keys = { token: s.token, encodingAesKey: s.encodingAesKey, receiveId: s.corpId }
  }

  private nowMs(): number {
    return this.deps.clock?.now().getTime() ?? Date.now()
  }

  routes(app: FastifyInstance): void {
    const { log, core } = this.deps
    app.get('/webhooks/wecom/app', async (req, reply) => {
      try {
        const q = echoQuery(req.query)
        const plain = openEnvelope(this.keys, q, q.echostr, this.nowMs())
        return reply.type('text/plain; charset=utf-8').send(plain)
      } catch (error) {
        return refuse(reply, error, log, 'app:verify')
      }
    })

    app.post('/webhooks/wecom/app', async (req, reply) => {
      let msg: InboundMessage | null
      try {
        const q = signedQuery(req.query)
        const outer = parseFlatXml(req.body)
        const encrypted = outer?.get('Encrypt')
        if (!encrypted) throw new CallbackRejected(400, 'no <Encrypt> in the body')
        const inner = parseFlatXml(openEnvelope(this.keys, q, encrypted, this.nowMs()))
        if (!inner) throw new CallbackRejected(400, 'the decrypted message is not WeCom XML')
        msg = this.toInbound(inner)
      } catch (error) {
        return refuse(reply, error, log, 'app:message')
      }
      if (msg) {
        const failed = await acceptOr503(core, msg, reply, log)
        if (failed) return failed
      }
      return reply.code(200).type('text/plain; charset=utf-8').send('')
    })
  }

  /** The neutral message for a decrypted callback, or null for kinds the bot does not act on. */
  toInbound(f: Map<string, string>): InboundMessage | null {
    const to = f.get('ToUserName')
    if (to !== undefined && to !== this.s.corpId) throw new CallbackRejected(403, 'ToUserName is not our CorpID')
    const agent = f.get('AgentID')
    if (agent !== undefined && agent.trim() !== '' && agent.trim() !== String(this.s.agentId)) throw new CallbackRejected(403, 'AgentID is not our app')
    const from = f.get('FromUserName')
    const type = f.get('MsgType')
    if (!from || !type || from.length > 256) throw new CallbackRejected(400, 'no FromUserName or MsgType')
    const createTime = Number(f.get('CreateTime'))
    const base = {
      platform: 'wecom' as const,
      chatId: null,
      sender: { ids: [{ kind: 'userid', id: from }] },
      mentions: [],
      mentionsBot: false,
      ...(Number.isFinite(createTime) && createTime > 0 ? { sentAt: new Date(createTime * 1000).toISOString() } : {}),
    }
    if (type === 'text') {
      const msgId = f.get('MsgId')
      if (!msgId || msgId.length > 128) throw new CallbackRejected(400, 'a text message without MsgId')
      return { ...base, eventId: `app:${msgId}`, text: (f.get('Content') ?? '').trim() }
    }
    if (type === 'image' || type === 'file') {
      // A photo or file: the core fetches it through media/get (media.ts); the message has no text.
      const msgId = f.get('MsgId')
      const attachments = appAttachments(type, f)
      if (!msgId || msgId.length > 128) throw new CallbackRejected(400, `an ${type} message without MsgId`)
      if (attachments.length === 0) return null
      return { ...base, eventId: `app:${msgId}`, text: '', attachments }
    }
    if (type === 'event' && f.get('Event') === 'change_contact') {
      // 通讯录变更: a member deleted (left the company) ends their binding; other changes are not ours.
      if (f.get('ChangeType') !== 'delete_user') return null
      const userId = f.get('UserID')
      if (!userId || userId.length > 256) throw new CallbackRejected(400, 'a delete_user event without UserID')
      return {
        ...base,
        sender: { ids: [{ kind: 'userid', id: userId }] },
        eventId: `app:contact:delete_user:${userId}:${f.get('CreateTime') ?? ''}`,
        text: '',
        event: 'person_left',
      }
    }
    if (type === 'event' && f.get('Event') === 'template_card_event') {
      const key = f.get('EventKey')
      const command = commandOfButtonKey(key)
      if (!command) return null
      // Events carry no MsgId; WeCom suggests FromUserName + CreateTime to recognise a redelivery.
      const digest = crypto
        .createHash('sha1')
        .update(`${f.get('TaskId') ?? ''}|${key}`)
        .digest('hex')
        .slice(0, 16)
      return { ...base, eventId: `app:card:${from}:${f.get('CreateTime') ?? ''}:${digest}`, text: '', action: { command } }
    }
    return null
  }

  /** The bytes of a media id from a callback. */
  fetchMedia(mediaId: string, maxBytes: number): Promise<FetchedMedia> {
    return fetchAppMedia(this.deps.apiBase, this.token, mediaId, maxBytes)
  }

  /** Sends to one person by userid: a card with buttons as a template card, anything else as text. */
  async send(d: Delivery): Promise<SendResult> {
    const base = { touser: d.target, agentid: this.s.agentId, enable_duplicate_check: 1, duplicate_check_interval: this.deps.duplicateCheckSeconds }
    const t = this.deps.core.t.platforms
    const card = buttonCard(d, t)
    if (card) {
      try {
        return await this.post({ ...base, msgtype: 'template_card', template_card: card })
      } catch (error) {
        // A card WeCom refuses as malformed must not lose the message: the text says it all.
        if (!(error instanceof PermanentSendError) || !/errcode 40058\b/.test(error.message)) throw error
        this.deps.log.warn({ key: d.key }, 'WeCom refused a template card; sending it as text')
      }
    }
    // WeCom takes 2048 bytes of text: longer text is cut, the card's commands kept as lines to send.
    return this.post({ ...base, msgtype: 'text', text: { content: cardAsText(d, 2048, t) } })
  }

  private async post(body: { touser: string } & Record<string, unknown>): Promise<SendResult> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token.get()
      const reply: WecomReply = await this.deps.http.post(`${this.deps.apiBase}/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`, body)
      // 40014 invalid / 42001 expired token: fetch a new one and try once more.
      if ((reply.errcode === 40014 || reply.errcode === 42001) && attempt === 0) {
        this.token.invalidate(token)
        continue
      }
      if (reply.errcode !== 0) throw sendError('message/send', reply)
      const invalid = String(reply.invaliduser ?? '').split('|')
      if (invalid.includes(body.touser))
        throw new PermanentSendError("WeCom message/send: the userid is unknown or outside the app's visible range (invaliduser)")
      return typeof reply.msgid === 'string' ? { platformMessageId: reply.msgid } : {}
    }
  }

  /**
   * The userid of a member by mobile (POST /cgi-bin/user/getuserid), or null when WeCom knows no
   * member the app may see with it (46004 no such member, 60011/60111 out of the app's range).
   */
  async userIdOfMobile(mobile: string): Promise<string | null> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token.get()
      const reply: WecomReply = await this.deps.http.post(`${this.deps.apiBase}/cgi-bin/user/getuserid?access_token=${encodeURIComponent(token)}`, { mobile })
      if ((reply.errcode === 40014 || reply.errcode === 42001) && attempt === 0) {
        this.token.invalidate(token)
        continue
      }
      if (reply.errcode === 46004 || reply.errcode === 60011 || reply.errcode === 60111) return null
      if (reply.errcode !== 0) throw sendError('user/getuserid', reply)
      return typeof reply.userid === 'string' && reply.userid ? reply.userid : null
    }
  }
}
