/** Contesting a rejected or resolved request once: it goes one level up, and the review there is final. */
import type { PersonRow } from '../core/commands.js'
import type { OutboundMessage } from '../core/types.js'
import { unitLabel } from '../organisation/scope.js'
import { findRequest, handlers, isAuthor, reviewed } from './access.js'
import { escalate } from './escalate.js'
import { refuse, type RequestContext, type RequestRow } from './model.js'
import { personTo } from './notify.js'
import { chairAndAdministrators } from './routing.js'
import { event } from './timeline.js'

/**
 * `申请复核 SQ-… 理由` (or a 1–2 star rating): a rejected or resolved request is contested once.
 * It goes one level up with the reason; the review there is final.
 */
export async function contestRequest(
  ctx: RequestContext,
  person: PersonRow,
  numberInput: string,
  reason: string,
): Promise<{ ack: string; out: OutboundMessage[] }> {
  const request = await findRequest(ctx, numberInput)
  if (!(await isAuthor(ctx, person.id, request))) refuse(ctx.t.requests.notYours(request.number))
  if (!reason.trim()) refuse(ctx.t.conversation.contestNeedsReason(request.number))
  return contest(ctx, person, request, reason.trim())
}

export async function contest(ctx: RequestContext, person: PersonRow, request: RequestRow, reason: string): Promise<{ ack: string; out: OutboundMessage[] }> {
  const { tx, t } = ctx
  if (!['rejected', 'resolved'].includes(request.status))
    refuse(t.conversation.notContestable(request.number, t.requests.status[request.status] ?? request.status))
  if (await reviewed(ctx, request)) refuse(t.conversation.alreadyReviewed(request.number))
  const out: OutboundMessage[] = []
  const previous = await handlers(ctx, request)
  await event(ctx, request, 'contested', request.anonymous ? null : person.id, reason)
  const reopened = await tx.workerRequest.update({
    where: { id: request.id },
    data: { status: 'new', closedAt: null, resolvedAt: null, rejectReason: null, result: null },
  })
  const moved = await escalate(ctx, reopened, null, reason, out, 'reopened', { status: request.status, outcome: request.result ?? request.rejectReason })
  const level = moved?.unit ?? (await tx.unit.findUniqueOrThrow({ where: { id: request.levelUnitId } }))
  if (!moved) {
    // At the top already: the chair and the administrators review it.
    for (const p of await chairAndAdministrators(tx))
      out.push({
        to: personTo(p.id),
        text: t.conversation.contestedForReviewer(request.number, t.requests.status[request.status] ?? request.status, reason),
        notice: true,
      })
  }
  for (const o of previous) out.push({ to: personTo(o.id), text: t.conversation.contestedForPrevious(request.number, unitLabel(level)), notice: true })
  return { ack: t.conversation.contestedAck(request.number, unitLabel(level)), out }
}
