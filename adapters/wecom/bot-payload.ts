import { z } from 'zod'
import type { InboundMessage } from '../../src/core/types.js'
import type { CardPress } from './card-update.js'

/** What the intelligent bot delivers, by callback (decrypted JSON) or over the long connection (frame body). */
export const botPayload = z
  .object({
    msgid: z.string().min(1).max(256),
    aibotid: z.string().max(256).optional(),
    chatid: z.string().min(1).max(256).optional(),
    chattype: z.enum(['single', 'group']).optional(),
    from: z.object({ userid: z.string().min(1).max(256) }).passthrough(),
    response_url: z.string().max(2048).optional(),
    create_time: z.number().optional(),
    msgtype: z.string(),
    text: z
      .object({ content: z.string().max(20_000) })
      .passthrough()
      .optional(),
    voice: z
      .object({ content: z.string().max(20_000) })
      .passthrough()
      .optional(),
    mixed: z
      .object({ msg_item: z.array(z.object({ msgtype: z.string(), text: z.object({ content: z.string() }).optional() }).passthrough()) })
      .passthrough()
      .optional(),
    event: z
      .object({
        eventtype: z.string(),
        event_key: z.string().optional(),
        task_id: z.string().max(128).optional(),
        template_card_event: z
          .object({ event_key: z.string().optional(), task_id: z.string().max(128).optional() })
          .passthrough()
          .optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough()
export type BotPayload = z.infer<typeof botPayload>

/** Where a reply to a conversation goes: a group by chatid, a private chat by userid. */
export const chatKey = (kind: 'chat' | 'user', id: string) => `${kind}:${id}`

/** A press of one of our cards' buttons (a template_card_event naming its card), or null. */
export function pressOf(p: BotPayload, msg: InboundMessage): CardPress | null {
  const taskId = p.event?.template_card_event?.task_id ?? p.event?.task_id
  if (!msg.action || !taskId) return null
  return { taskId, userId: p.from.userid, command: msg.action.command, chat: msg.chatId ?? p.from.userid }
}

/** The bot's own event ids (`bot:<msgid>`), as against the app's. */
export const isBotEvent = (eventId: string): boolean => eventId.startsWith('bot:')
