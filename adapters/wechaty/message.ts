import type { Message, Room } from 'wechaty'
import type { InboundMention, InboundMessage } from '../../src/core/types.js'
import { stripMention } from './render.js'

/**
 * Who a group message mentions: the others go into `mentions`; the bot's own mention is taken out
 * of the text (the returned `text`), by the names it goes by in that group.
 */
export async function roomMentions(
  msg: Message,
  room: Room,
  selfId: string,
  text: string,
  mentions: InboundMention[],
): Promise<{ text: string; mentionsBot: boolean }> {
  let mentionsBot = false
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
  return { text, mentionsBot }
}

/** The bot added to a group (with its topic) or removed from one, as the core hears it. */
export function membershipEvent(roomId: string, event: 'bot_added' | 'bot_removed', topic?: string): InboundMessage {
  return {
    platform: 'wechaty',
    eventId: `${event === 'bot_added' ? 'room-join' : 'room-leave'}:${roomId}:${Date.now()}`,
    chatId: roomId,
    ...(topic ? { chatName: topic } : {}),
    sender: { ids: [] },
    text: '',
    mentions: [],
    mentionsBot: false,
    event,
  }
}
