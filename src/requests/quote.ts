/**
 * Quoting (issue #17): where the platform passes on which message a reply quotes, a reply to the
 * bot's message about a request is threaded to that request — the worker's (or the collector's)
 * as \`补充\`, the handling officer's as \`回复\` (which may ask a question). The bot's message is
 * found by the id its platform gave it when sent (the outbox row); what it was about is the one
 * request number it names. Everything else is the commands' own checks: who may add or answer,
 * anonymity, a closed request.
 */
import type { QuoteHook } from '../core/chat-core.js'
import { requestContext } from './context.js'
import { canHandle, findRequest } from './service.js'

const NUMBER = /SQ-\d{4}-\d{4,6}/g

export const quotedRequest: QuoteHook = async (ctx, quoted) => {
  const numbers = [...new Set(quoted.match(NUMBER) ?? [])]
  // A list (待办, 我的诉求) names several: which one is meant is not known, so it is left alone.
  if (numbers.length !== 1 || !ctx.person || !ctx.rawArgs) return null
  const number = numbers[0]!
  const request = await findRequest(requestContext(ctx), number).catch(() => null)
  if (!request) return null
  const officer = await canHandle(requestContext(ctx), ctx.person, request)
  return { command: `${officer ? '回复' : '补充'} ${number} ${ctx.rawArgs}` }
}
