/**
 * Announcements (公告) and campaigns: the answers (已阅, 报名, 取消报名) and the read counts platforms report.
 */
import type { Asker } from '../core/commands.js'
import { formatLocal } from '../core/time/zone.js'
import type { OutboundMessage } from '../core/types.js'
import type { Db, Tx } from '../db/client.js'
import { findAnnouncement, refuse, targetUnits, within, type AnnouncementContext, type AnnouncementRow } from './service.js'

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
  await tx.announcementResponse.upsert({
    where: key,
    create: { announcementId: ann.id, personId: person.id, kind: 'ack', status: 'confirmed', createdAt: ctx.now },
    update: { status: 'confirmed', createdAt: ctx.now },
  })
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
    return {
      text: existing.status === 'confirmed' ? a.alreadySignedUp(ann.number) : a.alreadyWaitlisted(ann.number, await waitlistPosition(tx, ann.id, existing)),
      out: [],
    }
  }
  const confirmed = await tx.announcementResponse.count({ where: { announcementId: ann.id, kind: 'signup', status: 'confirmed' } })
  const status = ann.capacity === null || confirmed < ann.capacity ? 'confirmed' : 'waitlisted'
  const row = await tx.announcementResponse.upsert({
    where: key,
    create: { announcementId: ann.id, personId: person.id, kind: 'signup', status, createdAt: ctx.now },
    update: { status, createdAt: ctx.now },
  })
  if (status === 'confirmed') return { text: a.signedUp(ann.number, ann.title, confirmed + 1, ann.capacity), out: [] }
  return { text: a.waitlisted(ann.number, ann.title, await waitlistPosition(tx, ann.id, row)), out: [] }
}

async function waitlistPosition(tx: Tx, announcementId: number, row: { id: number; createdAt: Date }): Promise<number> {
  const ahead = await tx.announcementResponse.count({
    where: {
      announcementId,
      kind: 'signup',
      status: 'waitlisted',
      OR: [{ createdAt: { lt: row.createdAt } }, { createdAt: row.createdAt, id: { lt: row.id } }],
    },
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
    const next = await tx.announcementResponse.findFirst({
      where: { announcementId: ann.id, kind: 'signup', status: 'waitlisted' },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    })
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
