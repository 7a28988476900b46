import cron from 'node-cron'
import { z } from 'zod'
import { feishuEnv } from '../adapters/feishu/config.js'
import { wechatyEnv } from '../adapters/wechaty/config.js'
import { wecomEnv } from '../adapters/wecom/config.js'
import { ConfigError } from './env.js'
import { PLATFORMS, type Platform } from './core/types.js'

export { ConfigError, rateLimits } from './env.js'

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz })
      return true
    } catch {
      return false
    }
  },
  { message: 'an IANA time zone such as Asia/Shanghai' },
)

const cronExpression = z.string().refine((expr) => cron.validate(expr), { message: 'a cron expression such as "30 8 * * *" (minute hour day month weekday)' })

const quietHours = z
  .string()
  .regex(/^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/, 'HH:MM-HH:MM (e.g. 22:00-07:00) or off')
  .transform((v) => (v === 'off' ? null : { start: v.slice(0, 5), end: v.slice(6) }))

const databaseUrl = z.string().regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, 'file:<path> for SQLite or postgresql://user@host:port/db for PostgreSQL')

/** Every environment variable the service reads, with its default. `.env.example` documents each. */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: databaseUrl.default('file:./data/gongyou.db'),
  GONGYOU_TIMEZONE: timeZone.default('Asia/Shanghai'),
  GONGYOU_LOCALE: z.enum(['zh-CN', 'en']).default('zh-CN'),
  /**
   * The web playground (speak as demo people at /playground): auto turns it on only where it is
   * safe (no platform configured, no PUBLIC_URL, demo organisation present); true insists on it and
   * refuses to start where it is not safe; false keeps it off. See decidePlayground in src/app.ts.
   */
  GONGYOU_PLAYGROUND: z
    .enum(['auto', 'true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
    .transform((v): 'auto' | 'true' | 'false' => (v === 'auto' ? 'auto' : ['true', '1', 'yes', 'on'].includes(v) ? 'true' : 'false'))
    .prefault('auto'),
  /** auto: seed the demo organisation into an empty database when the playground will be on; off: never. */
  GONGYOU_DEMO_SEED: z.enum(['auto', 'off']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  OUTBOX_BASE_DELAY_MS: z.coerce.number().int().min(1).default(1000),
  OUTBOX_MAX_DELAY_MS: z.coerce.number().int().min(1).default(300_000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  QUIET_HOURS: quietHours.prefault('22:00-07:00'),
  REQUEST_AUTOCLOSE_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  REQUEST_DIGEST_CRON: cronExpression.default('30 8 * * *'),
  REQUEST_SUPERVISED_CRON: cronExpression.default('0 9 * * 1'),
  REQUEST_AUTOCLOSE_CRON: cronExpression.default('15 3 * * *'),
  // Polls and surveys (投票, 问卷).
  POLL_MAX_REMINDERS: z.coerce.number().int().min(0).max(5).default(1),
  /** Keys voter keys (HMAC); unset: one is generated and kept in the database. */
  GONGYOU_SECRET: z.string().min(16, { message: 'at least 16 characters (e.g. openssl rand -hex 32)' }).optional(),
  // Privacy: figures about fewer people are not shown by unit; sent messages' contents are kept this long.
  PRIVACY_MIN_GROUP: z.coerce.number().int().min(1).max(100).default(5),
  // Photos and files sent with requests (images and PDF): the largest taken, and how long after a request they still join it.
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  ATTACHMENT_JOIN_MINUTES: z.coerce.number().int().min(1).max(60).default(5),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  RETENTION_CRON: cronExpression.default('45 3 * * *'),
  // Announcements (公告): when birthday greetings go out, how often people are reminded, who is @-mentioned.
  ANNOUNCEMENT_BIRTHDAY_CRON: cronExpression.default('0 9 * * *'),
  ANNOUNCEMENT_MAX_REMINDERS: z.coerce.number().int().min(0).max(5).default(1),
  ANNOUNCEMENT_REMIND_EVERY_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  ANNOUNCEMENT_MENTION_PLATFORMS: z
    .string()
    .regex(new RegExp(`^(none|(${PLATFORMS.join('|')})(\\s*,\\s*(${PLATFORMS.join('|')}))*)$`), `a comma-separated list of ${PLATFORMS.join(', ')}, or none`)
    .transform((v) => (v === 'none' ? [] : v.split(',').map((p) => p.trim())) as Platform[])
    .prefault(PLATFORMS.join(',')),

  // Admin API and dashboard.
  /** The address people open sign-in links at; unset: the address the service listens on. */
  PUBLIC_URL: z.url({ message: 'a URL such as https://gongyou.example.com' }).optional(),
  LOGIN_LINK_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(10),
  DASHBOARD_SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(300),

  // Feishu / Lark: on when FEISHU_APP_ID and FEISHU_APP_SECRET are set (the adapter owns its variables).
  ...feishuEnv,

  // WeCom (企业微信): the self-built app and the intelligent bot (the adapter owns its variables).
  ...wecomEnv,

  // WeChat groups through Wechaty: on when WECHATY_PUPPET is set (the adapter owns its variables).
  ...wechatyEnv,

  // Metrics
  /** Bearer token for GET /metrics; unset: only clients on this machine (loopback) may scrape. */
  METRICS_TOKEN: z.string().min(16, { message: 'at least 16 characters (e.g. openssl rand -hex 32)' }).optional(),
})

export type Config = z.infer<typeof envSchema> & { databaseProvider: 'sqlite' | 'postgresql' }

/**
 * Parses the environment. Empty strings count as unset, so `PORT=` in a .env file falls back to
 * the default. Throws ConfigError with one line naming the first bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(envSchema.shape)
  const input: Record<string, string> = {}
  for (const key of known) {
    const value = env[key]
    if (value !== undefined && value.trim() !== '') input[key] = value.trim()
  }
  const parsed = envSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const name = String(issue.path[0] ?? 'environment')
    const shown = name in input ? ` (got "${redactIfSecret(name, input[name]!)}")` : ''
    throw new ConfigError(`Invalid configuration: ${name}${shown} — expected ${describeExpected(issue)}`)
  }
  const data = parsed.data
  return { ...data, databaseProvider: data.DATABASE_URL.startsWith('file:') ? 'sqlite' : 'postgresql' }
}

function describeExpected(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `one of ${issue.values.map(String).join(', ')}`
  if (issue.code === 'too_small' || issue.code === 'too_big') return issue.message.replace(/^Too (small|big): expected /i, '')
  return issue.message.replace(/^Invalid input: expected /, '')
}

function redactIfSecret(name: string, value: string): string {
  if (/SECRET|TOKEN|KEY|PASSWORD/.test(name)) return '***'
  if (name === 'DATABASE_URL') return value.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')
  return value
}
