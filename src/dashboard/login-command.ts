import { issueLoginLink } from '../auth/tokens.js'
import { reachablePrivately, staffRoles, type CommandDefinition } from '../core/commands.js'

export interface LoginCommandOptions {
  /** The address people open the dashboard at (PUBLIC_URL, or where the service listens). */
  publicUrl(): string
  /** How long a link works (LOGIN_LINK_MINUTES). */
  minutes: number
}

/**
 * `登录后台`: an officer or administrator gets a one-time sign-in link to the dashboard, always
 * privately (asked in a group, the group only hears that it was sent). The code is stored hashed
 * and works once, for LOGIN_LINK_MINUTES.
 */
export function loginCommand(opts: LoginCommandOptions): CommandDefinition {
  return {
    name: 'dashboardLogin',
    words: ['登录后台', '后台登录', '登录工作台'],
    aliases: ['dashboard'],
    roles: staffRoles,
    usage: (t) => t.dashboard.usage,
    summary: (t) => t.dashboard.summary,
    async run(ctx) {
      const person = ctx.person!
      const { t } = ctx
      if (ctx.chat && !(await reachablePrivately(ctx, person.id))) return ctx.reply(t.dashboard.cannotReachPrivately)
      const { code } = await issueLoginLink(ctx.tx, person.id, ctx.now, opts.minutes)
      const url = `${opts.publicUrl().replace(/\/+$/, '')}/dashboard/login?code=${encodeURIComponent(code)}`
      const text = t.dashboard.link(url, opts.minutes)
      if (ctx.chat) {
        ctx.send({ to: { kind: 'person', personId: person.id }, text })
        ctx.reply(t.dashboard.sentPrivately)
      } else {
        ctx.reply(text)
      }
    },
  }
}
