import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { requireRoles } from '../../src/auth/tokens.js'
import type { Delivery, SendResult } from '../../src/core/types.js'
import type { Db } from '../../src/db/client.js'
import { findUnits, unitLabel } from '../../src/organisation/scope.js'
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

/** Binds a robot (by webhook URL or key) to a unit as its team group or officers' group; binding the same key again updates it. */
export async function bindRobot(db: Db, input: { webhook: string; name: string; unit: string; purpose: 'team' | 'officers' }): Promise<BindOutcome> {
  const key = robotKeyFrom(input.webhook)
  if (!key) return { ok: false, status: 400, message: 'webhook 应为群机器人的 Webhook 地址（…/cgi-bin/webhook/send?key=…）或其中的 key' }
  const units = await findUnits(db, input.unit)
  if (units.length === 0) return { ok: false, status: 404, message: `没有找到单位“${input.unit}”` }
  if (units.length > 1) return { ok: false, status: 422, message: `“${input.unit}”对应多个单位：${units.map(unitLabel).join('、')}，请写完整路径` }
  const unit = units[0]!
  const where = { platform_externalId: { platform: 'wecom', externalId: `${ROBOT_PREFIX}${key}` } }
  const existing = await db.chatGroup.findUnique({ where, select: { id: true } })
  const row = await db.chatGroup.upsert({
    where,
    create: { platform: 'wecom', externalId: `${ROBOT_PREFIX}${key}`, name: input.name, purpose: input.purpose, unitId: unit.id },
    update: { name: input.name, purpose: input.purpose, unitId: unit.id },
  })
  return { ok: true, created: !existing, robot: { id: row.id, name: row.name, unit: unitLabel(unit), purpose: row.purpose, key: maskKey(key) } }
}

export async function listRobots(db: Db): Promise<RobotBinding[]> {
  const rows = await db.chatGroup.findMany({
    where: { platform: 'wecom', externalId: { startsWith: ROBOT_PREFIX } },
    include: { unit: true },
    orderBy: { id: 'asc' },
  })
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    unit: r.unit ? unitLabel(r.unit) : null,
    purpose: r.purpose,
    key: maskKey(r.externalId.slice(ROBOT_PREFIX.length)),
  }))
}

export async function unbindRobot(db: Db, id: number): Promise<boolean> {
  const removed = await db.chatGroup.deleteMany({ where: { id, platform: 'wecom', externalId: { startsWith: ROBOT_PREFIX } } })
  return removed.count === 1
}

const bindBody = z.object({
  webhook: z.string({ error: '请填写 webhook（群机器人的 Webhook 地址或 key）' }).trim().min(1, '请填写 webhook（群机器人的 Webhook 地址或 key）').max(500),
  name: z.string({ error: '请填写 name（群名称）' }).trim().min(1, '请填写 name（群名称）').max(100, 'name 最多 100 字'),
  unit: z.string({ error: '请填写 unit（单位名称或路径，公司写 ""）' }).trim().max(200),
  purpose: z.enum(['team', 'officers'], { error: 'purpose 应为 team（班组群）或 officers（工会干部群）' }).default('team'),
})

/**
 * Administrators' API for group robots (bearer token, as the roster API):
 * POST /api/v1/wecom/robots {webhook, name, unit, purpose?} binds; GET lists (keys masked);
 * DELETE /api/v1/wecom/robots/:id unbinds.
 */
export function robotRoutes(app: FastifyInstance, db: Db): void {
  // Bearer tokens only: these routes change where messages go, so a browser session (cookie) cannot call them.
  const bearerOnly = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!/^Bearer\s+\S+$/i.test(req.headers.authorization ?? ''))
      return reply.code(401).send({ error: { code: 'unauthorized', message: '需要在 Authorization 头中提供管理员的 Bearer 令牌' } })
  }
  const admin = { preHandler: [bearerOnly, requireRoles(db, ['admin'])] }
  app.post('/api/v1/wecom/robots', admin, async (req, reply) => {
    const parsed = bindBody.safeParse(req.body ?? {})
    if (!parsed.success) return reply.code(400).send({ error: { code: 'invalid_body', message: parsed.error.issues.map((i) => i.message).join('；') } })
    const outcome = await bindRobot(db, parsed.data)
    if (!outcome.ok)
      return reply.code(outcome.status).send({ error: { code: outcome.status === 404 ? 'unknown_unit' : 'invalid_robot', message: outcome.message } })
    return reply.code(outcome.created ? 201 : 200).send({ robot: outcome.robot })
  })
  app.get('/api/v1/wecom/robots', admin, async () => ({ robots: await listRobots(db) }))
  app.delete('/api/v1/wecom/robots/:id', admin, async (req, reply) => {
    const id = Number((req.params as { id?: string }).id)
    if (!Number.isInteger(id) || id <= 0 || !(await unbindRobot(db, id)))
      return reply.code(404).send({ error: { code: 'not_found', message: '没有这个群机器人' } })
    return reply.code(204).send()
  })
}
