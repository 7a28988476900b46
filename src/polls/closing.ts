/** Closing a poll or survey: the one write that closes it, and the results it sends. */
import type { OutboundMessage } from '../core/types.js'
import { chatRecipient, postedGroups, type PollContext, type PollRow } from './service.js'
import { pollResults, votersByOption } from './results.js'
import { surveyResults } from './survey-results.js'
import { pollClosedMessages, surveyClosedMessages } from './views.js'

/**
 * Closes an open poll or survey, once: the conditional write (open → closed) succeeds for one
 * caller only, however many instances try at the same moment. Returns the result messages for
 * the groups and the creator, or null when it was not open any more.
 */
export async function closePoll(ctx: PollContext, pollId: number): Promise<{ poll: PollRow; out: OutboundMessage[] } | null> {
  const { tx } = ctx
  const done = await tx.poll.updateMany({ where: { id: pollId, status: 'open' }, data: { status: 'closed', closedAt: ctx.now } })
  if (done.count !== 1) return null
  const poll = await tx.poll.findUniqueOrThrow({ where: { id: pollId } })
  const groups = (await postedGroups(tx, poll.id)).map(chatRecipient)
  const out =
    poll.kind === 'poll'
      ? pollClosedMessages(ctx, poll, await pollResults(tx, poll.id, ctx.minGroup), groups, poll.anonymous ? undefined : await votersByOption(tx, poll))
      : surveyClosedMessages(ctx, poll, await surveyResults(tx, poll.id, ctx.t, ctx.minGroup), groups)
  return { poll, out }
}
