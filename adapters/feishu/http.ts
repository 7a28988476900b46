import type * as lark from '@larksuiteoapi/node-sdk'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FeishuSettings } from './config.js'
import { checkSignature, decryptEvent } from './crypto.js'
import { BadEventError } from './translate.js'

export type Json = Record<string, unknown>
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** What the webhook needs from the adapter: its settings, the dispatcher events go to, and the clock. */
export interface WebhookContext {
  settings: FeishuSettings
  dispatcher: lark.EventDispatcher
  now: () => number
}

/** POST /webhooks/feishu (webhook mode only): signature over the raw body, AES decryption, url_verification. */
export async function feishuWebhookRoutes(app: FastifyInstance, ctx: WebhookContext): Promise<void> {
  await app.register(async (scope) => {
    // The signature covers the raw bytes: keep them, parse JSON ourselves.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
    scope.post('/webhooks/feishu', (req, reply) => feishuWebhook(req, reply, ctx))
  })
}

async function feishuWebhook(req: FastifyRequest, reply: FastifyReply, ctx: WebhookContext): Promise<unknown> {
  const fail = (status: number, code: string, message: string) => reply.code(status).send({ error: { code, message } })
  const raw = Buffer.isBuffer(req.body) ? req.body : null
  if (!raw || raw.length === 0) return fail(400, 'empty_body', '请求体为空，应为 JSON')
  let outer: unknown
  try {
    outer = JSON.parse(raw.toString('utf8'))
  } catch {
    return fail(400, 'invalid_json', '请求体不是有效的 JSON')
  }
  if (!isObject(outer)) return fail(400, 'invalid_body', '请求体应为 JSON 对象')
  const encryptKey = ctx.settings.encryptKey!
  const signature = checkSignature(req.headers, raw, encryptKey, ctx.now())
  if (signature === 'bad') return fail(401, 'bad_signature', '签名不正确')
  if (signature === 'stale') return fail(401, 'stale_request', '请求时间戳与服务器时间相差超过 5 分钟')
  let body: Json = outer
  if ('encrypt' in outer) {
    if (typeof outer.encrypt !== 'string') return fail(400, 'invalid_body', 'encrypt 应为字符串')
    try {
      const plain: unknown = JSON.parse(decryptEvent(outer.encrypt, encryptKey))
      if (!isObject(plain)) return fail(400, 'invalid_body', '解密后的内容不是 JSON 对象')
      body = plain
    } catch {
      return fail(400, 'undecryptable', '无法解密请求体（FEISHU_ENCRYPT_KEY 是否与开发者后台一致？）')
    }
  }
  const token = ctx.settings.verificationToken
  if (body.type === 'url_verification') {
    // Feishu does not sign the URL check; a verification token, when set, must match.
    if (token && body.token !== token) return fail(401, 'bad_token', 'Verification Token 不正确')
    if (typeof body.challenge !== 'string') return fail(400, 'invalid_body', '缺少 challenge')
    return reply.send({ challenge: body.challenge })
  }
  if (signature === 'missing') return fail(401, 'unsigned', '缺少签名（x-lark-signature）')
  const header = isObject(body.header) ? body.header : undefined
  const eventToken = header?.token ?? body.token
  if (token && eventToken !== token) return fail(401, 'bad_token', 'Verification Token 不正确')
  try {
    const result: unknown = await ctx.dispatcher.invoke(body, { needCheck: false })
    return reply.send(isObject(result) ? result : {})
  } catch (error) {
    if (error instanceof BadEventError) return fail(400, 'invalid_event', error.message.slice(0, 500))
    req.log.error({ err: error }, 'feishu: could not store an event; answering 503 so Feishu delivers it again')
    return fail(503, 'unavailable', '暂时无法处理，请稍后重试')
  }
}
