/**
 * Announcements (公告) and campaigns: changing one: cancelling, pausing, editing.
 */
import type { Asker } from '../core/commands.js'
import { formatLocal } from '../core/time/zone.js'
import { nextSlot, parseCron } from '../core/time/recurrence.js'
import {
  announcementInputSchema,
  canManage,
  findAnnouncement,
  inputProblems,
  refuse,
  type AnnouncementContext,
  type AnnouncementData,
  type AnnouncementRow,
} from './service.js'
import { fireOnce, scheduleLabel } from './post.js'
import { check } from './create.js'

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
  const schedule: AnnouncementData['schedule'] =
    edit.schedule ??
    (ann.scheduleKind === 'cron'
      ? { kind: 'cron', cron: ann.cron ?? '' }
      : ann.scheduleKind === 'at' && ann.scheduledAt
        ? { kind: 'at', at: ann.scheduledAt }
        : { kind: 'now' })
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
