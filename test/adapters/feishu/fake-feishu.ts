import crypto from 'node:crypto'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { decodeFrame, encodeFrame, headerOf, type Frame } from './frames.js'
import { serveResources, type Resource } from './fake-resources.js'
import { ServerSocket } from './websocket.js'

/** A message Feishu showed to people: one per uuid. */
export interface ShownMessage {
  message_id: string
  receive_id_type: string
  receive_id: string
  msg_type: string
  /** The parsed `content`. */
  content: { text?: string; header?: { title?: { content?: string }; template?: string }; elements?: Record<string, unknown>[] } & Record<string, unknown>
  uuid?: string
  at: number
  /** For replies (im.message.reply): the message replied to. */
  replyTo?: string
  /** For replies: whether it went into the replied message's thread (reply_in_thread). */
  inThread?: boolean
}

export interface ApiCall {
  method: string
  path: string
  status: number
  code: number
  at: number
  receiveId?: string
  uuid?: string
}

/**
 * A local fake of the Feishu open platform (fastify on 127.0.0.1, port 0), close to the real one
 * where the adapter depends on it: tenant tokens from app id + secret that expire; the bearer
 * token checked on every API call (99991663 when invalid); messages shown once per uuid; Feishu's
 * limits (5 a second to one chat or user, 50 a second and 1000 a minute per app → HTTP 400 code
 * 230020; see `limits`); a bot that
 * is not in a chat (230002); card patches; GET /open-apis/bot/v3/info; and the long connection
 * (POST /callback/ws/endpoint, then protobuf frames over a WebSocket).
 */
export class FakeFeishu {
  readonly app = Fastify()
  url = ''
  readonly botOpenId = 'ou_bot_gongyou_0000000000000000'
  readonly botName = '工友'
  /** Seconds a tenant token lives. */
  tokenExpireSeconds = 7200
  readonly tokens = new Map<string, { expiresAt: number; revoked: boolean }>()
  tokensIssued = 0
  readonly calls: ApiCall[] = []
  readonly messages: ShownMessage[] = []
  readonly patches: { message_id: string; content: ShownMessage['content']; at: number }[] = []
  /** Chats the bot is not (or no longer) a member of. */
  readonly chatsWithoutBot = new Set<string>()
  /** receive_id → how many more message creates answer 230020 regardless of rate. */
  readonly throttleNext = new Map<string, number>()
  /** How long each message API call takes. */
  delayMs = 0
  /** Accepted messages allowed per `windowMs` to one chat or user and for the app, and per minute for the app (Infinity: no such rule). */
  readonly limits = { perTarget: 5, perApp: 50, perMinute: 1000, windowMs: 1000 }
  /** Feishu's size limits on a message's content (bytes of the `content` string): a card 30 KB, a text 150 KB; beyond them 230025. */
  readonly contentLimits = { interactive: 30 * 1024, text: 150 * 1024 }
  private seq = 0
  /** Messages people sent (tests tell the fake, as Feishu knows every message in a chat): id → chat, and whether recalled. */
  readonly peopleMessages = new Map<string, { chat_id: string; recalled?: boolean }>()
  /** The tenant's directory: mainland mobile → the person's ids (empty unless a test adds people). */
  readonly directory = new Map<string, { open_id: string; union_id?: string; user_id?: string }>()
  /** Whether the app was granted contact:user.id:readonly. */
  directoryPermission = true
  readonly directoryCalls: { mobiles: string[]; userIdType: string }[] = []
  /** Photos and files people sent: message_id → file_key → the resource (see fake-resources.ts). */
  readonly resources = new Map<string, Map<string, Resource>>()
  readonly resourceDownloads: { message_id: string; file_key: string; type: string }[] = []

  // Long connection
  readonly sockets = new Set<ServerSocket>()
  wsConnects = 0
  /** While true, the endpoint answers "internal error" (the SDK retries). */
  refuseWs = false
  readonly wsReceived: Frame[] = []
  private readonly pending = new Map<string, (f: Frame) => void>()

  constructor(
    readonly appId: string,
    readonly appSecret: string,
  ) {
    const app = this.app
    serveResources(this)

    app.post('/open-apis/auth/v3/tenant_access_token/internal', async (req) => {
      const body = (req.body ?? {}) as { app_id?: string; app_secret?: string }
      if (body.app_id !== this.appId || body.app_secret !== this.appSecret) return { code: 10014, msg: 'app secret invalid' }
      const token = `t-${crypto.randomBytes(12).toString('hex')}`
      this.tokens.set(token, { expiresAt: Date.now() + this.tokenExpireSeconds * 1000, revoked: false })
      this.tokensIssued++
      return { code: 0, msg: 'ok', tenant_access_token: token, expire: this.tokenExpireSeconds }
    })

    // Contact: mobiles → ids (POST /open-apis/contact/v3/users/batch_get_id), as documented: at most
    // 50 mobiles, needs the permission contact:user.id:readonly (99991672 without it); a mobile the
    // directory does not know comes back without user_id. Non-mainland numbers carry +country code.
    app.post('/open-apis/contact/v3/users/batch_get_id', async (req, reply) => {
      if (!this.authorised(req, reply, 'POST')) return reply
      const q = req.query as { user_id_type?: string }
      const body = (req.body ?? {}) as { mobiles?: unknown; emails?: unknown }
      this.directoryCalls.push({ mobiles: Array.isArray(body.mobiles) ? (body.mobiles as string[]) : [], userIdType: q.user_id_type ?? 'open_id' })
      if (!this.directoryPermission)
        return reply.code(400).send({ code: 99991672, msg: 'Access denied. One of the following scopes is required: [contact:user.id:readonly]' })
      const mobiles = body.mobiles
      if (mobiles !== undefined && (!Array.isArray(mobiles) || mobiles.some((m) => typeof m !== 'string')))
        return reply.code(400).send({ code: 99992402, msg: 'field validation failed' })
      if (Array.isArray(mobiles) && mobiles.length > 50) return reply.code(400).send({ code: 99992402, msg: 'field validation failed: mobiles max 50' })
      if (q.user_id_type && !['open_id', 'union_id', 'user_id'].includes(q.user_id_type))
        return reply.code(400).send({ code: 99992402, msg: 'invalid user_id_type' })
      const user_list = ((mobiles as string[] | undefined) ?? []).map((mobile) => {
        const person = this.directory.get(mobile.replace(/^\+86/, ''))
        const id = person && (q.user_id_type === 'union_id' ? person.union_id : q.user_id_type === 'user_id' ? person.user_id : person.open_id)
        return id
          ? { user_id: id, mobile, status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false } }
          : { mobile }
      })
      return { code: 0, msg: 'success', data: { user_list } }
    })

    app.get('/open-apis/bot/v3/info', async (req, reply) => {
      if (!this.authorised(req, reply, 'GET')) return reply
      return { code: 0, msg: 'ok', bot: { activate_status: 2, app_name: this.botName, avatar_url: '', ip_white_list: [], open_id: this.botOpenId } }
    })

    app.post('/open-apis/im/v1/messages', async (req, reply) => {
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs))
      const q = req.query as { receive_id_type?: string }
      const body = (req.body ?? {}) as { receive_id?: string; msg_type?: string; content?: string; uuid?: string }
      if (!this.authorised(req, reply, 'POST', body)) return reply
      return this.create(req, reply, { receive_id_type: q.receive_id_type ?? '', ...body })
    })

    app.post('/open-apis/im/v1/messages/:message_id/reply', async (req, reply) => {
      const body = (req.body ?? {}) as { msg_type?: string; content?: string; uuid?: string; reply_in_thread?: unknown }
      if (!this.authorised(req, reply, 'POST', body)) return reply
      if (body.reply_in_thread !== undefined && typeof body.reply_in_thread !== 'boolean')
        return this.refuse(req, reply, 400, 99992402, 'field validation failed: reply_in_thread', body)
      const id = (req.params as { message_id: string }).message_id
      const parent = this.messages.find((m) => m.message_id === id)
      const person = this.peopleMessages.get(id)
      if (!parent && (!person || person.recalled)) return this.refuse(req, reply, 400, 230011, 'The message was withdrawn.', body)
      const { reply_in_thread, ...rest } = body
      const where = parent
        ? { receive_id_type: parent.receive_id_type, receive_id: parent.receive_id }
        : { receive_id_type: 'chat_id', receive_id: person!.chat_id }
      return this.create(req, reply, { ...where, ...rest, inThread: reply_in_thread === true }, id)
    })

    app.patch('/open-apis/im/v1/messages/:message_id', async (req, reply) => {
      const body = (req.body ?? {}) as { content?: string }
      if (!this.authorised(req, reply, 'PATCH', body)) return reply
      const id = (req.params as { message_id: string }).message_id
      const original = this.messages.find((m) => m.message_id === id)
      if (original?.msg_type !== 'interactive') return this.refuse(req, reply, 400, 230001, 'not a card message', body)
      let content: ShownMessage['content']
      try {
        content = JSON.parse(body.content ?? '')
      } catch {
        return this.refuse(req, reply, 400, 230001, 'content is not JSON', body)
      }
      // Only a shared card may be updated: update_multi before and after.
      const shared = (c: ShownMessage['content']) => (c.config as { update_multi?: boolean } | undefined)?.update_multi === true
      if (!shared(original.content) || !shared(content)) return this.refuse(req, reply, 400, 230099, 'card is not shared (update_multi)', body)
      this.patches.push({ message_id: id, content, at: Date.now() })
      this.log(req, 200, 0, body)
      return { code: 0, msg: 'success', data: {} }
    })

    // Long connection: endpoint discovery, then the WebSocket.
    app.post('/callback/ws/endpoint', async (req) => {
      const body = (req.body ?? {}) as { AppID?: string; AppSecret?: string }
      if (body.AppID !== this.appId || body.AppSecret !== this.appSecret) return { code: 403, msg: 'forbidden', data: {} }
      if (this.refuseWs) return { code: 1000040343, msg: 'internal error', data: {} }
      const port = new URL(this.url).port
      return {
        code: 0,
        msg: 'ok',
        data: {
          URL: `ws://127.0.0.1:${port}/ws?fpid=1&device_id=dev-1&access_key=k&service_id=77&ticket=x`,
          ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 0.2, ReconnectNonce: 0 },
        },
      }
    })
    app.server.on('upgrade', (req, socket) => {
      if (!req.url?.startsWith('/ws?') || this.refuseWs) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
        return
      }
      const ws: ServerSocket | null = ServerSocket.accept(
        req,
        socket,
        (data) => this.onFrame(ws!, data),
        () => this.sockets.delete(ws!),
      )
      if (ws) {
        this.sockets.add(ws)
        this.wsConnects++
      }
    })
  }

  authorised(req: FastifyRequest, reply: FastifyReply, method: string, body?: { receive_id?: string; uuid?: string; content?: string }): boolean {
    const auth = req.headers.authorization ?? ''
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : ''
    const known = this.tokens.get(token)
    if (!known || known.revoked || known.expiresAt <= Date.now()) {
      this.refuse(req, reply, 400, 99991663, 'Invalid access token for authorization. Please make a request with token attached.', body)
      return false
    }
    void method
    return true
  }

  private log(req: FastifyRequest, status: number, code: number, body?: { receive_id?: string; uuid?: string; content?: string }): void {
    this.calls.push({
      method: req.method,
      path: req.url.split('?')[0]!,
      status,
      code,
      at: Date.now(),
      ...(body?.receive_id ? { receiveId: body.receive_id } : {}),
      ...(body?.uuid ? { uuid: body.uuid } : {}),
    })
  }

  refuse(req: FastifyRequest, reply: FastifyReply, status: number, code: number, msg: string, body?: { receive_id?: string; uuid?: string; content?: string }) {
    this.log(req, status, code, body)
    return reply.code(status).send({ code, msg })
  }

  private create(
    req: FastifyRequest,
    reply: FastifyReply,
    b: { receive_id_type: string; receive_id?: string; msg_type?: string; content?: string; uuid?: string; inThread?: boolean },
    replyTo?: string,
  ) {
    if (!['chat_id', 'open_id', 'user_id', 'union_id', 'email'].includes(b.receive_id_type))
      return this.refuse(req, reply, 400, 99992402, 'field validation failed: receive_id_type', b)
    if (!b.receive_id || !b.msg_type || typeof b.content !== 'string') return this.refuse(req, reply, 400, 99992402, 'field validation failed', b)
    if (b.uuid !== undefined && (b.uuid.length === 0 || b.uuid.length > 50)) return this.refuse(req, reply, 400, 99992402, 'uuid longer than 50', b)
    let content: ShownMessage['content']
    try {
      content = JSON.parse(b.content)
    } catch {
      return this.refuse(req, reply, 400, 230001, 'content is not valid JSON', b)
    }
    const limit = this.contentLimits[b.msg_type as keyof FakeFeishu['contentLimits']]
    if (limit !== undefined && Buffer.byteLength(b.content, 'utf8') > limit)
      return this.refuse(req, reply, 400, 230025, 'The length of the message content reaches its limit.', b)
    if (b.uuid) {
      // One message per uuid: a retry answers with the message already shown.
      const seen = this.messages.find((m) => m.uuid === b.uuid)
      if (seen) {
        this.log(req, 200, 0, b)
        return { code: 0, msg: 'success', data: { message_id: seen.message_id, chat_id: seen.receive_id } }
      }
    }
    const now = Date.now()
    const accepted = this.calls.filter((c) => c.status === 200 && c.path.startsWith('/open-apis/im/v1/messages') && c.method === 'POST')
    const inWindow = accepted.filter((c) => c.at > now - this.limits.windowMs)
    const forced = this.throttleNext.get(b.receive_id) ?? 0
    if (forced > 0) this.throttleNext.set(b.receive_id, forced - 1)
    if (
      forced > 0 ||
      inWindow.filter((c) => c.receiveId === b.receive_id).length >= this.limits.perTarget ||
      inWindow.length >= this.limits.perApp ||
      accepted.filter((c) => c.at > now - 60_000).length >= this.limits.perMinute
    ) {
      return this.refuse(req, reply, 400, 230020, 'This operation triggers the frequency limit.', b)
    }
    if (b.receive_id_type === 'chat_id' && this.chatsWithoutBot.has(b.receive_id))
      return this.refuse(req, reply, 400, 230002, 'Bot/User can NOT be out of the chat.', b)
    const message: ShownMessage = {
      message_id: `om_${(++this.seq).toString().padStart(6, '0')}${crypto.randomBytes(8).toString('hex')}`,
      receive_id_type: b.receive_id_type,
      receive_id: b.receive_id,
      msg_type: b.msg_type,
      content,
      ...(b.uuid ? { uuid: b.uuid } : {}),
      at: now,
      ...(replyTo ? { replyTo, inThread: b.inThread === true } : {}),
    }
    this.messages.push(message)
    this.log(req, 200, 0, b)
    return { code: 0, msg: 'success', data: { message_id: message.message_id, chat_id: b.receive_id, msg_type: b.msg_type } }
  }

  // ---------------------------------------------------------------------------------------------
  // Long connection

  private onFrame(ws: ServerSocket, data: Buffer): void {
    const frame = decodeFrame(data)
    this.wsReceived.push(frame)
    const type = headerOf(frame, 'type')
    if (frame.method === 0 && type === 'ping') {
      const pong = JSON.stringify({ PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 0.2, ReconnectNonce: 0 })
      ws.send(encodeFrame({ SeqID: 0, LogID: 0, service: frame.service, method: 0, headers: [{ key: 'type', value: 'pong' }], payload: Buffer.from(pong) }))
      return
    }
    if (frame.method === 1) {
      const id = headerOf(frame, 'message_id')
      const resolve = id ? this.pending.get(id) : undefined
      if (id && resolve) {
        this.pending.delete(id)
        resolve(frame)
      }
    }
  }

  /** True when a client is connected. */
  get wsConnected(): boolean {
    return [...this.sockets].some((s) => !s.closed)
  }

  /**
   * Pushes an event (the plain JSON Feishu would send) to the connected client as a data frame and
   * resolves with the client's answer: `code` (200 or 500) and its `data` (the handler's result).
   */
  async pushEvent(event: object, timeoutMs = 10_000): Promise<{ code: number; data?: unknown }> {
    const ws = [...this.sockets].find((s) => !s.closed)
    if (!ws) throw new Error('no long connection to push to')
    const id = `msg_${crypto.randomBytes(6).toString('hex')}`
    const answer = new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`no answer to ${id} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, (f) => {
        clearTimeout(timer)
        resolve(f)
      })
    })
    ws.send(
      encodeFrame({
        SeqID: 0,
        LogID: 0,
        service: 77,
        method: 1,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: id },
          { key: 'sum', value: '1' },
          { key: 'seq', value: '0' },
          { key: 'trace_id', value: `trace-${id}` },
        ],
        payload: Buffer.from(JSON.stringify(event)),
      }),
    )
    const frame = await answer
    const body = JSON.parse(frame.payload?.toString('utf8') ?? '{}') as { code: number; data?: string }
    return { code: body.code, ...(body.data ? { data: JSON.parse(Buffer.from(body.data, 'base64').toString('utf8')) } : {}) }
  }

  /** Cuts every long connection, as a network failure would. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy()
  }

  // ---------------------------------------------------------------------------------------------
  // Test controls and views

  /** Feishu stops accepting every token issued so far (e.g. the app secret was reset): the next call with one gets 99991663. */
  revokeTokens(): void {
    for (const t of this.tokens.values()) t.revoked = true
  }

  async start(): Promise<this> {
    this.url = await this.app.listen({ host: '127.0.0.1', port: 0 })
    return this
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await this.app.close()
  }

  /** Messages shown to a chat or user, in order. */
  shownTo(receiveId: string): ShownMessage[] {
    return this.messages.filter((m) => m.receive_id === receiveId)
  }

  /** Answers with a business code, optionally only for one receive_id. */
  answered(code: number, receiveId?: string): ApiCall[] {
    return this.calls.filter((c) => c.code === code && (receiveId === undefined || c.receiveId === receiveId))
  }

  /** Whether the app's window holds no accepted message any more (so a sender starting afresh cannot exceed it). */
  windowClear(now = Date.now()): boolean {
    return !this.calls.some(
      (c) => c.status === 200 && c.method === 'POST' && c.path.startsWith('/open-apis/im/v1/messages') && c.at > now - this.limits.windowMs,
    )
  }

  /** The largest number of messages accepted in any window to one target, and for the app. */
  peakPerWindow(windowMs = this.limits.windowMs): { perTarget: number; perApp: number } {
    const ok = this.calls.filter((c) => c.status === 200 && c.method === 'POST' && c.path.startsWith('/open-apis/im/v1/messages'))
    let perTarget = 0
    let perApp = 0
    for (const r of ok) {
      const inWindow = ok.filter((x) => x.at >= r.at && x.at < r.at + windowMs)
      perApp = Math.max(perApp, inWindow.length)
      perTarget = Math.max(perTarget, inWindow.filter((x) => x.receiveId === r.receiveId).length)
    }
    return { perTarget, perApp }
  }
}

/** The text of a shown message: a text message's text, or a card's title and body. */
export function textOf(m: ShownMessage): string {
  if (m.msg_type === 'text') return m.content.text ?? ''
  if (m.msg_type === 'interactive') {
    const parts = [m.content.header?.title?.content ?? '']
    for (const e of m.content.elements ?? []) {
      const text = (e as { text?: { content?: string } }).text?.content
      if (text) parts.push(text)
    }
    return parts.join('\n')
  }
  return JSON.stringify(m.content)
}

/** A card's buttons as shown: label, value, disabled. */
export function buttonsOf(
  content: ShownMessage['content'],
): { label: string; value: { command: string; to?: string; k?: string }; disabled?: boolean; type?: string }[] {
  const out: { label: string; value: { command: string; to?: string; k?: string }; disabled?: boolean; type?: string }[] = []
  for (const e of content.elements ?? []) {
    if ((e as { tag?: string }).tag !== 'action') continue
    for (const a of (e as { actions: { text: { content: string }; value: { command: string }; disabled?: boolean; type?: string }[] }).actions) {
      out.push({ label: a.text.content, value: a.value, ...(a.disabled !== undefined ? { disabled: a.disabled } : {}), ...(a.type ? { type: a.type } : {}) })
    }
  }
  return out
}
