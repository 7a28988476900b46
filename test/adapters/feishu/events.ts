import crypto from 'node:crypto'

/**
 * Feishu events as the platform sends them, built from its documented scheme with node:crypto
 * alone (not the adapter's helpers): schema 2.0 envelopes, `{"encrypt": base64(IV16 ‖
 * AES-256-CBC(json))}` with key sha256(Encrypt Key) and PKCS7, and the signature header
 * hex sha256(timestamp + nonce + Encrypt Key + raw body).
 */
export interface Keys {
  encryptKey: string
  verificationToken: string
  appId: string
}

export function encrypt(plain: string, encryptKey: string): string {
  const key = crypto.createHash('sha256').update(encryptKey).digest()
  const iv = crypto.randomBytes(16)
  const cipher = crypto.createCipheriv('aes-256-cbc', key, iv)
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64')
}

export function signature(timestamp: string, nonce: string, encryptKey: string, body: string): string {
  return crypto
    .createHash('sha256')
    .update(timestamp + nonce + encryptKey + body)
    .digest('hex')
}

export interface SignedRequest {
  headers: Record<string, string>
  payload: string
}

/** A POST as Feishu makes it: the body encrypted (unless `plain`), signed (unless `unsigned`). */
export function request(event: object, keys: Keys, o: { plain?: boolean; unsigned?: boolean; timestamp?: number; forge?: boolean } = {}): SignedRequest {
  const payload = o.plain ? JSON.stringify(event) : JSON.stringify({ encrypt: encrypt(JSON.stringify(event), keys.encryptKey) })
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
  if (!o.unsigned) {
    const timestamp = String(Math.floor((o.timestamp ?? Date.now()) / 1000))
    const nonce = crypto.randomBytes(8).toString('hex')
    headers['x-lark-request-timestamp'] = timestamp
    headers['x-lark-request-nonce'] = nonce
    headers['x-lark-signature'] = signature(timestamp, nonce, o.forge ? 'not-the-key' : keys.encryptKey, payload)
  }
  return { headers, payload }
}

let seq = 0
const id = (prefix: string) => `${prefix}${Date.now().toString(36)}${(++seq).toString().padStart(4, '0')}${crypto.randomBytes(4).toString('hex')}`

function envelope(eventType: string, event: object, keys: Keys, eventId = id('ev_')) {
  return {
    schema: '2.0',
    header: {
      event_id: eventId,
      event_type: eventType,
      create_time: String(Date.now()),
      token: keys.verificationToken,
      app_id: keys.appId,
      tenant_key: 'tenant-1',
    },
    event,
  }
}

export interface Person {
  open_id: string
  union_id?: string
  user_id?: string
}

export interface Mention {
  key: string
  id: Person
  name: string
}

/** `im.message.receive_v1`. */
export function messageEvent(
  keys: Keys,
  o: {
    from: Person
    chatId: string
    chatType: 'p2p' | 'group'
    text?: string
    post?: object
    /** Another message type (image, file…) with its content object. */
    other?: { type: string; content: object }
    mentions?: Mention[]
    eventId?: string
    messageId?: string
    senderType?: string
    threadId?: string
    /** A reply (引用回复) to this message. */
    parentId?: string
  },
) {
  const content = o.other ? JSON.stringify(o.other.content) : o.post ? JSON.stringify(o.post) : JSON.stringify({ text: o.text ?? '' })
  const messageId = o.messageId ?? id('om_in_')
  return envelope(
    'im.message.receive_v1',
    {
      sender: { sender_id: o.from, sender_type: o.senderType ?? 'user', tenant_key: 'tenant-1' },
      message: {
        message_id: messageId,
        create_time: String(Date.now()),
        chat_id: o.chatId,
        chat_type: o.chatType,
        ...(o.threadId ? { thread_id: o.threadId, root_id: o.messageId ?? messageId } : {}),
        ...(o.parentId ? { parent_id: o.parentId, root_id: o.parentId } : {}),
        message_type: o.other ? o.other.type : o.post ? 'post' : 'text',
        content,
        ...(o.mentions ? { mentions: o.mentions.map((m) => ({ ...m, tenant_key: 'tenant-1' })) } : {}),
      },
    },
    keys,
    o.eventId,
  )
}

/** `card.action.trigger`: a button press on a card the bot sent. */
export function cardActionEvent(keys: Keys, o: { operator: Person; value: unknown; messageId: string; chatId: string; eventId?: string }) {
  return envelope(
    'card.action.trigger',
    {
      operator: { tenant_key: 'tenant-1', ...o.operator },
      token: `c-${crypto.randomBytes(8).toString('hex')}`,
      action: { value: o.value, tag: 'button' },
      host: 'im_message',
      context: { open_message_id: o.messageId, open_chat_id: o.chatId },
    },
    keys,
    o.eventId,
  )
}

/** `im.chat.member.bot.added_v1`. */
export function botAddedEvent(keys: Keys, o: { chatId: string; name: string; operator: Person }) {
  return envelope(
    'im.chat.member.bot.added_v1',
    { chat_id: o.chatId, operator_id: o.operator, external: false, operator_tenant_key: 'tenant-1', name: o.name },
    keys,
  )
}

/** The URL check Feishu makes when the request URL is saved. */
export function urlVerification(keys: Keys, challenge: string, token = keys.verificationToken) {
  return { challenge, token, type: 'url_verification' }
}

/** `application.bot.menu_v6`: a press on the bot's custom menu. */
export function botMenuEvent(keys: Keys, o: { operator: Person; eventKey: string; name?: string }) {
  return envelope(
    'application.bot.menu_v6',
    { operator: { operator_name: o.name ?? '', operator_id: o.operator }, event_key: o.eventKey, timestamp: Math.floor(Date.now() / 1000) },
    keys,
  )
}

/** `im.chat.member.bot.deleted_v1` (the bot removed) or `im.chat.disbanded_v1` (the chat disbanded). */
export function chatGoneEvent(keys: Keys, o: { kind: 'removed' | 'disbanded'; chatId: string; operator: Person; name?: string }) {
  const type = o.kind === 'removed' ? 'im.chat.member.bot.deleted_v1' : 'im.chat.disbanded_v1'
  return envelope(
    type,
    { chat_id: o.chatId, operator_id: o.operator, external: false, operator_tenant_key: 'tenant-1', ...(o.name ? { name: o.name } : {}) },
    keys,
  )
}

/** `contact.user.deleted_v3`: a person removed from the tenant. */
export function userDeletedEvent(keys: Keys, o: { person: Person; name: string }) {
  return envelope('contact.user.deleted_v3', { object: { ...o.person, name: o.name, leader_user_id: '', department_ids: ['od-1'] } }, keys)
}

/** `im.message.recalled_v1`. */
export function messageRecalledEvent(keys: Keys, o: { messageId: string; chatId: string }) {
  return envelope('im.message.recalled_v1', { message_id: o.messageId, chat_id: o.chatId, recall_time: String(Date.now()), recall_type: 'message_owner' }, keys)
}
