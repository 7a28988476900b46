/** The conversation on a request (issue #17): an officer's question, the author's additions and answers. */
import type { PersonRow } from '../core/commands.js'
import type { OutboundMessage } from '../core/types.js'
import { findRequest, handlers, isAuthor, requireStatus } from './access.js'
import { MAX_CONTENT, OPEN_STATUSES, refuse, type RequestContext } from './model.js'
import { personTo } from './notify.js'
import { event } from './timeline.js'

/** Whether an officer's reply asks the worker something (ends in a question mark). */
export const isQuestion = (text: string): boolean => /[?？]\s*$/.test(text.trim())

/**
 * `补充 SQ-… 内容`: the author (or the collector who filed it) adds to an open request. It goes
 * on the timeline and to the handling officer privately; when the officer's last word was a
 * question still unanswered, it is recorded as the answer. An anonymous author stays anonymous.
 */
export async function addToRequest(
  ctx: RequestContext,
  person: PersonRow,
  numberInput: string,
  textInput: string,
): Promise<{ ack: string; out: OutboundMessage[] }> {
  const { tx, t } = ctx
  const request = await findRequest(ctx, numberInput)
  const author = await isAuthor(ctx, person.id, request)
  if (!author && request.filedById !== person.id) refuse(t.requests.notYours(request.number))
  const text = textInput.trim()
  if (!text) refuse(t.requests.emptyContent)
  if (text.length > MAX_CONTENT) refuse(t.requests.tooLong(MAX_CONTENT))
  requireStatus(ctx, request, OPEN_STATUSES)
  const last = await tx.requestEvent.findFirst({ where: { requestId: request.id, kind: { in: ['asked', 'answered'] } }, orderBy: { id: 'desc' } })
  const answering = last?.kind === 'asked'
  await event(ctx, request, answering ? 'answered' : 'added', request.anonymous && author ? null : person.id, text)
  const who = author ? (request.anonymous ? t.requests.anonymousName : t.conversation.requesterNamed(person.name)) : t.conversation.collectorNamed(person.name)
  const out: OutboundMessage[] = []
  const officers = answering && last?.actorId ? await tx.person.findMany({ where: { id: last.actorId } }) : await handlers(ctx, request)
  for (const o of officers)
    out.push({
      to: personTo(o.id),
      text: answering ? t.conversation.answeredForOfficer(request.number, who, text) : t.conversation.addedForOfficer(request.number, who, text),
      notice: true,
      urgent: request.urgent,
    })
  // The other side of a filing on someone's behalf hears it too (the worker when the collector writes, and the other way round).
  if (!author && request.requesterId)
    out.push({ to: personTo(request.requesterId), text: t.conversation.addedForRequester(request.number, person.name, text), notice: true })
  if (author && request.filedById && request.filedById !== person.id)
    out.push({ to: personTo(request.filedById), text: t.conversation.addedForCollector(request.number, person.name, text), notice: true })
  return { ack: answering ? t.conversation.answeredAck(request.number) : t.conversation.addedAck(request.number), out }
}
