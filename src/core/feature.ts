/**
 * The one shape of a feature (a domain: requests, polls, announcements, organisation…): the chat
 * commands it adds, the scheduled jobs it runs, and optionally the private-reply fallbacks, the
 * intent layer and the HTTP routes it serves. Each domain's index.ts builds one from a
 * FeatureContext; app.ts registers them all the same way.
 */
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config.js'
import type { Db, Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import type { CommandContext, CommandDefinition } from './commands.js'
import type { AttachmentSettings } from './attachments.js'
import type { IntentHook, QuoteHook } from './chat-core.js'
import type { OutboundMessage } from './types.js'

/** Writes messages to the outbox in a transaction (ChatCore.deliver, outside any inbound event). */
export type Deliver = (tx: Tx, messages: OutboundMessage[], keyPrefix: string) => Promise<void>

/** What a feature is built from. */
export interface FeatureContext {
  config: Config
  db: Db
  t: Messages
  deliver: Deliver
  /** The service's public address (links in messages), once it listens. */
  publicUrl?: () => string
}

/** Internal schedules no operator needs to change (tests may pass others: `ServiceOptions.schedules`). */
export const EVERY_MINUTE = '* * * * *'

/** A job the scheduler runs (`cron` in GONGYOU_TIMEZONE; one instance per tick). */
export interface ScheduledJob {
  /** e.g. `polls:close`; `Scheduler.runNow(name)` runs it at once. */
  name: string
  cron: string
  run(now: Date): Promise<void>
}

export interface Feature {
  commands: CommandDefinition[]
  jobs: ScheduledJob[]
  /** Tried in order on a private message no command took (e.g. the answer to a survey question). */
  fallbacks?: ((ctx: CommandContext) => Promise<boolean>)[]
  /** What the core asks when a message is no command (at most one feature gives it). */
  intent?: IntentHook
  /** What receives photos and files no command took (at most one feature gives it). */
  attachments?: AttachmentSettings['receive']
  /** What a reply quoting one of the bot's messages means (e.g. a reply to a message about a request). */
  quoted?: QuoteHook
  /** Routes the feature serves itself. */
  routes?(app: FastifyInstance): Promise<void>
  /** Run once at start, before any event is handled (e.g. default rows). */
  setup?(): Promise<void>
}
