import { z } from 'zod'
import type { Config } from '../../src/config.js'
import { ConfigError, rateLimits } from '../../src/env.js'
import type { SendLimits } from '../../src/core/types.js'

/**
 * The Feishu adapter's slice of the environment (src/config.ts merges it into the one schema, so
 * loadConfig validates it and names a bad variable). On when FEISHU_APP_ID and FEISHU_APP_SECRET are set.
 */
export const feishuEnv = {
  FEISHU_APP_ID: z.string().optional(),
  FEISHU_APP_SECRET: z.string().optional(),
  FEISHU_ENCRYPT_KEY: z.string().optional(),
  FEISHU_VERIFICATION_TOKEN: z.string().optional(),
  FEISHU_MODE: z.enum(['webhook', 'ws']).default('webhook'),
  FEISHU_DOMAIN: z.url({ message: 'a URL such as https://open.feishu.cn or https://open.larksuite.com' }).default('https://open.feishu.cn'),
  /** The app's message-sending quota (Feishu documents 50/s and 1000/min; a tenant's may differ). */
  FEISHU_APP_RATE_LIMIT: rateLimits.prefault('50/s,1000/min'),
}

/** The app id format WSClient.start() insists on (it silently does nothing otherwise). */
export const APP_ID_PATTERN = /^cli_[0-9a-fA-F]{16}$/

export interface FeishuSettings {
  appId: string
  appSecret: string
  encryptKey?: string
  verificationToken?: string
  mode: 'webhook' | 'ws'
  /** The open platform's base URL, without a trailing slash. */
  domain: string
  /** The app's message-sending quota (FEISHU_APP_RATE_LIMIT): sliding-window rules across all chats. */
  appRateLimit: { count: number; perMs: number }[]
}

/** True when the configuration turns Feishu on: both credentials are set. */
export function feishuEnabled(config: Config): boolean {
  // Either credential turns it on, so a half-configured Feishu stops start-up naming the missing one.
  return Boolean(config.FEISHU_APP_ID || config.FEISHU_APP_SECRET)
}

/**
 * Cross-field checks on the FEISHU_* variables, for an enabled adapter. Throws ConfigError with one
 * line naming the variable to fix.
 */
export function feishuSettings(config: Config): FeishuSettings {
  const appId = config.FEISHU_APP_ID
  const appSecret = config.FEISHU_APP_SECRET
  if (!appId)
    throw new ConfigError('Invalid configuration: FEISHU_APP_ID — required when FEISHU_APP_SECRET is set (the app id from the Feishu developer console, cli_…)')
  if (!appSecret) throw new ConfigError('Invalid configuration: FEISHU_APP_SECRET — required when FEISHU_APP_ID is set')
  if (config.FEISHU_MODE === 'webhook' && !config.FEISHU_ENCRYPT_KEY) {
    throw new ConfigError(
      'Invalid configuration: FEISHU_ENCRYPT_KEY — required when FEISHU_MODE=webhook (events are signed and encrypted with it); set it from 事件与回调 > 加密策略, or use FEISHU_MODE=ws',
    )
  }
  if (config.FEISHU_MODE === 'ws' && !APP_ID_PATTERN.test(appId)) {
    throw new ConfigError(
      `Invalid configuration: FEISHU_APP_ID (got "${appId.slice(0, 40)}") — expected cli_ followed by 16 hex digits; the long connection (FEISHU_MODE=ws) refuses any other app id`,
    )
  }
  return {
    appId,
    appSecret,
    ...(config.FEISHU_ENCRYPT_KEY ? { encryptKey: config.FEISHU_ENCRYPT_KEY } : {}),
    ...(config.FEISHU_VERIFICATION_TOKEN ? { verificationToken: config.FEISHU_VERIFICATION_TOKEN } : {}),
    mode: config.FEISHU_MODE,
    domain: config.FEISHU_DOMAIN.replace(/\/+$/, ''),
    appRateLimit: config.FEISHU_APP_RATE_LIMIT,
  }
}

/**
 * Feishu's published limits for sending a message: 5 a second to one chat or user, 50 a second and
 * 1000 a minute per app. The per-app part is the default of FEISHU_APP_RATE_LIMIT (a tenant's quota
 * can differ); see `feishuLimitsFor`.
 */
export const feishuLimits: SendLimits = {
  perTarget: [{ count: 5, perMs: 1000 }],
  perPlatform: [
    { count: 50, perMs: 1000 },
    { count: 1000, perMs: 60_000 },
  ],
}

/** The limits the outbox keeps for one app: Feishu's per-chat limit and the app's configured quota. */
export function feishuLimitsFor(settings: Pick<FeishuSettings, 'appRateLimit'>): SendLimits {
  return { perTarget: feishuLimits.perTarget, perPlatform: settings.appRateLimit.map((r) => ({ ...r })) }
}
