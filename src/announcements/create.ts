/**
 * Announcements (公告) and campaigns: creating one: the input checked against the creator's scope, then posted or scheduled.
 */
import type { Asker, UnitRow } from '../core/commands.js'
import { formatLocal } from '../core/time/zone.js'
import type { Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import { canActOnUnit, findUnits, isUnitWithin, unitLabel } from '../organisation/scope.js'
import { canonicalCron, nextSlot, parseCron } from '../core/time/recurrence.js'
import {
  announcementInputSchema,
  inputProblems,
  nextNumber,
  refuse,
  targetGroups,
  unitsUnder,
  type AnnouncementContext,
  type AnnouncementData,
  type AnnouncementRow,
  type CampaignRow,
} from './service.js'
import { fireOnce, kindLabel, scheduleLabel } from './post.js'

// ------------------------------------------------------------------------------------ creation

interface ResolvedTargets {
  all: boolean
  units: UnitRow[]
}

/** Target names to units, within the actor's scope; problems are collected, not thrown. */
async function resolveTargets(tx: Tx, t: Messages, actor: Asker, targets: AnnouncementData['targets'], problems: string[]): Promise<ResolvedTargets> {
  const a = t.announcements
  if (targets === undefined) {
    if (actor.role === 'admin' || actor.unit.path === '') return { all: true, units: [] }
    return { all: false, units: [actor.unit] }
  }
  if (targets === 'all') {
    const root = await tx.unit.findUnique({ where: { path: '' } })
    if (actor.role !== 'admin' && !(root && canActOnUnit(actor, root))) problems.push(a.allOutOfScope(unitLabel(actor.unit)))
    return { all: true, units: [] }
  }
  const units = new Map<number, UnitRow>()
  for (const name of targets) {
    if (ALL_WORDS.has(name.trim().toLowerCase())) return resolveTargets(tx, t, actor, 'all', problems)
    const found = await findUnits(tx, name)
    if (found.length === 0) problems.push(a.unitNotFound(name))
    else if (found.length > 1) problems.push(a.unitAmbiguous(name, found.map(unitLabel)))
    else if (!canActOnUnit(actor, found[0]!)) problems.push(a.unitOutOfScope(unitLabel(found[0]!), unitLabel(actor.unit)))
    else units.set(found[0]!.id, found[0]!)
  }
  // A unit inside another target adds nothing.
  const list = [...units.values()]
  const kept = list.filter((u) => !list.some((o) => o.id !== u.id && isUnitWithin(u.path, o.path)))
  if (kept.some((u) => u.path === '')) return { all: true, units: [] }
  return { all: false, units: kept }
}

export const ALL_WORDS = new Set(['全部', '全体', '所有', '所有人', '全公司', '全厂', '全员', 'all'])

export interface Checked {
  data: AnnouncementData
  targets: ResolvedTargets
  campaign: CampaignRow | null
  cron: string | null
}

/** Checks what a person asked for against the organisation, the clock and the rules; every problem at once. */
export async function check(
  ctx: AnnouncementContext,
  actor: Asker,
  data: AnnouncementData,
  problems: string[],
  only: { time: boolean } = { time: true },
): Promise<Checked> {
  const { tx, t, now } = ctx
  const a = t.announcements
  const targets = await resolveTargets(tx, t, actor, data.targets, problems)
  let cron: string | null = null
  if (only.time && data.schedule.kind === 'at' && data.schedule.at.getTime() <= now.getTime())
    problems.push(a.timePast(formatLocal(data.schedule.at, ctx.settings.timeZone)))
  if (data.schedule.kind === 'cron') {
    cron = canonicalCron(data.schedule.cron)
    const fields = parseCron(cron)
    if (!fields) problems.push(a.badCron(data.schedule.cron))
    else if (!nextSlot(fields, ctx.settings.timeZone, now)) problems.push(a.cronNever(data.schedule.cron))
    if (data.requireAck || data.signup) problems.push(a.recurringNoResponses)
    if (data.dueAt) problems.push(a.recurringNoDeadline)
  }
  if (data.dueAt) {
    const postAt = data.schedule.kind === 'at' ? data.schedule.at : now
    if (data.dueAt.getTime() <= postAt.getTime()) problems.push(a.dueBeforePost(formatLocal(data.dueAt, ctx.settings.timeZone)))
  }
  let campaign: CampaignRow | null = null
  if (data.campaign) {
    campaign = await tx.campaign.findUnique({ where: { name: data.campaign } })
    if (!campaign) {
      const names = (await tx.campaign.findMany({ orderBy: { id: 'desc' }, take: 10, select: { name: true } })).map((c) => c.name)
      problems.push(a.campaignNotFound(data.campaign, names))
    }
  }
  return { data, targets, campaign, cron }
}

export interface Created {
  announcement: AnnouncementRow
  /** The answer for the creator. */
  ack: string
  /** Groups posted to now (0 when scheduled for later). */
  groups: number
}

/**
 * Every problem with an input at once: the fields the schema refuses, then (with those fields
 * left out) what the organisation, the clock and the rules say. `checked` when there is none.
 */
async function examine(ctx: AnnouncementContext & { actor: Asker }, input: unknown): Promise<{ problems: string[]; checked?: Checked }> {
  const parsed = announcementInputSchema.safeParse(input)
  const problems: string[] = []
  if (parsed.success) {
    const checked = await check(ctx, ctx.actor, parsed.data, problems)
    return problems.length ? { problems } : { problems, checked }
  }
  problems.push(...inputProblems(ctx.t, parsed.error))
  if (input && typeof input === 'object') {
    const rest: Record<string, unknown> = { ...(input as Record<string, unknown>) }
    for (const issue of parsed.error.issues) delete rest[String(issue.path[0])]
    rest.title ??= '-'
    const partial = announcementInputSchema.safeParse(rest)
    if (partial.success) await check(ctx, ctx.actor, partial.data, problems)
  }
  return { problems }
}

/** Every problem with an input, as createAnnouncement would report them; nothing is written. */
export async function validateAnnouncement(ctx: AnnouncementContext & { actor: Asker }, input: unknown): Promise<string[]> {
  return (await examine(ctx, input)).problems
}

/**
 * Creates an announcement for `actor` (an officer within their scope, or an administrator) and,
 * when it is for now, posts it at once (in the caller's transaction). Invalid input, unknown or
 * out-of-scope units, times in the past and the like are refused with an AnnouncementRefusal
 * listing every problem, in the asker's words. `input` is validated with announcementInputSchema,
 * so an API may hand over its JSON body as it came.
 */
export async function createAnnouncement(ctx: AnnouncementContext & { actor: Asker }, input: unknown): Promise<Created> {
  const { tx, t, actor } = ctx
  const a = t.announcements
  if (actor.role !== 'officer' && actor.role !== 'admin') refuse(a.staffOnly)
  const { problems, checked } = await examine(ctx, input)
  if (!checked) return refuse(a.notCreated(problems))
  const { data, targets, campaign, cron } = checked
  const signup = data.signup || data.capacity !== undefined

  const probe = { id: -1, allUnits: targets.all }
  const groups = targets.all
    ? await targetGroups(tx, probe)
    : await tx.chatGroup.findMany({ where: { unitId: { in: (await unitsUnder(tx, targets.units)).map((u) => u.id) } } })
  if (groups.length === 0 && data.schedule.kind === 'now')
    refuse(a.notCreated([a.noGroups(targets.all ? a.everyone : targets.units.map(unitLabel).join('、'))]))

  const number = await nextNumber(tx)
  const sendNow = data.schedule.kind === 'now'
  const announcement = await tx.announcement.create({
    data: {
      number,
      kind: data.kind,
      title: data.title,
      body: data.body,
      link: data.link ?? null,
      imageUrl: data.imageUrl ?? null,
      createdById: actor.id,
      campaignId: campaign?.id ?? null,
      allUnits: targets.all,
      scheduleKind: data.schedule.kind,
      scheduledAt: data.schedule.kind === 'at' ? data.schedule.at : data.schedule.kind === 'now' ? ctx.now : null,
      cron,
      status: 'scheduled',
      requireAck: data.requireAck,
      signup,
      capacity: signup ? (data.capacity ?? null) : null,
      dueAt: data.dueAt ?? null,
      maxReminders: data.requireAck || signup ? (data.maxReminders ?? ctx.settings.maxReminders) : 0,
      createdAt: ctx.now,
      targets: { create: targets.units.map((u) => ({ unitId: u.id })) },
    },
  })
  const posted = sendNow ? ((await fireOnce(ctx, announcement)) ?? 0) : 0
  const row = await tx.announcement.findUniqueOrThrow({ where: { id: announcement.id } })
  return { announcement: row, ack: summary(ctx, row, targets, campaign, sendNow ? posted : groups.length, sendNow), groups: posted }
}

function summary(
  ctx: AnnouncementContext,
  ann: AnnouncementRow,
  targets: ResolvedTargets,
  campaign: CampaignRow | null,
  groups: number,
  sent: boolean,
): string {
  const a = ctx.t.announcements
  const tz = ctx.settings.timeZone
  const lines = [sent ? a.published(ann.number, ann.title, kindLabel(ctx.t, ann.kind)) : a.scheduled(ann.number, ann.title, kindLabel(ctx.t, ann.kind))]
  lines.push(a.scopeLine(targets.all ? a.everyone : targets.units.map(unitLabel).join('、'), groups))
  if (!sent) lines.push(a.whenLine(scheduleLabel(ctx.t, ann, tz)))
  if (ann.scheduleKind === 'cron' && ann.cron) {
    const fields = parseCron(ann.cron)
    const next = fields ? nextSlot(fields, tz, ctx.now) : null
    if (next) lines.push(a.nextLine(formatLocal(next, tz)))
  }
  if (!sent && groups === 0) lines.push(a.noGroupsYet)
  const asks: string[] = []
  if (ann.requireAck) asks.push(a.asksAck)
  if (ann.signup) asks.push(a.asksSignup(ann.capacity))
  if (ann.dueAt) asks.push(a.asksDue(formatLocal(ann.dueAt, tz)))
  if (asks.length) lines.push(`${asks.join('，')}${ann.maxReminders > 0 ? a.remindersLine(ann.maxReminders) : ''}`)
  if (campaign) lines.push(a.campaignLine(campaign.name))
  lines.push(sent || ann.scheduleKind === 'cron' ? a.hintAfter(ann.number, ann.scheduleKind === 'cron') : a.hintBefore(ann.number))
  return lines.join('\n')
}
