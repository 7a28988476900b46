import type { Deliver } from '../core/feature.js'
import { formatLocal } from '../core/time/zone.js'
import type { OutboundMessage } from '../core/types.js'
import type { Db, Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import { isUnitWithin } from '../organisation/scope.js'
import { closePoll } from './closing.js'
import { chatRecipient, eligiblePeople, MAX_MENTIONS, postedGroups, voterKey, type PollContext, type PollRow } from './service.js'
import { votesWritten } from './voting.js'

export interface PollJobDeps {
  db: Db
  deliver: Deliver
  t: Messages
  timeZone: string
  secret: string
  /** Reminders per poll before its deadline (POLL_MAX_REMINDERS); 0 = none. */
  maxReminders: number
  /** PRIVACY_MIN_GROUP (default 5). */
  minGroup?: number
}

const HOUR = 60 * 60 * 1000
const TX = { timeout: 30_000, maxWait: 30_000 }

/**
 * When a poll's reminders are due. The first when 80 % of its time has passed or two hours
 * before the deadline, whichever comes first — two hours before only when that is past half its
 * time, so a short poll is not chased at once; further ones, if configured, evenly between the
 * first and the deadline.
 */
export function reminderTimes(createdAt: Date, deadline: Date, max: number): Date[] {
  const start = createdAt.getTime()
  const end = deadline.getTime()
  const span = end - start
  if (max <= 0 || span <= 0) return []
  // Two hours before counts only when that is at least half-way (a short poll is not chased at once).
  const twoHoursBefore = end - 2 * HOUR
  const first = Math.min(start + 0.8 * span, twoHoursBefore >= start + 0.5 * span ? twoHoursBefore : Infinity)
  return Array.from({ length: max }, (_, i) => new Date(first + ((end - first) * i) / max))
}

/** Voter keys of those who have answered: voted (a poll) or answered every question (a survey). */
async function respondedKeys(tx: Tx, poll: PollRow): Promise<Set<string>> {
  if (poll.kind === 'poll') await votesWritten(tx)
  if (poll.kind === 'poll') return new Set((await tx.pollVote.findMany({ where: { pollId: poll.id }, select: { voterKey: true } })).map((v) => v.voterKey))
  const questions = await tx.surveyQuestion.count({ where: { pollId: poll.id } })
  const grouped = await tx.surveyAnswer.groupBy({ by: ['respondentKey'], where: { pollId: poll.id }, _count: { _all: true } })
  return new Set(grouped.filter((g) => g._count._all >= questions).map((g) => g.respondentKey))
}

/**
 * A reminder for those who have not answered yet, never for those who have. A named poll
 * mentions them in their team group (people no group covers are told privately); an anonymous
 * poll or a survey tells them privately and only nudges the groups without names, so nobody
 * learns who has taken part.
 */
export async function reminderMessages(ctx: PollContext, poll: PollRow): Promise<OutboundMessage[]> {
  const { tx, t } = ctx
  const [eligible, responded] = await Promise.all([eligiblePeople(tx, poll.id), respondedKeys(tx, poll)])
  const missing = eligible.filter((p) => !responded.has(voterKey(ctx.secret, poll.id, p.id)))
  if (missing.length === 0) return []
  const deadline = formatLocal(poll.deadline, ctx.timeZone)
  const units = new Map(
    (await tx.unit.findMany({ where: { id: { in: [...new Set(missing.map((p) => p.unitId))] } }, select: { id: true, path: true } })).map((u) => [
      u.id,
      u.path,
    ]),
  )
  const groups = await postedGroups(tx, poll.id)
  const chats = await tx.chatGroup.findMany({ where: { OR: groups.map((g) => ({ platform: g.platform!, externalId: g.chatId! })) }, include: { unit: true } })
  const out: OutboundMessage[] = []
  const covered = new Set<number>()
  const survey = poll.kind === 'survey'
  const named = !survey && !poll.anonymous
  for (const g of groups) {
    const chat = chats.find((c) => c.platform === g.platform && c.externalId === g.chatId)
    if (!chat?.unit || chat.purpose !== 'team') continue
    const here = missing.filter((p) => isUnitWithin(units.get(p.unitId) ?? '\u0000', chat.unit!.path))
    if (here.length === 0) continue
    if (named) {
      const shown = here.slice(0, MAX_MENTIONS)
      shown.forEach((p) => covered.add(p.id))
      out.push({
        to: chatRecipient(g),
        text: t.polls.reminderNamed(poll.number, poll.title, deadline, shown.map((p) => `@${p.name}`).join(' '), here.length - shown.length),
        mentions: shown.map((p) => ({ personId: p.id, name: p.name })),
        notice: true,
      })
    } else {
      out.push({
        to: chatRecipient(g),
        text: survey
          ? t.polls.reminderSurveyGroup(poll.number, poll.title, deadline, here.length)
          : t.polls.reminderGroup(poll.number, poll.title, deadline, here.length),
        notice: true,
      })
    }
  }
  for (const p of missing) {
    if (covered.has(p.id)) continue
    const text = survey ? t.polls.reminderSurveyPrivate(poll.number, poll.title, deadline) : t.polls.reminderPrivate(poll.number, poll.title, deadline)
    const command = survey ? `继续问卷 ${poll.number}` : null
    out.push({
      to: { kind: 'person', personId: p.id },
      text,
      notice: true,
      ...(command
        ? { card: { title: text, buttons: [{ label: t.polls.buttons.resume, action: { command }, style: 'primary' as const }], tone: 'attention' as const } }
        : {}),
    })
  }
  return out
}

/**
 * Sends the reminders that are due. Each is claimed by a conditional write on the poll's
 * reminder count and sent with a key derived from it, so two instances remind once. When the
 * service was down across several reminder times, one reminder makes up for all of them.
 */
export async function remindPolls(deps: PollJobDeps, now: Date): Promise<number> {
  const { db, deliver, t, timeZone, secret, maxReminders } = deps
  if (maxReminders <= 0) return 0
  const open = await db.poll.findMany({
    where: { status: 'open', deadline: { gt: now }, remindersSent: { lt: maxReminders } },
    orderBy: { id: 'asc' },
    take: 500,
  })
  let sent = 0
  for (const poll of open) {
    const times = reminderTimes(poll.createdAt, poll.deadline, maxReminders)
    const due = times.filter((x) => x.getTime() <= now.getTime()).length
    if (due <= poll.remindersSent) continue
    await db.$transaction(async (tx) => {
      const claimed = await tx.poll.updateMany({ where: { id: poll.id, status: 'open', remindersSent: poll.remindersSent }, data: { remindersSent: due } })
      if (claimed.count !== 1) return
      const out = await reminderMessages({ tx, now, t, timeZone, secret, ...(deps.minGroup !== undefined ? { minGroup: deps.minGroup } : {}) }, poll)
      await deliver(tx, out, `job:poll-remind:${poll.id}:${due}`)
      sent++
    }, TX)
  }
  return sent
}

/**
 * Closes every open poll and survey whose deadline has passed and posts the results to the groups
 * it was posted in (and to its creator), exactly once: the close is a conditional write
 * (open → closed) and the messages' keys derive from the poll, so running this on two instances
 * at the same moment closes and posts once.
 */
export async function closeDuePolls(deps: PollJobDeps, now: Date): Promise<number> {
  const { db, deliver, t, timeZone, secret } = deps
  const due = await db.poll.findMany({ where: { status: 'open', deadline: { lte: now } }, orderBy: { id: 'asc' }, take: 500, select: { id: true } })
  let closed = 0
  for (const { id } of due) {
    await db.$transaction(async (tx) => {
      const result = await closePoll({ tx, now, t, timeZone, secret, ...(deps.minGroup !== undefined ? { minGroup: deps.minGroup } : {}) }, id)
      if (!result) return
      await deliver(tx, result.out, `job:poll-close:${id}`)
      closed++
    }, TX)
  }
  return closed
}
