import { ConfigError, type Config } from './config.js'
import type { Platform } from './core/types.js'

/** Whether the web playground runs, and why (said in one line at start-up). */
export interface PlaygroundDecision {
  on: boolean
  reason: string
}

/** The variables that turn each platform on, to name them when the playground is refused. */
const platformVariables: Record<Platform, string> = {
  feishu: 'FEISHU_APP_ID',
  wecom: 'WECOM_CORP_ID/WECOM_BOT_ID',
  wechaty: 'WECHATY_PUPPET',
  web: 'GONGYOU_PLAYGROUND',
}

/**
 * The playground lets whoever reaches it speak as any demo person, the demo administrator
 * included. It is safe only on a machine that is a demo and nothing else: no platform adapter
 * configured by the environment (its people are real) and no PUBLIC_URL (the service is meant
 * to be reached from elsewhere). `auto` turns it on exactly then; `true` anywhere else refuses to
 * start (ConfigError naming the variables); `false` keeps it off. Whether demo people exist is
 * checked later (see createService).
 */
export function decidePlayground(config: Config, platforms: readonly Platform[]): PlaygroundDecision {
  if (config.GONGYOU_PLAYGROUND === 'false') return { on: false, reason: 'GONGYOU_PLAYGROUND=false' }
  const blockers = [
    ...platforms.map((p) => `${platformVariables[p]} is set (the ${p} platform is configured)`),
    ...(config.PUBLIC_URL ? ['PUBLIC_URL is set (the service is meant to be reached from other machines)'] : []),
  ]
  if (blockers.length > 0) {
    if (config.GONGYOU_PLAYGROUND === 'true') {
      throw new ConfigError(
        `Invalid configuration: GONGYOU_PLAYGROUND=true is refused because ${blockers.join(' and ')} — the playground lets anyone speak as the demo administrator; set GONGYOU_PLAYGROUND=auto or false`,
      )
    }
    return { on: false, reason: blockers.join(' and ') }
  }
  return {
    on: true,
    reason:
      config.GONGYOU_PLAYGROUND === 'true'
        ? 'GONGYOU_PLAYGROUND=true, no platform configured and no PUBLIC_URL'
        : 'no platform configured and no PUBLIC_URL (GONGYOU_PLAYGROUND=auto)',
  }
}
