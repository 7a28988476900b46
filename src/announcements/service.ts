/**
 * Announcements (公告) and campaigns (活动), the shared part: rows, kinds, numbers, the input
 * schema, settings and context, refusals, delivery keys, and targeting by scope. The operations
 * are one concern per file: post.ts (the post and its fan-out), create.ts, changes.ts,
 * responses.ts (已阅, 报名), campaigns.ts (hazard reports, birthdays).
 *
 * Together: creation (by chat form or by the exported service
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
import type { OutboundMessage, Platform } from '../core/types.js'
import type { Tx } from '../db/client.js'
import { takeNumber } from '../db/counters.js'
import type { Messages } from '../messages/index.js'
import { canActOnUnit, isUnitWithin } from '../organisation/scope.js'

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
  return (
    kindWords[
      word
        .trim()
        .replace(/^[【[(（]|[】\])）]$/g, '')
        .replace(/类$/, '')
        .toLowerCase()
    ] ?? null
  )
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

export const refuse = (text: string): never => {
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

/** The next number (db/counters.ts). */
export async function nextNumber(tx: Tx): Promise<string> {
  return `N-${await takeNumber(tx, 'announcement')}`
}

export async function findAnnouncement(ctx: Pick<AnnouncementContext, 'tx' | 't'>, numberInput: string): Promise<AnnouncementRow> {
  const number = normaliseNumber(numberInput)
  return (await ctx.tx.announcement.findUnique({ where: { number } })) ?? refuse(ctx.t.announcements.notFound(number))
}

// ------------------------------------------------------------------------------------ the input

const httpUrl = (message: string) =>
  z
    .string({ error: message })
    .trim()
    .max(1000, message)
    .regex(/^https?:\/\/[^\s]+$/i, message)

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
  maxReminders: z
    .number({ error: '提醒次数应为整数' })
    .int('提醒次数应为整数')
    .min(0, '提醒次数不能为负')
    .max(MAX_REMINDERS, `最多提醒 ${MAX_REMINDERS} 次`)
    .optional(),
  /** A campaign's name (创建活动). */
  campaign: z.string({ error: '所属活动应为活动名称' }).trim().min(1, '所属活动应为活动名称').max(60, '活动名称最长 60 字').optional(),
})

export type AnnouncementInput = z.input<typeof announcementInputSchema>
export type AnnouncementData = z.output<typeof announcementInputSchema>

type Field = keyof AnnouncementData

/** The input's problems in the asker's words, one per field. */
export function inputProblems(t: Messages, error: z.ZodError): string[] {
  const fields = new Set(error.issues.map((i) => String(i.path[0] ?? 'title') as Field))
  const invalid = t.announcements.invalid
  return [...fields].map((f) => invalid[f] ?? invalid.title ?? f)
}

// ------------------------------------------------------------------------------------ scope

/** The subtree of every target unit (or everything), as path roots; '' is the company. */
export async function targetUnits(tx: Tx, ann: Pick<AnnouncementRow, 'id' | 'allUnits'>): Promise<UnitRow[]> {
  if (ann.allUnits) return tx.unit.findMany({ where: { path: '' } })
  const targets = await tx.announcementTarget.findMany({ where: { announcementId: ann.id } })
  return tx.unit.findMany({ where: { id: { in: targets.map((x) => x.unitId) } }, orderBy: { path: 'asc' } })
}

export function within(unitPath: string, roots: Pick<UnitRow, 'path'>[]): boolean {
  return roots.some((r) => isUnitWithin(unitPath, r.path))
}

/** Every unit in the targets' subtrees. */
export async function unitsUnder(tx: Tx, roots: UnitRow[]): Promise<UnitRow[]> {
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
    where: {
      active: true,
      ...(units ? { unitId: { in: units.map((u) => u.id) } } : {}),
      ...(ann.createdById !== null ? { id: { not: ann.createdById } } : {}),
    },
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
