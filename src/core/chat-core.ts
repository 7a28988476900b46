/**
 * The chat core: what one inbound message means and what is said back — one flow (parse, run, fall
 * back, deliver) inside the event's transaction. Storing, claiming, batching and retrying events is
 * event-runner.ts; who is speaking is resolved in chat-identity.ts; the options are in chat-options.ts.
 */
import type { Db, Tx } from '../db/client.js'
import { messagesFor, type Messages } from '../messages/index.js'
import type { AskerRole, CommandContext, CommandDefinition, PersonRow, ReceivedFile, ReceivedFiles } from './commands.js'
import { ensureChat, prefetchSenders, resolveMentions, resolveSender } from './chat-identity.js'
import type { ChatCoreOptions } from './chat-options.js'
import { EventRunner } from './event-runner.js'
import { Intake, type Received } from './intake.js'
import { MAX_MENTIONS, MAX_MESSAGE_CHARS } from './limits.js'
import { resolveDeliveries, type Outbox } from './outbox.js'
import { createParser, normalizeText, tokenize } from './parser.js'
import { toAdministrators } from '../organisation/lifecycle.js'
import { quietHoursEnd } from './time/zone.js'
import type { InboundMessage, OutboundMessage, Platform } from './types.js'

export type { ChatCoreOptions, IntentHook, QuoteHook } from './chat-options.js'

/**
 * The platform-free heart: stores every inbound event before the platform gets its answer
 * (unique per platform and event id, so a redelivery is a no-op), then handles it in one
 * transaction that also writes every reply to the outbox — so a crash at any point either
 * loses nothing or repeats nothing.
 */
export class ChatCore {
  readonly t: Messages
  private readonly parser
  private readonly byName = new Map<string, CommandDefinition>()
  private readonly runner: EventRunner

  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    private readonly opts: ChatCoreOptions,
  ) {
    this.t = messagesFor(opts.locale)
    for (const c of opts.commands) {
      if (this.byName.has(c.name)) throw new Error(`Duplicate command name: ${c.name}`)
      this.byName.set(c.name, c)
    }
    this.parser = createParser(opts.commands.map((c) => ({ name: c.name, words: c.words, aliases: c.aliases })))
    this.runner = new EventRunner(db, new Intake(db), opts, this)
  }

  get commands(): CommandDefinition[] {
    return [...this.byName.values()]
  }

  /** True when a group message not mentioning the bot is still meant for it. */
  isForBot(msg: Pick<InboundMessage, 'chatId' | 'mentionsBot' | 'text' | 'action'>): boolean {
    return msg.chatId === null || msg.mentionsBot || Boolean(msg.action) || this.parser.startsWithCommand(msg.text) || this.addressed(msg) !== null
  }

  /** The intent layer's view of a group message the strict rules would not take as addressed to the bot. */
  private addressed(msg: Pick<InboundMessage, 'chatId' | 'mentionsBot' | 'text' | 'action'>): { text: string; mentionsBot: boolean } | null {
    if (!this.opts.intent || msg.action || msg.mentionsBot || this.parser.startsWithCommand(msg.text)) return null
    return this.opts.intent.addressed(msg.text, (text) => this.parser.startsWithCommand(text))
  }

  // Storing and running events is the EventRunner's (event-runner.ts); these are its doors.
  /** Stores an inbound event. A redelivered event (same platform and event id) is reported as a duplicate. */
  receive(msg: InboundMessage): Promise<Received> {
    return this.runner.receive(msg)
  }
  /** What a webhook adapter calls: stores the event (the platform may be answered at once) and queues it to be handled. */
  accept(msg: InboundMessage): Promise<Received> {
    return this.runner.accept(msg)
  }
  /** Stores and handles an event at once. */
  receiveAndProcess(msg: InboundMessage): Promise<Received> {
    return this.runner.receiveAndProcess(msg)
  }
  /** Handles a stored event before returning, waiting for another worker that claimed it first (see EventRunner.handleNow). */
  handleNow(id: number): Promise<void> {
    return this.runner.handleNow(id)
  }
  /** Handles one stored event unless another worker or instance has it; false when it did not. */
  process(id: number): Promise<boolean> {
    return this.runner.process(id)
  }
  /** Handles stored events together (see EventRunner.processBatch); answers how many. */
  processBatch(ids: number[]): Promise<number> {
    return this.runner.processBatch(ids)
  }
  /** Handles events left pending or abandoned (after a crash, an outage, a backoff). */
  recover(limit?: number): Promise<number> {
    return this.runner.recover(limit)
  }
  /** Waits for accepted events to be handled (graceful shutdown). */
  drain(): Promise<void> {
    return this.runner.drain()
  }
  /** Background work awaits this before using the database: the platforms' answers come first. */
  giveWay(): Promise<void> {
    return this.runner.giveWay()
  }

  /**
   * Reads ahead for a batch of messages: the senders' bindings at once, then what the commands
   * they call will read, for the commands that can (CommandDefinition.prefetch).
   */
  async prefetch(msgs: InboundMessage[]): Promise<void> {
    await prefetchSenders(this.db, msgs)
    const calls = new Map<CommandDefinition, { tokens: string[]; person: PersonRow; private: boolean }[]>()
    for (const msg of msgs) {
      const parsed = this.parser.parse(msg.action?.command ?? msg.text)
      const command = parsed.kind === 'command' ? this.byName.get(parsed.name) : undefined
      if (!command?.prefetch) continue
      const { person } = await resolveSender(this.db, msg)
      if (person)
        calls.set(command, [
          ...(calls.get(command) ?? []),
          { tokens: tokenize(parsed.kind === 'command' ? parsed.args : ''), person, private: msg.chatId === null },
        ])
    }
    for (const [command, list] of calls)
      await command.prefetch!(this.db, list, this.opts.clock.now()).catch((err) =>
        this.opts.log?.warn({ err, command: command.name }, 'reading ahead failed; the commands read for themselves'),
      )
  }

  /** Writes messages to the outbox in the caller's transaction. */
  async deliver(tx: Tx, messages: OutboundMessage[], keyPrefix: string, causeEventId: number | undefined): Promise<void> {
    if (messages.length === 0) return
    const { deliveries, unreachable } = await resolveDeliveries(tx, messages, keyPrefix, this.opts.settings.privatePlatforms)
    for (const m of unreachable) this.opts.log?.warn({ recipient: m.to.kind }, 'no platform reaches a recipient privately; message not sent')
    // Non-urgent notices wait for the end of quiet hours; direct answers and urgent ones never do.
    const { quietHours, timeZone } = this.opts.settings
    const heldUntil = quietHours ? quietHoursEnd(this.opts.clock.now(), timeZone, quietHours) : null
    if (heldUntil) {
      messages.forEach((m, i) => {
        const d = deliveries.find((x) => x.key === `${keyPrefix}:${i}`)
        if (d && m.notice && !m.urgent) d.notBefore = heldUntil
      })
    }
    await this.outbox.enqueue(tx, deliveries, causeEventId)
  }

  /**
   * Tells every active administrator privately, on the first of `platforms` that reaches each
   * (default: every platform that can); `key` makes it one alert, however often it is asked for.
   * Answers how many administrators it reached.
   */
  async alertAdministrators(text: string, key: string, platforms: Platform[] = this.opts.settings.privatePlatforms): Promise<number> {
    return this.db.$transaction(async (tx) => {
      const messages = await toAdministrators(tx, text)
      const { deliveries } = await resolveDeliveries(tx, messages, key, platforms)
      await this.outbox.enqueue(tx, deliveries, undefined)
      return deliveries.length
    })
  }

  replyTarget(msg: InboundMessage): OutboundMessage['to'] {
    if (msg.chatId !== null) return { kind: 'chat', platform: msg.platform, chatId: msg.chatId, ...(msg.replyTo ? { replyTo: msg.replyTo } : {}) }
    const id = msg.sender.ids[0]
    return { kind: 'user', platform: msg.platform, userId: id?.id ?? '' }
  }

  /** The command a quoting reply stands for, when it quotes a message the bot sent and a feature reads it. */
  private async quotedCommand(
    tx: Tx,
    msg: InboundMessage,
    person: NonNullable<CommandContext['person']>,
    role: AskerRole,
    chat: CommandContext['chat'],
    reply: CommandContext['reply'],
    out: OutboundMessage[],
  ): Promise<string | null> {
    const sent = await tx.outboxMessage.findFirst({ where: { platform: msg.platform, platformMessageId: msg.quotes! }, select: { payload: true } })
    // Contents are dropped after RETENTION_DAYS: an old message is no longer known.
    const quoted = sent?.payload ? (JSON.parse(sent.payload) as { text?: string }).text : undefined
    if (!quoted) return null
    const ctx = this.contextFor(tx, msg, { person, role, chat }, reply, out, wholeMessage(msg.text))
    for (const hook of this.opts.quoted ?? []) {
      const meant = await hook(ctx, quoted)
      if (meant) return meant.command
    }
    return null
  }

  /** The context a command (or a fallback, a hook, the intent layer) runs in; what it sends is collected in `out`. */
  private contextFor(
    tx: Tx,
    msg: InboundMessage,
    speaker: Pick<CommandContext, 'person' | 'role' | 'pendingRole' | 'chat'>,
    reply: CommandContext['reply'],
    out: OutboundMessage[],
    words: Pick<CommandContext, 'word' | 'args' | 'rawArgs' | 'tokens' | 'mentioned'>,
    attachments?: ReceivedFiles,
  ): CommandContext {
    return {
      tx,
      now: this.opts.clock.now(),
      t: this.t,
      settings: this.opts.settings,
      msg,
      ...speaker,
      ...words,
      reply,
      send: (m) => out.push(m),
      ...(attachments ? { attachments } : {}),
    }
  }

  /**
   * Decides what to do with one message; returns what to send. Runs inside the event's transaction.
   * Attachments no command took (`补充 SQ-…` takes them) go to the feature that receives them.
   */
  async handle(tx: Tx, received: InboundMessage, files?: ReceivedFile[]): Promise<OutboundMessage[]> {
    const attachments: ReceivedFiles | undefined = files?.length ? { files, taken: false } : undefined
    const seen: { ctx?: CommandContext } = {}
    const out = await this.handleMessage(tx, received, attachments, seen)
    if (attachments && !attachments.taken && seen.ctx?.person && this.opts.attachments) await this.opts.attachments.receive(seen.ctx, attachments.files)
    return out
  }

  private async handleMessage(
    tx: Tx,
    received: InboundMessage,
    attachments: ReceivedFiles | undefined,
    seenCtx: { ctx?: CommandContext },
  ): Promise<OutboundMessage[]> {
    if (received.event && received.event !== 'bot_added') return this.opts.lifecycle ? this.opts.lifecycle(tx, received, this.t, this.opts.clock.now()) : []
    const out: OutboundMessage[] = []
    const seen = received.chatId === null ? null : this.addressed(received)
    const msg: InboundMessage = seen ? { ...received, text: seen.text, mentionsBot: seen.mentionsBot } : received
    const chat = msg.chatId === null ? null : await ensureChat(tx, msg)
    if (msg.event === 'bot_added' && chat) {
      // Ask for the group to be bound, unless it already is.
      if (chat.unitId === null) out.push({ to: this.replyTarget(msg), text: this.t.addedToGroup })
      return out
    }
    if (!this.isForBot(msg)) return out
    const { person, pendingRole } = await resolveSender(tx, msg)
    const role: AskerRole = person ? (person.role as AskerRole) : 'guest'
    const replyTo = this.replyTarget(msg)
    const reply: CommandContext['reply'] = (text, extra) =>
      out.push({ to: replyTo, text, ...(extra?.card ? { card: extra.card } : {}), ...(extra?.mentions ? { mentions: extra.mentions } : {}) })

    let text = msg.action?.command ?? msg.text
    if (text.length > MAX_MESSAGE_CHARS) {
      reply(this.t.limits.tooLong(MAX_MESSAGE_CHARS))
      return out
    }
    // A reply quoting the bot's own message (found by the id the platform gave it when sent) may be about what that message was about.
    if (msg.quotes && !msg.action && person && this.opts.quoted?.length && !this.parser.startsWithCommand(text)) {
      const command = await this.quotedCommand(tx, msg, person, role, chat, reply, out)
      if (command) text = command
    }
    let parsed = this.parser.parse(text)
    if (parsed.kind === 'empty') {
      // A photo or file alone: for whatever receives attachments (the sender must be bound).
      if (attachments) {
        if (!person) reply(this.t.needBinding)
        else
          seenCtx.ctx = {
            tx,
            now: this.opts.clock.now(),
            t: this.t,
            settings: this.opts.settings,
            msg,
            person,
            role,
            chat,
            word: '',
            args: '',
            rawArgs: '',
            tokens: [],
            mentioned: [],
            reply,
            send: (m) => out.push(m),
            attachments,
          }
        return out
      }
      reply(this.t.unknown.emptyMention)
      return out
    }
    if (parsed.kind === 'unknown') {
      const ctx = this.contextFor(tx, msg, { person, role, ...(pendingRole ? { pendingRole } : {}), chat }, reply, out, wholeMessage(msg.text), attachments)
      seenCtx.ctx = ctx
      if (msg.chatId === null && person && !msg.action && this.opts.fallbacks?.length) {
        for (const fallback of this.opts.fallbacks) if (await fallback(ctx)) return out
      }
      // The intent layer: a message written the way people write may still mean a command.
      const meant = this.opts.intent && !msg.action ? await this.opts.intent.interpret(ctx) : false
      if (meant === true) return out
      const reparsed = meant ? this.parser.parse(meant.command) : parsed
      if (reparsed.kind !== 'command') {
        const hint = parsed.kind === 'unknown' ? parsed.suggestion : undefined
        const suggestion = hint && (!this.opts.intent || this.opts.intent.sameMeaning(parsed.word, hint.word)) ? this.byName.get(hint.name) : undefined
        reply(suggestion ? this.t.unknown.didYouMean(parsed.word, hint!.word, suggestion.usage(this.t)) : this.t.unknown.noSuggestion(parsed.word))
        return out
      }
      parsed = reparsed
    }
    if (parsed.kind !== 'command') return out
    const command = this.byName.get(parsed.name)!
    if (!command.roles.includes(role)) {
      if (role === 'guest') reply(this.t.needBinding)
      else
        reply(
          this.t.notAllowed(
            parsed.word,
            command.roles
              .filter((r) => r !== 'guest')
              .map((r) => this.t.roles[r])
              .join('、'),
          ),
        )
      return out
    }
    // Only a command that acts on people resolves its @mentions, and only a few of them.
    let mentioned: CommandContext['mentioned'] = []
    if (command.takesMentions) {
      const names = [...new Set(parsed.mentions)].filter((name) => !msg.mentions.some((x) => x.name === name && x.isBot))
      if (names.length > MAX_MENTIONS) {
        reply(this.t.limits.tooManyMentions(MAX_MENTIONS))
        return out
      }
      mentioned = await resolveMentions(tx, msg, names)
    }
    const words = { word: parsed.word, args: parsed.args, rawArgs: parsed.rawArgs, tokens: parsed.tokens, mentioned }
    const ctx = this.contextFor(tx, msg, { person, role, ...(pendingRole ? { pendingRole } : {}), chat }, reply, out, words, attachments)
    seenCtx.ctx = ctx
    await command.run(ctx)
    return out
  }
}

/** A whole message as a command's words: what the fallbacks, the intent layer and quoting hooks read. */
function wholeMessage(text: string): Pick<CommandContext, 'word' | 'args' | 'rawArgs' | 'tokens' | 'mentioned'> {
  const raw = text.trim()
  return { word: '', args: normalizeText(raw), rawArgs: raw, tokens: tokenize(raw), mentioned: [] }
}
