/**
 * The chat core: inbound events from storing to replying; the events accepted together in one transaction.
 * One flow (claim, identify, parse, run, fall back, deliver); who is speaking is resolved in chat-identity.ts,
 * what the core is built with is in chat-options.ts.
 */
import type { Db, Tx } from '../db/client.js'
import { messagesFor, type Messages } from '../messages/index.js'
import type { AskerRole, CommandContext, CommandDefinition, ReceivedFile, ReceivedFiles } from './commands.js'
import { ensureChat, resolveMentions, resolveSender } from './chat-identity.js'
import type { ChatCoreOptions } from './chat-options.js'
import { fetchAttachments } from './attachments.js'
import { Intake, type Received } from './intake.js'
import { clipInbound, MAX_MENTIONS, MAX_MESSAGE_CHARS } from './limits.js'
import { batchEnqueues, resolveDeliveries, type Outbox } from './outbox.js'
import { createParser, normalizeText, tokenize } from './parser.js'
import { reducedPayload } from './retention.js'
import { toAdministrators } from '../organisation/lifecycle.js'
import { quietHoursEnd } from './time/zone.js'
import type { InboundMessage, OutboundMessage, Platform } from './types.js'
import { noMetrics, type Metrics } from '../metrics/types.js'

/** Handling starts once no event has arrived for this long… */
const YIELD_IDLE_MS = 20
/** …or after this long at the latest, so it keeps moving under a long burst. */
const YIELD_MAX_MS = 1000
/** A batch's transaction takes no further event after this long (the rest follow in the next). */
const TX_BUDGET_MS = 30

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
  private readonly maxAttempts: number
  private readonly concurrency: number
  private readonly batchSize: number
  private readonly intake: Intake

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
    this.maxAttempts = opts.maxAttempts ?? 5
    this.concurrency = opts.concurrency ?? 1
    this.batchSize = opts.batchSize ?? 1
    this.intake = new Intake(db)
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

  /** Stores an inbound event. A redelivered event (same platform and event id) is reported as a duplicate. */
  receive(msg: InboundMessage): Promise<Received> {
    return this.intake.store(clipInbound(msg)).then((r) => (r.duplicate || this.metrics.eventAccepted(msg.platform), r))
  }

  private get metrics(): Metrics {
    return this.opts.metrics ?? noMetrics
  }

  /**
   * Background work (handling, recovery, sending) awaits this before using the database: the
   * platforms' answers come first, so during a burst it waits for a lull in arrivals (or a while).
   */
  giveWay(): Promise<void> {
    return this.intake.quiet(YIELD_IDLE_MS, YIELD_MAX_MS)
  }

  /** Events accepted and waiting to be handled, in arrival order. */
  private readonly queue: number[] = []
  private readonly runners = new Set<Promise<void>>()
  private running = 0

  /**
   * What a webhook adapter calls: stores the event (so the platform may be answered at once) and
   * queues it to be handled in the background. Returns whether it was a redelivery. If the store
   * fails the error propagates, and the adapter answers 5xx so the platform delivers it again.
   *
   * Events arriving together are stored by one write (see Intake), and handling runs through a
   * small fixed number of workers that wait for a lull in arrivals, so that under a burst the
   * writes that answer the platform are not stuck behind handling transactions (on SQLite every
   * write shares one connection).
   */
  async accept(msg: InboundMessage): Promise<Received> {
    const received = await this.receive(msg)
    if (!received.duplicate) {
      this.queue.push(received.id)
      if (this.running < this.concurrency) {
        this.running++
        const runner: Promise<void> = this.runQueue().finally(() => this.runners.delete(runner))
        this.runners.add(runner)
      }
    }
    return received
  }

  private async runQueue(): Promise<void> {
    for (;;) {
      await this.giveWay()
      // The events that arrived together are handled together: one claim, one transaction.
      const ids = this.queue.splice(0, this.batchSize)
      if (ids.length === 0) {
        // In the same turn as the check, so an event queued from now on starts a new runner.
        this.running--
        return
      }
      await this.processBatch(ids).catch((err) => this.opts.log?.error({ err }, 'processing accepted events failed; recovery will retry'))
    }
  }

  /** Waits for accepted events to be handled (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.runners.size > 0) await Promise.allSettled([...this.runners])
  }

  /** Stores and handles an event at once. */
  async receiveAndProcess(msg: InboundMessage): Promise<Received> {
    const received = await this.receive(msg)
    if (!received.duplicate) await this.process(received.id)
    return received
  }

  /**
   * Handles one stored event if no one else is handling it. Returns false when it was already
   * done or claimed by another worker or instance.
   */
  async process(id: number): Promise<boolean> {
    return (await this.processBatch([id])) === 1
  }

  /**
   * Handles stored events that no one else is handling, in their order, in one transaction: one
   * commit (on SQLite one sync) for all of them. If that transaction fails, each event is handled
   * again on its own, so one failing event neither holds up nor takes down the others. Returns
   * how many were handled.
   */
  async processBatch(ids: number[]): Promise<number> {
    const claimed = await this.claim(ids)
    if (claimed.length === 0) return 0
    const items = claimed.map((event) => ({ event, msg: JSON.parse(event.payload) as InboundMessage }))
    const forBot = items.map((i) => i.msg).filter((msg) => msg.event === undefined && this.isForBot(msg))
    if (this.opts.identify && forBot.length > 0) {
      await this.opts.identify(forBot).catch((err) => this.opts.log?.warn({ err }, 'directory lookup for a sender failed; handling the messages without it'))
    }
    if (items.length === 1) return (await this.runClaimed(items[0]!.event, items[0]!.msg)) ? 1 : 0
    // Photos and files are fetched first, outside the transaction (see runClaimed).
    const withFiles = []
    for (const it of items) withFiles.push({ ...it, files: await this.filesOf(it.event, it.msg) })
    let rest = withFiles
    while (rest.length > 0) {
      // A transaction that ran out of time leaves the rest for the next one: give way, then go on.
      if (rest !== withFiles) await this.giveWay()
      const startedAt = performance.now()
      let done: number
      try {
        done = await this.db.$transaction((tx) => this.handleSome(tx, rest), { timeout: 30_000, maxWait: 30_000 })
      } catch (error) {
        this.opts.log?.warn({ err: error, events: rest.length }, 'handling events together failed; handling each on its own')
        let handled = items.length - rest.length
        for (const { event, msg } of rest) if (await this.runClaimed(event, msg)) handled++
        return handled
      }
      const seconds = (performance.now() - startedAt) / 1000 / done
      for (const { msg } of rest.slice(0, done)) this.metrics.eventHandled(msg.platform, seconds)
      rest = rest.slice(done)
    }
    return items.length
  }

  /**
   * The claim (and its attempt) is committed on its own: an event that crashes the service every
   * time it is handled still runs out of attempts. Answers the claimed events in the order asked.
   */
  private async claim(ids: number[]) {
    const now = this.opts.clock.now()
    const rows = await this.db.inboundEvent.updateManyAndReturn({
      where: {
        id: ids.length === 1 ? ids[0]! : { in: ids },
        OR: [
          { status: 'pending', OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
          { status: 'processing', lockedUntil: { lt: now } },
        ],
      },
      data: { status: 'processing', lockedUntil: new Date(now.getTime() + 60_000), attempts: { increment: 1 } },
    })
    return rows.sort((a, b) => a.id - b.id)
  }

  /**
   * Handles claimed events one after the other in the caller's transaction, each writing its
   * replies (together, at the end) and marked done; answers how many it handled. It stops after
   * the event in hand once TX_BUDGET_MS have passed: on SQLite a webhook's insert waits for this
   * transaction, so a platform's answer waits for that long at most, not for a whole batch.
   */
  private handleSome(tx: Tx, items: { event: { id: number }; msg: InboundMessage; files?: ReceivedFile[] }[]): Promise<number> {
    const startedAt = performance.now()
    return batchEnqueues(async () => {
      let n = 0
      for (const { event, msg, files } of items) {
        // Never a turn of the event loop inside the transaction (another instance's write on the
        // same SQLite file would wait for it, and it for that write): a time budget instead.
        if (n > 0 && performance.now() - startedAt > TX_BUDGET_MS) break
        const out = await this.handle(tx, msg, files)
        await this.deliver(tx, out, `in:${msg.platform}:${msg.eventId}`, event.id)
        // Handled: only what de-duplication needs is kept (see retention.ts).
        await tx.inboundEvent.update({
          where: { id: event.id },
          data: { status: 'done', processedAt: this.opts.clock.now(), lockedUntil: null, error: null, payload: reducedPayload(msg) },
        })
        n++
      }
      return n
    })
  }

  /** Photos and files of a private message, fetched outside the transaction; a failed fetch is tried again twice with the event. */
  private async filesOf(event: { attempts: number }, msg: InboundMessage): Promise<ReceivedFile[] | undefined> {
    return msg.attachments?.length && msg.chatId === null && this.opts.attachments
      ? fetchAttachments(msg, this.opts.attachments, event.attempts < 3)
      : undefined
  }

  /** Handles one claimed event in its own transaction; on failure records the attempt (and, at the last, tells the asker). */
  private async runClaimed(event: { id: number; attempts: number }, msg: InboundMessage): Promise<boolean> {
    const id = event.id
    const startedAt = performance.now()
    try {
      const files = await this.filesOf(event, msg)
      await this.db.$transaction((tx) => this.handleSome(tx, [{ event, msg, files }]), { timeout: 30_000, maxWait: 30_000 })
      this.metrics.eventHandled(msg.platform, (performance.now() - startedAt) / 1000)
      return true
    } catch (error) {
      this.metrics.eventFailed(msg.platform)
      this.metrics.error('events', error)
      const message = error instanceof Error ? error.message : String(error)
      this.opts.log?.error({ err: error, eventId: msg.eventId, platform: msg.platform, attempt: event.attempts }, 'inbound event failed')
      const giveUp = event.attempts >= this.maxAttempts
      await this.db.inboundEvent
        .update({
          where: { id },
          data: giveUp
            ? { status: 'failed', lockedUntil: null, error: message.slice(0, 2000), payload: reducedPayload(msg) }
            : {
                status: 'pending',
                lockedUntil: new Date(this.opts.clock.now().getTime() + Math.min(60_000, 1000 * 2 ** event.attempts)),
                error: message.slice(0, 2000),
              },
        })
        .catch((e) => this.opts.log?.error({ err: e }, 'could not record inbound failure'))
      if (giveUp) {
        // Never silence: tell the asker it failed (on a fresh transaction).
        await this.db
          .$transaction(async (tx) =>
            this.deliver(tx, [{ to: this.replyTarget(msg), text: this.t.internalError }], `in:${msg.platform}:${msg.eventId}:error`, id),
          )
          .catch((e) => this.opts.log?.error({ err: e }, 'could not send error notice'))
      }
      return false
    }
  }

  /**
   * Handles events left pending or abandoned mid-way (after a crash, an outage, a failure's
   * backoff). Events waiting in this instance's own queue are left to it; like the queue, it gives
   * way to incoming events.
   */
  async recover(limit = 500): Promise<number> {
    const now = this.opts.clock.now()
    const rows = await this.db.inboundEvent.findMany({
      where: {
        OR: [
          { status: 'pending', OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
          { status: 'processing', lockedUntil: { lt: now } },
        ],
      },
      orderBy: { id: 'asc' },
      take: limit,
      select: { id: true },
    })
    const queued = new Set(this.queue)
    const ids = rows.map((r) => r.id).filter((id) => !queued.has(id))
    let done = 0
    for (let i = 0; i < ids.length; i += this.batchSize) {
      await this.giveWay()
      done += await this.processBatch(ids.slice(i, i + this.batchSize))
    }
    return done
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

  private replyTarget(msg: InboundMessage): OutboundMessage['to'] {
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
    const raw = msg.text.trim()
    const ctx: CommandContext = {
      tx,
      now: this.opts.clock.now(),
      t: this.t,
      settings: this.opts.settings,
      msg,
      person,
      role,
      chat,
      word: '',
      args: normalizeText(raw),
      rawArgs: raw,
      tokens: tokenize(raw),
      mentioned: [],
      reply,
      send: (m) => out.push(m),
    }
    for (const hook of this.opts.quoted ?? []) {
      const meant = await hook(ctx, quoted)
      if (meant) return meant.command
    }
    return null
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
      const raw = msg.text.trim()
      const ctx: CommandContext = {
        tx,
        now: this.opts.clock.now(),
        t: this.t,
        settings: this.opts.settings,
        msg,
        person,
        role,
        ...(pendingRole ? { pendingRole } : {}),
        chat,
        word: '',
        args: normalizeText(raw),
        rawArgs: raw,
        tokens: tokenize(raw),
        mentioned: [],
        reply,
        send: (m) => out.push(m),
        ...(attachments ? { attachments } : {}),
      }
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
    const ctx: CommandContext = {
      tx,
      now: this.opts.clock.now(),
      t: this.t,
      settings: this.opts.settings,
      msg,
      person,
      role,
      ...(pendingRole ? { pendingRole } : {}),
      chat,
      word: parsed.word,
      args: parsed.args,
      rawArgs: parsed.rawArgs,
      tokens: parsed.tokens,
      mentioned,
      reply,
      send: (m) => out.push(m),
      ...(attachments ? { attachments } : {}),
    }
    seenCtx.ctx = ctx
    await command.run(ctx)
    return out
  }
}
