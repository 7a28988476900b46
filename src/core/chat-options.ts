/** What the chat core is built with, and the intent layer as the core sees it. */
import type { Tx } from '../db/client.js'
import type { Locale, Messages } from '../messages/index.js'
import type { AttachmentSettings } from './attachments.js'
import type { Clock } from './clock.js'
import type { CommandContext, CommandDefinition, CoreSettings } from './commands.js'
import type { Metrics } from '../metrics/types.js'
import type { InboundMessage, OutboundMessage } from './types.js'

export interface ChatCoreOptions {
  clock: Clock
  locale: Locale
  settings: CoreSettings
  commands: CommandDefinition[]
  log?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void }
  /** Attempts before an inbound event is given up (the asker is then told it failed). */
  maxAttempts?: number
  /** Most queued events one worker handles in one transaction (default 1). */
  batchSize?: number
  /**
   * Every write goes through one connection (SQLite): a webhook's insert waits for a batch's
   * transaction, so that transaction takes events for a few milliseconds only (event-runner.ts).
   * On PostgreSQL the intake writes beside it and a batch is one transaction.
   */
  sharedWriter?: boolean
  /**
   * Consulted, in order, for a private message from a bound person that is not a command (e.g. an
   * answer in a survey conversation); the first to return true has handled it. The context's
   * `rawArgs` is the whole message.
   */
  fallbacks?: ((ctx: CommandContext) => Promise<boolean>)[]
  /**
   * Runs before messages for the bot are handled (those handled together, at once), outside their
   * transaction (it may call a platform): the binding module asks the platform's directory about a
   * sender it does not know yet. Its failure is logged and the messages handled all the same.
   */
  identify?: (msgs: InboundMessage[]) => Promise<void>
  metrics?: Metrics
  /** Reads messages written the way people write (src/core/intent), before the strict parser's "unknown". */
  intent?: IntentHook
  /** Asked, in order, about a message quoting one of the bot's own messages (src/requests: a reply about a request). */
  quoted?: QuoteHook[]
  /** Handles platform happenings (InboundMessage.event other than bot_added) in the event's transaction: src/organisation/lifecycle.ts. */
  lifecycle?: (tx: Tx, msg: InboundMessage, t: Messages, now: Date) => Promise<OutboundMessage[]>
  /** Photos and files in private messages: fetched before the transaction, then given to the feature that takes them. */
  attachments?: AttachmentSettings
}

/**
 * The intent layer as the core sees it. The core asks it twice: whether a group message the
 * strict parser would ignore is still meant for the bot (`@工友诉求…` with no space, a mistyped
 * command word), and what a message that is not a strict command means.
 */
export interface IntentHook {
  /** For a message that is not a strict command: its text as meant for the bot, or null when it is not addressed to it. */
  addressed(text: string, isCommand: (text: string) => boolean): { text: string; mentionsBot: boolean } | null
  /**
   * A message the strict parser did not read (the context's `rawArgs` is the whole message):
   * `{ command }` to run that command instead, true when it answered itself, false when it did not
   * understand either (the core then answers, suggesting a command only if `sameMeaning`).
   */
  interpret(ctx: CommandContext): Promise<{ command: string } | boolean>
  /** Whether a letter-by-letter suggestion means what the person wrote (a homophone, or an ASCII alias typo). */
  sameMeaning(written: string, suggested: string): boolean
}

/**
 * What a feature makes of a message that quotes one of the bot's messages and is no command
 * itself: `{ command }` to run instead (e.g. `补充 SQ-… <the message>`), or null to leave it. The
 * context's `rawArgs` is the whole message; `quoted` is the text of the bot's message as sent.
 */
export type QuoteHook = (ctx: CommandContext, quoted: string) => Promise<{ command: string } | null>
