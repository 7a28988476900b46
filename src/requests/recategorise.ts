/** Correcting a request's category while it is open (routed again when still untouched). */
import type { Asker } from '../core/commands.js'
import type { OutboundMessage } from '../core/types.js'
import { unitLabel } from '../organisation/scope.js'
import { formatLocal } from '../core/time/zone.js'
import { findCategory } from './categories.js'
import { canHandle, findRequest, isAuthor, requireStatus } from './access.js'
import { deadlines, OPEN_STATUSES, refuse, type RequestContext } from './model.js'
import { requesterLabel, tellOfficers } from './notify.js'
import { responsibleLevel } from './routing.js'
import { event } from './timeline.js'

/** Corrects the category (requester or a handling officer) while the request is open. */
export async function recategorise(
  ctx: RequestContext,
  actor: Asker,
  numberInput: string,
  categoryName: string,
): Promise<{ ack: string; out: OutboundMessage[]; discreet: boolean }> {
  const { tx, t } = ctx
  const request = await findRequest(ctx, numberInput)
  if (!(await isAuthor(ctx, actor.id, request)) && !(await canHandle(ctx, actor, request))) refuse(t.requests.notYours(request.number))
  requireStatus(ctx, request, OPEN_STATUSES)
  const categories = await tx.requestCategory.findMany({ where: { active: true }, orderBy: { sortOrder: 'asc' } })
  const category =
    findCategory(categoryName, categories) ??
    refuse(
      t.requests.unknownCategory(
        categoryName,
        categories.map((c) => c.name),
      ),
    )
  const urgent = request.urgent || category.urgentByDefault
  const out: OutboundMessage[] = []
  let levelUnitId = request.levelUnitId
  // Still untouched at its first level: route again, the new category may have its own officers.
  if (request.status === 'new' && request.escalationCount === 0 && !request.assigneeId) {
    const level = await responsibleLevel(tx, request.unitId, category.id)
    if (level && level.unit.id !== request.levelUnitId) {
      levelUnitId = level.unit.id
      const unit = await tx.unit.findUniqueOrThrow({ where: { id: request.unitId } })
      const requester = request.requesterId ? await tx.person.findUnique({ where: { id: request.requesterId } }) : null
      const updatedForText = { ...request, categoryId: category.id, urgent }
      await tellOfficers(
        ctx,
        updatedForText,
        level.officers,
        level.unit,
        t.requests.newForOfficerText(
          request.number,
          category.name,
          urgent,
          unitLabel(unit),
          requesterLabel(t, request, requester),
          request.content,
          formatLocal(request.answerDueAt ?? ctx.now, ctx.timeZone),
        ),
        out,
      )
    }
  }
  const updated = await tx.workerRequest.update({
    where: { id: request.id },
    data: {
      categoryId: category.id,
      urgent,
      levelUnitId,
      ...deadlines(category, urgent, request.createdAt),
      ...(request.escalationCount === 0 ? { firstAnswerDueAt: deadlines(category, urgent, request.createdAt).answerDueAt } : {}),
    },
  })
  await event(ctx, updated, 'recategorised', request.anonymous && (await isAuthor(ctx, actor.id, request)) ? null : actor.id, category.name)
  return { ack: t.requests.recategorised(request.number, category.name), out, discreet: request.anonymous || category.sensitive }
}
