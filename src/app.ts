import crypto from 'node:crypto'
import Fastify, { LogController, type FastifyInstance, type FastifySchemaValidationError } from 'fastify'
import type { Config } from './config.js'
import { decidePlayground, PlaygroundRoster, type PlaygroundDecision } from './playground.js'
import { Transcript } from './core/transcript.js'
import type { AttachmentSettings } from './core/attachments.js'
import { ChatCore } from './core/chat-core.js'
import { systemClock, type Clock } from './core/clock.js'
import { Refusal, type CommandDefinition } from './core/commands.js'
import type { Deliver, Feature, FeatureContext } from './core/feature.js'
import { helpCommand } from './core/help.js'
import { tryAcquireLease } from './core/lease.js'
import { AdapterPorts } from './core/adapter-ports.js'
import { Outbox } from './core/outbox.js'
import { PLATFORMS, type Adapter, type Platform } from './core/types.js'
import { openDatabase, type Db } from './db/client.js'
import { migrate } from './db/migrate.js'
import { messagesFor } from './messages/index.js'
import { adminPlugin, publicUrlFor } from './api/index.js'
import { ApiError } from './api/context.js'
import { loginCommand } from './dashboard/login-command.js'
import { directoryIdentifier, type DirectoryDeps } from './organisation/binding.js'
import { handleLifecycle } from './organisation/lifecycle.js'
import { hasActiveDemo, isOrganisationEmpty, seedDemoOrganisation } from './organisation/demo.js'
import { recipientLabel } from './operations/commands.js'
import { operations } from './operations/index.js'
import { organisation } from './organisation/index.js'
import { requests } from './requests/index.js'
import { polls } from './polls/index.js'
import { announcements } from './announcements/index.js'
import { Scheduler } from './core/scheduler.js'
import { dropOldContents } from './core/retention.js'
import { metricsPlugin, PrometheusMetrics } from './metrics/index.js'
import { playgroundRoutes, WebAdapter } from '../adapters/web/index.js'
import { createPlatformAdapters, enabledPlatforms, type AdapterFactory, type PlatformAdapter } from '../adapters/index.js'

export { decidePlayground, type PlaygroundDecision }

export interface ServiceOptions {
  clock?: Clock
  /** An open database; otherwise one is opened from config.DATABASE_URL. */
  db?: Db
  /** Adapters besides the web playground (tests pass fakes). */
  adapters?: Adapter[]
  /** The platform adapter factories to use instead of the built-in list (tests). */
  adapterFactories?: AdapterFactory[]
  /** Run migrations at start (default true). */
  migrate?: boolean
  /** Logger settings for fastify (tests pass false). */
  logger?: boolean | object
  instanceId?: string
  /** Another schedule for a job, by name (e.g. `{ 'polls:close': '* * * * * *' }`; tests). */
  schedules?: Readonly<Record<string, string>>
}

export interface Service {
  app: FastifyInstance
  db: Db
  core: ChatCore
  outbox: Outbox
  scheduler: Scheduler
  config: Config
  /** Whether the web playground runs, and why. */
  playground: PlaygroundDecision
  /** What GET /metrics shows. */
  metrics: PrometheusMetrics
  /** Listen on config.HOST:PORT; returns the address. */
  listen(): Promise<string>
  /** Starts the background work (outbox pumps, recovery of unfinished events). */
  startWorkers(): void
  /** Graceful stop: no new requests, in-flight work finished, database closed. */
  close(): Promise<void>
}

/** Paths whose values never reach the logs. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-lark-signature"]',
  '*.secret',
  '*.token',
  '*.password',
  '*.appSecret',
  '*.encryptKey',
  '*.text',
  '*.payload',
]

export async function createService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const clock = options.clock ?? systemClock
  // Decided before anything else, so a refused configuration stops start-up at once.
  let playground = decidePlayground(config, enabledPlatforms(config, options.adapterFactories))
  const app = Fastify({
    logger: options.logger ?? { level: config.LOG_LEVEL, redact: { paths: redactPaths, censor: '[redacted]' } },
    bodyLimit: 1024 * 1024,
    // Per-request lines only when debugging: they would carry chat content in URLs otherwise.
    logController: new LogController({ disableRequestLogging: config.LOG_LEVEL !== 'debug' && config.LOG_LEVEL !== 'trace' }),
  })
  const log = app.log
  if (options.migrate !== false) {
    const { applied } = await migrate(config.DATABASE_URL)
    if (applied.length) log.info({ applied }, 'database migrations applied')
  }
  const db = options.db ?? openDatabase(config.DATABASE_URL)
  const t = messagesFor(config.GONGYOU_LOCALE)
  const instanceId = options.instanceId ?? crypto.randomUUID()
  const metrics = new PrometheusMetrics()

  // The demo organisation is seeded only where the playground will show it.
  if (playground.on && config.GONGYOU_DEMO_SEED === 'auto' && (await isOrganisationEmpty(db))) {
    if (await tryAcquireLease(db, 'seed:demo', instanceId, 60_000, clock.now())) {
      if (await isOrganisationEmpty(db)) {
        await seedDemoOrganisation(db)
        log.info('empty database: seeded the demo organisation (示例集团（演示）); importing a real roster retires it')
      }
    }
  }
  // The playground speaks only as demo people: without them it has nobody to speak as.
  if (playground.on && !(await hasActiveDemo(db))) {
    playground = {
      on: false,
      reason:
        config.GONGYOU_DEMO_SEED === 'off'
          ? 'there is no demo organisation (GONGYOU_DEMO_SEED=off)'
          : 'there is no demo organisation (a real roster was imported, or the database already had an organisation)',
    }
  }
  log.info(
    { playground: playground.on },
    playground.on
      ? `playground: on at /playground, demo people only, for loopback Host headers only — ${playground.reason}`
      : `playground: off — ${playground.reason}`,
  )

  let core: ChatCore
  const outbox = new Outbox(db, {
    clock,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    baseDelayMs: config.OUTBOX_BASE_DELAY_MS,
    maxDelayMs: config.OUTBOX_MAX_DELAY_MS,
    instanceId,
    log,
    giveWay: () => core.giveWay(),
    metrics,
    onDead: (row) => {
      if (row.key.startsWith('alert:')) return
      // Administrators are told, privately, once per dead letter.
      void db
        .$transaction(async (tx) => {
          const admins = await tx.person.findMany({ where: { role: 'admin', active: true }, select: { id: true } })
          await core.deliver(
            tx,
            admins.map((a) => ({
              to: { kind: 'person' as const, personId: a.id },
              text: t.alerts.deadLetter(row.platform, recipientLabel(t, row), (row.lastError ?? '').slice(0, 200)),
            })),
            `alert:dead:${row.id}`,
            undefined,
          )
        })
        .catch((err) => log.error({ err }, 'could not alert administrators about a dead letter'))
    },
  })

  const adapters: PlatformAdapter[] = [...(options.adapters ?? [])]
  const transcript = new Transcript(db)
  if (playground.on) adapters.unshift(new WebAdapter(transcript))
  // People are reached privately on the real platforms first, the playground last.
  const enabled = new Set<Platform>([...enabledPlatforms(config, options.adapterFactories), ...adapters.map((a) => a.platform)])
  const privatePlatforms = PLATFORMS.filter((p) => enabled.has(p))

  const deliver: Deliver = (tx, messages, keyPrefix) => core.deliver(tx, messages, keyPrefix, undefined)
  const directoryDeps: DirectoryDeps = { db, t, deliver, now: () => clock.now(), log }
  // Every domain is a feature of the same shape: its commands, jobs, fallbacks, intent layer, routes.
  const context: FeatureContext = { config, db, t, deliver, publicUrl: publicUrlFor(app, config) }
  const signIn: Feature = { commands: [loginCommand({ publicUrl: publicUrlFor(app, config), minutes: config.LOGIN_LINK_MINUTES })], jobs: [] }
  const privacy: Feature = {
    commands: [],
    jobs: [{ name: 'privacy:retention', cron: config.RETENTION_CRON, run: async (now) => void (await dropOldContents(db, now, config.RETENTION_DAYS)) }],
  }
  const features: Feature[] = [requests(context), organisation(), operations(), signIn, announcements(context), await polls(context), privacy]
  const commands: CommandDefinition[] = []
  commands.push(
    helpCommand(() => commands),
    ...features.flatMap((f) => f.commands),
  )
  core = new ChatCore(db, outbox, {
    clock,
    locale: config.GONGYOU_LOCALE,
    settings: { timeZone: config.GONGYOU_TIMEZONE, privatePlatforms, quietHours: config.QUIET_HOURS, minGroup: config.PRIVACY_MIN_GROUP },
    commands,
    log,
    fallbacks: features.flatMap((f) => f.fallbacks ?? []),
    // A sender not known yet is looked up in the platform's directory (bound without typing).
    identify: directoryIdentifier(directoryDeps, () => adapters),
    intent: features.find((f) => f.intent)?.intent,
    quoted: features.flatMap((f) => (f.quoted ? [f.quoted] : [])),
    lifecycle: handleLifecycle,
    attachments: attachmentSettings(config.ATTACHMENT_MAX_BYTES, () => adapters, features),
    // Events that arrived together are handled together: one claim, one transaction (on SQLite one
    // per 30 ms), their standing data read once. On PostgreSQL larger batches counted a 5,000-vote
    // burst in 12 s instead of 15; on SQLite, where a webhook's insert waits for every write, 32 kept the p99 to
    // the platform's 200 under 100 ms.
    batchSize: config.databaseProvider === 'sqlite' ? 32 : 128,
    sharedWriter: config.databaseProvider === 'sqlite',
    metrics,
  })
  for (const f of features) await f.setup?.()
  const ports = new AdapterPorts(db, outbox, clock)
  adapters.push(...(await createPlatformAdapters({ config, core, ports, clock, log }, options.adapterFactories)))
  for (const a of adapters) outbox.register(a)

  // Scheduled work: node-cron in GONGYOU_TIMEZONE; a database row elects one instance per tick.
  const scheduler = new Scheduler({ db, instanceId, timeZone: config.GONGYOU_TIMEZONE, clock, log, metrics })
  for (const job of features.flatMap((f) => f.jobs)) scheduler.add(job.name, options.schedules?.[job.name] ?? job.cron, job.run)

  // The one error handler: JSON with a stable code and a Chinese message; never a stack trace.
  // A refusal (core's Refusal, whichever domain threw it) is a conflict a person should read: 409.
  app.setErrorHandler(
    (error: Error & { statusCode?: number; code?: string; validation?: FastifySchemaValidationError[]; validationContext?: string }, req, reply) => {
      if (error instanceof ApiError) return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message, ...error.extra } })
      if (error instanceof Refusal) return reply.code(409).send({ error: { code: 'refused', message: error.message } })
      if (error.validation) {
        const issues = error.validation.map((v) => ({ field: v.instancePath.replace(/^\//, '').replace(/\//g, '.'), message: v.message ?? '不正确' }))
        const where = contextLabels[error.validationContext ?? ''] ?? '请求'
        const message = `${where}不正确：${issues.map((i) => (i.field ? `${i.field}：${i.message}` : i.message)).join('；')}`
        return reply.code(400).send({ error: { code: 'invalid_request', message, issues } })
      }
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
      if (status >= 500) {
        metrics.error('api', error)
        req.log.error({ err: error }, 'request failed')
        return reply.code(status).send({ error: { code: 'internal', message: '服务器内部错误，请稍后再试' } })
      }
      const known: Record<string, string> = {
        FST_ERR_CTP_INVALID_JSON_BODY: '请求体不是有效的 JSON',
        FST_ERR_CTP_EMPTY_JSON_BODY: '请求体为空，应为 JSON',
        FST_ERR_CTP_BODY_TOO_LARGE: '请求体太大',
        FST_ERR_CTP_INVALID_MEDIA_TYPE: '不支持的内容类型',
        FST_ERR_VALIDATION: '请求参数不正确',
      }
      return reply.code(status).send({ error: { code: (error.code ?? 'bad_request').toLowerCase(), message: known[error.code ?? ''] ?? '请求不正确' } })
    },
  )
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: t.limits.notFound(`${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`) } }),
  )
  // Every answer: no content sniffing. Every HTML page: a Content-Security-Policy (a page's own inline
  // scripts allowed by their hashes, nothing else inline), no framing, no referrer.
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff')
    if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', pageCsp(typeof payload === 'string' ? payload : ''))
    reply.header('x-frame-options', 'DENY')
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'no-referrer')
    return payload
  })
  // Text that is not Unicode (a lone surrogate such as "\ud800" in JSON) cannot be stored or shown: refused before any route sees it.
  app.addHook('preValidation', async (req) => {
    if (hasLoneSurrogate(req.body) || hasLoneSurrogate(req.query) || hasLoneSurrogate(req.params)) throw new ApiError(400, 'invalid_text', t.limits.invalidText)
  })

  app.get('/healthz', async () => ({ ok: true }))
  app.get('/readyz', async (_req, reply) => {
    let database = true
    try {
      await db.$queryRawUnsafe('SELECT 1')
    } catch {
      database = false
    }
    const platforms = Object.fromEntries(adapters.map((a) => [a.platform, a.status()]))
    const ready = database && Object.values(platforms).every((s) => s.connected)
    return reply.code(ready ? 200 : 503).send({ ready, database, adapters: platforms })
  })
  await app.register(metricsPlugin, { metrics, db, platforms: () => outbox.platforms(), token: config.METRICS_TOKEN })
  await app.register(adminPlugin, {
    db,
    core,
    clock,
    config,
    t,
    adapters,
    publicUrl: publicUrlFor(app, config),
    wake: () => outbox.wake(),
    demoSignIn: playground.on,
  })
  for (const f of features) if (f.routes) await app.register(async (scope) => f.routes!(scope))
  for (const a of adapters) if (a.routes) await app.register(async (scope) => a.routes!(scope))
  if (playground.on)
    await app.register(playgroundRoutes, { roster: new PlaygroundRoster(db), transcript, core, ports, botName: t.botName, timeZone: config.GONGYOU_TIMEZONE })

  let recoveryTimer: NodeJS.Timeout | undefined
  let recovering: Promise<unknown> = Promise.resolve()
  const service: Service = {
    app,
    db,
    core,
    outbox,
    scheduler,
    config,
    playground,
    metrics,
    async listen() {
      return app.listen({ port: config.PORT, host: config.HOST })
    },
    startWorkers() {
      outbox.start()
      scheduler.start()
      for (const a of adapters) void Promise.resolve(a.start?.()).catch((err) => log.error({ err, platform: a.platform }, 'adapter failed to start'))
      let busy = false
      const tick = () => {
        if (busy) return
        busy = true
        recovering = core
          .recover()
          .catch((err) => log.error({ err }, 'recovering inbound events failed'))
          .finally(() => (busy = false))
      }
      tick()
      recoveryTimer = setInterval(tick, 5000)
      recoveryTimer.unref()
    },
    async close() {
      clearInterval(recoveryTimer)
      await scheduler.stop()
      await app.close()
      await core.drain()
      await recovering
      await outbox.stop(config.SHUTDOWN_GRACE_MS)
      for (const a of adapters) await a.stop?.()
      await db.$disconnect()
    },
  }
  return service
}

/** Photos and files: fetched through the adapter of their platform, received by the feature that takes them (requests). */
function attachmentSettings(maxBytes: number, adapters: () => Adapter[], features: Feature[]): AttachmentSettings | undefined {
  const receive = features.find((f) => f.attachments)?.attachments
  return receive ? { maxBytes, media: (platform) => adapters().find((a) => a.platform === platform)?.media, receive } : undefined
}

/** Where a request was not valid, in the words of the error message. */
const contextLabels: Record<string, string> = { body: '请求体', querystring: '查询参数', params: '路径参数', headers: '请求头' }

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** True when a string anywhere in a parsed body or query (keys too) is not well-formed Unicode. */
function hasLoneSurrogate(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value)
  if (typeof value !== 'object' || value === null || depth > 64 || ArrayBuffer.isView(value)) return false
  if (Array.isArray(value)) return value.some((v) => hasLoneSurrogate(v, depth + 1))
  return Object.entries(value).some(([k, v]) => LONE_SURROGATE.test(k) || hasLoneSurrogate(v, depth + 1))
}

const INLINE_SCRIPT = /<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi
const cspCache = new Map<string, string>()

/**
 * The Content-Security-Policy of an HTML page: its own files, inline styles, data: images, and its
 * inline scripts by their sha256 only (the page as sent; an injected script has another hash).
 */
export function pageCsp(html: string): string {
  const cached = cspCache.get(html)
  if (cached) return cached
  const hashes = [...html.matchAll(INLINE_SCRIPT)].map((m) => `'sha256-${crypto.createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`)
  const csp = `default-src 'self'; script-src 'self'${hashes.length ? ` ${hashes.join(' ')}` : ''}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`
  if (cspCache.size < 32) cspCache.set(html, csp)
  return csp
}
