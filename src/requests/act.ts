/** An officer's steps on a request: accept, reply, resolve, reject, transfer, escalate, supervise. */
import type { Asker, PersonRow, UnitRow } from '../core/commands.js'
import type { Card, OutboundMessage } from '../core/types.js'
import { unitLabel } from '../organisation/scope.js'
import { formatLocal } from '../core/time/zone.js'
import { findRequest, handlers, requireHandler, requireStatus, reviewed } from './access.js'
import { isQuestion } from './conversation.js'
import { escalate } from './escalate.js'
import { OPEN_STATUSES, refuse, type RequestContext, type RequestRow } from './model.js'
import { officerCard, personTo, tellRequester } from './notify.js'
import { event } from './timeline.js'

export type OfficerAction =
  | { kind: 'accept' }
  | { kind: 'reply'; text: string }
  | { kind: 'resolve'; result: string }
  | { kind: 'reject'; reason: string }
  | { kind: 'transfer'; to: PersonRow & { unit: UnitRow }; note: string }
  | { kind: 'escalate'; reason: string }
  | { kind: 'supervise'; note?: string; resultDueAt?: Date | null }

/** An officer's step on a request; returns the answer for the officer and the notices for everyone else. */
export async function act(
  ctx: RequestContext,
  actor: Asker,
  numberInput: string,
  action: OfficerAction,
): Promise<{ ack: string; out: OutboundMessage[]; request: RequestRow }> {
  const { tx, t } = ctx
  let request = await findRequest(ctx, numberInput)
  await requireHandler(ctx, actor, request)
  const out: OutboundMessage[] = []
  const n = request.number
  const firstAnswer = request.firstAnsweredAt ?? ctx.now
  switch (action.kind) {
    case 'accept': {
      requireStatus(ctx, request, ['new'])
      request = await tx.workerRequest.update({ where: { id: request.id }, data: { status: 'accepted', assigneeId: actor.id, firstAnsweredAt: firstAnswer } })
      await event(ctx, request, 'accepted', actor.id)
      await tellRequester(ctx, request, t.requests.accepted(n, actor.name), out)
      return { ack: t.requests.acceptedAck(n), out, request }
    }
    case 'reply': {
      requireStatus(ctx, request, OPEN_STATUSES)
      request = await tx.workerRequest.update({
        where: { id: request.id },
        data: { status: 'accepted', assigneeId: request.assigneeId ?? actor.id, firstAnsweredAt: firstAnswer },
      })
      // A reply that ends in a question waits for the worker's answer (`补充 SQ-… 回答`), threaded to the request.
      const asks = isQuestion(action.text)
      await event(ctx, request, asks ? 'asked' : 'replied', actor.id, action.text)
      await tellRequester(ctx, request, asks ? t.conversation.asked(n, actor.name, action.text) : t.requests.replied(n, actor.name, action.text), out)
      return { ack: asks ? t.conversation.askedAck(n) : t.requests.repliedAck(n), out, request }
    }
    case 'resolve': {
      requireStatus(ctx, request, OPEN_STATUSES)
      request = await tx.workerRequest.update({
        where: { id: request.id },
        data: { status: 'resolved', result: action.result, resolvedAt: ctx.now, assigneeId: request.assigneeId ?? actor.id, firstAnsweredAt: firstAnswer },
      })
      await event(ctx, request, 'resolved', actor.id, action.result)
      const card: Card = {
        title: t.requests.rateCardTitle(n),
        body: action.result,
        buttons: [5, 4, 3, 2, 1].map((score) => ({
          label: `${score} 分`,
          action: { command: `评价 ${n} ${score}` },
          style: score >= 4 ? 'primary' : score <= 2 ? 'danger' : 'default',
        })),
        tone: 'done',
      }
      const finalNote = (await reviewed(ctx, request)) ? `\n${t.conversation.reviewFinal}` : ''
      await tellRequester(ctx, request, `${t.requests.resolved(n, actor.name, action.result)}${finalNote}`, out, card)
      return { ack: t.requests.resolvedAck(n), out, request }
    }
    case 'reject': {
      requireStatus(ctx, request, OPEN_STATUSES)
      request = await tx.workerRequest.update({
        where: { id: request.id },
        data: { status: 'rejected', rejectReason: action.reason, closedAt: ctx.now, firstAnsweredAt: firstAnswer },
      })
      await event(ctx, request, 'rejected', actor.id, action.reason)
      const final = await reviewed(ctx, request)
      await tellRequester(
        ctx,
        request,
        final
          ? `${t.conversation.rejectedAfterReview(n, actor.name, action.reason)}\n${t.conversation.reviewFinal}`
          : t.requests.rejected(n, actor.name, action.reason),
        out,
      )
      return { ack: t.requests.rejectedAck(n), out, request }
    }
    case 'transfer': {
      requireStatus(ctx, request, OPEN_STATUSES)
      const to = action.to
      if (to.role !== 'officer' && to.role !== 'admin') refuse(t.requests.transferTargetNotOfficer(to.name))
      const moveLevel = to.role === 'officer' && to.unitId !== request.levelUnitId
      request = await tx.workerRequest.update({ where: { id: request.id }, data: { assigneeId: to.id, ...(moveLevel ? { levelUnitId: to.unitId } : {}) } })
      await event(ctx, request, 'transferred', actor.id, action.note || null, { from: request.levelUnitId, to: to.unitId })
      out.push({
        to: personTo(to.id),
        text: t.requests.transferredToYou(n, actor.name, action.note),
        notice: true,
        urgent: request.urgent,
        card: officerCard(ctx, request, '', t.requests.transferredToYou(n, actor.name, action.note), t.conversation.transferredTitle(n)),
      })
      await tellRequester(ctx, request, t.requests.transferred(n, actor.name, to.name), out)
      return { ack: t.requests.transferredAck(n, to.name), out, request }
    }
    case 'escalate': {
      requireStatus(ctx, request, OPEN_STATUSES)
      const moved = await escalate(ctx, request, actor.id, action.reason, out)
      if (!moved) refuse(t.requests.alreadyTop(n))
      return { ack: t.requests.escalatedAck(n, unitLabel(moved!.unit)), out, request: moved!.request }
    }
    case 'supervise': {
      if (request.supervised) return { ack: t.requests.alreadySupervised(n), out, request }
      const resultDueAt = action.resultDueAt && OPEN_STATUSES.includes(request.status as 'new') ? action.resultDueAt : null
      request = await tx.workerRequest.update({ where: { id: request.id }, data: { supervised: true, ...(resultDueAt ? { resultDueAt } : {}) } })
      const due = resultDueAt ? formatLocal(resultDueAt, ctx.timeZone) : ''
      await event(ctx, request, 'supervised', actor.id, [action.note, due ? t.conversation.newDeadline(due) : ''].filter(Boolean).join('；') || null)
      // The handling officer hears it privately, with the note and the new deadline; the worker hears it is supervised.
      for (const h of await handlers(ctx, request)) {
        if (h.id !== actor.id)
          out.push({
            to: personTo(h.id),
            text: t.conversation.supervisedForOfficer(n, actor.name, action.note ?? '', due),
            notice: true,
            urgent: request.urgent,
          })
      }
      if (OPEN_STATUSES.includes(request.status as 'new')) await tellRequester(ctx, request, t.conversation.supervisedForRequester(n), out)
      return { ack: t.requests.supervisedAck(n), out, request }
    }
  }
}
