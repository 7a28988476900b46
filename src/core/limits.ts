/**
 * What one chat message may ask of the service, whatever platform it came from (see
 * docs/operations.md, "Limits"). A message beyond them is answered with a short refusal, never
 * handled, so one absurd message cannot hold the database while everyone else waits.
 */
import type { InboundMessage } from './types.js'

/** Characters in one message (a command with its free text: a request, an announcement, a poll). */
export const MAX_MESSAGE_CHARS = 4000
/** Different people one command may @mention (代报, 转办 take one; a list may name a few). */
export const MAX_MENTIONS = 20
/** Mentions kept when a message is stored: more can only be refused, so the rest are not worth storing. */
export const MAX_STORED_MENTIONS = 100

/**
 * An inbound message as it is stored: text beyond twice the limit and mentions beyond 100 are
 * cut off (the message stays recognisably over the limit, so it is still refused, not handled cut).
 */
export function clipInbound(msg: InboundMessage): InboundMessage {
  const tooLong = typeof msg.text === 'string' && msg.text.length > 2 * MAX_MESSAGE_CHARS
  const tooMany = Array.isArray(msg.mentions) && msg.mentions.length > MAX_STORED_MENTIONS
  if (!tooLong && !tooMany) return msg
  return {
    ...msg,
    ...(tooLong ? { text: msg.text.slice(0, 2 * MAX_MESSAGE_CHARS) } : {}),
    ...(tooMany ? { mentions: msg.mentions.slice(0, MAX_STORED_MENTIONS) } : {}),
  }
}
