import type { AdapterPorts } from '../../src/core/adapter-ports.js'
import type { AdapterState } from '../../src/core/adapter-state.js'
import type { Messages } from '../../src/messages/index.js'
import { clipChars } from './render.js'

/**
 * After a press: the intelligent bot's template card is replaced, for the person who pressed it,
 * by one saying what was done, so the same button cannot be pressed again. WeCom takes the update
 * as the answer to the press's event (over the long connection `aibot_respond_update_msg` with the
 * event frame's req_id; by callback, the passive reply to the event), within 5 seconds, naming the
 * card by the event's task_id; `userids` limits the update to the presser (a group card is shared:
 * one person's press must not disable it for everyone). A second press of the same card by the
 * same person (an old client, another device) does nothing.
 */

/** How long a press is remembered: as long as WeCom keeps a card answerable (72 hours). */
const PRESS_MEMORY_MS = 72 * 60 * 60_000
/** The press's handling is waited for at most this long: WeCom takes the update within 5 s of the event. */
export const HANDLING_WAIT_MS = 3_000

/** A press of one of our cards' buttons, as the event names it. */
export interface CardPress {
  taskId: string
  userId: string
  command: string
  /** Where the card is: a group's chatid, or the presser's userid for a private chat. */
  chat: string
}

/** The card shown instead of a pressed one: what was done (and the first line of the answer), one inert button. */
export function handledCard(press: CardPress, done: boolean, answer: string | undefined, t: Messages['platforms']): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    main_title: { title: clipChars(done ? t.cardDone(press.command) : t.cardReceived(press.command), 36) },
    ...(answer ? { sub_title_text: clipChars(answer, 500) } : {}),
    // Not our "gy:" prefix: pressing it does nothing.
    button_list: [{ text: clipChars(t.cardDoneButton, 10), style: 2, key: 'gy-done' }],
    task_id: press.taskId,
  }
}

/** Remembers presses per card and person: the first one counts. */
export class CardPresses {
  constructor(private readonly state: AdapterState<string>) {}

  /** True for the first press of this card by this person, false for any later one. */
  first(press: CardPress): Promise<boolean> {
    return this.state.add(`${press.taskId}|${press.userId}`, press.command, PRESS_MEMORY_MS)
  }

  /** Forgets a press that could not be stored (WeCom delivers it again, or the person presses again). */
  async forget(press: CardPress): Promise<void> {
    await this.state.delete(`${press.taskId}|${press.userId}`)
  }
}

/** The body of an update of the pressed card, for the presser only (the SDK's UpdateTemplateCardBody). */
export const updateBody = (press: CardPress, card: Record<string, unknown>) => ({
  response_type: 'update_template_card' as const,
  userids: [press.userId],
  template_card: card,
})

/** Waits (briefly) for the press's event to be handled and builds the card that replaces the pressed one. */
export async function cardAfterPress(ports: AdapterPorts, eventRowId: number, press: CardPress, t: Messages['platforms']): Promise<Record<string, unknown>> {
  const done = await ports.handled(eventRowId, { timeoutMs: HANDLING_WAIT_MS })
  // Only an answer said where the card is: a private answer is not put on a group's card.
  const answer = done ? (await ports.causedBy(eventRowId)).find((d) => d.target === press.chat)?.text.split('\n')[0] : undefined
  return handledCard(press, done, answer?.slice(0, 200), t)
}
