import type { FastifyBaseLogger, FastifyReply } from 'fastify'
import type { ChatCore } from '../../src/core/chat-core.js'
import type { InboundMessage } from '../../src/core/types.js'
import { CallbackRejected } from './envelope.js'

const refusals = {
  400: { code: 'bad_request', message: '回调格式不正确' },
  401: { code: 'stale_request', message: '回调时间戳与当前时间相差超过 5 分钟，已拒绝' },
  403: { code: 'forbidden', message: '签名或接收方不符，已拒绝' },
} as const

/** Answers a refused callback (400 malformed, 401 stale, 403 forged or foreign); anything else is rethrown. */
export function refuse(reply: FastifyReply, error: unknown, log: FastifyBaseLogger, where: string): FastifyReply {
  if (!(error instanceof CallbackRejected)) throw error
  log.warn({ where, status: error.status, reason: error.message }, 'WeCom callback refused')
  return reply.code(error.status).type('application/json; charset=utf-8').send({ error: refusals[error.status] })
}

/**
 * Stores the event (a redelivery is a no-op) and lets the core handle it in the background. When
 * the database cannot store it the platform gets a 503, so it delivers the event again.
 */
export async function acceptOr503(core: ChatCore, msg: InboundMessage, reply: FastifyReply, log: FastifyBaseLogger): Promise<FastifyReply | null> {
  try {
    await core.accept(msg)
    return null
  } catch (err) {
    log.error({ err, platform: msg.platform }, 'could not store a WeCom event; answering 503 so WeCom retries')
    return reply.code(503).send({ error: { code: 'unavailable', message: '暂时无法处理，请稍后重试' } })
  }
}

/** Mentions as written in a WeCom text (`@张伟`), minus the bot's own. */
export function mentionsIn(text: string): InboundMessage['mentions'] {
  return [...text.matchAll(/[@＠]([^\s@＠]+)/g)].map((m) => ({ name: m[1]!, ids: [] }))
}

/**
 * A group message reaches the intelligent bot only when it is @-mentioned, and its text still
 * starts with the mention (`@工友 诉求 …`). Removes mentions of the bot by name, or else the
 * leading mention.
 */
export function stripBotMention(text: string, botName: string): string {
  const escaped = botName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const byName = text.replace(new RegExp(`[@＠]${escaped}(?=\\s|$)\\s*`, 'g'), '')
  if (byName !== text) return byName.trim()
  return text.replace(/^\s*[@＠][^\s@＠]+\s*/, '').trim()
}
