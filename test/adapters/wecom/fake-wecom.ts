import crypto from 'node:crypto'
import { decrypt, getSignature } from '@wecom/crypto'
import Fastify from 'fastify'
import { WebSocketServer, type WebSocket } from 'ws'

// biome-ignore lint/suspicious/noExplicitAny: the fake reads whatever JSON a client sends, as WeCom does
type Json = Record<string, any>

/**
 * A local fake of WeCom's API (fastify on 127.0.0.1), strict where the adapter could go wrong:
 * gettoken checks the CorpID and Secret; message/send checks the access token (and can expire
 * them, or throttle); robot webhooks refuse unknown keys and refuse the 21st message in any
 * window of `robotWindowMs` (errcode 45009, like WeCom's 20 a minute); response_urls work once.
 */
export class FakeWecom {
  readonly app = Fastify()
  url = ''
  tokenFetches = 0
  /** Every message/send that reached the fake, accepted (errcode 0) or not. */
  readonly sends: { body: Json; at: number; errcode: number }[] = []
  /** Every robot webhook call. */
  readonly robotCalls: { key: string; body: Json; at: number; errcode: number }[] = []
  /** Every call to a bot response_url. */
  readonly responses: { code: string; body: Json; at: number; errcode: number }[] = []
  readonly robotKeys = new Set<string>()
  robotWindowMs = 60_000
  /** message/send answers 45009 this many more times. */
  throttleSends = 0
  /** The corp's members the app may see: mainland mobile → userid. */
  readonly members = new Map<string, string>()
  readonly getUserIdCalls: { mobile: string }[] = []
  /** Media the app may fetch (media/get): media_id → the file, as WeCom keeps it for 3 days after the message. */
  readonly media = new Map<string, { bytes: Buffer; mime: string; name: string }>()
  readonly mediaGets: { mediaId: string; errcode: number }[] = []
  /** What the intelligent bot's download URLs (/aibot/media/:id) answer: ciphertext (see encryptBotFile). */
  readonly botFiles = new Map<string, Buffer>()
  private readonly valid = new Set<string>()
  private readonly expired = new Set<string>()
  private readonly responseCodes = new Map<string, 'fresh' | 'used'>()

  constructor(readonly o: { corpId: string; secret: string; agentId: number }) {
    this.app.get('/cgi-bin/gettoken', async (req) => {
      const q = req.query as { corpid?: string; corpsecret?: string }
      if (q.corpid !== o.corpId) return { errcode: 40013, errmsg: 'invalid corpid' }
      if (q.corpsecret !== o.secret) return { errcode: 40001, errmsg: 'invalid credential' }
      this.tokenFetches++
      const token = `tok-${this.tokenFetches}-${crypto.randomBytes(4).toString('hex')}`
      this.valid.add(token)
      return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 }
    })

    this.app.post('/cgi-bin/message/send', async (req) => {
      const token = (req.query as { access_token?: string }).access_token ?? ''
      const body = req.body as Json
      const answer = (errcode: number, extra: Json = {}) => {
        this.sends.push({ body, at: Date.now(), errcode })
        return { errcode, errmsg: errcode === 0 ? 'ok' : 'refused', ...extra }
      }
      if (this.expired.has(token)) return answer(42001)
      if (!this.valid.has(token)) return answer(40014)
      if (body.agentid !== o.agentId || typeof body.touser !== 'string') return answer(40058)
      if (body.msgtype === 'text' && !(typeof body.text?.content === 'string' && Buffer.byteLength(body.text.content) <= 2048)) return answer(40058)
      if (body.msgtype === 'template_card' && !validButtonCard(body.template_card)) return answer(40058)
      if (body.msgtype !== 'text' && body.msgtype !== 'template_card') return answer(40008)
      if (this.throttleSends > 0) {
        this.throttleSends--
        return answer(45009)
      }
      return answer(0, { invaliduser: '', msgid: `msg-${this.sends.length}`, ...(body.msgtype === 'template_card' ? { response_code: 'rc' } : {}) })
    })

    // media/get, as documented: the token checked (42001 expired, 40014 invalid), 40007 for an unknown
    // media_id, JSON for every error; the bytes with their Content-Type and a Content-Disposition name.
    this.app.get('/cgi-bin/media/get', async (req, reply) => {
      const q = req.query as { access_token?: string; media_id?: string }
      const fail = (errcode: number, errmsg: string) => (this.mediaGets.push({ mediaId: q.media_id ?? '', errcode }), { errcode, errmsg })
      if (this.expired.has(q.access_token ?? '')) return fail(42001, 'access_token expired')
      if (!this.valid.has(q.access_token ?? '')) return fail(40014, 'invalid access_token')
      const m = this.media.get(q.media_id ?? '')
      if (!m) return fail(40007, 'invalid media_id')
      this.mediaGets.push({ mediaId: q.media_id!, errcode: 0 })
      return reply
        .header('content-type', m.mime)
        .header('content-disposition', `attachment; filename="${encodeURIComponent(m.name)}"; filename*=UTF-8''${encodeURIComponent(m.name)}`)
        .send(m.bytes)
    })
    this.app.get('/aibot/media/:id', async (req, reply) => {
      const file = this.botFiles.get((req.params as { id: string }).id)
      if (!file) return reply.code(404).send('')
      return reply.header('content-type', 'application/octet-stream').send(file)
    })

    // Contact: one mobile → userid (POST /cgi-bin/user/getuserid), as documented: the access token
    // checked, mobile 5–32 bytes, 46004 for a mobile no member the app may see has. Too many misses
    // block the call for a day (60% here is not modelled; `getUserIdCalls` lets tests count them).
    this.app.post('/cgi-bin/user/getuserid', async (req) => {
      const token = (req.query as { access_token?: string }).access_token ?? ''
      const body = (req.body ?? {}) as Json
      this.getUserIdCalls.push({ mobile: String(body.mobile ?? '') })
      if (this.expired.has(token)) return { errcode: 42001, errmsg: 'access_token expired' }
      if (!this.valid.has(token)) return { errcode: 40014, errmsg: 'invalid access_token' }
      if (typeof body.mobile !== 'string' || Buffer.byteLength(body.mobile) < 5 || Buffer.byteLength(body.mobile) > 32)
        return { errcode: 40003, errmsg: 'invalid mobile' }
      const userid = this.members.get(body.mobile.replace(/^\+86/, ''))
      return userid ? { errcode: 0, errmsg: 'ok', userid } : { errcode: 46004, errmsg: 'user no exist' }
    })

    this.app.post('/cgi-bin/webhook/send', async (req) => {
      const key = (req.query as { key?: string }).key ?? ''
      const body = req.body as Json
      const now = Date.now()
      const answer = (errcode: number) => {
        this.robotCalls.push({ key, body, at: now, errcode })
        return { errcode, errmsg: errcode === 0 ? 'ok' : errcode === 45009 ? 'api freq out of limit' : 'refused' }
      }
      if (!this.robotKeys.has(key)) return answer(93000)
      const recent = this.robotCalls.filter((c) => c.key === key && c.errcode === 0 && c.at > now - this.robotWindowMs)
      if (recent.length >= 20) return answer(45009)
      if (body.msgtype === 'text' && Buffer.byteLength(String(body.text?.content ?? '')) > 2048) return answer(40058)
      if (body.msgtype === 'markdown' && Buffer.byteLength(String(body.markdown?.content ?? '')) > 4096) return answer(40058)
      if (body.msgtype !== 'text' && body.msgtype !== 'markdown') return answer(40008)
      return answer(0)
    })

    this.app.post('/cgi-bin/aibot/response', async (req) => {
      const code = (req.query as { response_code?: string }).response_code ?? ''
      const state = this.responseCodes.get(code)
      const errcode = state === 'fresh' ? 0 : 40058
      if (state === 'fresh') this.responseCodes.set(code, 'used')
      this.responses.push({ code, body: req.body as Json, at: Date.now(), errcode })
      return { errcode, errmsg: errcode === 0 ? 'ok' : 'invalid response_code' }
    })
  }

  async start(): Promise<this> {
    this.url = await this.app.listen({ host: '127.0.0.1', port: 0 })
    return this
  }

  async stop(): Promise<void> {
    await this.app.close()
  }

  /** Every token issued so far now answers 42001 (expired). */
  expireTokens(): void {
    for (const t of this.valid) this.expired.add(t)
    this.valid.clear()
  }

  /** A response_url for one bot callback, usable once. */
  responseUrl(): { url: string; code: string } {
    const code = crypto.randomBytes(8).toString('hex')
    this.responseCodes.set(code, 'fresh')
    return { url: `${this.url}/cgi-bin/aibot/response?response_code=${code}`, code }
  }

  /** Accepted message/send bodies to one userid. */
  sentTo(userid: string): Json[] {
    return this.sends.filter((s) => s.errcode === 0 && s.body.touser === userid).map((s) => s.body)
  }

  /** The largest number of accepted robot messages for one key within any window. */
  peakRobotWindow(key: string, windowMs = this.robotWindowMs): number {
    const ok = this.robotCalls.filter((c) => c.key === key && c.errcode === 0)
    return Math.max(0, ...ok.map((c) => ok.filter((x) => x.at >= c.at && x.at < c.at + windowMs).length))
  }
}

/** The text a message/send body shows: its text, or its card's title and text and buttons. */
/** A button_interaction card within WeCom's documented limits: sub_title_text ≤ 500 characters, 1–6 buttons, each key ≤ 1024 bytes. */
function validButtonCard(card: Json): boolean {
  if (!card?.task_id || !Array.isArray(card.button_list)) return false
  if (card.button_list.length < 1 || card.button_list.length > 6) return false
  if (typeof card.sub_title_text === 'string' && [...card.sub_title_text].length > 500) return false
  return card.button_list.every((b: Json) => typeof b.key === 'string' && Buffer.byteLength(b.key) <= 1024)
}

/** A card update (aibot_respond_update_msg's body, or the passive reply to a card event) as WeCom checks it; 0 when valid. */
export function checkCardUpdate(body: Json, taskId: string): number {
  if (body.response_type !== 'update_template_card') return 40008
  if (body.userids !== undefined && (!Array.isArray(body.userids) || body.userids.some((u: unknown) => typeof u !== 'string'))) return 40058
  const card = body.template_card ?? {}
  if (card.task_id !== taskId || !card.main_title?.title) return 40058
  if (card.card_type === 'button_interaction' && !validButtonCard(card)) return 40058
  return 0
}

/**
 * The intelligent bot's encrypted passive reply (the HTTP answer to a callback), opened as WeCom
 * does: JSON {encrypt, msgsignature, timestamp, nonce}, the signature over token, timestamp, nonce
 * and ciphertext, the ciphertext for ReceiveId "". Throws when any of it is wrong.
 */
export function openPassiveReply(raw: string, token: string, aes: string): Json {
  const r = JSON.parse(raw) as Json
  if (typeof r.encrypt !== 'string' || typeof r.nonce !== 'string' || typeof r.timestamp !== 'number') throw new Error('not a passive reply')
  if (r.msgsignature !== getSignature(token, r.timestamp, r.nonce, r.encrypt)) throw new Error('passive reply signature does not match')
  if (Math.abs(Date.now() / 1000 - r.timestamp) > 300) throw new Error('passive reply timestamp is stale')
  const { message, id } = decrypt(aes, r.encrypt)
  if (id !== '') throw new Error('passive reply not for ReceiveId ""')
  return JSON.parse(message) as Json
}

export function shown(body: Json): string {
  if (body.msgtype === 'text') return body.text.content
  if (body.msgtype === 'markdown') return body.markdown.content
  const card = body.template_card
  return [card.main_title?.title, card.sub_title_text, ...(card.button_list ?? []).map((b: Json) => `[${b.text}|${b.key}]`)].join('\n')
}

/**
 * A local fake of the intelligent bot's long-connection endpoint, speaking the frames the SDK
 * does: it answers aibot_subscribe (checking bot_id and secret) and ping, acknowledges
 * aibot_send_msg and records it, and can push aibot_msg_callback / aibot_event_callback frames.
 */
export class FakeBotSocket {
  private wss: WebSocketServer | null = null
  url = ''
  readonly received: Json[] = []
  private readonly sockets = new Set<WebSocket>()
  authenticated = 0
  /** template_card_event frames pushed, by req_id: their card (task_id), when, and whether answered by an update already. */
  private readonly cardEvents = new Map<string, { taskId: string; at: number; answered: boolean }>()
  /** Card updates WeCom took (aibot_respond_update_msg), in order, and those it refused with their errcode. */
  readonly cardUpdates: { taskId: string; userids: string[] | null; card: Json }[] = []
  readonly refusedUpdates: { errcode: number; body: Json }[] = []

  constructor(readonly o: { botId: string; secret: string }) {}

  async start(): Promise<this> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    this.wss = wss
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
    const address = wss.address() as { port: number }
    this.url = `ws://127.0.0.1:${address.port}`
    wss.on('connection', (socket) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Json
        this.received.push(frame)
        const reqId = frame.headers?.req_id
        if (frame.cmd === 'aibot_subscribe') {
          const ok = frame.body?.bot_id === this.o.botId && frame.body?.secret === this.o.secret
          socket.send(JSON.stringify({ headers: { req_id: reqId }, errcode: ok ? 0 : 40001, errmsg: ok ? 'ok' : 'invalid secret' }))
          if (ok) {
            this.authenticated++
            this.sockets.add(socket)
          }
        } else if (frame.cmd === 'aibot_respond_update_msg') {
          const errcode = this.checkUpdate(reqId, frame.body ?? {})
          if (errcode) this.refusedUpdates.push({ errcode, body: frame.body })
          socket.send(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg: errcode ? 'invalid update' : 'ok' }))
        } else if (frame.cmd === 'ping' || frame.cmd === 'aibot_send_msg' || frame.cmd === 'aibot_respond_msg') {
          socket.send(JSON.stringify({ headers: { req_id: reqId }, errcode: 0, errmsg: 'ok' }))
        }
      })
      socket.on('close', () => this.sockets.delete(socket))
    })
    return this
  }

  /**
   * An update as WeCom checks it: it answers a template_card_event pushed less than 5 s ago (its
   * req_id), once; response_type update_template_card; the card names that event's task_id and is
   * a valid card. Returns the errcode (0: taken).
   */
  private checkUpdate(reqId: string | undefined, body: Json): number {
    const event = reqId ? this.cardEvents.get(reqId) : undefined
    if (!event || event.answered || Date.now() - event.at > 5000) return 40008
    const errcode = checkCardUpdate(body, event.taskId)
    if (errcode) return errcode
    event.answered = true
    this.cardUpdates.push({ taskId: event.taskId, userids: Array.isArray(body.userids) ? body.userids : null, card: body.template_card })
    return 0
  }

  /** The card `taskId` as `userid` sees it now: the last update that reached them, else the card as sent. */
  cardSeenBy(taskId: string, userid: string): Json | undefined {
    const update = [...this.cardUpdates].reverse().find((u) => u.taskId === taskId && (u.userids === null || u.userids.includes(userid)))
    return update?.card ?? this.received.find((f) => f.cmd === 'aibot_send_msg' && f.body?.template_card?.task_id === taskId)?.body.template_card
  }

  /** Pushes a frame to every authenticated connection; returns how many got it. */
  push(frame: Json): number {
    const event = frame.body?.event
    if (frame.cmd === 'aibot_event_callback' && event?.eventtype === 'template_card_event' && event.template_card_event?.task_id)
      this.cardEvents.set(frame.headers?.req_id, { taskId: event.template_card_event.task_id, at: Date.now(), answered: false })
    for (const s of this.sockets) s.send(JSON.stringify(frame))
    return this.sockets.size
  }

  sendsTo(chatid: string): Json[] {
    return this.received.filter((f) => f.cmd === 'aibot_send_msg' && f.body?.chatid === chatid).map((f) => f.body)
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate()
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()))
  }
}

/** A file as the intelligent bot's URLs serve it: AES-256-CBC with `aesKey` (base64), IV its first 16 bytes, PKCS#7 padded to 32. */
export function encryptBotFile(plain: Buffer, aesKey: string): Buffer {
  const key = Buffer.from(aesKey, 'base64')
  const pad = 32 - (plain.length % 32)
  const cipher = crypto.createCipheriv('aes-256-cbc', key, key.subarray(0, 16))
  cipher.setAutoPadding(false)
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()])
}
