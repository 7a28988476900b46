import crypto from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Db } from '../db/client.js'

export { noMetrics, type Metrics } from './types.js'
import type { Metrics } from './types.js'

/** Prisma's own errors (P-codes, its error classes) and the drivers' (libsql, pg) under its adapters. */
export function isDatabaseError(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; constructor?: { name?: string } } | null
  if (!e || typeof e !== 'object') return false
  const name = `${e.name ?? ''} ${e.constructor?.name ?? ''}`
  if (/Prisma|DriverAdapter|LibsqlError|DatabaseError/.test(name)) return true
  return typeof e.code === 'string' && /^(P\d{4}|SQLITE_\w+|ECONNREFUSED|57P0\d|08\d{3}|53\d{3})$/.test(e.code)
}

/** The slot key node-cron asks about is `<job>:<ISO time>`; the job's name may contain colons. */
function jobOfSlot(key: string): string {
  return /^(.*):\d{4}-\d\d-\d\dT[\d:.]+Z$/.exec(key)?.[1] ?? key
}

/** The service's metrics in a registry of its own (tests run several services in one process). */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry()
  private readonly accepted: Counter<'platform'>
  private readonly handled: Counter<'platform'>
  private readonly failed: Counter<'platform'>
  private readonly latency: Histogram<'platform'>
  private readonly sends: Counter<'platform'>
  private readonly sendFailures: Counter<'platform'>
  private readonly throttles: Counter<'platform'>
  private readonly dead: Counter<'platform'>
  private readonly ticks: Counter<'job' | 'won'>
  private readonly runs: Counter<'job' | 'outcome'>
  private readonly dbErrors: Counter<'component'>
  private readonly outboxDepth: Gauge<'platform'>
  private readonly outboxAge: Gauge<'platform'>
  private readonly outboxDead: Gauge<'platform'>

  constructor() {
    const registers = [this.registry]
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) => new Counter<L>({ name, help, labelNames, registers })
    const gauge = (name: string, help: string) => new Gauge<'platform'>({ name, help, labelNames: ['platform'], registers })
    this.accepted = counter('gongyou_events_accepted_total', 'Inbound events stored (redeliveries not counted)', ['platform'])
    this.handled = counter('gongyou_events_handled_total', 'Inbound events handled, their replies written to the outbox', ['platform'])
    this.failed = counter('gongyou_events_failed_total', 'Attempts at handling an inbound event that failed', ['platform'])
    this.latency = new Histogram({
      name: 'gongyou_event_handling_seconds',
      help: 'Time to handle one inbound event (its transaction, replies included)',
      labelNames: ['platform'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    })
    this.sends = counter('gongyou_outbox_sent_total', 'Messages a platform accepted', ['platform'])
    this.sendFailures = counter('gongyou_outbox_send_failures_total', 'Sends that failed and will be retried', ['platform'])
    this.throttles = counter('gongyou_outbox_throttled_total', 'Sends the platform refused as too many (the message waits)', ['platform'])
    this.dead = counter('gongyou_outbox_dead_letters_total', 'Messages moved to the dead letters by this instance', ['platform'])
    this.ticks = counter('gongyou_scheduler_ticks_total', 'Scheduled slots this instance asked for; won="true" when it ran the slot', ['job', 'won'])
    this.runs = counter('gongyou_scheduler_runs_total', 'Scheduled job runs on this instance, by outcome', ['job', 'outcome'])
    this.dbErrors = counter('gongyou_database_errors_total', 'Database errors caught, by the part of the service that met them', ['component'])
    this.outboxDepth = gauge('gongyou_outbox_depth', 'Messages waiting to be sent (pending or being sent), across all instances')
    this.outboxAge = gauge('gongyou_outbox_oldest_age_seconds', 'Age of the oldest message waiting to be sent (0 when none)')
    this.outboxDead = gauge('gongyou_outbox_dead_letters', 'Messages in the dead letters now')
  }

  eventAccepted(platform: string) {
    this.accepted.inc({ platform })
  }
  eventHandled(platform: string, seconds: number) {
    this.handled.inc({ platform })
    this.latency.observe({ platform }, seconds)
  }
  eventFailed(platform: string) {
    this.failed.inc({ platform })
  }
  sent(platform: string) {
    this.sends.inc({ platform })
  }
  sendFailed(platform: string) {
    this.sendFailures.inc({ platform })
  }
  throttled(platform: string) {
    this.throttles.inc({ platform })
  }
  deadLetter(platform: string) {
    this.dead.inc({ platform })
  }
  schedulerTick(key: string, won: boolean) {
    this.ticks.inc({ job: jobOfSlot(key), won: String(won) })
  }
  schedulerRun(job: string, ok: boolean) {
    this.runs.inc({ job, outcome: ok ? 'ok' : 'failed' })
  }
  error(component: string, err: unknown) {
    if (isDatabaseError(err)) this.dbErrors.inc({ component })
  }

  /**
   * Reads the outbox gauges from the database: one grouped query over the unsent and dead rows
   * (served by the status index), so a scrape stays cheap however large the sent history grows.
   */
  async collectOutbox(db: Db, now: Date, platforms: string[]): Promise<void> {
    const groups = await db.outboxMessage.groupBy({
      by: ['platform', 'status'],
      where: { status: { in: ['pending', 'sending', 'dead'] } },
      _count: { _all: true },
      _min: { createdAt: true },
    })
    const depth = new Map<string, number>(platforms.map((p) => [p, 0]))
    const dead = new Map<string, number>(platforms.map((p) => [p, 0]))
    const oldest = new Map<string, number>()
    for (const g of groups) {
      if (g.status === 'dead') {
        dead.set(g.platform, (dead.get(g.platform) ?? 0) + g._count._all)
        continue
      }
      depth.set(g.platform, (depth.get(g.platform) ?? 0) + g._count._all)
      const at = g._min.createdAt?.getTime()
      if (at !== undefined) oldest.set(g.platform, Math.min(oldest.get(g.platform) ?? at, at))
    }
    this.outboxDepth.reset()
    this.outboxAge.reset()
    this.outboxDead.reset()
    for (const [platform, n] of depth) {
      this.outboxDepth.set({ platform }, n)
      const at = oldest.get(platform)
      this.outboxAge.set({ platform }, at === undefined ? 0 : Math.max(0, (now.getTime() - at) / 1000))
    }
    for (const [platform, n] of dead) this.outboxDead.set({ platform }, n)
  }
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  return address === '::1' || /^(::ffff:)?127\./.test(address)
}

/** Constant-time comparison of a presented token with the configured one (hashed first, so lengths never leak). */
export function sameToken(presented: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(presented).digest()
  const b = crypto.createHash('sha256').update(expected).digest()
  return crypto.timingSafeEqual(a, b)
}

function bearer(req: FastifyRequest): string | null {
  const header = req.headers.authorization
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
  return m ? m[1]! : null
}

export interface MetricsPluginOptions {
  metrics: PrometheusMetrics
  db: Db
  /** Platforms always listed in the outbox gauges (0 when nothing waits). */
  platforms: () => string[]
  /** METRICS_TOKEN; unset: only clients on this machine (loopback) may scrape. */
  token?: string
}

/** `GET /metrics` in Prometheus' text format. */
export async function metricsPlugin(app: FastifyInstance, opts: MetricsPluginOptions): Promise<void> {
  const { metrics, db, token } = opts
  app.get('/metrics', async (req, reply) => {
    if (token) {
      const presented = bearer(req)
      if (!presented || !sameToken(presented, token)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="metrics"')
          .send({ error: { code: 'unauthorized', message: '需要有效的监控令牌（Authorization: Bearer <METRICS_TOKEN>）' } })
      }
    } else if (!isLoopback(req.socket.remoteAddress)) {
      return reply.code(403).send({ error: { code: 'forbidden', message: '未设置 METRICS_TOKEN 时，监控指标只对本机开放' } })
    }
    try {
      // Rows are stamped with the database's time when written: their age is read against real time.
      await metrics.collectOutbox(db, new Date(), opts.platforms())
    } catch (err) {
      // The counters are still worth a scrape; the gauges keep their last values.
      metrics.error('metrics', err)
      req.log.warn({ err }, 'metrics: could not read the outbox gauges')
    }
    return reply
      .type(metrics.registry.contentType)
      .header('cache-control', 'no-store')
      .send(await metrics.registry.metrics())
  })
}
