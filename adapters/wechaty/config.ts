import { z } from 'zod'
import type { Config } from '../../src/config.js'

/**
 * The Wechaty adapter's slice of the environment (src/config.ts merges it into the one schema, so
 * loadConfig validates it and names a bad variable). Defaults are safe for a personal account.
 */
export const wechatyEnv = {
  /** The puppet (protocol provider); the adapter is on when it is set. */
  WECHATY_PUPPET: z.string().optional(),
  WECHATY_PUPPET_TOKEN: z.string().optional(),
  /** The least time between two sends of the account (to any chat or person). */
  WECHATY_PACE_MS: z.coerce.number().int().min(0).max(600_000).default(1500),
  /** Plus a random pause of up to this. */
  WECHATY_JITTER_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
  /** Plus this much per character of the message (people take longer to type a long one). */
  WECHATY_MS_PER_CHAR: z.coerce.number().int().min(0).max(1000).default(20),
  /** At most this many messages a day (in GONGYOU_TIMEZONE) from the account; then sends wait for the next day. */
  WECHATY_DAILY_LIMIT: z.coerce.number().int().min(1).max(100_000).default(1500),
  /** Messages older than this when they arrive (a puppet replaying its backlog after a re-login) are dropped. */
  WECHATY_MAX_AGE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(5),
}

/** The Wechaty adapter is on when a puppet is chosen (WECHATY_PUPPET). */
export const wechatyEnabled = (config: Config): boolean => Boolean(config.WECHATY_PUPPET)
