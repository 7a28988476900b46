import type { z } from 'zod'
import type { Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import type { Card, InboundMessage, OutboundMessage, Platform } from './types.js'

export type Role = 'worker' | 'collector' | 'officer' | 'admin'
export type AskerRole = Role | 'guest'
export const allRoles: readonly Role[] = ['worker', 'collector', 'officer', 'admin']
export const staffRoles: readonly Role[] = ['officer', 'admin']
/** Roles with powers over others: bound by a claim alone, they act as a worker until vouched for. */
export const vouchedRoles: readonly Role[] = ['collector', 'officer', 'admin']

export type PersonRow = Awaited<ReturnType<Tx['person']['findFirstOrThrow']>>
export type UnitRow = Awaited<ReturnType<Tx['unit']['findFirstOrThrow']>>
export type ChatRow = Awaited<ReturnType<Tx['chatGroup']['findFirstOrThrow']>>
export type Asker = PersonRow & { unit: UnitRow }

export interface CoreSettings {
  timeZone: string
  /** Platforms to reach a person on privately, in order of preference. */
  privatePlatforms: Platform[]
  /** Local quiet hours: non-urgent notices wait until they end. */
  quietHours: { start: string; end: string } | null
  /** Figures about fewer people than this are not shown by unit (PRIVACY_MIN_GROUP; default 5). */
  minGroup?: number
}

/** PRIVACY_MIN_GROUP's default: figures about fewer people are not shown by unit. */
export const DEFAULT_MIN_GROUP = 5

/** What a command sees: who asked, where, the parsed arguments, and ways to answer. */
export interface CommandContext {
  tx: Tx
  now: Date
  t: Messages
  settings: CoreSettings
  msg: InboundMessage
  /** The asker, or null when their platform identity is not bound to a person yet. */
  person: Asker | null
  role: AskerRole
  /**
   * The roster role the asker acts without, while their binding awaits confirmation: a staff role
   * (collector, officer, admin) bound only by a typed claim acts as a worker until confirmed.
   */
  pendingRole?: Role
  /** The group chat the message came from, or null in a private chat. */
  chat: ChatRow | null
  /** The command word as written, and what follows it. */
  word: string
  args: string
  /** The arguments as written (full-width punctuation kept): use for free text. */
  rawArgs: string
  tokens: string[]
  /** People @-mentioned in the arguments, resolved where possible; empty unless the command `takesMentions`. */
  mentioned: { name: string; person: PersonRow | null }[]
  /** Answer where the message came from (the group, or privately). */
  reply(text: string, extra?: { card?: Card; mentions?: OutboundMessage['mentions'] }): void
  /** Send any other message (a private notice, a post to another group). */
  send(message: OutboundMessage): void
  /** Photos and files that came with the message (private chats only); a command that files them sets `taken`. */
  attachments?: ReceivedFiles
}

/** The attachments of a message as fetched and checked (src/core/attachments.ts). */
export interface ReceivedFiles {
  files: ReceivedFile[]
  /** Set by whatever joined them to a request (then nothing else does). */
  taken: boolean
}

/** One attachment: accepted (with its bytes) or refused (why). */
export type ReceivedFile =
  | { ok: true; kind: 'image' | 'file'; name: string | null; mime: string; size: number; sha256: string; bytes: Buffer }
  | { ok: false; kind: 'image' | 'file'; name: string | null; reason: 'type' | 'size' | 'failed' }

export interface CommandDefinition {
  name: string
  /** Chinese command words. */
  words: string[]
  /** English and other aliases. */
  aliases?: string[]
  /** Who may use it; `guest` = someone not bound yet. */
  roles: readonly AskerRole[]
  /** Who sees it in `帮助`, when not everyone who may use it (e.g. 绑定 only for the unbound). */
  listedFor?: readonly AskerRole[]
  /** True for a command that acts on @mentioned people: only then are mentions resolved (see core/limits.ts). */
  takesMentions?: boolean
  usage(t: Messages): string
  summary(t: Messages): string
  example?(t: Messages): string
  run(ctx: CommandContext): Promise<void>
  /**
   * For messages handled together that call this command: reads at once what each one's `run`
   * will read, and remembers it as those reads' answers (db/read-memo.ts) — a vote burst's
   * earlier votes in one query. Optional; a failure only costs the reads it meant to save.
   */
  prefetch?(db: Tx, calls: { tokens: string[]; person: PersonRow; private: boolean }[], now: Date): Promise<void>
}

/**
 * Validates a command's tokens with a zod schema. On failure it answers the usage line and
 * returns null, so a command reads: `const args = parseArgs(ctx, schema, cmd); if (!args) return`.
 */
/** A failure a person should read (not a bug): commands answer its message instead of failing. */
export class Refusal extends Error {
  override name = 'Refusal'
}

/** Runs a command's work; a refusal is answered in words, anything else is a bug and propagates. */
export async function guarded(ctx: Pick<CommandContext, 'reply'>, work: () => Promise<void>): Promise<void> {
  try {
    await work()
  } catch (error) {
    if (error instanceof Refusal) ctx.reply(error.message)
    else throw error
  }
}

/** The message sections that describe commands: `usage` and `summary` lines keyed by command. */
type CommandSection = {
  [K in keyof Messages]: Messages[K] extends { usage: Record<string, string>; summary: Record<string, string> } ? K : never
}[keyof Messages]

/**
 * A command maker for one domain: its usage, summary and example lines come from that domain's
 * section of the messages, and its work runs `guarded` (a Refusal is answered in words).
 */
export function commandBuilder<S extends CommandSection>(section: S) {
  type Lines = { usage: Record<string, string>; summary: Record<string, string> }
  const lines = (t: Messages) => t[section] as unknown as Lines
  return function command(
    name: string,
    words: string[],
    aliases: string[],
    roles: CommandDefinition['roles'],
    usage: keyof Messages[S]['usage'] & string,
    summary: keyof Messages[S]['summary'] & string,
    run: (ctx: CommandContext, self: CommandDefinition) => Promise<void>,
    example?: keyof Messages[S]['usage'] & string,
  ): CommandDefinition {
    const self: CommandDefinition = {
      name,
      words,
      aliases,
      roles,
      usage: (t) => lines(t).usage[usage]!,
      summary: (t) => lines(t).summary[summary]!,
      ...(example ? { example: (t: Messages) => lines(t).usage[example]! } : {}),
      run: (ctx) => guarded(ctx, () => run(ctx, self)),
    }
    return self
  }
}

/** Whether a message to the person can go privately on one of the platforms the core reaches people on. */
export async function reachablePrivately(ctx: Pick<CommandContext, 'tx' | 'settings'>, personId: number): Promise<boolean> {
  const platforms = ctx.settings.privatePlatforms
  if (platforms.includes('web')) return true
  return (await ctx.tx.platformIdentity.count({ where: { personId, platform: { in: platforms } } })) > 0
}

/**
 * A group is a public place: an answer that is the asker's own business (their requests, a
 * request's progress, their queue, survey questions) goes to them privately, and the group hears
 * only that it did — or, when no platform reaches them privately, a neutral hint to write to the
 * bot privately. In a private chat it is simply the answer.
 */
export async function replyPrivately(ctx: CommandContext, text: string, extra?: { card?: Card }): Promise<void> {
  if (ctx.msg.chatId === null || !ctx.person) return ctx.reply(text, extra)
  if (!(await reachablePrivately(ctx, ctx.person.id))) return ctx.reply(ctx.t.privacy.askPrivately)
  ctx.reply(ctx.t.privacy.sentPrivately)
  ctx.send({ to: { kind: 'person', personId: ctx.person.id }, text, ...(extra?.card ? { card: extra.card } : {}) })
}

/** Free text after the first argument, as written: `回复 SQ-… 已报修，明天来` → `已报修，明天来`. */
export function textAfterFirst(ctx: Pick<CommandContext, 'rawArgs'>): string {
  return ctx.rawArgs.replace(/^\S+\s*/, '').trim()
}

export function parseArgs<T extends z.ZodType>(
  ctx: CommandContext,
  schema: T,
  command: Pick<CommandDefinition, 'usage' | 'example'>,
  input: unknown = ctx.tokens,
): z.infer<T> | null {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  ctx.reply(ctx.t.usage(command.usage(ctx.t), command.example?.(ctx.t)))
  return null
}
