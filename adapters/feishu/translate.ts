import { z } from 'zod'
import { MAX_STORED_MENTIONS } from '../../src/core/limits.js'
import type { InboundMention, InboundMessage, SenderId } from '../../src/core/types.js'
import { feishuAttachments } from './media.js'

/** An event that can never be handled (missing fields, wrong shapes): answered 400, not retried by us. */
export class BadEventError extends Error {
  override name = 'BadEventError'
}

const userIds = z.object({ open_id: z.string().min(1), union_id: z.string().optional(), user_id: z.string().optional() })

/** `im.message.receive_v1` as the SDK's dispatcher hands it over (header and event merged). */
export const messageEvent = z.object({
  event_id: z.string().min(1).optional(),
  sender: z.object({ sender_id: userIds.partial().optional(), sender_type: z.string().optional() }),
  message: z.object({
    message_id: z.string().min(1),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    create_time: z.string().optional(),
    /** Set for a message in a topic (话题群, or a thread in a group): answers go into that thread. */
    thread_id: z.string().optional(),
    /** Set for a reply (引用回复): the message it replies to. */
    parent_id: z.string().max(200).optional(),
    mentions: z
      .array(
        z.object({
          key: z.string().min(1),
          name: z.string(),
          id: z.object({ open_id: z.string().optional(), union_id: z.string().optional(), user_id: z.string().optional() }).optional(),
        }),
      )
      .optional(),
  }),
})
export type MessageEvent = z.infer<typeof messageEvent>

/** A Feishu time (milliseconds since 1970, as a string) as an ISO time; undefined when it is not one. */
export function feishuTime(ms: string | undefined): string | undefined {
  const at = ms && /^\d{10,16}$/.test(ms) ? new Date(Number(ms)) : null
  return at && !Number.isNaN(at.getTime()) ? at.toISOString() : undefined
}

/** `card.action.trigger` (card callback, schema 2.0), header and event merged. */
export const cardActionEvent = z.object({
  event_id: z.string().min(1),
  /** When it was pressed (the header's). */
  create_time: z.string().optional(),
  operator: userIds,
  action: z.object({ value: z.unknown(), tag: z.string().optional() }),
  context: z.object({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() }).optional(),
})

/** What our buttons carry (see render.ts): the command, and where the card was sent. */
export const buttonValue = z.object({
  command: z.string().trim().min(1).max(2000),
  /** 'user' when the card went to a person privately, 'chat' when it went to a group. */
  to: z.enum(['user', 'chat']).optional(),
  /** The card's outbox key, sealed (see crypto.ts sealRef): to re-render a private card after the press. */
  k: z.string().max(1000).optional(),
})
export type ButtonValue = z.infer<typeof buttonValue>

/** `im.chat.member.bot.added_v1`. */
export const botAddedEvent = z.object({
  event_id: z.string().min(1),
  chat_id: z.string().min(1),
  name: z.string().optional(),
  operator_id: z.object({ open_id: z.string().optional(), union_id: z.string().optional(), user_id: z.string().optional() }).optional(),
})

/** `im.chat.member.bot.deleted_v1` (the bot removed from a chat) and `im.chat.disbanded_v1` (a chat disbanded). */
export const chatGoneEvent = z.object({
  event_id: z.string().min(1),
  chat_id: z.string().min(1),
  operator_id: z.object({ open_id: z.string().optional(), union_id: z.string().optional(), user_id: z.string().optional() }).optional(),
})

/** `contact.user.deleted_v3`: a person left the tenant (员工离职). */
export const userDeletedEvent = z.object({
  event_id: z.string().min(1),
  object: z.object({ open_id: z.string().optional(), union_id: z.string().optional(), user_id: z.string().optional() }),
})

/** `im.message.recalled_v1`: a message was recalled (撤回). */
export const messageRecalledEvent = z.object({
  event_id: z.string().min(1),
  message_id: z.string().min(1),
  chat_id: z.string().min(1).optional(),
})

/** `application.bot.menu_v6`: a press on the bot's menu (机器人自定义菜单) in a private chat. */
export const botMenuEvent = z.object({
  event_id: z.string().min(1),
  event_key: z.string().trim().min(1).max(200),
  operator: z.object({ operator_name: z.string().optional(), operator_id: userIds }),
})

/**
 * The menu's event_keys (set in the developer console, 机器人 > 机器人自定义菜单) and the command each
 * stands for, exactly as a person could type it. 提交诉求 without text answers how to file.
 */
export const menuCommands: Record<string, string> = {
  submit_request: '诉求',
  my_requests: '我的诉求',
  help: '帮助',
}

/** The command a menu press stands for; a key the service does not know shows the help (never silence). */
export function menuCommand(eventKey: string): string {
  return menuCommands[eventKey] ?? menuCommands.help!
}

export function parseOrThrow<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data)
  if (!parsed.success) throw new BadEventError(`malformed ${what}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  return parsed.data
}

/** A Feishu user's ids in the order the core wants them: open_id first (private replies go to ids[0]). */
export function senderIds(ids: { open_id?: string; union_id?: string; user_id?: string } | undefined): SenderId[] {
  const out: SenderId[] = []
  if (ids?.open_id) out.push({ kind: 'open_id', id: ids.open_id })
  if (ids?.union_id) out.push({ kind: 'union_id', id: ids.union_id })
  if (ids?.user_id) out.push({ kind: 'user_id', id: ids.user_id })
  return out
}

type PostNode = { tag?: unknown; text?: unknown; user_id?: unknown; user_name?: unknown; href?: unknown }

/** The text of a `post` (rich text) message: its title and text runs, paragraphs on their own lines. */
function postText(content: Record<string, unknown>): string {
  // Received posts are { title, content }; posts as sent may be wrapped in a locale ({ zh_cn: { … } }).
  let post = content
  if (!Array.isArray(post.content)) {
    const inner = Object.values(content).find(
      (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && Array.isArray((v as { content?: unknown }).content),
    )
    if (!inner) return ''
    post = inner
  }
  const lines: string[] = []
  if (typeof post.title === 'string' && post.title.trim() !== '') lines.push(post.title)
  for (const paragraph of post.content as unknown[]) {
    if (!Array.isArray(paragraph)) continue
    let line = ''
    for (const node of paragraph as PostNode[]) {
      if (typeof node !== 'object' || node === null) continue
      if ((node.tag === 'text' || node.tag === 'a' || node.tag === 'code_block' || node.tag === 'md') && typeof node.text === 'string') line += node.text
      else if (node.tag === 'at') {
        // In received posts `user_id` holds the mention's key (@_user_1), resolved like in text.
        if (typeof node.user_id === 'string' && node.user_id.startsWith('@_')) line += node.user_id
        else if (typeof node.user_name === 'string') line += `@${node.user_name}`
      }
    }
    lines.push(line)
  }
  return lines.join('\n')
}

/** The raw text of a message's content, mention keys (@_user_1) still in place. Non-text messages give ''. */
export function contentText(messageType: string, content: string): string {
  let parsed: unknown
  try {
    parsed = JSON.parse(content)
  } catch {
    return ''
  }
  if (typeof parsed !== 'object' || parsed === null) return ''
  const obj = parsed as Record<string, unknown>
  if (messageType === 'text') return typeof obj.text === 'string' ? obj.text : ''
  if (messageType === 'post') return postText(obj)
  return ''
}

export interface BotIdentity {
  /** The bot's open_id, when known (GET /open-apis/bot/v3/info). */
  openId?: string
  /** The bot's display name, used to recognise a mention of it only while the open_id is unknown. */
  name: string
}

/**
 * Resolves mention keys: each `@_user_N` becomes `@name`, the bot's own mention is removed (and
 * sets mentionsBot), `@_all` becomes `@所有人`.
 */
export function resolveMentions(
  text: string,
  mentions: NonNullable<MessageEvent['message']['mentions']>,
  bot: BotIdentity,
): { text: string; mentions: InboundMention[]; mentionsBot: boolean } {
  let out = text
  let mentionsBot = false
  const found: InboundMention[] = []
  // Longest keys first, so @_user_1 never eats the start of @_user_10.
  for (const m of [...mentions].sort((a, b) => b.key.length - a.key.length)) {
    const isBot = bot.openId ? m.id?.open_id === bot.openId : m.name === bot.name
    if (isBot) {
      mentionsBot = true
      out = out.split(m.key).join(' ')
      continue
    }
    // Past a hundred people the message can only be refused (core/limits.ts): the rest stay unread.
    if (found.length >= MAX_STORED_MENTIONS) continue
    out = out.split(m.key).join(`@${m.name}`)
    found.push({ name: m.name, ids: senderIds(m.id?.open_id ? { ...m.id, open_id: m.id.open_id } : undefined) })
  }
  out = out.split('@_all').join('@所有人')
  // Restore the order mentions appeared in (the sort above was only for replacement).
  const order = (name: string) => out.indexOf(`@${name}`)
  found.sort((a, b) => order(a.name) - order(b.name))
  return {
    text: out
      .replace(/[^\S\n]+/g, ' ')
      .replace(/ ?\n ?/g, '\n')
      .trim(),
    mentions: found,
    mentionsBot,
  }
}

/** A received message as the core's neutral InboundMessage. Its event id is the message_id, so a message resent under a new event_id is still one message. */
export function messageToInbound(e: MessageEvent, bot: BotIdentity): InboundMessage {
  const m = e.message
  const p2p = m.chat_type === 'p2p'
  const raw = contentText(m.message_type, m.content)
  const resolved = resolveMentions(raw, m.mentions ?? [], bot)
  const created = feishuTime(m.create_time)
  const attachments = feishuAttachments(m.message_type, m.content)
  return {
    platform: 'feishu',
    eventId: m.message_id,
    chatId: p2p ? null : m.chat_id,
    sender: { ids: senderIds(e.sender.sender_id) },
    text: resolved.text,
    mentions: resolved.mentions,
    // (A private chat is always for the bot: the core knows that from chatId null.)
    mentionsBot: resolved.mentionsBot,
    // In a topic the answer goes into its thread, as a reply to this message.
    ...(!p2p && m.thread_id ? { replyTo: m.message_id } : {}),
    ...(m.parent_id ? { quotes: m.parent_id } : {}),
    ...(created ? { sentAt: created } : {}),
    ...(attachments.length ? { attachments } : {}),
  }
}
