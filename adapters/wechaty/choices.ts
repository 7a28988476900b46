import type { FastifyBaseLogger } from 'fastify'
import type { AdapterState } from '../../src/core/adapter-state.js'
import type { Card } from '../../src/core/types.js'
import { choiceCommands } from './render.js'

/** A card's numbered choices answer for this long after it was sent. */
const CHOICE_WINDOW_MS = 30 * 60 * 1000

/** The commands behind the last card's numbered choices, per chat or person (a bare number answers them). */
export class CardChoices {
  constructor(
    private readonly choices: AdapterState<string[]>,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** The command behind choice `n` of the last card sent to `target` ("chat:<room>" or "user:<contact>"), within the window. */
  async choiceFor(target: string, n: number): Promise<{ command: string } | undefined> {
    const command = (await this.choices.get(target))?.[n - 1]
    return command ? { command } : undefined
  }

  /**
   * Remembers the card about to be sent to `target`: its choices replace the previous card's (a
   * card without buttons clears them). Written before the send, so that an answer, however quick,
   * finds them; the returned function puts the previous ones back if the send fails.
   */
  private async rememberChoices(target: string, card: Card | undefined): Promise<() => Promise<void>> {
    if (!card) return async () => {}
    const previous = await this.choices.entry(target)
    const commands = choiceCommands(card)
    if (commands.length === 0) await this.choices.delete(target)
    else await this.choices.set(target, commands, CHOICE_WINDOW_MS)
    return async () => {
      try {
        if (previous) await this.choices.setUntil(target, previous.value, previous.expiresAt)
        else await this.choices.delete(target)
      } catch (err) {
        this.log.error({ err }, 'wechaty: could not restore a chat’s card choices after a failed send')
      }
    }
  }

  /** Sends with the card's choices remembered for the chat; they are put back as they were if the send fails. */
  async withChoices<T>(target: string, card: Card | undefined, send: () => Promise<T>): Promise<T> {
    const undo = await this.rememberChoices(target, card)
    try {
      return await send()
    } catch (err) {
      await undo()
      throw err
    }
  }
}
