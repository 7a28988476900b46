import crypto from 'node:crypto'
import type { Card, Delivery } from '../../src/core/types.js'
import type { ButtonValue } from './translate.js'

/** Feishu keeps at most one message per `uuid` (≤ 50 characters) for an hour: the outbox key, hashed when longer. */
export function uuidFor(key: string): string {
  return key.length <= 50 ? key : crypto.createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32)
}

const templates: Record<NonNullable<Card['tone']>, string> = { info: 'blue', attention: 'orange', urgent: 'red', done: 'green' }

/**
 * Text the bot repeats (a worker's request, a name) must not turn into Feishu markup: `<at user_id="all">`
 * in a text message would mention everyone. A '<' that starts a tag becomes a full-width '＜'.
 */
export function neutraliseTags(text: string): string {
  return text.replace(/<(?=\/?[A-Za-z])/g, '＜')
}

/** A text message's content, with each mention that has a Feishu user id rendered as a real mention. */
export function textContent(d: Pick<Delivery, 'text' | 'mentions'>): string {
  let text = neutraliseTags(d.text)
  const prefix: string[] = []
  for (const m of d.mentions ?? []) {
    if (!m.userId) continue
    const tag = `<at user_id="${m.userId.replace(/["<>&]/g, '')}">${neutraliseTags(m.name).replace(/[<>]/g, '')}</at>`
    const written = `@${m.name}`
    if (text.includes(written)) text = text.replace(written, tag)
    else prefix.push(tag)
  }
  return JSON.stringify({ text: prefix.length ? `${prefix.join(' ')} ${text}` : text })
}

const plain = (content: string) => ({ tag: 'plain_text', content })

export interface CardOptions {
  /** Where the card goes ('user' privately, 'chat' a group): carried by the buttons. */
  to: 'user' | 'chat'
  /** A sealed reference to the card's outbox row (private cards, to re-render them after a press). */
  ref?: string
  /** After a press: the buttons are shown disabled and this line is added under them. */
  done?: string
  /** People to mention (by Feishu open_id or user_id), as a line at the top of the card. */
  mentions?: Delivery['mentions']
}

/**
 * A Feishu interactive card (JSON 1.0) for a neutral Card. Body and field values are plain text,
 * not markdown: they often repeat what a worker wrote, which must not become links or mentions.
 * `update_multi` makes it a shared card, so it can be updated in place after a button press.
 */
export function cardJson(card: Card, fallbackText: string, o: CardOptions): Record<string, unknown> {
  const elements: Record<string, unknown>[] = []
  // Ids are ours (from bindings), but only id characters go into the markup.
  const ats = (o.mentions ?? []).filter((m) => m.userId && /^[A-Za-z0-9_-]+$/.test(m.userId)).map((m) => `<at id=${m.userId}></at>`)
  if (ats.length) elements.push({ tag: 'div', text: { tag: 'lark_md', content: ats.join(' ') } })
  const body = card.body ?? (card.fields?.length ? undefined : fallbackText)
  if (body) elements.push({ tag: 'div', text: plain(body) })
  const fields = (card.fields ?? []).filter((f) => f.value !== '')
  if (fields.length) elements.push({ tag: 'div', fields: fields.map((f) => ({ is_short: true, text: plain(`${f.label}：${f.value}`) })) })
  if (card.buttons?.length) {
    elements.push({
      tag: 'action',
      actions: card.buttons.map((b) => {
        const value: ButtonValue = { command: b.action.command, to: o.to, ...(o.ref ? { k: o.ref } : {}) }
        return { tag: 'button', text: plain(b.label), type: b.style ?? 'default', value, ...(o.done !== undefined ? { disabled: true } : {}) }
      }),
    })
  }
  if (o.done !== undefined) elements.push({ tag: 'note', elements: [plain(o.done)] })
  return {
    config: { wide_screen_mode: true, update_multi: true },
    header: { title: plain(card.title), template: templates[card.tone ?? 'info'] },
    elements,
  }
}

/** Feishu's documented limits on a message's content: a card's JSON 30 KB, a text message 150 KB (error 230025 beyond). */
export const CARD_MAX_BYTES = 30 * 1024
export const TEXT_MAX_BYTES = 150 * 1024

export interface FallbackTexts {
  buttonAsCommand(label: string, command: string): string
  cut: string
}

/** Cuts text to at most `max` UTF-8 bytes on a character boundary, with `mark` at the cut. */
export function cutBytes(text: string, max: number, mark: string): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text
  let out = ''
  let bytes = Buffer.byteLength(mark, 'utf8')
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8')
    if (bytes + n > max) break
    out += ch
    bytes += n
  }
  return out + mark
}

/**
 * A card too long for Feishu as a text message that keeps its commands: the text (cut when even
 * a text message cannot hold it), then one line per button saying what to send instead. The
 * commands are never cut.
 */
export function cardAsText(d: Delivery, t: FallbackTexts): { msg_type: 'text'; content: string } {
  const commands = (d.card?.buttons ?? []).map((b) => t.buttonAsCommand(b.label, b.action.command))
  const tail = commands.length ? `\n\n${commands.join('\n')}` : ''
  // Half the limit: escaping (quotes, newlines) at most doubles the text; mention tags get 8 KB.
  const room = Math.floor(TEXT_MAX_BYTES / 2) - Buffer.byteLength(tail, 'utf8') - 8192
  const text = `${cutBytes(d.text, room, t.cut)}${tail}`
  return { msg_type: 'text', content: textContent({ text, ...(d.mentions ? { mentions: d.mentions } : {}) }) }
}

/** What `im.message.create` gets for a delivery; `ref` is the sealed outbox key for a private card's buttons. */
export function renderDelivery(d: Delivery, ref?: string, t?: FallbackTexts): { msg_type: 'text' | 'interactive'; content: string } {
  if (d.card) {
    const content = JSON.stringify(
      cardJson(d.card, d.text, { to: d.targetKind, ...(ref ? { ref } : {}), ...(d.mentions?.length ? { mentions: d.mentions } : {}) }),
    )
    // Measured before sending: a card over Feishu's limit goes as text rather than being refused.
    if (t && Buffer.byteLength(content, 'utf8') > CARD_MAX_BYTES) return cardAsText(d, t)
    return { msg_type: 'interactive', content }
  }
  if (t && Buffer.byteLength(d.text, 'utf8') > TEXT_MAX_BYTES / 2 - 8192) return cardAsText(d, t)
  return { msg_type: 'text', content: textContent(d) }
}
