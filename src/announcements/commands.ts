import { z } from 'zod'
import { allRoles, commandBuilder, parseArgs, staffRoles, textAfterFirst, type CommandContext, type CommandDefinition } from '../core/commands.js'
import { parseDate } from '../core/time/when.js'
import { zonedTime } from '../core/time/zone.js'
import { parseCreateForm, parseEditForm } from './form.js'
import { isAnnouncementNumber, kindOf, type AnnouncementContext, type AnnouncementSettings, type Deliver, type Kind } from './service.js'
import { createAnnouncement, validateAnnouncement } from './create.js'
import { cancelAnnouncement, editAnnouncement, setPaused } from './changes.js'
import { acknowledge, cancelSignup, signUp, type Answered } from './responses.js'
import { createCampaign, reportHazard, setBirthdayOptOut } from './campaigns.js'
import { campaignsView, listView, progressView } from './views.js'

export interface AnnouncementCommandDeps {
  settings: AnnouncementSettings
  deliver: Deliver
}

const numberSchema = z.string().refine(isAnnouncementNumber)

/**
 * The announcement's number from the first argument; in a group, `已阅` / `报名` alone mean the
 * latest announcement posted to this group that asks for it.
 */
async function numberOf(ctx: CommandContext, self: CommandDefinition, wanted: 'ack' | 'signup' | null): Promise<string | null> {
  const first = ctx.tokens[0]
  if (first !== undefined || !wanted || !ctx.chat) return parseArgs(ctx, numberSchema, self, first)
  const posted = await ctx.tx.announcementDelivery.findMany({
    where: { platform: ctx.chat.platform, target: ctx.chat.externalId },
    orderBy: { id: 'desc' },
    take: 20,
    select: { announcementId: true },
  })
  const ids = [...new Set(posted.map((p) => p.announcementId))]
  const latest = await ctx.tx.announcement.findFirst({
    where: {
      id: { in: ids },
      status: { in: ['sending', 'sent'] },
      ...(wanted === 'ack' ? { OR: [{ requireAck: true }, { signup: true }] } : { signup: true }),
    },
    orderBy: { id: 'desc' },
  })
  if (!latest) return parseArgs(ctx, numberSchema, self, first)
  return latest.number
}

/** Answers a response privately when it was given in a group (a group need not hear every 已阅), else where it came from. */
function answer(ctx: CommandContext, done: Answered): void {
  if (ctx.chat && ctx.person)
    ctx.send({
      to: { kind: 'person', personId: ctx.person.id },
      text: done.text,
      fallback: { kind: 'chat', platform: ctx.msg.platform, chatId: ctx.chat.externalId },
    })
  else ctx.reply(done.text)
  done.out.forEach(ctx.send)
}

const DATE_TOKEN = /\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?/g

/** Builds the announcement commands. */
export function announcementCommands(deps: AnnouncementCommandDeps): CommandDefinition[] {
  const context = (ctx: CommandContext): AnnouncementContext => ({ tx: ctx.tx, now: ctx.now, t: ctx.t, settings: deps.settings, deliver: deps.deliver })

  const command = commandBuilder('announcements')

  const publish = command(
    'announce',
    ['发布公告', '发公告', '发布通知', '发通知'],
    ['announce'],
    staffRoles,
    'publish',
    'publish',
    async (ctx) => {
      if (!ctx.rawArgs.trim()) return ctx.reply(ctx.t.announcements.formGuide)
      const { input, problems } = parseCreateForm({ now: ctx.now, t: ctx.t, timeZone: deps.settings.timeZone }, ctx.rawArgs)
      const create = { ...context(ctx), actor: ctx.person! }
      // Lines that could not be read, and everything else that is wrong, answered at once.
      if (problems.length > 0)
        return ctx.reply(`${ctx.t.announcements.notCreated([...problems, ...(await validateAnnouncement(create, input))])}\n${ctx.t.announcements.formHint}`)
      const { ack } = await createAnnouncement(create, input)
      ctx.reply(ack)
    },
    'publishExample',
  )

  const list = command('announcements', ['公告列表', '我的公告'], ['announcements'], staffRoles, 'list', 'list', async (ctx) =>
    ctx.reply(await listView(context(ctx), ctx.person!)),
  )

  const progress = command('announcementProgress', ['公告进度', '公告统计', '公告情况'], ['reach'], staffRoles, 'progress', 'progress', async (ctx, self) => {
    const n = parseArgs(ctx, numberSchema, self, ctx.tokens[0])
    if (n === null) return
    const { text, card } = await progressView(context(ctx), ctx.person!, n)
    ctx.reply(text, { card })
  })

  const cancel = command('cancelAnnouncement', ['取消公告', '撤销公告'], ['unannounce'], staffRoles, 'cancel', 'cancel', async (ctx, self) => {
    const n = parseArgs(ctx, numberSchema, self, ctx.tokens[0])
    if (n === null) return
    ctx.reply(await cancelAnnouncement(context(ctx), ctx.person!, n))
  })

  const edit = command(
    'editAnnouncement',
    ['修改公告', '更改公告', '编辑公告'],
    ['editannouncement'],
    staffRoles,
    'edit',
    'edit',
    async (ctx, self) => {
      const n = parseArgs(ctx, numberSchema, self, ctx.tokens[0])
      if (n === null) return
      const { edit: changes, problems, empty } = parseEditForm({ now: ctx.now, t: ctx.t, timeZone: deps.settings.timeZone }, textAfterFirst(ctx))
      if (empty && problems.length === 0) return ctx.reply(ctx.t.usage(self.usage(ctx.t), self.example?.(ctx.t)))
      if (problems.length > 0) return ctx.reply(ctx.t.announcements.notEdited(n.toUpperCase(), problems))
      ctx.reply(await editAnnouncement(context(ctx), ctx.person!, n, changes))
    },
    'editExample',
  )

  const pause = command('pauseAnnouncement', ['暂停公告'], ['pause'], staffRoles, 'pause', 'pause', async (ctx, self) => {
    const n = parseArgs(ctx, numberSchema, self, ctx.tokens[0])
    if (n === null) return
    ctx.reply(await setPaused(context(ctx), ctx.person!, n, true))
  })

  const resume = command('resumeAnnouncement', ['恢复公告'], ['resume'], staffRoles, 'resume', 'resume', async (ctx, self) => {
    const n = parseArgs(ctx, numberSchema, self, ctx.tokens[0])
    if (n === null) return
    ctx.reply(await setPaused(context(ctx), ctx.person!, n, false))
  })

  const ack = command('acknowledge', ['已阅', '已读'], ['ack'], allRoles, 'ack', 'ack', async (ctx, self) => {
    const n = await numberOf(ctx, self, 'ack')
    if (n === null) return
    answer(ctx, await acknowledge(context(ctx), ctx.person!, n))
  })

  const signup = command('signUp', ['报名'], ['signup'], allRoles, 'signup', 'signup', async (ctx, self) => {
    const n = await numberOf(ctx, self, 'signup')
    if (n === null) return
    answer(ctx, await signUp(context(ctx), ctx.person!, n))
  })

  const unsign = command('cancelSignUp', ['取消报名'], ['unsignup'], allRoles, 'cancelSignup', 'cancelSignup', async (ctx, self) => {
    const n = await numberOf(ctx, self, 'signup')
    if (n === null) return
    answer(ctx, await cancelSignup(context(ctx), ctx.person!, n))
  })

  const campaign = command(
    'createCampaign',
    ['创建活动', '新建活动'],
    ['campaign'],
    staffRoles,
    'campaign',
    'campaign',
    async (ctx, self) => {
      const a = ctx.t.announcements
      const text = ctx.args
      const dates = [...text.matchAll(DATE_TOKEN)].map((m) => m[0].trim())
      const rest = text
        .replace(DATE_TOKEN, ' ')
        .replace(/\s(至|到|~|—|-{1,2})\s/g, ' ')
        .split(/\s+/)
        .filter((w) => w && !/^(至|到|~|—|-{1,2})$/.test(w))
      let kind: Kind | undefined
      const nameParts: string[] = []
      for (const word of rest) {
        const k = kindOf(word)
        if (k && !kind && nameParts.length > 0) kind = k
        else nameParts.push(word)
      }
      const name = nameParts.join(' ')
      if (!name || dates.length > 2) return ctx.reply(ctx.t.usage(self.usage(ctx.t), self.example?.(ctx.t)))
      const days = dates.map(parseDate)
      const bad = dates.find((_, i) => days[i] === null)
      if (bad !== undefined) return ctx.reply(a.badDate(bad))
      const tz = deps.settings.timeZone
      const [from, to] = days as { year: number; month: number; day: number }[]
      const startsAt = from ? zonedTime(from.year, from.month, from.day, 0, 0, tz) : undefined
      // The period ends with its last day: stored as the start of the next one.
      const endsAt = to ? zonedTime(to.year, to.month, to.day + 1, 0, 0, tz) : undefined
      const row = await createCampaign(context(ctx), ctx.person!, {
        name,
        ...(kind ? { kind } : {}),
        ...(startsAt ? { startsAt } : {}),
        ...(endsAt ? { endsAt } : {}),
      })
      ctx.reply(a.campaignCreated(row.name, a.kinds[row.kind] ?? row.kind, dates[0] ?? '', dates[1] ?? '', row.kind === 'safety'))
    },
    'campaignExample',
  )

  const campaigns = command('campaigns', ['活动列表'], ['campaigns'], staffRoles, 'campaigns', 'campaigns', async (ctx) =>
    ctx.reply(await campaignsView(context(ctx))),
  )

  const hazard = command(
    'hazard',
    ['隐患', '报隐患', '隐患上报', '随手拍'],
    ['hazard'],
    allRoles,
    'hazard',
    'hazard',
    async (ctx, self) => {
      const content = parseArgs(ctx, z.string().trim().min(1), self, ctx.rawArgs)
      if (content === null) return
      const done = await reportHazard(context(ctx), ctx.person!, content, { platform: ctx.msg.platform, chatId: ctx.msg.chatId })
      ctx.reply(done.text)
      done.out.forEach(ctx.send)
    },
    'hazardExample',
  )

  const birthdayOff = command('birthdayOff', ['不要生日祝福', '关闭生日祝福'], ['nobirthday'], allRoles, 'birthdayOff', 'birthdayOff', async (ctx) =>
    ctx.reply(await setBirthdayOptOut(context(ctx), ctx.person!, true)),
  )
  const birthdayOn = command('birthdayOn', ['恢复生日祝福', '开启生日祝福'], ['birthday'], allRoles, 'birthdayOn', 'birthdayOn', async (ctx) =>
    ctx.reply(await setBirthdayOptOut(context(ctx), ctx.person!, false)),
  )

  return [publish, list, progress, edit, cancel, pause, resume, ack, signup, unsign, campaign, campaigns, hazard, birthdayOff, birthdayOn]
}
