import { formatLocal, localParts } from '../core/time/zone.js'
import type { OutboundMessage, Platform } from '../core/types.js'
import type { Db } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import { isUnitWithin } from '../organisation/scope.js'
import { lastSlot, parseCron } from '../core/time/recurrence.js'
import { ONCE, type AnnouncementContext, type AnnouncementRow, type AnnouncementSettings, type AudienceMember, type Deliver } from './service.js'
import { fireOnce, fireSlot } from './post.js'
import { nonResponders } from './views.js'

export interface AnnouncementJobDeps {
  db: Db
  t: Messages
  settings: AnnouncementSettings
  deliver: Deliver
}

/** A firing writes a row per group: give its transaction room (500 groups take a few seconds). */
const FAN_OUT_TX = { timeout: 120_000, maxWait: 60_000 }
const HOUR = 60 * 60 * 1000
/** A cron slot missed while every instance was down is still posted this long afterwards; older ones are skipped. */
export const MISSED_SLOT_WINDOW_MS = 24 * HOUR

function contextFor(deps: AnnouncementJobDeps, tx: AnnouncementContext['tx'], now: Date): AnnouncementContext {
  return { tx, now, t: deps.t, settings: deps.settings, deliver: deps.deliver }
}

/**
 * `announcements:fire`: posts the one-off announcements that are due and the latest due slot of
 * each recurring one. Each firing is claimed by a conditional update in the transaction that
 * writes its deliveries, so with several instances (or overlapping runs) each fires once.
 * Also marks one-off announcements sent once the outbox has delivered (or given up on) every group.
 */
export async function fireDue(deps: AnnouncementJobDeps, now: Date): Promise<number> {
  const { db } = deps
  let fired = 0
  const due = await db.announcement.findMany({
    where: { status: 'scheduled', scheduleKind: { in: ['now', 'at'] }, scheduledAt: { lte: now } },
    orderBy: { id: 'asc' },
    take: 100,
  })
  for (const ann of due) {
    if ((await db.$transaction((tx) => fireOnce(contextFor(deps, tx, now), ann), FAN_OUT_TX)) !== null) fired++
  }
  const recurring = await db.announcement.findMany({ where: { status: 'scheduled', scheduleKind: 'cron', paused: false }, orderBy: { id: 'asc' } })
  for (const ann of recurring) {
    const slot = dueSlot(ann, deps.settings.timeZone, now)
    if (!slot) continue
    if ((await db.$transaction((tx) => fireSlot(contextFor(deps, tx, now), ann, slot), FAN_OUT_TX)) !== null) fired++
  }
  await markSent(db)
  return fired
}

/** The latest slot of a recurring announcement that is due and not yet fired (nor skipped), or null. */
export function dueSlot(ann: Pick<AnnouncementRow, 'cron' | 'createdAt' | 'lastFiredAt'>, timeZone: string, now: Date): Date | null {
  const fields = parseCron(ann.cron ?? '')
  if (!fields) return null
  const floor = Math.max(ann.createdAt.getTime(), ann.lastFiredAt?.getTime() ?? 0, now.getTime() - MISSED_SLOT_WINDOW_MS)
  return lastSlot(fields, timeZone, new Date(floor), now)
}

async function markSent(db: Db): Promise<void> {
  const sending = await db.announcement.findMany({ where: { status: 'sending' }, select: { id: true }, take: 500 })
  for (const { id } of sending) {
    const open = await db.outboxMessage.count({ where: { key: { startsWith: `ann:${id}:${ONCE}:` }, status: { in: ['pending', 'sending'] } } })
    if (open === 0) await db.announcement.updateMany({ where: { id, status: 'sending' }, data: { status: 'sent' } })
  }
}

/**
 * When reminder `k` (1-based) is due: spread evenly between the post and the deadline
 * (one reminder: halfway), or every `remindEveryHours` after the post when there is no deadline.
 */
export function reminderDueAt(
  ann: Pick<AnnouncementRow, 'lastFiredAt' | 'dueAt' | 'maxReminders'>,
  k: number,
  settings: Pick<AnnouncementSettings, 'remindEveryHours'>,
): Date | null {
  if (!ann.lastFiredAt) return null
  const fired = ann.lastFiredAt.getTime()
  if (ann.dueAt) {
    const span = ann.dueAt.getTime() - fired
    return span > 0 ? new Date(fired + Math.floor((span * k) / (ann.maxReminders + 1))) : null
  }
  return new Date(fired + k * settings.remindEveryHours * HOUR)
}

/**
 * `announcements:remind`: reminds those who have not acknowledged or signed up, before the
 * deadline, at most `maxReminders` times per announcement. Each reminder round is claimed by a
 * conditional increment of `remindersSent`, and its messages are keyed by the round, so it is
 * sent once across instances.
 */
export async function sendReminders(deps: AnnouncementJobDeps, now: Date): Promise<number> {
  const { db } = deps
  const rows = await db.announcement.findMany({
    where: {
      status: { in: ['sending', 'sent'] },
      scheduleKind: { in: ['now', 'at'] },
      OR: [{ requireAck: true }, { signup: true }],
      remindersSent: { lt: db.announcement.fields.maxReminders },
      AND: [{ OR: [{ dueAt: null }, { dueAt: { gt: now } }] }],
    },
    orderBy: { id: 'asc' },
    take: 200,
  })
  let reminded = 0
  for (const ann of rows) {
    const k = ann.remindersSent + 1
    const at = reminderDueAt(ann, k, deps.settings)
    if (!at || at > now) continue
    reminded += await db.$transaction(async (tx) => {
      const claimed = await tx.announcement.updateMany({ where: { id: ann.id, remindersSent: ann.remindersSent }, data: { remindersSent: k } })
      if (claimed.count !== 1) return 0
      return remind(contextFor(deps, tx, now), ann, k)
    }, FAN_OUT_TX)
  }
  return reminded
}

/**
 * One reminder round: in the team group a person got the post in, mentioning them, where that
 * platform can mention them; privately otherwise. Returns how many people were reminded.
 */
async function remind(ctx: AnnouncementContext, ann: AnnouncementRow, round: number): Promise<number> {
  const { tx, t, settings } = ctx
  const a = t.announcements
  if (ann.signup && !ann.requireAck && ann.capacity !== null) {
    const confirmed = await tx.announcementResponse.count({ where: { announcementId: ann.id, kind: 'signup', status: 'confirmed' } })
    if (confirmed >= ann.capacity) return 0 // full: nobody to chase for a sign-up
  }
  const pending = await nonResponders(tx, ann)
  if (pending.length === 0) return 0
  const posted = await tx.announcementDelivery.findMany({
    where: { announcementId: ann.id, firing: ONCE, targetKind: 'chat' },
    select: { platform: true, target: true },
  })
  const postedKeys = new Set(posted.map((d) => `${d.platform}:${d.target}`))
  const groups = (
    await tx.chatGroup.findMany({
      where: { externalId: { in: posted.map((d) => d.target) }, purpose: 'team', unitId: { not: null } },
      include: { unit: true },
      orderBy: { id: 'asc' },
    })
  ).filter((g) => postedKeys.has(`${g.platform}:${g.externalId}`))
  const identities = await tx.platformIdentity.findMany({ where: { personId: { in: pending.map((p) => p.id) } }, select: { personId: true, platform: true } })
  const on = new Set(identities.map((i) => `${i.personId}:${i.platform}`))
  const mentionable = (platform: string, personId: number) =>
    settings.mentionPlatforms.includes(platform as Platform) && (platform === 'web' || on.has(`${personId}:${platform}`))

  const inGroup = new Map<number, AudienceMember[]>()
  const alone: AudienceMember[] = []
  for (const person of pending) {
    // The group of the person's own unit, or of the nearest unit above it.
    const group = groups
      .filter((g) => g.unit && isUnitWithin(person.unit.path, g.unit.path))
      .sort((x, y) => y.unit!.path.length - x.unit!.path.length || x.id - y.id)[0]
    if (group && mentionable(group.platform, person.id)) inGroup.set(group.id, [...(inGroup.get(group.id) ?? []), person])
    else alone.push(person)
  }
  const command = ann.requireAck ? `已阅 ${ann.number}` : `报名 ${ann.number}`
  const button = { label: ann.requireAck ? a.buttons.ack : a.buttons.signup, action: { command }, style: 'primary' as const }
  const dueText = ann.dueAt ? formatLocal(ann.dueAt, settings.timeZone) : null
  for (const [groupId, people] of inGroup) {
    const g = groups.find((x) => x.id === groupId)!
    const message: OutboundMessage = {
      to: { kind: 'chat', platform: g.platform as Platform, chatId: g.externalId },
      text: a.reminderInGroup(
        ann.number,
        ann.title,
        people.map((p) => p.name),
        command,
        dueText,
      ),
      mentions: people.map((p) => ({ personId: p.id, name: p.name })),
      card: {
        title: a.reminderTitle(ann.number, ann.title),
        body: a.reminderInGroup(
          ann.number,
          ann.title,
          people.map((p) => p.name),
          command,
          dueText,
        ),
        buttons: [button],
        tone: 'attention',
      },
      notice: true,
    }
    await ctx.deliver(tx, [message], `ann:${ann.id}:remind:${round}:${g.platform}:${g.externalId}`)
  }
  for (const person of alone) {
    const text = a.reminderPrivate(ann.number, ann.title, command, dueText)
    await ctx.deliver(
      tx,
      [
        {
          to: { kind: 'person', personId: person.id },
          text,
          card: { title: a.reminderTitle(ann.number, ann.title), body: text, buttons: [button], tone: 'attention' },
          notice: true,
        },
      ],
      `ann:${ann.id}:remind:${round}:p${person.id}`,
    )
  }
  return pending.length
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/**
 * `announcements:birthdays`: a private greeting to everyone whose birthday (the roster's MM-DD,
 * in GONGYOU_TIMEZONE) is today and who has not opted out; 29 February birthdays are greeted on
 * the 28th in other years. The outbox key is the person and the year, so it goes once a year
 * however often the job runs.
 */
export async function sendBirthdayGreetings(deps: AnnouncementJobDeps, now: Date): Promise<number> {
  const { db, t } = deps
  const p = localParts(now, deps.settings.timeZone)
  const today = `${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`
  const days = today === '02-28' && !isLeapYear(p.year) ? [today, '02-29'] : [today]
  const people = await db.person.findMany({ where: { active: true, birthdayOptOut: false, birthday: { in: days } }, orderBy: { id: 'asc' } })
  for (let i = 0; i < people.length; i += 100) {
    const chunk = people.slice(i, i + 100)
    await db.$transaction(async (tx) => {
      for (const person of chunk) {
        const text = t.announcements.birthdayGreeting(person.name)
        await deps.deliver(
          tx,
          [{ to: { kind: 'person', personId: person.id }, text, card: { title: t.announcements.birthdayTitle, body: text, tone: 'done' }, notice: true }],
          `birthday:${person.id}:${p.year}`,
        )
      }
    }, FAN_OUT_TX)
  }
  return people.length
}
