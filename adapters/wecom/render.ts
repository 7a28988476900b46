import crypto from 'node:crypto'
import type { Delivery } from '../../src/core/types.js'

/** Card buttons carry their command in the key, after this prefix; other keys are not ours. */
export const BUTTON_KEY_PREFIX = 'gy:'

/** The command a pressed button carries, or null for a key that is not one of ours. */
export function commandOfButtonKey(key: string | undefined): string | null {
  if (!key?.startsWith(BUTTON_KEY_PREFIX)) return null
  const command = key.slice(BUTTON_KEY_PREFIX.length).trim()
  return command === '' ? null : command
}

/** Cuts a string to at most `max` UTF-8 bytes (on a character boundary), marking the cut. */
export function clipBytes(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s
  const mark = '…'
  let out = ''
  let bytes = Buffer.byteLength(mark, 'utf8')
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8')
    if (bytes + n > max) break
    out += ch
    bytes += n
  }
  return out + mark
}

export function clipChars(s: string, max: number, mark = '…'): string {
  const chars = [...s]
  if (chars.length <= max) return s
  const m = [...mark].length < max ? mark : '…'
  return `${chars.slice(0, max - [...m].length).join('')}${m}`
}

/** The adapter's own words for what does not fit (src/messages `platforms`). */
export interface FallbackTexts {
  buttonAsCommand(label: string, command: string): string
  cut: string
}

/** A button's key: the command after our prefix, at most 1024 bytes. A command that does not fit cannot be a button. */
const KEY_MAX_BYTES = 1024
const MAX_BUTTONS = 6

/**
 * A card as text that keeps its commands: the text (cut to `maxBytes` when it must be, marked),
 * then one line per button saying what to send. The command lines are never cut.
 */
export function cardAsText(d: Delivery, maxBytes: number, t: FallbackTexts): string {
  const commands = (d.card?.buttons ?? []).map((b) => t.buttonAsCommand(b.label, b.action.command))
  const tail = commands.length ? `\n\n${commands.join('\n')}` : ''
  const room = Math.max(0, maxBytes - Buffer.byteLength(tail, 'utf8'))
  let text = d.text
  if (Buffer.byteLength(text, 'utf8') > room)
    text = clipBytes(text, Math.max(0, room - Buffer.byteLength(t.cut, 'utf8') + Buffer.byteLength('…', 'utf8'))).replace(/…$/, t.cut)
  return `${text}${tail}`
}

/** A template card's task_id: unique per app, only letters, digits and _-@, at most 128 bytes. */
export function taskIdFor(key: string): string {
  return `gy_${crypto.createHash('sha256').update(key).digest('hex').slice(0, 40)}`
}

/**
 * A card with buttons as WeCom's button_interaction template card (the same shape for the app's
 * message/send and the intelligent bot). Each button's key is its command, so a press comes back
 * as a template_card_event whose key we read as the command. Null when the card has no buttons:
 * such cards go as text (the delivery's text always says everything the card does).
 */
export function buttonCard(d: Delivery, t?: FallbackTexts): Record<string, unknown> | null {
  const card = d.card
  if (!card?.buttons?.length) return null
  // A command cut short would do something else, and a seventh button would be lost: then the card goes as text (cardAsText).
  if (card.buttons.length > MAX_BUTTONS || card.buttons.some((b) => Buffer.byteLength(`${BUTTON_KEY_PREFIX}${b.action.command}`, 'utf8') > KEY_MAX_BYTES))
    return null
  const fields = (card.fields ?? []).filter((f) => f.value.trim() !== '').slice(0, 6)
  return {
    card_type: 'button_interaction',
    main_title: { title: clipChars(card.title, 36) },
    // WeCom shows at most 500 characters here: a longer text is cut, and says so.
    sub_title_text: clipChars(card.body ?? d.text, 500, t?.cut),
    ...(fields.length ? { horizontal_content_list: fields.map((f) => ({ keyname: clipChars(f.label, 10), value: clipChars(f.value, 60) })) } : {}),
    button_list: card.buttons.map((b) => ({
      text: clipChars(b.label, 10),
      style: b.style === 'primary' ? 1 : 2,
      key: `${BUTTON_KEY_PREFIX}${b.action.command}`,
    })),
    task_id: taskIdFor(d.key),
  }
}

/** Mentions the platform can address (people bound on WeCom), as userids. */
export function mentionedUserIds(d: Delivery): string[] {
  return [...new Set((d.mentions ?? []).map((m) => m.userId).filter((id): id is string => !!id))]
}
