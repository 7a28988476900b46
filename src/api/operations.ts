import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Adapter } from '../core/types.js'
import { recipientLabel } from '../operations/commands.js'
import { ApiError, asker, iso, notFound, requireAdmin, type ApiDeps } from './context.js'
import { errors, idParam, page, pageSize } from './schemas.js'

const tags = ['运维']

const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'dead', 'discarded'] as const

const outboxItem = z.object({
  id: z.number(),
  platform: z.string(),
  status: z.string(),
  recipient: z.string().describe('群的 id；私聊对象一律不显示'),
  attempts: z.number(),
  lastError: z.string().nullable(),
  preview: z.string().nullable().describe('发往群的消息的开头；私聊消息不显示'),
  createdAt: z.string(),
  nextAttemptAt: z.string(),
  sentAt: z.string().nullable(),
})

const platformOut = z.object({
  platform: z.string(),
  connected: z.boolean(),
  detail: z.string().nullable(),
  login: z
    .object({ status: z.string(), qrcode: z.string().nullable(), qrSvg: z.string().nullable().describe('登录二维码（SVG），本地生成') })
    .nullable()
    .describe('微信（Wechaty）登录状态与二维码，仅管理员可见'),
})

/** An adapter that can show its login (Wechaty's QR code). */
interface WithLogin {
  login(): { status: string; qrcode: string | null }
}
const hasLogin = (a: Adapter): a is Adapter & WithLogin => typeof (a as Partial<WithLogin>).login === 'function'

/** Draws a QR code as SVG locally (no image service): the `qrcode` package ships with Wechaty. */
async function qrSvg(text: string): Promise<string | null> {
  try {
    const name = 'qrcode'
    const mod = (await import(name)) as {
      toString?: (t: string, o: object) => Promise<string>
      default?: { toString: (t: string, o: object) => Promise<string> }
    }
    const draw = mod.default?.toString ?? mod.toString
    return draw ? await draw(text, { type: 'svg', margin: 2, width: 240 }) : null
  } catch {
    return null
  }
}

export async function operationsRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { db, t } = deps

  r.get('/api/v1/platforms', {
    schema: {
      tags,
      summary: '数据库与各聊天平台的连接状态',
      response: { 200: z.object({ database: z.boolean(), platforms: z.array(platformOut) }), ...errors },
    },
    handler: async (req) => {
      const admin = asker(req).role === 'admin'
      let database = true
      try {
        await db.$queryRawUnsafe('SELECT 1')
      } catch {
        database = false
      }
      const platforms = await Promise.all(
        deps.adapters.map(async (a) => {
          const s = a.status()
          let login: z.infer<typeof platformOut>['login'] = null
          if (admin && hasLogin(a)) {
            const state = a.login()
            login = { status: state.status, qrcode: state.qrcode, qrSvg: state.qrcode ? await qrSvg(state.qrcode) : null }
          }
          return { platform: a.platform, connected: s.connected, detail: s.detail ?? null, login }
        }),
      )
      return { database, platforms }
    },
  })

  r.get('/api/v1/outbox', {
    schema: {
      tags,
      summary: '发送队列与死信（管理员）',
      querystring: z.object({
        status: z.enum(OUTBOX_STATUSES, { error: '状态应为 pending、sending、sent、dead 或 discarded' }).default('dead'),
        page,
        pageSize,
      }),
      response: {
        200: z.object({
          counts: z.array(z.object({ platform: z.string(), status: z.string(), count: z.number() })),
          total: z.number(),
          page: z.number(),
          pageSize: z.number(),
          items: z.array(outboxItem),
        }),
        ...errors,
      },
    },
    handler: async (req) => {
      requireAdmin(req)
      const q = req.query
      const [grouped, total, rows] = await Promise.all([
        db.outboxMessage.groupBy({ by: ['platform', 'status'], _count: { _all: true } }),
        db.outboxMessage.count({ where: { status: q.status } }),
        db.outboxMessage.findMany({ where: { status: q.status }, orderBy: { id: 'desc' }, skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
      ])
      return {
        counts: grouped.map((g) => ({ platform: g.platform, status: g.status, count: g._count._all })),
        total,
        page: q.page,
        pageSize: q.pageSize,
        items: rows.map((row) => ({
          id: row.id,
          platform: row.platform,
          status: row.status,
          recipient: recipientLabel(t, row),
          attempts: row.attempts,
          lastError: row.lastError ? row.lastError.slice(0, 300) : null,
          preview: row.targetKind === 'chat' ? previewOf(row.payload) : null,
          createdAt: row.createdAt.toISOString(),
          nextAttemptAt: row.nextAttemptAt.toISOString(),
          sentAt: iso(row.sentAt),
        })),
      }
    },
  })

  r.post('/api/v1/outbox/:id/retry', {
    schema: {
      tags,
      summary: '重发一条死信（管理员）',
      params: idParam,
      response: { 200: z.object({ id: z.number(), status: z.string() }), ...errors, 409: errors[400] },
    },
    handler: async (req) => {
      requireAdmin(req)
      const row = await db.outboxMessage.findUnique({ where: { id: req.params.id } })
      if (!row) throw notFound(`编号为 ${req.params.id} 的消息`)
      const updated = await db.outboxMessage.updateMany({
        where: { id: row.id, status: 'dead' },
        data: { status: 'pending', attempts: 0, nextAttemptAt: deps.clock.now(), lastError: null },
      })
      if (updated.count !== 1) throw new ApiError(409, 'not_dead', `消息 #${row.id} 不是死信，无需重发`)
      deps.wake()
      return { id: row.id, status: 'pending' }
    },
  })

  r.delete('/api/v1/outbox/:id', {
    schema: {
      tags,
      summary: '放弃一条死信（管理员）：不再发送，记录保留',
      params: idParam,
      response: { 200: z.object({ id: z.number(), status: z.string() }), ...errors, 409: errors[400] },
    },
    handler: async (req) => {
      requireAdmin(req)
      const row = await db.outboxMessage.findUnique({ where: { id: req.params.id } })
      if (!row) throw notFound(`编号为 ${req.params.id} 的消息`)
      const updated = await db.outboxMessage.updateMany({ where: { id: row.id, status: 'dead' }, data: { status: 'discarded', lockedUntil: null } })
      if (updated.count !== 1) throw new ApiError(409, 'not_dead', `消息 #${row.id} 不是死信，不能放弃`)
      return { id: row.id, status: 'discarded' }
    },
  })
}

function previewOf(payload: string): string | null {
  try {
    const text = (JSON.parse(payload) as { text?: string }).text ?? ''
    return text.length > 80 ? `${text.slice(0, 80)}…` : text
  } catch {
    return null
  }
}
