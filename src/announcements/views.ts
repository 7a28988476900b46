import type { Asker } from '../core/commands.js'
import { formatLocal } from '../core/time/zone.js'
import type { Card } from '../core/types.js'
import type { Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import { canActOnUnit, unitLabel } from '../organisation/scope.js'
import { nextSlot, parseCron } from '../core/time/recurrence.js'
import {
  AnnouncementRefusal,
  canManage,
  canView,
  findAnnouncement,
  ONCE,
  type AnnouncementContext,
  type AnnouncementRow,
  type AudienceMember,
} from './service.js'
import { kindLabel, scheduleLabel } from './post.js'
import { announcementReach } from './reach.js'

/** The audience members who have not answered (everyone in the target units, the creator aside). */
export async function nonResponders(tx: Tx, ann: AnnouncementRow): Promise<AudienceMember[]> {
  if (!ann.requireAck && !ann.signup) return []
  return (await announcementReach(tx, ann)).pending
}

export function statusLabel(t: Messages, ann: Pick<AnnouncementRow, 'status' | 'paused' | 'scheduleKind'>): string {
  const a = t.announcements
  if (ann.status === 'scheduled' && ann.scheduleKind === 'cron') return ann.paused ? a.pausedLabel : a.recurringLabel
  return a.status[ann.status] ?? ann.status
}

const MAX_GROUP_LINES = 20
const MAX_NAMES = 50

function names(people: { name: string }[], more: (n: number) => string): string {
  const shown = people
    .slice(0, MAX_NAMES)
    .map((p) => p.name)
    .join('、')
  return people.length > MAX_NAMES ? `${shown}${more(people.length - MAX_NAMES)}` : shown
}

/**
 * `公告进度 N-8`: delivery per group (sent / pending / failed, from the outbox rows by key), read
 * counts where a platform reports them, acknowledgements and sign-ups by unit, and who has not
 * answered. Officers who neither created it nor answer for all of its targets see the people of
 * their own part of the organisation only.
 */
export async function progressView(ctx: AnnouncementContext, viewer: Asker, numberInput: string): Promise<{ text: string; card: Card }> {
  const { tx, t } = ctx
  const a = t.announcements
  const tz = ctx.settings.timeZone
  const ann = await findAnnouncement(ctx, numberInput)
  if (!(await canView(tx, viewer, ann))) throw new AnnouncementRefusal(a.notYours(ann.number))
  const manager = await canManage(tx, viewer, ann)
  const lines: string[] = [a.progressTitle(ann.number, ann.title, kindLabel(t, ann.kind), statusLabel(t, ann))]
  const fields: { label: string; value: string }[] = [{ label: a.fields.schedule, value: scheduleLabel(t, ann, tz) }]
  if (ann.scheduleKind === 'cron' && ann.status === 'scheduled' && !ann.paused) {
    const f = parseCron(ann.cron ?? '')
    const next = f ? nextSlot(f, tz, ctx.now) : null
    if (next) fields.push({ label: a.fields.next, value: formatLocal(next, tz) })
  }
  if (ann.campaignId !== null) {
    const campaign = await tx.campaign.findUnique({ where: { id: ann.campaignId } })
    if (campaign) fields.push({ label: a.fields.campaign, value: campaign.name })
  }

  const groupLines: string[] = []
  const latest = await tx.announcementDelivery.findFirst({ where: { announcementId: ann.id }, orderBy: { firing: 'desc' }, select: { firing: true } })
  if (!latest) {
    fields.push({ label: a.fields.delivery, value: ann.status === 'cancelled' ? a.status.cancelled! : a.notFiredYet })
  } else {
    const firings = ann.scheduleKind === 'cron' ? (await tx.announcementDelivery.groupBy({ by: ['firing'], where: { announcementId: ann.id } })).length : 1
    const deliveries = await tx.announcementDelivery.findMany({ where: { announcementId: ann.id, firing: latest.firing }, orderBy: { id: 'asc' } })
    const outbox = new Map(
      (await tx.outboxMessage.findMany({ where: { key: { in: deliveries.map((d) => d.outboxKey) } }, select: { key: true, status: true } })).map((o) => [
        o.key,
        o.status,
      ]),
    )
    const groups = new Map(
      (await tx.chatGroup.findMany({ where: { externalId: { in: deliveries.map((d) => d.target) } } })).map((g) => [`${g.platform}:${g.externalId}`, g.name]),
    )
    const state = (key: string): 'sent' | 'pending' | 'failed' => {
      const s = outbox.get(key)
      return s === 'sent' ? 'sent' : s === 'dead' ? 'failed' : 'pending'
    }
    const counts = { sent: 0, pending: 0, failed: 0 }
    for (const d of deliveries) counts[state(d.outboxKey)]++
    if (ann.scheduleKind === 'cron')
      fields.push({ label: a.fields.firings, value: a.firingsValue(firings, latest.firing === ONCE ? '' : formatLocal(new Date(latest.firing), tz)) })
    fields.push({ label: a.fields.delivery, value: a.deliveryValue(deliveries.length, counts.sent, counts.pending, counts.failed) })
    const reported = deliveries.filter((d) => d.readCount !== null)
    if (reported.length > 0)
      fields.push({
        label: a.fields.reads,
        value: a.readsValue(
          reported.reduce((n, d) => n + (d.readCount ?? 0), 0),
          reported.length,
        ),
      })
    const order = { failed: 0, pending: 1, sent: 2 }
    const sorted = [...deliveries].sort((x, y) => order[state(x.outboxKey)] - order[state(y.outboxKey)] || x.id - y.id)
    groupLines.push(a.groupsTitle)
    groupLines.push(
      ...sorted
        .slice(0, MAX_GROUP_LINES)
        .map((d) =>
          a.groupLine(
            groups.get(`${d.platform}:${d.target}`) ?? d.target,
            a.platforms[d.platform] ?? d.platform,
            a.deliveryStatus[state(d.outboxKey)]!,
            d.readCount,
          ),
        ),
    )
    if (sorted.length > MAX_GROUP_LINES) groupLines.push(a.moreGroups(sorted.length - MAX_GROUP_LINES))
  }
  lines.push(...fields.map((f) => a.fieldLine(f.label, f.value)), ...groupLines)

  if (ann.requireAck || ann.signup) {
    const reach = await announcementReach(tx, ann, manager ? {} : { within: (u) => canActOnUnit(viewer, u) })
    const { people, responses: r } = reach
    const hasRead = new Set(reach.read.map((p) => p.id))
    if (!manager) lines.push(a.ownScopeOnly(unitLabel(viewer.unit)))
    if (ann.requireAck) {
      const byUnit = new Map<string, { done: number; all: number }>()
      for (const p of people) {
        const u = unitLabel(p.unit)
        const row = byUnit.get(u) ?? { done: 0, all: 0 }
        row.all++
        if (hasRead.has(p.id)) row.done++
        byUnit.set(u, row)
      }
      lines.push(a.acksTitle(reach.read.length, people.length))
      for (const [u, x] of [...byUnit.entries()].sort((p, q) => p[0].localeCompare(q[0]))) lines.push(a.unitLine(u, x.done, x.all))
    }
    if (ann.signup) {
      const inScope = new Set(people.map((p) => p.id))
      const byId = new Map(people.map((p) => [p.id, p]))
      const list = [...r.signups.entries()].filter(([id]) => manager || inScope.has(id))
      const confirmed = list
        .filter(([, s]) => s.status === 'confirmed')
        .map(([id]) => byId.get(id))
        .filter((p): p is AudienceMember => !!p)
      const waitlisted = list
        .filter(([, s]) => s.status === 'waitlisted')
        .map(([id]) => byId.get(id))
        .filter((p): p is AudienceMember => !!p)
      const all = await tx.announcementResponse.count({ where: { announcementId: ann.id, kind: 'signup', status: 'confirmed' } })
      lines.push(
        a.signupsTitle(all, ann.capacity, await tx.announcementResponse.count({ where: { announcementId: ann.id, kind: 'signup', status: 'waitlisted' } })),
      )
      if (confirmed.length) lines.push(a.signedUpNames(names(confirmed, a.morePeople)))
      if (waitlisted.length) lines.push(a.waitlistNames(names(waitlisted, a.morePeople)))
    }
    const pending = reach.pending
    lines.push(pending.length ? a.nonResponders(pending.length, names(pending, a.morePeople)) : a.allAnswered)
    if (ann.dueAt) lines.push(a.dueLine(formatLocal(ann.dueAt, tz), ann.remindersSent, ann.maxReminders))
  }
  const text = lines.join('\n')
  return { text, card: { title: lines[0]!, body: lines.slice(1).join('\n'), tone: ann.status === 'cancelled' ? 'done' : 'info' } }
}

/** `公告列表`: the latest announcements the asker may see. */
export async function listView(ctx: AnnouncementContext, viewer: Asker, limit = 15): Promise<string> {
  const { tx, t } = ctx
  const a = t.announcements
  const rows = await tx.announcement.findMany({ orderBy: { id: 'desc' }, take: 200 })
  const visible: AnnouncementRow[] = []
  for (const r of rows) {
    if (visible.length >= limit) break
    if (await canView(tx, viewer, r)) visible.push(r)
  }
  if (visible.length === 0) return a.listEmpty
  const tz = ctx.settings.timeZone
  return [a.listTitle, ...visible.map((r) => a.listLine(r.number, kindLabel(t, r.kind), r.title, statusLabel(t, r), scheduleLabel(t, r, tz)))].join('\n')
}

/** `活动列表`: campaigns with their period, announcements and hazard reports. */
export async function campaignsView(ctx: AnnouncementContext): Promise<string> {
  const { tx, t } = ctx
  const a = t.announcements
  const campaigns = await tx.campaign.findMany({ orderBy: { id: 'desc' }, take: 20 })
  if (campaigns.length === 0) return a.campaignsEmpty
  const tz = ctx.settings.timeZone
  const day = (d: Date | null) => (d ? formatLocal(d, tz).slice(0, 10) : '')
  const lines = [a.campaignsTitle]
  for (const c of campaigns) {
    const [announcements, hazards, photos] = await Promise.all([
      tx.announcement.count({ where: { campaignId: c.id } }),
      tx.workerRequest.count({ where: { campaignId: c.id } }),
      tx.attachment.count({ where: { kind: 'image', request: { campaignId: c.id } } }),
    ])
    const end = c.endsAt ? new Date(c.endsAt.getTime() - 1) : null
    lines.push(a.campaignLineFull(c.name, kindLabel(t, c.kind), day(c.startsAt), day(end), announcements, hazards, photos))
  }
  return lines.join('\n')
}
