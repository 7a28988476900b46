/** Finding a request and who may act on it: its handlers, its author, whether it was reviewed, whether it is discreet. */
import type { Asker, PersonRow } from '../core/commands.js'
import type { Tx } from '../db/client.js'
import { localParts } from '../core/time/zone.js'
import { canActOnUnit } from '../organisation/scope.js'
import { normaliseNumber, refuse, type RequestContext, type RequestRow } from './model.js'
import { chairAndAdministrators, responsibleLevel } from './routing.js'

/** Whether a request is discussed in groups only by number, category and unit: anonymous, or of a sensitive category. */
export async function isDiscreet(tx: Tx, request: Pick<RequestRow, 'anonymous' | 'categoryId'>): Promise<boolean> {
  if (request.anonymous) return true
  return (await tx.requestCategory.findUnique({ where: { id: request.categoryId }, select: { sensitive: true } }))?.sensitive === true
}

export async function findRequest(ctx: RequestContext, numberInput: string): Promise<RequestRow> {
  const number = normaliseNumber(numberInput, localParts(ctx.now, ctx.timeZone).year)
  return (await ctx.tx.workerRequest.findUnique({ where: { number } })) ?? refuse(ctx.t.requests.notFound(number))
}

/** Whether an officer or administrator may act on the request: its current level is in their part of the organisation, or it was handed to them. */
export async function canHandle(ctx: RequestContext, actor: Asker, request: RequestRow): Promise<boolean> {
  if (actor.role === 'admin') return true
  if (actor.role !== 'officer') return false
  if (request.assigneeId === actor.id) return true
  const level = await ctx.tx.unit.findUniqueOrThrow({ where: { id: request.levelUnitId } })
  return canActOnUnit(actor, level)
}

export async function requireHandler(ctx: RequestContext, actor: Asker, request: RequestRow): Promise<void> {
  if (!(await canHandle(ctx, actor, request))) refuse(ctx.t.requests.outOfScope(request.number))
}

export function requireStatus(ctx: RequestContext, request: RequestRow, allowed: readonly string[]): void {
  if (!allowed.includes(request.status)) refuse(ctx.t.requests.wrongState(request.number, ctx.t.requests.status[request.status] ?? request.status))
}

/** Whether this person wrote the request (also when it is anonymous). */
export async function isAuthor(ctx: RequestContext, personId: number, request: RequestRow): Promise<boolean> {
  if (request.requesterId === personId) return true
  if (!request.anonymous) return false
  return (await ctx.tx.requestAuthor.findUnique({ where: { requestId: request.id } }))?.personId === personId
}

/** Who is handling the request now: the officer it was handed to, else the officers at its level, else the chair and administrators. */
export async function handlers(ctx: RequestContext, request: RequestRow): Promise<PersonRow[]> {
  if (request.assigneeId) {
    const p = await ctx.tx.person.findUnique({ where: { id: request.assigneeId } })
    if (p?.active) return [p]
  }
  const level = await responsibleLevel(ctx.tx, request.levelUnitId, request.categoryId)
  if (level && level.unit.id === request.levelUnitId) return level.officers
  return chairAndAdministrators(ctx.tx)
}

/** Whether the request has been contested before (a review's outcome is final). */
export async function reviewed(ctx: RequestContext, request: RequestRow): Promise<boolean> {
  return (await ctx.tx.requestEvent.count({ where: { requestId: request.id, kind: { in: ['contested', 'reopened'] } } })) > 0
}
