/**
 * Announcements (公告) and campaigns (活动): creation (by chat form or by the exported service
 * function an API can call), targeting by unit within the creator's scope, fan-out to every bound
 * group of the target units through the outbox, acknowledgements (已阅) and sign-ups (报名) with
 * capacity and a waitlist, editing, cancelling and pausing, and hazard reports filed under the
 * running safety campaign.
 *
 * Exactly once: a firing is claimed by a conditional update of the announcement (its status for a
 * one-off post, `lastFiredAt` for a cron slot) in the same transaction that writes one outbox row
 * and one AnnouncementDelivery row per group, each under a key derived from the announcement, the
 * firing and the group (`ann:<id>:<firing>:<platform>:<chatId>`). Either all of it commits once or
 * none of it does, whichever instance tries and however often.
 */
import { z } from 'zod'
import { Refusal, type Asker, type PersonRow, type UnitRow } from '../core/commands.js'
import { batchEnqueues } from '../core/outbox.js'
import { formatLocal } from '../core/time/zone.js'
import type { Card, OutboundMessage, Platform } from '../core/types.js'
import type { Db, Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import { canActOnUnit, findUnits, isUnitWithin, unitLabel } from '../organisation/scope.js'
import { fileRequest, type RequestContext } from '../requests/service.js'
import { canonicalCron, describeCron, nextSlot, parseCron } from '../core/time/recurrence.js'

export type AnnouncementRow = Awaited<ReturnType<Tx['announcement']['findFirstOrThrow']>>
export type CampaignRow = Awaited<ReturnType<Tx['campaign']['findFirstOrThrow']>>
export type GroupRow = Awaited<ReturnType<Tx['chatGroup']['findFirstOrThrow']>>

export const KINDS = ['activity', 'safety', 'care', 'notice'] as const
export type Kind = (typeof KINDS)[number]

/** Words for a kind, as people write them (first line of `发布公告`, `类型`, `创建活动`). */
export const kindWords: Record<string, Kind> = {
  活动: 'activity',
  安全: 'safety',
  关爱: 'care',
  通知: 'notice',
  activity: 'activity',
  safety: 'safety',
  care: 'care',
  notice: 'notice',
}

export function kindOf(word: string): Kind | null {
  return kindWords[word.trim().replace(/^[【[(（]|[】\])）]$/g, '').replace(/类$/, '').toLowerCase()] ?? null
}

export const MAX_TITLE = 60
export const MAX_BODY = 2000
export const MAX_REMINDERS = 5
export const MAX_CAPACITY = 100_000

/** Settings every announcement operation reads (from the configuration). */
export interface AnnouncementSettings {
  timeZone: string
  /** Reminders per announcement unless it says otherwise (`提醒 N次`). */
  maxReminders: number
  /** Without a deadline, reminders go this many hours apart after the post. */
  remindEveryHours: number
  /** Platforms on which a reminder may mention people in the group (others get it privately). */
  mentionPlatforms: readonly Platform[]
}

/** Writes messages to the outbox in the caller's transaction under a key prefix (ChatCore.deliver). */
export type Deliver = (tx: Tx, messages: OutboundMessage[], keyPrefix: string) => Promise<void>

/** What every announcement operation needs: a transaction, the time, the words, the settings, the outbox. */
export interface AnnouncementContext {
  tx: Tx
  now: Date
  t: Messages
  settings: AnnouncementSettings
  deliver: Deliver
}

/** A failure a person should read (not a bug): the text says what was wrong. */
export class AnnouncementRefusal extends Refusal {
  override name = 'AnnouncementRefusal'
}

const refuse = (text: string): never => {
  throw new AnnouncementRefusal(text)
}

/**
 * The outbox key of the single message delivered under a key prefix: ChatCore.deliver numbers
 * the messages of one call from 0 (`<prefix>:0`), and each fan-out call carries one message.
 */
export function outboxKeyOf(prefix: string): string {
  return `${prefix}:0`
}

/** The key prefix of one firing of an announcement to one group. */
export function deliveryPrefix(announcementId: number, firing: string, platform: string, chatId: string): string {
  return `ann:${announcementId}:${firing}:${platform}:${chatId}`
}

/** The firing of a one-off announcement (now or at a time); a cron slot's firing is its ISO time. */
export const ONCE = 'once'

// ------------------------------------------------------------------------------------ numbers

export function normaliseNumber(input: string): string {
  const m = /^N?-?(\d{1,6})$/i.exec(input.trim().replace(/[－—–]/g, '-'))
  return m ? `N-${Number(m[1])}` : input.trim().toUpperCase()
}

export function isAnnouncementNumber(input: string | undefined): boolean {
  return !!input && /^N?-?\d{1,6}$/i.test(input.trim().replace(/[－—–]/g, '-'))
}

async function nextNumber(tx: Tx): Promise<string> {
  const row = await tx.counter.upsert({ where: { name: 'announcement' }, create: { name: 'announcement', value: 1 }, update: { value: { increment: 1 } } })
  return `N-${row.value}`
}

export async function findAnnouncement(ctx: Pick<AnnouncementContext, 'tx' | 't'>, numberInput: string): Promise<AnnouncementRow> {
  const number = normaliseNumber(numberInput)
  return (await ctx.tx.announcement.findUnique({ where: { number } })) ?? refuse(ctx.t.announcements.notFound(number))
}

// ------------------------------------------------------------------------------------ the input

const httpUrl = (message: string) => z.string({ error: message }).trim().max(1000, message).regex(/^https?:\/\/[^\s]+$/i, message)

/**
 * What creates an announcement, for the chat form and for an admin API alike. Targets are unit
 * paths or names (`一车间/电工班`, `电工班`) or `'all'`; left out, the creator's own part of the
 * organisation (everything for an administrator). Times are instants (Date or ISO 8601 string);
 * a cron expression is read in GONGYOU_TIMEZONE.
 */
export const announcementInputSchema = z.object({
  kind: z.enum(KINDS, { error: '类型应为 activity（活动）、safety（安全）、care（关爱）或 notice（通知）' }).default('notice'),
  title: z.string({ error: '请写上标题' }).trim().min(1, '请写上标题').max(MAX_TITLE, `标题最长 ${MAX_TITLE} 字`),
  body: z.string({ error: '正文应为文字' }).trim().max(MAX_BODY, `正文最长 ${MAX_BODY} 字`).default(''),
  targets: z.union([z.literal('all'), z.array(z.string().trim().min(1)).min(1)], { error: "范围应为单位名称的列表，或 'all'（全部）" }).optional(),
  link: httpUrl('链接应以 http:// 或 https:// 开头').optional(),
  imageUrl: httpUrl('图片地址应以 http:// 或 https:// 开头').optional(),
  schedule: z
    .discriminatedUnion(
      'kind',
      [
        z.object({ kind: z.literal('now') }),
        z.object({ kind: z.literal('at'), at: z.coerce.date({ error: '发送时间不是有效的时间' }) }),
        z.object({ kind: z.literal('cron'), cron: z.string({ error: '请写上 cron 表达式' }).trim().min(1, '请写上 cron 表达式') }),
      ],
      { error: "发送时间应为 { kind: 'now' }、{ kind: 'at', at } 或 { kind: 'cron', cron }" },
    )
    .default({ kind: 'now' }),
  requireAck: z.boolean({ error: 'requireAck 应为 true 或 false' }).default(false),
  signup: z.boolean({ error: 'signup 应为 true 或 false' }).default(false),
  capacity: z.number({ error: '名额应为整数' }).int('名额应为整数').min(1, '名额至少为 1').max(MAX_CAPACITY, `名额最多 ${MAX_CAPACITY}`).optional(),
  dueAt: z.coerce.date({ error: '截止时间不是有效的时间' }).optional(),
  maxReminders: z.number({ error: '提醒次数应为整数' }).int('提醒次数应为整数').min(0, '提醒次数不能为负').max(MAX_REMINDERS, `最多提醒 ${MAX_REMINDERS} 次`).optional(),
  /** A campaign's name (创建活动). */
  campaign: z.string({ error: '所属活动应为活动名称' }).trim().min(1, '所属活动应为活动名称').max(60, '活动名称最长 60 字').optional(),
})

export type AnnouncementInput = z.input<typeof announcementInputSchema>
export type AnnouncementData = z.output<typeof announcementInputSchema>

type Field = keyof AnnouncementData

/** The input's problems in the asker's words, one per field. */
function inputProblems(t: Messages, error: z.ZodError): string[] {
  const fields = new Set(error.issues.map((i) => String(i.path[0] ?? 'title') as Field))
  const invalid = t.announcements.invalid
  return [...fields].map((f) => invalid[f] ?? invalid.title ?? f)
}

// ------------------------------------------------------------------------------------ scope

/** The subtree of every target unit (or everything), as path roots; '' is the company. */
async function targetUnits(tx: Tx, ann: Pick<AnnouncementRow, 'id' | 'allUnits'>): Promise<UnitRow[]> {
  if (ann.allUnits) return tx.unit.findMany({ where: { path: '' } })
  const targets = await tx.announcementTarget.findMany({ where: { announcementId: ann.id } })
  return tx.unit.findMany({ where: { id: { in: targets.map((x) => x.unitId) } }, orderBy: { path: 'asc' } })
}

function within(unitPath: string, roots: Pick<UnitRow, 'path'>[]): boolean {
  return roots.some((r) => isUnitWithin(unitPath, r.path))
}

/** Every unit in the targets' subtrees. */
async function unitsUnder(tx: Tx, roots: UnitRow[]): Promise<UnitRow[]> {
  if (roots.some((r) => r.path === '')) return tx.unit.findMany()
  if (roots.length === 0) return []
  return tx.unit.findMany({ where: { OR: roots.flatMap((r) => [{ path: r.path }, { path: { startsWith: `${r.path}/` } }]) } })
}

/** The groups an announcement goes to: every group bound to a unit in its targets' subtrees, on every platform. */
export async function targetGroups(tx: Tx, ann: Pick<AnnouncementRow, 'id' | 'allUnits'>): Promise<GroupRow[]> {
  if (ann.allUnits) return tx.chatGroup.findMany({ where: { unitId: { not: null } }, orderBy: { id: 'asc' } })
  const units = await unitsUnder(tx, await targetUnits(tx, ann))
  return tx.chatGroup.findMany({ where: { unitId: { in: units.map((u) => u.id) } }, orderBy: { id: 'asc' } })
}

export type AudienceMember = PersonRow & { unit: UnitRow }

/** Who the announcement is for: the active people of its target units (the creator aside). */
export async function audience(tx: Tx, ann: Pick<AnnouncementRow, 'id' | 'allUnits' | 'createdById'>): Promise<AudienceMember[]> {
  const units = ann.allUnits ? null : await unitsUnder(tx, await targetUnits(tx, ann))
  const people = await tx.person.findMany({
    where: { active: true, ...(units ? { unitId: { in: units.map((u) => u.id) } } : {}), ...(ann.createdById !== null ? { id: { not: ann.createdById } } : {}) },
    include: { unit: true },
    orderBy: { id: 'asc' },
  })
  return people
}

/** Whether the asker may change it (cancel, edit, pause): its creator, an administrator, or an officer over every target. */
export async function canManage(tx: Tx, actor: Asker, ann: AnnouncementRow): Promise<boolean> {
  if (actor.role === 'admin') return true
  if (actor.role !== 'officer') return false
  if (ann.createdById === actor.id) return true
  const roots = await targetUnits(tx, ann)
  return roots.length > 0 && roots.every((u) => canActOnUnit(actor, u))
}

/** Whether the asker may see its progress and reach: those who may manage it, and officers whose part of the organisation it reaches. */
export async function canView(tx: Tx, actor: Asker, ann: AnnouncementRow): Promise<boolean> {
  if (await canManage(tx, actor, ann)) return true
  if (actor.role !== 'officer') return false
  const roots = await targetUnits(tx, ann)
  return roots.some((u) => canActOnUnit(actor, u) || isUnitWithin(actor.unit.path, u.path))
}

// ------------------------------------------------------------------------------------ the post

/** A kind (活动, 安全, 关爱, 通知) in the asker's words. */
export function kindLabel(t: Messages, kind: string): string {
  return t.announcements.kinds[kind] ?? kind
}

/** The schedule as people read it: 立即 / 定时 2026-03-06 18:00 / 每周一 07:50. */
export function scheduleLabel(t: Messages, ann: Pick<AnnouncementRow, 'scheduleKind' | 'scheduledAt' | 'cron'>, timeZone: string): string {
  const a = t.announcements
  if (ann.scheduleKind === 'cron' && ann.cron) return describeCron(ann.cron, a.recurrence)
  if (ann.scheduleKind === 'at' && ann.scheduledAt) return a.atTime(formatLocal(ann.scheduledAt, timeZone))
  return a.immediately
}

/** The message every group gets: text for every platform, a card with buttons where cards render. */
export function postMessage(ctx: Pick<AnnouncementContext, 't' | 'settings'>, ann: AnnouncementRow): Omit<OutboundMessage, 'to'> {
  const a = ctx.t.announcements
  const tz = ctx.settings.timeZone
  const heading = a.postTitle(kindLabel(ctx.t, ann.kind), ann.title)
  const due = ann.dueAt ? formatLocal(ann.dueAt, tz) : null
  const extras: string[] = []
  if (ann.link) extras.push(a.linkLine(ann.link))
  if (ann.imageUrl) extras.push(a.imageLine(ann.imageUrl))
  if (ann.signup) extras.push(a.signupHint(ann.number, ann.capacity, due))
  if (ann.requireAck) extras.push(a.ackHint(ann.number, ann.signup ? null : due))
  const text = [heading, ann.body, ...extras].filter(Boolean).join('\n')
  const buttons: NonNullable<Card['buttons']> = []
  if (ann.requireAck) buttons.push({ label: a.buttons.ack, action: { command: `已阅 ${ann.number}` }, style: 'primary' })
  if (ann.signup) buttons.push({ label: a.buttons.signup, action: { command: `报名 ${ann.number}` }, style: ann.requireAck ? 'default' : 'primary' }, { label: a.buttons.cancelSignup, action: { command: `取消报名 ${ann.number}` } })
  const fields = [
    ...(ann.signup && ann.capacity ? [{ label: a.fields.capacity, value: String(ann.capacity) }] : []),
    ...(due ? [{ label: a.fields.due, value: due }] : []),
    ...(ann.link ? [{ label: a.fields.link, value: ann.link }] : []),
  ]
  const card: Card = {
    title: heading,
    ...(ann.body || ann.imageUrl ? { body: [ann.body, ann.imageUrl ? a.imageLine(ann.imageUrl) : ''].filter(Boolean).join('\n') } : {}),
    ...(fields.length ? { fields } : {}),
    ...(buttons.length ? { buttons } : {}),
    tone: ann.kind === 'safety' ? 'attention' : ann.kind === 'care' ? 'done' : 'info',
  }
  return { text, card, notice: true }
}

/**
 * Writes one firing's deliveries: for each target group, one outbox row and one
 * AnnouncementDelivery row, keyed by the announcement, the firing and the group. Call it in the
 * transaction that claimed the firing; a group already written for this firing is skipped, so a
 * repeated call adds only what is missing. Returns the number of groups.
 */
export async function fanOut(ctx: AnnouncementContext, ann: AnnouncementRow, firing: string): Promise<number> {
  const { tx } = ctx
  const groups = await targetGroups(tx, ann)
  const done = new Set((await tx.announcementDelivery.findMany({ where: { announcementId: ann.id, firing }, select: { outboxKey: true } })).map((d) => d.outboxKey))
  const message = postMessage(ctx, ann)
  const rows: { announcementId: number; firing: string; outboxKey: string; platform: string; targetKind: string; target: string; unitId: number | null; createdAt: Date }[] = []
  // One message per group, written to the outbox together (thousands of groups: a few statements, not thousands).
  await batchEnqueues(async () => {
    for (const g of groups) {
      const prefix = deliveryPrefix(ann.id, firing, g.platform, g.externalId)
      const key = outboxKeyOf(prefix)
      if (done.has(key)) continue
      await ctx.deliver(tx, [{ ...message, to: { kind: 'chat', platform: g.platform as Platform, chatId: g.externalId } }], prefix)
      rows.push({ announcementId: ann.id, firing, outboxKey: key, platform: g.platform, targetKind: 'chat', target: g.externalId, unitId: g.unitId, createdAt: ctx.now })
    }
  })
  for (let i = 0; i < rows.length; i += 500) await tx.announcementDelivery.createMany({ data: rows.slice(i, i + 500) })
  return groups.length
}

/**
 * Fires a one-off announcement if it is still waiting: the claim (scheduled → sending) and every
 * delivery commit together. Returns the number of groups, or null when it was not claimable
 * (fired by someone else a moment ago, cancelled, or not due).
 */
export async function fireOnce(ctx: AnnouncementContext, ann: AnnouncementRow): Promise<number | null> {
  const claimed = await ctx.tx.announcement.updateMany({
    where: { id: ann.id, status: 'scheduled', scheduleKind: { in: ['now', 'at'] }, OR: [{ scheduledAt: null }, { scheduledAt: { lte: ctx.now } }] },
    data: { status: 'sending', lastFiredAt: ctx.now },
  })
  if (claimed.count !== 1) return null
  const fresh = await ctx.tx.announcement.findUniqueOrThrow({ where: { id: ann.id } })
  return fanOut(ctx, fresh, ONCE)
}

/** Fires one cron slot if no one has: the claim (lastFiredAt moves up to the slot) and every delivery commit together. */
export async function fireSlot(ctx: AnnouncementContext, ann: AnnouncementRow, slot: Date): Promise<number | null> {
  const claimed = await ctx.tx.announcement.updateMany({
    where: { id: ann.id, status: 'scheduled', scheduleKind: 'cron', paused: false, OR: [{ lastFiredAt: null }, { lastFiredAt: { lt: slot } }] },
    data: { lastFiredAt: slot },
  })
  if (claimed.count !== 1) return null
  const fresh = await ctx.tx.announcement.findUniqueOrThrow({ where: { id: ann.id } })
  return fanOut(ctx, fresh, slot.toISOString())
}

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

interface Checked {
  data: AnnouncementData
  targets: ResolvedTargets
  campaign: CampaignRow | null
  cron: string | null
}

/** Checks what a person asked for against the organisation, the clock and the rules; every problem at once. */
async function check(ctx: AnnouncementContext, actor: Asker, data: AnnouncementData, problems: string[], only: { time: boolean } = { time: true }): Promise<Checked> {
  const { tx, t, now } = ctx
  const a = t.announcements
  const targets = await resolveTargets(tx, t, actor, data.targets, problems)
  let cron: string | null = null
  if (only.time && data.schedule.kind === 'at' && data.schedule.at.getTime() <= now.getTime()) problems.push(a.timePast(formatLocal(data.schedule.at, ctx.settings.timeZone)))
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
  const groups = targets.all ? await targetGroups(tx, probe) : await tx.chatGroup.findMany({ where: { unitId: { in: (await unitsUnder(tx, targets.units)).map((u) => u.id) } } })
  if (groups.length === 0 && data.schedule.kind === 'now') refuse(a.notCreated([a.noGroups(targets.all ? a.everyone : targets.units.map(unitLabel).join('、'))]))

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

function summary(ctx: AnnouncementContext, ann: AnnouncementRow, targets: ResolvedTargets, campaign: CampaignRow | null, groups: number, sent: boolean): string {
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

// ------------------------------------------------------------------------------------ changes

async function requireManager(ctx: AnnouncementContext, actor: Asker, ann: AnnouncementRow): Promise<void> {
  if (!(await canManage(ctx.tx, actor, ann))) refuse(ctx.t.announcements.notYours(ann.number))
}

/** `取消公告`: a scheduled or recurring announcement stops before it (next) fires. */
export async function cancelAnnouncement(ctx: AnnouncementContext, actor: Asker, numberInput: string): Promise<string> {
  const a = ctx.t.announcements
  const ann = await findAnnouncement(ctx, numberInput)
  await requireManager(ctx, actor, ann)
  if (ann.status === 'cancelled') refuse(a.alreadyCancelled(ann.number))
  if (ann.status !== 'scheduled') refuse(a.alreadySent(ann.number))
  const done = await ctx.tx.announcement.updateMany({ where: { id: ann.id, status: 'scheduled' }, data: { status: 'cancelled' } })
  if (done.count !== 1) refuse(a.alreadySent(ann.number))
  return a.cancelled(ann.number, ann.title)
}

/** `暂停公告` / `恢复公告`: a recurring announcement skips its slots while paused; slots passed meanwhile are not made up. */
export async function setPaused(ctx: AnnouncementContext, actor: Asker, numberInput: string, paused: boolean): Promise<string> {
  const a = ctx.t.announcements
  const ann = await findAnnouncement(ctx, numberInput)
  await requireManager(ctx, actor, ann)
  if (ann.scheduleKind !== 'cron') refuse(a.onlyRecurring(ann.number))
  if (ann.status !== 'scheduled') refuse(a.alreadyCancelled(ann.number))
  if (ann.paused === paused) return paused ? a.alreadyPaused(ann.number) : a.notPaused(ann.number)
  // Resuming marks every slot up to now as handled, so the ones missed while paused stay missed.
  await ctx.tx.announcement.update({ where: { id: ann.id }, data: paused ? { paused } : { paused, lastFiredAt: ctx.now } })
  if (paused) return a.paused(ann.number, ann.title)
  const fields = parseCron(ann.cron ?? '')
  const next = fields ? nextSlot(fields, ctx.settings.timeZone, ctx.now) : null
  return a.resumed(ann.number, ann.title, next ? formatLocal(next, ctx.settings.timeZone) : '')
}

/** What `修改公告` may change; undefined leaves a thing as it is. */
export interface AnnouncementEdit {
  title?: string
  body?: string
  targets?: AnnouncementData['targets']
  link?: string | null
  imageUrl?: string | null
  schedule?: AnnouncementData['schedule']
  dueAt?: Date
  capacity?: number
  requireAck?: boolean
  signup?: boolean
  maxReminders?: number
  campaign?: string
}

/** `修改公告`: changes a scheduled announcement before it fires (a recurring one: its future posts). */
export async function editAnnouncement(ctx: AnnouncementContext, actor: Asker, numberInput: string, edit: AnnouncementEdit): Promise<string> {
  const { tx, t } = ctx
  const a = t.announcements
  const ann = await findAnnouncement(ctx, numberInput)
  await requireManager(ctx, actor, ann)
  if (ann.status === 'cancelled') refuse(a.alreadyCancelled(ann.number))
  if (ann.status !== 'scheduled') refuse(a.alreadySentNoEdit(ann.number))
  const schedule: AnnouncementData['schedule'] = edit.schedule ?? (ann.scheduleKind === 'cron' ? { kind: 'cron', cron: ann.cron ?? '' } : ann.scheduleKind === 'at' && ann.scheduledAt ? { kind: 'at', at: ann.scheduledAt } : { kind: 'now' })
  const link = edit.link === undefined ? ann.link : edit.link
  const imageUrl = edit.imageUrl === undefined ? ann.imageUrl : edit.imageUrl
  const capacity = edit.capacity ?? ann.capacity
  const dueAt = edit.dueAt ?? ann.dueAt
  // The announcement as it would be, checked like a new one.
  const candidate = {
    kind: ann.kind,
    title: edit.title ?? ann.title,
    body: edit.body ?? ann.body,
    ...(edit.targets !== undefined ? { targets: edit.targets } : {}),
    ...(link ? { link } : {}),
    ...(imageUrl ? { imageUrl } : {}),
    schedule,
    requireAck: edit.requireAck ?? ann.requireAck,
    signup: edit.signup ?? (edit.capacity !== undefined || ann.signup),
    ...(capacity !== null ? { capacity } : {}),
    ...(dueAt ? { dueAt } : {}),
    maxReminders: edit.maxReminders ?? ann.maxReminders,
  }
  const parsed = announcementInputSchema.safeParse(candidate)
  if (!parsed.success) refuse(a.notEdited(ann.number, inputProblems(t, parsed.error)))
  const problems: string[] = []
  // Only what changes is checked against the scope and the clock.
  const data = parsed.data!
  const checked = await check(ctx, actor, { ...data, targets: edit.targets, campaign: edit.campaign }, problems, { time: edit.schedule !== undefined })
  if (problems.length > 0) refuse(a.notEdited(ann.number, problems))
  const signup = data.signup || data.capacity !== undefined
  await tx.announcement.update({
    where: { id: ann.id },
    data: {
      title: data.title,
      body: data.body,
      link: data.link ?? null,
      imageUrl: data.imageUrl ?? null,
      requireAck: data.requireAck,
      signup,
      capacity: signup ? (data.capacity ?? null) : null,
      dueAt: data.dueAt ?? null,
      maxReminders: data.requireAck || signup ? (edit.maxReminders ?? (ann.requireAck || ann.signup ? ann.maxReminders : ctx.settings.maxReminders)) : 0,
      ...(checked.campaign ? { campaignId: checked.campaign.id } : {}),
      ...(edit.schedule
        ? {
            scheduleKind: schedule.kind === 'now' ? 'at' : schedule.kind,
            scheduledAt: schedule.kind === 'at' ? schedule.at : schedule.kind === 'now' ? ctx.now : null,
            cron: checked.cron,
            // A new recurrence starts from now: slots before the change are not made up.
            ...(schedule.kind === 'cron' ? { lastFiredAt: ctx.now } : {}),
          }
        : {}),
      ...(edit.targets !== undefined ? { allUnits: checked.targets.all } : {}),
    },
  })
  if (edit.targets !== undefined) {
    await tx.announcementTarget.deleteMany({ where: { announcementId: ann.id } })
    if (!checked.targets.all) await tx.announcementTarget.createMany({ data: checked.targets.units.map((u) => ({ announcementId: ann.id, unitId: u.id })) })
  }
  const updated = await tx.announcement.findUniqueOrThrow({ where: { id: ann.id } })
  if (schedule.kind === 'now') return a.editedAndSent(ann.number, (await fireOnce(ctx, updated)) ?? 0)
  return a.edited(ann.number, updated.title, scheduleLabel(t, updated, ctx.settings.timeZone))
}

// ------------------------------------------------------------------------------------ responses

async function requireAudience(ctx: AnnouncementContext, person: Asker, ann: AnnouncementRow): Promise<void> {
  const a = ctx.t.announcements
  if (ann.status === 'cancelled') refuse(a.alreadyCancelled(ann.number))
  if (ann.status === 'scheduled' && ann.scheduleKind !== 'cron') refuse(a.notYetPublished(ann.number))
  if (ann.allUnits || ann.createdById === person.id) return
  if (!within(person.unit.path, await targetUnits(ctx.tx, ann))) refuse(a.notForYou(ann.number))
}

/** Serialises sign-ups and cancellations of one announcement (a row lock on PostgreSQL; SQLite writes one at a time anyway). */
async function lock(tx: Tx, ann: AnnouncementRow): Promise<void> {
  await tx.announcement.updateMany({ where: { id: ann.id }, data: { signup: ann.signup } })
}

export interface Answered {
  text: string
  out: OutboundMessage[]
}

/** `已阅 N-8`. */
export async function acknowledge(ctx: AnnouncementContext, person: Asker, numberInput: string): Promise<Answered> {
  const { tx, t } = ctx
  const a = t.announcements
  const ann = await findAnnouncement(ctx, numberInput)
  if (!ann.requireAck && !ann.signup) refuse(a.noAckNeeded(ann.number))
  await requireAudience(ctx, person, ann)
  const key = { announcementId_personId_kind: { announcementId: ann.id, personId: person.id, kind: 'ack' } }
  const existing = await tx.announcementResponse.findUnique({ where: key })
  if (existing?.status === 'confirmed') return { text: a.alreadyAcked(ann.number), out: [] }
  await tx.announcementResponse.upsert({ where: key, create: { announcementId: ann.id, personId: person.id, kind: 'ack', status: 'confirmed', createdAt: ctx.now }, update: { status: 'confirmed', createdAt: ctx.now } })
  return { text: a.acked(ann.number, ann.title), out: [] }
}

/** `报名 N-8`: confirmed while there is room, otherwise on the waitlist. */
export async function signUp(ctx: AnnouncementContext, person: Asker, numberInput: string): Promise<Answered> {
  const { tx, t } = ctx
  const a = t.announcements
  const ann = await findAnnouncement(ctx, numberInput)
  if (!ann.signup) refuse(a.noSignup(ann.number))
  await requireAudience(ctx, person, ann)
  if (ann.dueAt && ann.dueAt.getTime() <= ctx.now.getTime()) refuse(a.signupClosed(ann.number, formatLocal(ann.dueAt, ctx.settings.timeZone)))
  await lock(tx, ann)
  const key = { announcementId_personId_kind: { announcementId: ann.id, personId: person.id, kind: 'signup' } }
  const existing = await tx.announcementResponse.findUnique({ where: key })
  if (existing && existing.status !== 'cancelled') {
    return { text: existing.status === 'confirmed' ? a.alreadySignedUp(ann.number) : a.alreadyWaitlisted(ann.number, await waitlistPosition(tx, ann.id, existing)), out: [] }
  }
  const confirmed = await tx.announcementResponse.count({ where: { announcementId: ann.id, kind: 'signup', status: 'confirmed' } })
  const status = ann.capacity === null || confirmed < ann.capacity ? 'confirmed' : 'waitlisted'
  const row = await tx.announcementResponse.upsert({ where: key, create: { announcementId: ann.id, personId: person.id, kind: 'signup', status, createdAt: ctx.now }, update: { status, createdAt: ctx.now } })
  if (status === 'confirmed') return { text: a.signedUp(ann.number, ann.title, confirmed + 1, ann.capacity), out: [] }
  return { text: a.waitlisted(ann.number, ann.title, await waitlistPosition(tx, ann.id, row)), out: [] }
}

async function waitlistPosition(tx: Tx, announcementId: number, row: { id: number; createdAt: Date }): Promise<number> {
  const ahead = await tx.announcementResponse.count({
    where: { announcementId, kind: 'signup', status: 'waitlisted', OR: [{ createdAt: { lt: row.createdAt } }, { createdAt: row.createdAt, id: { lt: row.id } }] },
  })
  return ahead + 1
}

/** `取消报名 N-8`: frees the place; the first on the waitlist moves up and is told. */
export async function cancelSignup(ctx: AnnouncementContext, person: Asker, numberInput: string): Promise<Answered> {
  const { tx, t } = ctx
  const a = t.announcements
  const ann = await findAnnouncement(ctx, numberInput)
  if (!ann.signup) refuse(a.noSignup(ann.number))
  await lock(tx, ann)
  const key = { announcementId_personId_kind: { announcementId: ann.id, personId: person.id, kind: 'signup' } }
  const existing = await tx.announcementResponse.findUnique({ where: key })
  if (!existing || existing.status === 'cancelled') refuse(a.notSignedUp(ann.number))
  await tx.announcementResponse.update({ where: key, data: { status: 'cancelled' } })
  const out: OutboundMessage[] = []
  if (existing!.status === 'confirmed' && ann.capacity !== null) {
    const next = await tx.announcementResponse.findFirst({ where: { announcementId: ann.id, kind: 'signup', status: 'waitlisted' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
    if (next) {
      await tx.announcementResponse.update({ where: { id: next.id }, data: { status: 'confirmed' } })
      out.push({ to: { kind: 'person', personId: next.personId }, text: a.promoted(ann.number, ann.title), notice: true })
    }
  }
  return { text: a.signupCancelled(ann.number, ann.title), out }
}

// ------------------------------------------------------------------------------------ read counts

/**
 * Records how many people read one delivery, as a platform reports it (Feishu read receipts).
 * `ref` is the delivery's outbox key or the platform's message id. Returns false when it is not
 * an announcement's delivery.
 */
export async function recordReadCount(db: Db | Tx, ref: string, count: number): Promise<boolean> {
  let delivery = await db.announcementDelivery.findUnique({ where: { outboxKey: ref }, select: { id: true } })
  if (!delivery) {
    const row = await db.outboxMessage.findFirst({ where: { platformMessageId: ref }, select: { key: true } })
    if (row) delivery = await db.announcementDelivery.findUnique({ where: { outboxKey: row.key }, select: { id: true } })
  }
  if (!delivery) return false
  await db.announcementDelivery.update({ where: { id: delivery.id }, data: { readCount: Math.max(0, Math.floor(count)) } })
  return true
}

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
  return ctx.tx.campaign.create({ data: { name, kind: input.kind ?? 'safety', startsAt: input.startsAt ?? null, endsAt: input.endsAt ?? null, createdById: actor.id, createdAt: ctx.now } })
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
export async function reportHazard(ctx: AnnouncementContext, person: Asker, content: string, source: { platform: Platform; chatId: string | null }): Promise<Answered> {
  const campaign = await currentSafetyCampaign(ctx.tx, ctx.now)
  const requestCtx: RequestContext = { tx: ctx.tx, now: ctx.now, t: ctx.t, timeZone: ctx.settings.timeZone }
  const { ack, out } = await fileRequest(requestCtx, { requester: person, anonymous: false, content, source, urgent: true, categoryName: '安全隐患', ...(campaign ? { campaignId: campaign.id } : {}) })
  const a = ctx.t.announcements
  return { text: [ack, campaign ? a.hazardCampaign(campaign.name) : '', a.hazardPhotos].filter(Boolean).join('\n'), out }
}

// ------------------------------------------------------------------------------------ birthdays

/** `不要生日祝福` / `恢复生日祝福`. */
export async function setBirthdayOptOut(ctx: AnnouncementContext, person: PersonRow, optOut: boolean): Promise<string> {
  await ctx.tx.person.update({ where: { id: person.id }, data: { birthdayOptOut: optOut } })
  return optOut ? ctx.t.announcements.birthdayOff : ctx.t.announcements.birthdayOn
}

