import { z } from 'zod'

// Building blocks that src/config.ts and the adapters' config slices (adapters/<platform>/config.ts) share;
// kept apart from config.ts so that a slice it merges can use them without an import cycle.

/** A configuration problem an operator must fix; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

const RATE_UNITS: Record<string, number> = { s: 1000, sec: 1000, second: 1000, min: 60_000, minute: 60_000, h: 3_600_000, hour: 3_600_000 }

/**
 * Rate limits as people write them: a comma-separated list of count/period, e.g. `50/s,1000/min`
 * (periods s, min, h). Each becomes a sliding-window rule; a send must keep under all of them.
 */
export const rateLimits = z
  .string()
  .regex(
    /^\s*[1-9]\d{0,6}\s*\/\s*(s|sec|second|min|minute|h|hour)\s*(,\s*[1-9]\d{0,6}\s*\/\s*(s|sec|second|min|minute|h|hour)\s*)*$/,
    'a comma-separated list of count/period (periods s, min, h), e.g. 50/s,1000/min',
  )
  .transform((v) =>
    v.split(',').map((part) => {
      const [count, unit] = part.split('/').map((x) => x.trim())
      return { count: Number(count), perMs: RATE_UNITS[unit!]! }
    }),
  )
