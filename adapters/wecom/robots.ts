import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { AdminRouteKit } from '../../src/core/adapter-ports.js'
import type { BoundChatRecord, PlatformRecords } from '../../src/core/platform-records.js'
import type { Delivery, SendResult } from '../../src/core/types.js'
import { sendError, type WecomHttp } from './api.js'
import { clipBytes, mentionedUserIds } from './render.js'

/**
 * Group robots (群机器人, "消息推送"): send-only webhooks for announcements into groups where no
 * interactive bot is. A robot is bound to a unit as a group chat of platform "wecom" whose
 * external id is "robot:<webhook key>"; messages the core sends to that chat go to
 * POST {WECOM_API_BASE}/cgi-bin/webhook/send?key=<key>. WeCom accepts at most 20 messages a
 * minute per robot: the adapter declares that limit per target, so the outbox never provokes the
 * refusal (errcode 45009), and backs off if it comes anyway.
 */
export const ROBOT_PREFIX = 'robot:'

/** The webhook key from a robot's webhook URL (…/cgi-bin/webhook/send?key=…) or the bare key. */
export function robotKeyFrom(input: string): string | null {
  const s = input.trim()
  let key = s
  if (/^https?:\/\//i.test(s)) {
    try {
      key = new URL(s).searchParams.get('key') ?? ''
    } catch {
      return null
    }
  }
  return /^[A-Za-z0-9-]{8,64}$/.test(key) ? key : null
}

/** A key as shown to people: enough to recognise it, not enough to post with it. */
export function maskKey(key: string): string {
  return key.length <= 8 ? '****' : `${key.slice(0, 4)}****${key.slice(-4)}`
}

export class RobotChannel {
  constructor(
    private readonly http: WecomHttp,
    private readonly apiBase: string,
  ) {}

  /** Up to 2048 bytes as text (mentions by userid in mentioned_list), longer as markdown (4096 bytes). */
  async send(key: string, d: Delivery): Promise<SendResult> {
    const ids = mentionedUserIds(d)
    const body =
      Buffer.byteLength(d.text, 'utf8') <= 2048
        ? { msgtype: 'text', text: { content: d.text, ...(ids.length ? { mentioned_list: ids } : {}) } }
        : { msgtype: 'markdown', markdown: { content: clipBytes(ids.length ? `${d.text}\n${ids.map((id) => `<@${id}>`).join(' ')}` : d.text, 4096) } }
    const reply = await this.http.post(`${this.apiBase}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`, body)
    if (reply.errcode !== 0) throw sendError('robot webhook', reply)
    return {}
  }
}

export interface RobotBinding {
  id: number
  name: string
  unit: string | null
  purpose: string
  key: string
}

export type BindOutcome = { ok: true; robot: RobotBinding; created: boolean } | { ok: false; status: 400 | 404 | 422; message: string }

const shown = (c: BoundChatRecord): RobotBinding => ({
  id: c.id,
  name: c.name,
  unit: c.unit,
  purpose: c.purpose,
  key: maskKey(c.externalId.slice(ROBOT_PREFIX.length)),
})

/** Binds a robot (by webhook URL or key) to a unit as its team group or officers' group; binding the same key again updates it. */
export async function bindRobot(
  records: PlatformRecords,
  input: { webhook: string; name: string; unit: string; purpose: 'team' | 'officers' },
): Promise<BindOutcome> {
  const key = robotKeyFrom(input.webhook)
  if (!key) return { ok: false, status: 400, message: 'webhook 应为群机器人的 Webhook 地址（…/cgi-bin/webhook/send?key=…）或其中的 key' }
  const outcome = await records.bindChat(`${ROBOT_PREFIX}${key}`, { name: input.name, unit: input.unit, purpose: input.purpose })
  return outcome.ok ? { ok: true, created: outcome.created, robot: shown(outcome.chat) } : outcome
}

export async function listRobots(records: PlatformRecords): Promise<RobotBinding[]> {
  return (await records.boundChats(ROBOT_PREFIX)).map(shown)
}

export function unbindRobot(records: PlatformRecords, id: number): Promise<boolean> {
  return records.removeChat(id, ROBOT_PREFIX)
}

const bindBody = z.object({
  webhook: z.string({ error: '请填写 webhook（群机器人的 Webhook 地址或 key）' }).trim().min(1, '请填写 webhook（群机器人的 Webhook 地址或 key）').max(500),
  name: z.string({ error: '请填写 name（群名称）' }).trim().min(1, '请填写 name（群名称）').max(100, 'name 最多 100 字'),
  unit: z.string({ error: '请填写 unit（单位名称或路径，公司写 ""）' }).trim().max(200),
  purpose: z.enum(['team', 'officers'], { error: 'purpose 应为 team（班组群）或 officers（工会干部群）' }).default('team'),
})

const robotOut = z.object({
  id: z.number(),
  name: z.string(),
  unit: z.string().nullable(),
  purpose: z.string(),
  key: z.string().describe('Webhook key，已打码'),
})
const failure = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
const tags = ['组织']

/**
 * Administrators' API for group robots, registered inside the admin API's authenticated scope
 * (rate limit, zod schemas, listed in /docs), bearer tokens only: these routes change where
 * messages go, so a browser session (cookie) cannot call them.
 * POST /api/v1/wecom/robots {webhook, name, unit, purpose?} binds; GET lists (keys masked);
 * DELETE /api/v1/wecom/robots/:id unbinds.
 */
export function robotRoutes(app: FastifyInstance, records: PlatformRecords, kit: AdminRouteKit): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const admin = async (req: Parameters<AdminRouteKit['requireAdmin']>[0]) => void kit.requireAdmin(req, { bearerOnly: true })
  r.post(
    '/api/v1/wecom/robots',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: '绑定企业微信群机器人（仅管理员，Bearer 令牌）',
        body: bindBody,
        response: { 200: z.object({ robot: robotOut }), 201: z.object({ robot: robotOut }), 400: failure, 404: failure, 422: failure },
      },
    },
    async (req, reply) => {
      const outcome = await bindRobot(records, req.body)
      if (!outcome.ok)
        return reply.code(outcome.status).send({ error: { code: outcome.status === 404 ? 'unknown_unit' : 'invalid_robot', message: outcome.message } })
      return reply.code(outcome.created ? 201 : 200).send({ robot: outcome.robot })
    },
  )
  r.get(
    '/api/v1/wecom/robots',
    { preHandler: admin, schema: { tags, summary: '企业微信群机器人列表（key 打码）', response: { 200: z.object({ robots: z.array(robotOut) }) } } },
    async () => ({ robots: await listRobots(records) }),
  )
  r.delete(
    '/api/v1/wecom/robots/:id',
    {
      preHandler: admin,
      schema: { tags, summary: '解绑企业微信群机器人', params: z.object({ id: z.string().max(20) }), response: { 204: z.null(), 404: failure } },
    },
    async (req, reply) => {
      const id = Number(req.params.id)
      if (!Number.isInteger(id) || id <= 0 || !(await unbindRobot(records, id)))
        return reply.code(404).send({ error: { code: 'not_found', message: '没有这个群机器人' } })
      return reply.code(204).send(null)
    },
  )
}
