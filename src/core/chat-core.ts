/**
 * The chat core: inbound events from storing to replying; the events accepted together in one transaction.
 *
 * Over 400 lines (572): one flow (claim, identify, parse, run, fall back, deliver) that reads best whole;
 * the queue and batch handling (accept … runClaimed) is the seam to split along next.
 */
import type { Db, Tx } from '../db/client.js'
import { messagesFor, type Locale, type Messages } from '../messages/index.js'
import type { Clock } from './clock.js'
import {
  vouchedRoles,
  type Asker,
  type AskerRole,
  type ChatRow,
  type CommandContext,
  type CommandDefinition,
  type CoreSettings,
  type PersonRow,
  type Role,
} from './commands.js'
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

export interface ChatCoreOptions {
  clock: Clock
  locale: Locale
  settings: CoreSettings
  commands: CommandDefinition[]
  log?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void }
  /** Attempts before an inbound event is given up (the asker is then told it failed). */
  maxAttempts?: number
  /** Accepted events handled at once (default 1 on SQLite's single writer is right; more on PostgreSQL). */
  concurrency?: number
  /** Most queued events one worker handles in one transaction (default 1). */
  batchSize?: number
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
  /** Handles platform happenings (InboundMessage.event other than bot_added) in the event's transaction: src/organisation/lifecycle.ts. */
  lifecycle?: (tx: Tx, msg: InboundMessage, t: Messages, now: Date) => Promise<OutboundMessage[]>
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
    let rest = items
    while (rest.length > 0) {
      // A transaction that ran out of time leaves the rest for the next one: give way, then go on.
      if (rest !== items) await this.giveWay()
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
  private handleSome(tx: Tx, items: { event: { id: number }; msg: InboundMessage }[]): Promise<number> {
    const startedAt = performance.now()
    return batchEnqueues(async () => {
      let n = 0
      for (const { event, msg } of items) {
        // Never a turn of the event loop inside the transaction (another instance's write on the
        // same SQLite file would wait for it, and it for that write): a time budget instead.
        if (n > 0 && performance.now() - startedAt > TX_BUDGET_MS) break
        const out = await this.handle(tx, msg)
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

  /** Handles one claimed event in its own transaction; on failure records the attempt (and, at the last, tells the asker). */
  private async runClaimed(event: { id: number; attempts: number }, msg: InboundMessage): Promise<boolean> {
    const id = event.id
    const startedAt = performance.now()
    try {
      await this.db.$transaction((tx) => this.handleSome(tx, [{ event, msg }]), { timeout: 30_000, maxWait: 30_000 })
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

  /** Decides what to do with one message; returns what to send. Runs inside the event's transaction. */
  async handle(tx: Tx, received: InboundMessage): Promise<OutboundMessage[]> {
    if (received.event && received.event !== 'bot_added') return this.opts.lifecycle ? this.opts.lifecycle(tx, received, this.t, this.opts.clock.now()) : []
    const out: OutboundMessage[] = []
    const seen = received.chatId === null ? null : this.addressed(received)
    const msg: InboundMessage = seen ? { ...received, text: seen.text, mentionsBot: seen.mentionsBot } : received
    const chat = msg.chatId === null ? null : await this.ensureChat(tx, msg)
    if (msg.event === 'bot_added' && chat) {
      // Ask for the group to be bound, unless it already is.
      if (chat.unitId === null) out.push({ to: this.replyTarget(msg), text: this.t.addedToGroup })
      return out
    }
    if (!this.isForBot(msg)) return out
    const { person, pendingRole } = await this.resolveSender(tx, msg)
    const role: AskerRole = person ? (person.role as AskerRole) : 'guest'
    const replyTo = this.replyTarget(msg)
    const reply: CommandContext['reply'] = (text, extra) =>
      out.push({ to: replyTo, text, ...(extra?.card ? { card: extra.card } : {}), ...(extra?.mentions ? { mentions: extra.mentions } : {}) })

    const text = msg.action?.command ?? msg.text
    if (text.length > MAX_MESSAGE_CHARS) {
      reply(this.t.limits.tooLong(MAX_MESSAGE_CHARS))
      return out
    }
    let parsed = this.parser.parse(text)
    if (parsed.kind === 'empty') {
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
      }
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
      mentioned = await this.resolveMentions(tx, msg, names)
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
    }
    await command.run(ctx)
    return out
  }

  /** A group seen for the first time is recorded (unbound) so an officer can bind it. */
  private async ensureChat(tx: Tx, msg: InboundMessage): Promise<ChatRow> {
    const where = { platform_externalId: { platform: msg.platform, externalId: msg.chatId! } }
    const existing = await tx.chatGroup.findUnique({ where })
    if (existing) return existing
    return tx.chatGroup.create({ data: { platform: msg.platform, externalId: msg.chatId!, name: msg.chatName ?? msg.chatId! } })
  }

  /**
   * The person behind the sender's platform ids. The web playground names people by employee
   * number, and may speak only as demo people: a real person is never resolved that way.
   * Nobody acts as somebody else: a staff role (collector, officer, admin) bound only by a typed
   * claim is answered as a worker — every command sees `role: 'worker'` — until an administrator
   * confirms the binding or the person redeems a one-time code (`pendingRole` keeps the roster role).
   */
  private async resolveSender(tx: Tx, msg: InboundMessage): Promise<{ person: Asker | null; pendingRole?: Role }> {
    for (const id of msg.sender.ids) {
      if (msg.platform === 'web' && id.kind === 'employeeNo') {
        const person = await tx.person.findUnique({ where: { employeeNo: id.id }, include: { unit: true } })
        if (person?.active && person.demo) return { person }
        continue
      }
      const identity = await tx.platformIdentity.findUnique({
        where: { platform_kind_externalId: { platform: msg.platform, kind: id.kind, externalId: id.id } },
        include: { person: { include: { unit: true } } },
      })
      if (!identity?.person.active) continue
      const role = identity.person.role as Role
      if (identity.vouchedBy === 'claim' && vouchedRoles.includes(role)) return { person: { ...identity.person, role: 'worker' }, pendingRole: role }
      return { person: identity.person }
    }
    return { person: null }
  }

  /**
   * The people behind @mentions (already de-duplicated and capped): by the platform ids the mention
   * carries, else by a name or employee number naming exactly one active person. Two queries
   * whatever the number of mentions.
   */
  private async resolveMentions(tx: Tx, msg: InboundMessage, names: string[]): Promise<{ name: string; person: PersonRow | null }[]> {
    if (names.length === 0) return []
    const idsOf = new Map(names.map((name) => [name, msg.mentions.find((x) => x.name === name && !x.isBot)?.ids ?? []]))
    const pairs = [...idsOf.values()].flat().slice(0, 5 * MAX_MENTIONS)
    const identities = pairs.length
      ? await tx.platformIdentity.findMany({
          where: { platform: msg.platform, OR: pairs.map((id) => ({ kind: id.kind, externalId: id.id })) },
          include: { person: true },
        })
      : []
    const byId = new Map(identities.map((i) => [`${i.kind}\u0000${i.externalId}`, i.person]))
    const unresolved = names.filter((name) => !idsOf.get(name)!.some((id) => byId.has(`${id.kind}\u0000${id.id}`)))
    const people = unresolved.length
      ? await tx.person.findMany({ where: { active: true, OR: [{ name: { in: unresolved } }, { employeeNo: { in: unresolved } }] } })
      : []
    return names.map((name) => {
      for (const id of idsOf.get(name)!) {
        const person = byId.get(`${id.kind}\u0000${id.id}`)
        if (person) return { name, person }
      }
      // By name (or employee number), when it names exactly one active person.
      const candidates = people.filter((p) => p.name === name || p.employeeNo === name)
      return { name, person: candidates.length === 1 ? candidates[0]! : null }
    })
  }
}
