/**
 * How stored inbound events get handled: queued as they are accepted, claimed (one statement for the
 * events that arrived together), handled in one transaction with their replies, retried with backoff
 * and given up loudly after the last attempt, recovered after a crash. What a message means is the
 * chat core's (chat-core.ts); this file only runs events through it.
 */
import type { Db, Tx } from '../db/client.js'
import { directWrites } from '../db/direct-writes.js'
import { answeringFirst, forgetReads, withReadMemo } from '../db/read-memo.js'
import type { Messages } from '../messages/index.js'
import { noMetrics, type Metrics } from '../metrics/types.js'
import { fetchAttachments } from './attachments.js'
import type { ChatCoreOptions } from './chat-options.js'
import type { ReceivedFile } from './commands.js'
import type { Intake, Received } from './intake.js'
import { clipInbound } from './limits.js'
import { holdWrites } from './outbox.js'
import { HANDLED_PAYLOAD, traceOf } from './retention.js'
import type { InboundMessage, OutboundMessage } from './types.js'

/** Handling starts once no event has arrived for this long… */
const YIELD_IDLE_MS = 20
/** …or after this long at the latest, so it keeps moving under a long burst. */
const YIELD_MAX_MS = 1000
/** How long `handleNow` waits for another worker that claimed the event first. */
const HANDLE_NOW_WAIT_MS = 30_000
/** A batch's transaction takes no further event after this long (the rest follow in the next)… */
const TX_BUDGET_MS = 30
/**
 * …or after this long while events are still arriving (handling started because YIELD_MAX_MS ran
 * out, not for a lull): the webhooks waiting meanwhile are answered sooner (SQLite bench: p99 to
 * the 200 65–90 ms against 88–108 ms with the whole budget), and after the burst the rest are
 * handled in the larger transactions.
 */
const BURST_TX_BUDGET_MS = 10

/** What the runner needs of the chat core: handling a message, writing its replies, where an error notice goes. */
export interface EventHandler {
  readonly t: Messages
  isForBot(msg: Pick<InboundMessage, 'chatId' | 'mentionsBot' | 'text' | 'action'>): boolean
  handle(tx: Tx, msg: InboundMessage, files?: ReceivedFile[]): Promise<OutboundMessage[]>
  deliver(tx: Tx, messages: OutboundMessage[], keyPrefix: string, causeEventId: number | undefined): Promise<void>
  replyTarget(msg: InboundMessage): OutboundMessage['to']
  /** Reads what the messages' handling will ask of each sender, for all of them at once (see read-memo.ts). */
  prefetch(msgs: InboundMessage[]): Promise<void>
}

export class EventRunner {
  private readonly maxAttempts: number
  private readonly batchSize: number

  constructor(
    private readonly db: Db,
    private readonly intake: Intake,
    private readonly opts: ChatCoreOptions,
    private readonly core: EventHandler,
  ) {
    this.maxAttempts = opts.maxAttempts ?? 5
    this.batchSize = opts.batchSize ?? 1
  }

  private get metrics(): Metrics {
    return this.opts.metrics ?? noMetrics
  }

  /** Stores an inbound event. A redelivered event (same platform and event id) is reported as a duplicate. */
  receive(msg: InboundMessage): Promise<Received> {
    return this.intake.store(clipInbound(msg)).then((r) => (r.duplicate || this.metrics.eventAccepted(msg.platform), r))
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
  /** Whether a worker is taking the queue (one an instance: a batch is handled as one transaction, and instances sharing PostgreSQL use more cores). */
  private running = false

  /**
   * What a webhook adapter calls: stores the event (so the platform may be answered at once) and
   * queues it to be handled in the background. Returns whether it was a redelivery. If the store
   * fails the error propagates, and the adapter answers 5xx so the platform delivers it again.
   *
   * Events arriving together are stored by one write (see Intake), and handling runs through one
   * worker that waits for a lull in arrivals, so that under a burst the writes that answer the
   * platform are not stuck behind handling transactions (on SQLite every write shares one
   * connection). One worker takes the queue in batches; more workers made smaller batches and ran
   * slower on PostgreSQL too (the JavaScript thread is the limit; a second instance adds a core).
   */
  async accept(msg: InboundMessage): Promise<Received> {
    const received = await this.receive(msg)
    if (!received.duplicate) {
      this.queue.push(received.id)
      if (!this.running) {
        this.running = true
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
        this.running = false
        return
      }
      await this.processBatch(ids).catch((err) => this.opts.log?.error({ err }, 'processing accepted events failed; recovery will retry'))
    }
  }

  /** Waits for accepted events to be handled (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.runners.size > 0) await Promise.allSettled([...this.runners])
  }

  /** Stores and handles an event at once (see `handleNow`). */
  async receiveAndProcess(msg: InboundMessage): Promise<Received> {
    const received = await this.receive(msg)
    if (!received.duplicate) await this.handleNow(received.id)
    return received
  }

  /**
   * Handles a stored event before returning, for a caller that answers with its replies (the
   * playground). Between its storing and this, the service's recovery or another instance may have
   * claimed it: then this waits until that worker is done with it (or has left it for a retry after
   * a failure), at most HANDLE_NOW_WAIT_MS, instead of returning with nothing handled yet.
   */
  async handleNow(id: number): Promise<void> {
    const deadline = performance.now() + HANDLE_NOW_WAIT_MS
    while (!(await this.process(id))) {
      const row = await this.db.inboundEvent.findUnique({ where: { id }, select: { status: true } })
      if (row?.status !== 'processing' || performance.now() > deadline) return
      await new Promise((r) => setTimeout(r, 20))
    }
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
    // The events' repeated reads of standing data (senders, units, officers, categories, polls) are asked once.
    return withReadMemo(() => this.handleClaimed(claimed))
  }

  private async handleClaimed(claimed: Awaited<ReturnType<EventRunner['claim']>>): Promise<number> {
    const items = claimed.map((event) => ({ event, msg: JSON.parse(event.payload) as InboundMessage }))
    const forBot = items.map((i) => i.msg).filter((msg) => msg.event === undefined && this.core.isForBot(msg))
    if (this.opts.identify && forBot.length > 0) {
      await this.opts.identify(forBot).catch((err) => this.opts.log?.warn({ err }, 'directory lookup for a sender failed; handling the messages without it'))
    }
    if (items.length > 1) await this.core.prefetch(items.map((i) => i.msg))
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
        done = await this.handleInTransaction(rest)
      } catch (error) {
        this.opts.log?.warn({ err: error, events: rest.length }, 'handling events together failed; handling each on its own')
        forgetReads()
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

  /** Handles claimed events in a transaction of their own, its rows written by the driver (db/direct-writes.ts). */
  private handleInTransaction(items: Parameters<EventRunner['handleSome']>[1]): Promise<number> {
    return directWrites(() => this.db.$transaction((tx) => this.handleSome(tx, items), { timeout: 30_000, maxWait: 30_000 }))
  }

  /**
   * Handles claimed events one after the other in the caller's transaction, each writing its
   * replies (together, at the end) and marked done; answers how many it handled. It stops after
   * the event in hand once its budget has passed (TX_BUDGET_MS, or BURST_TX_BUDGET_MS during a
   * burst): on SQLite a webhook's insert waits for this transaction, so a platform's answer waits
   * for that long at most, not for a whole batch. On PostgreSQL (no `sharedWriter`) the intake
   * writes beside it, and the whole batch is one transaction: one commit, its request numbers
   * counted on from one (db/counters.ts).
   */
  private handleSome(given: Tx, items: { event: { id: number; trace: string | null }; msg: InboundMessage; files?: ReceivedFile[] }[]): Promise<number> {
    const startedAt = performance.now()
    const budget = !this.opts.sharedWriter ? Infinity : this.intake.arrivedWithin(YIELD_IDLE_MS) ? BURST_TX_BUDGET_MS : TX_BUDGET_MS
    // The batch's remembered reads are answered before Prisma's client (read-memo.ts).
    const tx = answeringFirst(given)
    return holdWrites(async () => {
      const handled: number[] = []
      for (const { event, msg, files } of items) {
        // Never a turn of the event loop inside the transaction (another instance's write on the
        // same SQLite file would wait for it, and it for that write): a time budget instead.
        if (handled.length > 0 && performance.now() - startedAt > budget) break
        const out = await this.core.handle(tx, msg, files)
        await this.core.deliver(tx, out, `in:${msg.platform}:${msg.eventId}`, event.id)
        // A row stored before traces were written on arrival gets its own.
        if (event.trace === null) await tx.inboundEvent.update({ where: { id: event.id }, data: { trace: traceOf(msg) } })
        handled.push(event.id)
      }
      // Handled: only the trace is kept (see retention.ts) — one statement for the events handled together.
      await tx.inboundEvent.updateMany({
        where: { id: handled.length === 1 ? handled[0]! : { in: handled } },
        data: { status: 'done', processedAt: this.opts.clock.now(), lockedUntil: null, error: null, payload: HANDLED_PAYLOAD },
      })
      return handled.length
    })
  }

  /** Photos and files of a private message, fetched outside the transaction; a failed fetch is tried again twice with the event. */
  private async filesOf(event: { attempts: number }, msg: InboundMessage): Promise<ReceivedFile[] | undefined> {
    return msg.attachments?.length && msg.chatId === null && this.opts.attachments
      ? fetchAttachments(msg, this.opts.attachments, event.attempts < 3)
      : undefined
  }

  /** Handles one claimed event in its own transaction; on failure records the attempt (and, at the last, tells the asker). */
  private async runClaimed(event: { id: number; attempts: number; trace: string | null }, msg: InboundMessage): Promise<boolean> {
    const id = event.id
    const startedAt = performance.now()
    try {
      const files = await this.filesOf(event, msg)
      await this.handleInTransaction([{ event, msg, files }])
      this.metrics.eventHandled(msg.platform, (performance.now() - startedAt) / 1000)
      return true
    } catch (error) {
      forgetReads()
      this.metrics.eventFailed(msg.platform)
      this.metrics.error('events', error)
      const message = error instanceof Error ? error.message : String(error)
      this.opts.log?.error({ err: error, eventId: msg.eventId, platform: msg.platform, attempt: event.attempts }, 'inbound event failed')
      const giveUp = event.attempts >= this.maxAttempts
      await this.db.inboundEvent
        .update({
          where: { id },
          data: giveUp
            ? { status: 'failed', lockedUntil: null, error: message.slice(0, 2000), payload: HANDLED_PAYLOAD, trace: traceOf(msg) }
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
            this.core.deliver(tx, [{ to: this.core.replyTarget(msg), text: this.core.t.internalError }], `in:${msg.platform}:${msg.eventId}:error`, id),
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
}
