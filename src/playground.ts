import { ConfigError, type Config } from './config.js'
import type { Platform } from './core/types.js'
import type { Db } from './db/client.js'
import { unitLabel } from './organisation/scope.js'

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

/** A demo person as the playground lists them. */
export interface DemoPerson {
  employeeNo: string
  name: string
  role: string
  /** Their unit's label. */
  unit: string
  active: boolean
  demo: boolean
}

/**
 * The playground's view of the organisation: its demo people and groups, and whoever it is asked
 * about by employee number (to refuse real people by name). The web adapter reads nothing else.
 */
export class PlaygroundRoster {
  constructor(private readonly db: Db) {}

  /** Whether there is anyone to speak as (an active demo person). */
  async open(): Promise<boolean> {
    return (await this.db.person.count({ where: { demo: true, active: true } })) > 0
  }

  async people(): Promise<DemoPerson[]> {
    const people = await this.db.person.findMany({
      where: { active: true, demo: true },
      include: { unit: true },
      orderBy: [{ unitId: 'asc' }, { employeeNo: 'asc' }],
    })
    return people.map((p) => ({ employeeNo: p.employeeNo, name: p.name, role: p.role, unit: unitLabel(p.unit), active: p.active, demo: p.demo }))
  }

  /** The playground's demo groups that belong to a unit. */
  async chats(): Promise<{ id: string; name: string; unit: string | null }[]> {
    const chats = await this.db.chatGroup.findMany({
      where: { platform: 'web', demo: true, unitId: { not: null } },
      include: { unit: true },
      orderBy: { id: 'asc' },
    })
    return chats.map((c) => ({ id: c.externalId, name: c.name, unit: c.unit ? unitLabel(c.unit) : null }))
  }

  /** Anyone by employee number (demo or not, active or not: the caller refuses). */
  async person(employeeNo: string): Promise<Pick<DemoPerson, 'employeeNo' | 'name' | 'active' | 'demo'> | null> {
    return this.db.person.findUnique({ where: { employeeNo }, select: { employeeNo: true, name: true, active: true, demo: true } })
  }

  /** A playground group by its id, with whether it is a demo group. */
  chat(id: string): Promise<{ name: string; demo: boolean } | null> {
    return this.db.chatGroup.findUnique({ where: { platform_externalId: { platform: 'web', externalId: id } }, select: { name: true, demo: true } })
  }

  /** Names by employee number. */
  async names(employeeNos: string[]): Promise<Map<string, string>> {
    const rows = await this.db.person.findMany({ where: { employeeNo: { in: [...new Set(employeeNos)] } }, select: { employeeNo: true, name: true } })
    return new Map(rows.map((p) => [p.employeeNo, p.name]))
  }
}
