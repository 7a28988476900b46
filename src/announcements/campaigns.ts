/**
 * Announcements (公告) and campaigns: campaigns (活动) and their hazard reports, and opting out of birthday greetings.
 */
import type { Asker, PersonRow } from '../core/commands.js'
import type { Platform } from '../core/types.js'
import type { Tx } from '../db/client.js'
import { fileRequest, type RequestContext } from '../requests/service.js'
import { refuse, type AnnouncementContext, type CampaignRow, type Kind } from './service.js'
import type { Answered } from './responses.js'

// ------------------------------------------------------------------------------------ campaigns

export interface CampaignInput {
  name: string
  kind?: Kind
  /** Local dates; the period runs from the start of the first to the end of the last. */
  startsAt?: Date
  endsAt?: Date
}

/** `创建活动`: a campaign with a unique name and an optional period. */
export async function createCampaign(ctx: AnnouncementContext, actor: Asker, input: CampaignInput): Promise<CampaignRow> {
  const a = ctx.t.announcements
  if (actor.role !== 'officer' && actor.role !== 'admin') refuse(a.staffOnly)
  const name = input.name.trim()
  if (!name || name.length > 60) refuse(a.campaignName)
  if (input.startsAt && input.endsAt && input.endsAt <= input.startsAt) refuse(a.campaignPeriodOrder)
  if (await ctx.tx.campaign.findUnique({ where: { name } })) refuse(a.campaignExists(name))
  return ctx.tx.campaign.create({
    data: { name, kind: input.kind ?? 'safety', startsAt: input.startsAt ?? null, endsAt: input.endsAt ?? null, createdById: actor.id, createdAt: ctx.now },
  })
}

/** The safety campaign running now (the one started last, when several are), or null. */
export async function currentSafetyCampaign(tx: Tx, now: Date): Promise<CampaignRow | null> {
  const running = await tx.campaign.findMany({
    where: { kind: 'safety', AND: [{ OR: [{ startsAt: null }, { startsAt: { lte: now } }] }, { OR: [{ endsAt: null }, { endsAt: { gt: now } }] }] },
    orderBy: [{ startsAt: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
    take: 1,
  })
  return running[0] ?? null
}

/** `隐患 …`: an urgent 安全隐患 request, tagged with the running safety campaign. */
export async function reportHazard(
  ctx: AnnouncementContext,
  person: Asker,
  content: string,
  source: { platform: Platform; chatId: string | null },
): Promise<Answered> {
  const campaign = await currentSafetyCampaign(ctx.tx, ctx.now)
  const requestCtx: RequestContext = { tx: ctx.tx, now: ctx.now, t: ctx.t, timeZone: ctx.settings.timeZone }
  const { ack, out } = await fileRequest(requestCtx, {
    requester: person,
    anonymous: false,
    content,
    source,
    urgent: true,
    categoryName: '安全隐患',
    ...(campaign ? { campaignId: campaign.id } : {}),
  })
  const a = ctx.t.announcements
  return { text: [ack, campaign ? a.hazardCampaign(campaign.name) : '', a.hazardPhotos].filter(Boolean).join('\n'), out }
}

// ------------------------------------------------------------------------------------ birthdays

/** `不要生日祝福` / `恢复生日祝福`. */
export async function setBirthdayOptOut(ctx: AnnouncementContext, person: PersonRow, optOut: boolean): Promise<string> {
  await ctx.tx.person.update({ where: { id: person.id }, data: { birthdayOptOut: optOut } })
  return optOut ? ctx.t.announcements.birthdayOff : ctx.t.announcements.birthdayOn
}
