/** The requester's rating of a resolved request (a low one reopens it for review). */
import type { PersonRow } from '../core/commands.js'
import type { OutboundMessage } from '../core/types.js'
import { unitLabel } from '../organisation/scope.js'
import { findRequest, isAuthor, reviewed } from './access.js'
import { contest } from './contest.js'
import { escalate } from './escalate.js'
import { refuse, type RequestContext } from './model.js'
import { personTo } from './notify.js'
import { event } from './timeline.js'

/** The requester's rating; 1–2 reopens the request one level up for review. */
export async function rate(
  ctx: RequestContext,
  person: PersonRow,
  numberInput: string,
  score: number,
  comment: string,
): Promise<{ ack: string; out: OutboundMessage[] }> {
  const { tx, t } = ctx
  const request = await findRequest(ctx, numberInput)
  if (!(await isAuthor(ctx, person.id, request))) refuse(t.requests.notYours(request.number))
  // A rejected request has no result to rate: a low score is a contest of the rejection, a good one is noted.
  if (request.status === 'rejected') {
    if (score <= 2) return contest(ctx, person, request, comment || t.conversation.lowScoreReason(score))
    refuse(t.conversation.rejectedNotRatable(request.number))
  }
  if (request.status !== 'resolved') refuse(t.requests.notRatable(request.number))
  // A review's outcome is final: a low score after it is recorded, it does not reopen the request again.
  const final = await reviewed(ctx, request)
  const out: OutboundMessage[] = []
  const rated = await tx.workerRequest.update({
    where: { id: request.id },
    data: { rating: score, ratingComment: comment || null, ratedAt: ctx.now, status: 'rated', closedAt: ctx.now },
  })
  await event(ctx, rated, 'rated', request.anonymous ? null : person.id, `${score}${comment ? ` ${comment}` : ''}`)
  if (request.assigneeId) out.push({ to: personTo(request.assigneeId), text: t.requests.ratedForOfficer(request.number, score, comment), notice: true })
  if (score <= 2 && final) return { ack: t.conversation.ratedFinal(request.number, score), out }
  if (score <= 2) {
    const moved = await escalate(ctx, { ...rated, status: 'new' }, null, t.conversation.lowRatingReason(score, comment), out, 'reopened', {
      status: request.status,
      outcome: request.result,
    })
    if (moved) return { ack: t.requests.ratedLow(request.number, unitLabel(moved.unit)), out }
    // At the top already: reopen where it is.
    await tx.workerRequest.update({ where: { id: request.id }, data: { status: 'new', closedAt: null, resolvedAt: null } })
    await event(ctx, rated, 'reopened', null, t.conversation.lowRatingReason(score, comment))
    const level = await tx.unit.findUniqueOrThrow({ where: { id: request.levelUnitId } })
    return { ack: t.requests.ratedLow(request.number, unitLabel(level)), out }
  }
  return { ack: t.requests.rated(request.number, score), out }
}
