import type { Asker } from '../core/commands.js'
import type { Card } from '../core/types.js'
import type { Tx } from '../db/client.js'
import { canActOnUnit, unitLabel } from '../organisation/scope.js'
import { formatLocal } from '../core/time/zone.js'
import { canHandle, findRequest, isAuthor, OPEN_STATUSES, RequestRefusal, type RequestContext, type RequestRow } from './service.js'

/** Whether a request is past the deadline that matters now. */
export function isOverdue(r: Pick<RequestRow, 'status' | 'answerDueAt' | 'resultDueAt' | 'firstAnsweredAt'>, now: Date): boolean {
  if (r.status === 'new') return !!r.answerDueAt && r.answerDueAt < now
  if (r.status === 'accepted') return !!r.resultDueAt && r.resultDueAt < now
  return false
}

function shorten(text: string, max = 30): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

async function categoryNames(tx: Tx): Promise<Map<number, string>> {
  return new Map((await tx.requestCategory.findMany({ select: { id: true, name: true } })).map((c) => [c.id, c.name]))
}

function lines(ctx: RequestContext, rows: RequestRow[], names: Map<number, string>): string[] {
  return rows.map((r) =>
    ctx.t.requests.listLine(r.number, names.get(r.categoryId) ?? '', ctx.t.requests.status[r.status] ?? r.status, shorten(r.content), isOverdue(r, ctx.now)),
  )
}

/** `我的诉求`: what I filed, anonymous ones included (only I can see those are mine). */
export async function myRequests(ctx: RequestContext, personId: number): Promise<string> {
  const authored = (await ctx.tx.requestAuthor.findMany({ where: { personId }, select: { requestId: true } })).map((a) => a.requestId)
  const where = { OR: [{ requesterId: personId }, { id: { in: authored } }] }
  const [count, rows] = await Promise.all([ctx.tx.workerRequest.count({ where }), ctx.tx.workerRequest.findMany({ where, orderBy: { id: 'desc' }, take: 10 })])
  if (count === 0) return ctx.t.requests.mineEmpty
  return `${ctx.t.requests.mineTitle(count)}\n${lines(ctx, rows, await categoryNames(ctx.tx)).join('\n')}`
}

/** `网格诉求`: a collector's grid's open requests (no names on anonymous ones). */
export async function gridRequests(ctx: RequestContext, collectorId: number): Promise<string> {
  const grids = await ctx.tx.grid.findMany({ where: { collectors: { some: { personId: collectorId } } }, include: { units: { select: { id: true } } } })
  const unitIds = grids.flatMap((g) => g.units.map((u) => u.id))
  const where = { unitId: { in: unitIds }, status: { in: [...OPEN_STATUSES] } }
  const [count, rows] = await Promise.all([ctx.tx.workerRequest.count({ where }), ctx.tx.workerRequest.findMany({ where, orderBy: { id: 'asc' }, take: 30 })])
  if (count === 0) return ctx.t.requests.gridEmpty
  return `${ctx.t.requests.gridTitle(count)}\n${lines(ctx, rows, await categoryNames(ctx.tx)).join('\n')}`
}

/** An officer's own queue: handed to them, or waiting unassigned at their level. Overdue first, then oldest. */
export async function officerQueue(ctx: RequestContext, officer: Asker): Promise<RequestRow[]> {
  const rows = await ctx.tx.workerRequest.findMany({
    where: { status: { in: [...OPEN_STATUSES] }, OR: [{ assigneeId: officer.id }, { assigneeId: null, levelUnitId: officer.unitId }] },
    orderBy: { id: 'asc' },
    take: 500,
  })
  return rows.sort((a, b) => Number(isOverdue(b, ctx.now)) - Number(isOverdue(a, ctx.now)) || a.createdAt.getTime() - b.createdAt.getTime())
}

export async function todoText(ctx: RequestContext, officer: Asker, limit = 20): Promise<string> {
  const rows = await officerQueue(ctx, officer)
  if (rows.length === 0) return ctx.t.requests.todoEmpty
  const overdue = rows.filter((r) => isOverdue(r, ctx.now)).length
  // Each with the deadline that matters now, overdue first.
  const shown = lines(ctx, rows.slice(0, limit), await categoryNames(ctx.tx)).map((line, i) => {
    const r = rows[i]!
    const due = r.status === 'new' ? r.answerDueAt : r.resultDueAt
    return due
      ? `${line}${ctx.t.conversation.todoDue(r.status === 'new' ? ctx.t.requests.answerWord : ctx.t.requests.resultWord, formatLocal(due, ctx.timeZone))}`
      : line
  })
  return `${ctx.t.requests.todoTitle(rows.length, overdue)}\n${shown.join('\n')}${rows.length > limit ? `\n${ctx.t.requests.digestMore(rows.length - limit)}` : ''}`
}

/** Who may see a request's progress: its author, the collector who filed it, officers over its unit or level, administrators. */
async function maySee(ctx: RequestContext, viewer: Asker, request: RequestRow): Promise<boolean> {
  if (await isAuthor(ctx, viewer.id, request)) return true
  if (request.filedById === viewer.id) return true
  if (await canHandle(ctx, viewer, request)) return true
  if (viewer.role === 'officer') return canActOnUnit(viewer, await ctx.tx.unit.findUniqueOrThrow({ where: { id: request.unitId } }))
  // A collector follows what they relay: the non-anonymous requests of their grid (as 网格诉求 lists them).
  if (viewer.role === 'collector' && !request.anonymous)
    return (await ctx.tx.grid.count({ where: { collectors: { some: { personId: viewer.id } }, units: { some: { id: request.unitId } } } })) > 0
  return false
}

/** Steps an anonymous author takes: recorded without an actor, shown as 匿名职工. */
export const ANONYMOUS_STEPS = ['filed', 'rated', 'recategorised', 'added', 'answered', 'contested']

/** `进度 SQ-…`: status, deadlines and the timeline. Never names an anonymous requester. */
export async function progress(ctx: RequestContext, viewer: Asker, numberInput: string): Promise<{ text: string; card: Card }> {
  const { tx, t } = ctx
  const request = await findRequest(ctx, numberInput)
  if (!(await maySee(ctx, viewer, request))) throw new RequestRefusal(t.requests.notYours(request.number))
  const [category, unit, level, events] = await Promise.all([
    tx.requestCategory.findUniqueOrThrow({ where: { id: request.categoryId } }),
    tx.unit.findUniqueOrThrow({ where: { id: request.unitId } }),
    tx.unit.findUniqueOrThrow({ where: { id: request.levelUnitId } }),
    tx.requestEvent.findMany({ where: { requestId: request.id }, orderBy: { id: 'asc' } }),
  ])
  const actors = new Map(
    (await tx.person.findMany({ where: { id: { in: events.map((e) => e.actorId).filter((x): x is number => x !== null) } } })).map((p) => [p.id, p.name]),
  )
  const f = t.requests.progressFields
  const due =
    request.status === 'new' && request.answerDueAt
      ? t.requests.dueAnswer(formatLocal(request.answerDueAt, ctx.timeZone))
      : request.status === 'accepted' && request.resultDueAt
        ? t.requests.dueResult(formatLocal(request.resultDueAt, ctx.timeZone))
        : ''
  const tags = [request.urgent ? t.requests.urgentTag : '', request.supervised ? t.requests.supervisedTag : '', isOverdue(request, ctx.now) ? '⚠' : '']
    .filter(Boolean)
    .join(' ')
  const fields = [
    { label: f.status, value: `${t.requests.status[request.status] ?? request.status}${tags ? ` ${tags}` : ''}` },
    { label: f.category, value: category.name },
    { label: f.unit, value: unitLabel(unit) },
    { label: f.level, value: unitLabel(level) },
    ...(due ? [{ label: f.due, value: due }] : []),
    { label: f.content, value: request.content },
    ...(request.result ? [{ label: f.result, value: request.result }] : []),
    ...(request.rejectReason ? [{ label: f.result, value: request.rejectReason }] : []),
    ...(request.rating ? [{ label: f.rating, value: `${request.rating}${request.ratingComment ? ` ${request.ratingComment}` : ''}` }] : []),
  ]
  const toUnits = new Map(
    (await tx.unit.findMany({ where: { id: { in: events.map((e) => e.toUnitId).filter((x): x is number => x !== null) } } })).map((u) => [u.id, unitLabel(u)]),
  )
  // The author's own steps on an anonymous request carry no actor: 匿名职工; other steps without one are automatic.
  const who = (actorId: number | null, kind: string) =>
    actorId !== null ? (actors.get(actorId) ?? '') : ANONYMOUS_STEPS.includes(kind) ? t.requests.anonymousName : null
  // Every entry reads as a sentence: "超过答复期限，自动升级到 一车间", not "系统：超期：答复".
  const timeline = events.map((e) =>
    t.requests.eventLine(
      formatLocal(e.at, ctx.timeZone),
      t.conversation.timelineEntry({
        kind: e.kind,
        who: who(e.actorId, e.kind),
        text: e.text,
        to: e.toUnitId === null ? null : (toUnits.get(e.toUnitId) ?? null),
      }),
    ),
  )
  const text = `${t.requests.progressTitle(request.number)}\n${fields.map((x) => `${x.label}：${x.value}`).join('\n')}\n${t.requests.timelineTitle}\n${timeline.join('\n')}`
  return {
    text,
    card: {
      title: t.requests.progressTitle(request.number),
      fields,
      body: `${t.requests.timelineTitle}\n${timeline.join('\n')}`,
      tone: request.urgent ? 'urgent' : OPEN_STATUSES.includes(request.status as 'new') ? 'attention' : 'done',
    },
  }
}
