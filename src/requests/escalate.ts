/** Moving a request one level up: by an officer, at a deadline, or reopened for review. */
import type { UnitRow } from '../core/commands.js'
import type { OutboundMessage } from '../core/types.js'
import { unitLabel } from '../organisation/scope.js'
import { formatLocal } from '../core/time/zone.js'
import { deadlines, type RequestContext, type RequestRow } from './model.js'
import { personTo, requesterLabel, tellOfficers, tellRequester } from './notify.js'
import { responsibleLevel } from './routing.js'
import { event } from './timeline.js'

/**
 * Moves a request one level up the ladder with fresh deadlines, telling the officers at both
 * levels and the requester. The move is one conditional write, so it happens once however many
 * instances try it at the same moment. Returns null at the top of the ladder.
 */
export async function escalate(
  ctx: RequestContext,
  request: RequestRow,
  actorId: number | null,
  reason: string,
  out: OutboundMessage[],
  kind: 'escalated' | 'reopened' = 'escalated',
  /** A contested request (申请复核 or a low rating) goes up for review: what was decided before. */
  review?: { status: string; outcome: string | null },
): Promise<{ request: RequestRow; unit: UnitRow } | null> {
  const { tx, t } = ctx
  const next = await responsibleLevel(tx, request.levelUnitId, request.categoryId, false)
  if (!next) return null
  const category = await tx.requestCategory.findUniqueOrThrow({ where: { id: request.categoryId } })
  const moved = await tx.workerRequest.updateMany({
    where: { id: request.id, levelUnitId: request.levelUnitId, escalationCount: request.escalationCount },
    data: {
      levelUnitId: next.unit.id,
      assigneeId: null,
      escalationCount: { increment: 1 },
      // The first answer stays recorded: the on-time rate is about that answer, not the review.
      ...(kind === 'reopened' ? { status: 'new', resolvedAt: null } : {}),
      ...deadlines(category, request.urgent, ctx.now),
    },
  })
  if (moved.count !== 1) return null
  const fromUnit = await tx.unit.findUniqueOrThrow({ where: { id: request.levelUnitId } })
  const updated = await tx.workerRequest.findUniqueOrThrow({ where: { id: request.id } })
  await event(ctx, updated, kind, actorId, reason || null, { from: fromUnit.id, to: next.unit.id })
  const n = request.number
  const toLabel = unitLabel(next.unit)
  // Officers at the new level get the request; those at the old level are told where it went.
  const requester = request.requesterId ? await tx.person.findUnique({ where: { id: request.requesterId } }) : null
  const unit = await tx.unit.findUniqueOrThrow({ where: { id: request.unitId } })
  // Not a new request: the officers upstairs read why it reached them, what happened before and by when to answer.
  const about = {
    number: n,
    category: category.name,
    urgent: request.urgent,
    from: unitLabel(fromUnit),
    unit: unitLabel(unit),
    who: requesterLabel(t, request, requester),
    content: request.content,
    due: formatLocal(updated.answerDueAt!, ctx.timeZone),
  }
  const text = review
    ? t.conversation.reviewForOfficer({
        ...about,
        status: t.requests.status[review.status] ?? review.status,
        reason,
        outcome: review.outcome ?? t.conversation.none,
      })
    : t.conversation.escalatedForOfficer({
        ...about,
        why: reason,
        filed: formatLocal(request.createdAt, ctx.timeZone),
        state: t.requests.status[request.status] ?? request.status,
      })
  await tellOfficers(ctx, updated, next.officers, next.unit, text, out, true, review ? t.conversation.reviewTitle(n) : t.conversation.escalatedTitle(n))
  const previous = await responsibleLevel(tx, fromUnit.id, request.categoryId)
  for (const o of previous?.unit.id === fromUnit.id ? previous.officers : []) {
    if (o.id !== actorId) out.push({ to: personTo(o.id), text: t.requests.escalatedAway(n, toLabel, reason), notice: true, urgent: request.urgent })
  }
  if (kind === 'escalated') await tellRequester(ctx, updated, t.requests.escalated(n, toLabel), out)
  return { request: updated, unit: next.unit }
}
