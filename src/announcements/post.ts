/**
 * Announcements (公告) and campaigns: the post, its words and card, and its fan-out to every target group, exactly once per firing.
 */
import { holdWrites } from '../core/outbox.js'
import { formatLocal } from '../core/time/zone.js'
import type { Card, OutboundMessage, Platform } from '../core/types.js'
import type { Messages } from '../messages/index.js'
import { describeCron } from '../core/time/recurrence.js'
import { ONCE, deliveryPrefix, outboxKeyOf, targetGroups, type AnnouncementContext, type AnnouncementRow } from './service.js'

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
  if (ann.signup)
    buttons.push(
      { label: a.buttons.signup, action: { command: `报名 ${ann.number}` }, style: ann.requireAck ? 'default' : 'primary' },
      { label: a.buttons.cancelSignup, action: { command: `取消报名 ${ann.number}` } },
    )
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
  const done = new Set(
    (await tx.announcementDelivery.findMany({ where: { announcementId: ann.id, firing }, select: { outboxKey: true } })).map((d) => d.outboxKey),
  )
  const message = postMessage(ctx, ann)
  const rows: {
    announcementId: number
    firing: string
    outboxKey: string
    platform: string
    targetKind: string
    target: string
    unitId: number | null
    createdAt: Date
  }[] = []
  // One message per group, written to the outbox together (thousands of groups: a few statements, not thousands).
  await holdWrites(async () => {
    for (const g of groups) {
      const prefix = deliveryPrefix(ann.id, firing, g.platform, g.externalId)
      const key = outboxKeyOf(prefix)
      if (done.has(key)) continue
      await ctx.deliver(tx, [{ ...message, to: { kind: 'chat', platform: g.platform as Platform, chatId: g.externalId } }], prefix)
      rows.push({
        announcementId: ann.id,
        firing,
        outboxKey: key,
        platform: g.platform,
        targetKind: 'chat',
        target: g.externalId,
        unitId: g.unitId,
        createdAt: ctx.now,
      })
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
