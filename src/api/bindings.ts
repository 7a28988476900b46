import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { CHAT_PLATFORMS } from '../core/types.js'
import { bindingById, confirmBindings, listBindings, unbind, type BindingView } from '../organisation/binding.js'
import { roleLabels, type Role } from '../organisation/roster.js'
import { iso, notFound, requireAdmin, type ApiDeps } from './context.js'
import { errors, idParam } from './schemas.js'

const tags = ['组织']

const bindingOut = z.object({
  id: z.number().describe('绑定编号（该人在该平台上的第一条身份记录）'),
  platform: z.string().describe('feishu、wecom 或 wechaty'),
  person: z.object({ id: z.number(), employeeNo: z.string(), name: z.string(), role: z.string(), roleLabel: z.string(), active: z.boolean() }),
  vouchedBy: z.enum(['directory', 'admin', 'code', 'claim']).describe('directory 通讯录核验；admin 管理员确认；code 一次性绑定码；claim 仅凭工号和姓名'),
  pending: z.boolean().describe('网格员、干部或管理员仅凭工号和姓名绑定：确认前按职工使用'),
  confirmedBy: z.object({ id: z.number(), name: z.string() }).nullable(),
  confirmedAt: z.string().nullable(),
  createdAt: z.string(),
})

const view = (b: BindingView) => ({
  id: b.id,
  platform: b.platform,
  person: { ...b.person, roleLabel: roleLabels[b.person.role as Role] ?? b.person.role },
  vouchedBy: b.vouchedBy,
  pending: b.pending,
  confirmedBy: b.confirmedBy,
  confirmedAt: iso(b.confirmedAt),
  createdAt: iso(b.createdAt)!,
})

/** Platform bindings of people: list, confirm a claim, undo (administrators). */
export async function bindingRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { db, t } = deps

  r.get('/api/v1/bindings', {
    schema: {
      tags,
      summary: '身份绑定列表（管理员），新的在前',
      querystring: z.object({
        status: z
          .enum(['pending', 'claim', 'vouched', 'all'], { error: 'status 应为 pending（待确认）、claim（自报）、vouched（已核验）或 all' })
          .default('all'),
        platform: z.enum(CHAT_PLATFORMS, { error: 'platform 应为 feishu、wecom 或 wechaty' }).optional(),
      }),
      response: { 200: z.object({ total: z.number(), items: z.array(bindingOut) }), ...errors },
    },
    handler: async (req) => {
      requireAdmin(req)
      const items = await listBindings(db, { status: req.query.status, platform: req.query.platform ?? null })
      return { total: items.length, items: items.slice(0, 1000).map(view) }
    },
  })

  r.post('/api/v1/bindings/:id/confirm', {
    schema: { tags, summary: '确认一个自报的绑定（管理员）；本人会收到通知', params: idParam, response: { 200: bindingOut, ...errors } },
    handler: async (req) => {
      const admin = requireAdmin(req)
      const target = await bindingById(db, req.params.id)
      if (!target) throw notFound(`编号为 ${req.params.id} 的绑定`)
      const result = await db.$transaction(async (tx) => {
        const confirmed = await confirmBindings(tx, target.personId, target.platform, admin.id, deps.clock.now())
        if (confirmed.length) {
          await deps.core.deliver(
            tx,
            [{ to: { kind: 'person', personId: target.personId }, text: t.binding.confirmedTold(t.binding.platforms[target.platform] ?? target.platform) }],
            `api:bind-confirm:${req.params.id}:${deps.clock.now().getTime()}`,
            undefined,
          )
        }
        return (await listBindings(tx, { status: 'all', platform: target.platform, personId: target.personId }))[0]!
      })
      deps.wake()
      return view(result)
    },
  })

  r.delete('/api/v1/bindings/:id', {
    schema: {
      tags,
      summary: '解除一个绑定（管理员）：该人在该平台上的全部身份；被解除的账号会收到通知',
      params: idParam,
      response: { 200: z.object({ removed: z.number() }), ...errors },
    },
    handler: async (req) => {
      requireAdmin(req)
      const target = await bindingById(db, req.params.id)
      if (!target) throw notFound(`编号为 ${req.params.id} 的绑定`)
      const removed = await db.$transaction(async (tx) => {
        const before = await tx.platformIdentity.count({ where: { personId: target.personId, platform: target.platform } })
        const undone = await unbind(tx, target.personId, target.platform)
        const label = t.binding.platforms[target.platform] ?? target.platform
        await deps.core.deliver(
          tx,
          undone.map((u) => ({ to: { kind: 'user' as const, platform: u.platform, userId: u.userId }, text: t.binding.unboundTold(label) })),
          `api:unbind:${req.params.id}:${deps.clock.now().getTime()}`,
          undefined,
        )
        return before
      })
      deps.wake()
      return { removed }
    },
  })
}
