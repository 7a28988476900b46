import type { ChatCore } from '../core/chat-core.js'
import type { OutboundMessage } from '../core/types.js'
import type { Db } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import { unitLabel } from '../organisation/scope.js'
import { localParts } from '../core/time/zone.js'
import { chairAndAdministrators } from './routing.js'
import { escalate, OPEN_STATUSES, type RequestContext } from './service.js'
import { isOverdue, officerQueue } from './views.js'

export interface RequestJobDeps {
  db: Db
  core: Pick<ChatCore, 'deliver'>
  t: Messages
  timeZone: string
  autoCloseDays: number
  /** PRIVACY_MIN_GROUP (default 5). */
  minGroup?: number
}

function localDay(now: Date, timeZone: string): string {
  const p = localParts(now, timeZone)
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`
}

/**
 * Every request past its deadline moves one level up and the officers at both levels are told;
 * at the top of the ladder, the union chair and the administrators are told once per missed
 * deadline. Each move is a conditional write and each message has a key derived from the
 * request's state, so running this twice at once (two instances) escalates once.
 */
export async function escalateOverdue(deps: RequestJobDeps, now: Date): Promise<number> {
  const { db, core, t, timeZone } = deps
  const due = await db.workerRequest.findMany({
    where: {
      OR: [
        { status: 'new', answerDueAt: { lt: now } },
        { status: 'accepted', resultDueAt: { lt: now } },
      ],
    },
    orderBy: { id: 'asc' },
    take: 500,
  })
  let moved = 0
  for (const candidate of due) {
    await db.$transaction(async (tx) => {
      const request = await tx.workerRequest.findUnique({ where: { id: candidate.id } })
      if (!request || !isOverdue(request, now)) return
      const ctx: RequestContext = { tx, now, t, timeZone, ...(deps.minGroup !== undefined ? { minGroup: deps.minGroup } : {}) }
      const answerMissed = request.status === 'new'
      const missedAt = (answerMissed ? request.answerDueAt : request.resultDueAt)!
      const out: OutboundMessage[] = []
      const result = await escalate(ctx, request, null, t.requests.overdueReason(answerMissed ? t.requests.answerWord : t.requests.resultWord), out)
      if (result) {
        moved++
        await core.deliver(tx, out, `job:escalate:${request.id}:${request.escalationCount}`, undefined)
        return
      }
      // Not moved because another instance moved it a moment ago (its conditional write won): not the top.
      const current = await tx.workerRequest.findUnique({ where: { id: request.id }, select: { levelUnitId: true, escalationCount: true } })
      if (!current || current.levelUnitId !== request.levelUnitId || current.escalationCount !== request.escalationCount) return
      // Top of the ladder: tell the chair and administrators, once for this missed deadline.
      const claimed = await tx.workerRequest.updateMany({
        where: { id: request.id, OR: [{ topOverdueNotifiedAt: null }, { topOverdueNotifiedAt: { lt: missedAt } }] },
        data: { topOverdueNotifiedAt: now },
      })
      if (claimed.count !== 1) return
      const unit = await tx.unit.findUniqueOrThrow({ where: { id: request.unitId } })
      await tx.requestEvent.create({
        data: { requestId: request.id, at: now, kind: 'overdue', text: answerMissed ? t.requests.answerWord : t.requests.resultWord },
      })
      const text = t.requests.overdueTop(request.number, unitLabel(unit), answerMissed ? t.requests.answerWord : t.requests.resultWord)
      const people = await chairAndAdministrators(tx)
      await core.deliver(
        tx,
        people.map((p) => ({ to: { kind: 'person' as const, personId: p.id }, text, notice: true, urgent: request.urgent })),
        `job:top-overdue:${request.id}:${missedAt.getTime()}`,
        undefined,
      )
    })
  }
  return moved
}

/** A resolved request nobody rated closes itself after the configured days. */
export async function closeUnrated(deps: RequestJobDeps, now: Date): Promise<number> {
  const { db, core, t } = deps
  const before = new Date(now.getTime() - deps.autoCloseDays * 24 * 60 * 60 * 1000)
  const rows = await db.workerRequest.findMany({ where: { status: 'resolved', resolvedAt: { lt: before } }, take: 500 })
  let closed = 0
  for (const r of rows) {
    await db.$transaction(async (tx) => {
      const done = await tx.workerRequest.updateMany({ where: { id: r.id, status: 'resolved' }, data: { status: 'closed', closedAt: now } })
      if (done.count !== 1) return
      closed++
      await tx.requestEvent.create({ data: { requestId: r.id, at: now, kind: 'closed' } })
      const authorId = r.anonymous ? (await tx.requestAuthor.findUnique({ where: { requestId: r.id } }))?.personId : r.requesterId
      if (authorId)
        await core.deliver(
          tx,
          [{ to: { kind: 'person', personId: authorId }, text: t.requests.autoClosed(r.number), notice: true }],
          `job:autoclose:${r.id}`,
          undefined,
        )
    })
  }
  return closed
}

/** The morning digest: each officer with something in their queue gets it privately, overdue first. */
export async function sendDigest(deps: RequestJobDeps, now: Date): Promise<number> {
  const { db, core, t, timeZone } = deps
  const officers = await db.person.findMany({ where: { role: 'officer', active: true }, include: { unit: true } })
  const names = new Map((await db.requestCategory.findMany()).map((c) => [c.id, c.name]))
  const day = localDay(now, timeZone)
  let sent = 0
  for (const officer of officers) {
    await db.$transaction(async (tx) => {
      const queue = await officerQueue({ tx, now, t, timeZone }, officer)
      if (queue.length === 0) return
      const overdue = queue.filter((r) => isOverdue(r, now)).length
      const shown = queue
        .slice(0, 10)
        .map((r) =>
          t.requests.listLine(r.number, names.get(r.categoryId) ?? '', t.requests.status[r.status] ?? r.status, r.content.slice(0, 30), isOverdue(r, now)),
        )
      const text = `${t.requests.digestTitle(queue.length, overdue)}\n${shown.join('\n')}${queue.length > 10 ? `\n${t.requests.digestMore(queue.length - 10)}` : ''}`
      await core.deliver(tx, [{ to: { kind: 'person', personId: officer.id }, text, notice: true }], `job:digest:${officer.id}:${day}`, undefined)
      sent++
    })
  }
  return sent
}

/** The weekly summary of supervised (督办) requests, to the administrators. */
export async function sendSupervisedSummary(deps: RequestJobDeps, now: Date): Promise<number> {
  const { db, core, t, timeZone } = deps
  const rows = await db.workerRequest.findMany({ where: { supervised: true, status: { in: [...OPEN_STATUSES] } }, orderBy: { id: 'asc' } })
  if (rows.length === 0) return 0
  const levels = new Map((await db.unit.findMany({ where: { id: { in: rows.map((r) => r.levelUnitId) } } })).map((u) => [u.id, unitLabel(u)]))
  const text = `${t.requests.supervisedTitle(rows.length)}\n${rows.map((r) => t.requests.supervisedLine(r.number, t.requests.status[r.status] ?? r.status, levels.get(r.levelUnitId) ?? '', r.content.slice(0, 30))).join('\n')}`
  const admins = await db.person.findMany({ where: { role: 'admin', active: true } })
  const day = localDay(now, timeZone)
  await db.$transaction((tx) =>
    core.deliver(
      tx,
      admins.map((a) => ({ to: { kind: 'person' as const, personId: a.id }, text, notice: true })),
      `job:supervised:${day}`,
      undefined,
    ),
  )
  return admins.length
}
