import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Prisma } from '../generated/sqlite/client.js'
import { importRosterBuffer } from '../organisation/roster.js'
import { syncDirectories } from '../organisation/binding.js'
import { rosterTooLarge } from '../organisation/roster-limits.js'
import { unitLabel } from '../organisation/scope.js'
import { rosterTemplate, rosterWorkbook, XLSX_TYPE } from '../reports/roster.js'
import { ApiError, asker, iso, loadScope, notFound, outOfScope, requireAdmin, subtreeIds, unitRef, type ApiDeps } from './context.js'
import { errors, idParam, page, pageSize, queryBool, unitRef as unitRefSchema } from './schemas.js'

const tags = ['组织']

const unitOut = z.object({
  id: z.number(),
  name: z.string(),
  path: z.string(),
  label: z.string(),
  level: z.string(),
  parentId: z.number().nullable(),
  people: z.number().describe('在册人数（不含下级单位）'),
  chats: z.number().describe('绑定的群数'),
  grid: z.string().nullable(),
})

const personOut = z.object({
  id: z.number(),
  employeeNo: z.string(),
  name: z.string(),
  role: z.string(),
  roleLabel: z.string(),
  unit: unitRefSchema.nullable(),
  active: z.boolean(),
  phone: z.string().nullable().optional().describe('仅管理员可见'),
  platforms: z.array(z.string()).describe('已绑定的平台：feishu、wecom、wechaty'),
})

const chatOut = z.object({
  id: z.number(),
  platform: z.string(),
  externalId: z.string(),
  name: z.string(),
  purpose: z.enum(['team', 'officers']).or(z.string()),
  unit: unitRefSchema.nullable(),
  demo: z.boolean(),
  updatedAt: z.string(),
})

const ROSTER_TYPES = ['text/csv', XLSX_TYPE, 'application/octet-stream']

export async function organisationApiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { db } = deps
  app.addContentTypeParser(ROSTER_TYPES, { parseAs: 'buffer', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) => done(null, body))

  r.get('/api/v1/units', {
    schema: {
      tags,
      summary: '单位（本人负责范围内），按路径排序，parentId 组成树',
      response: { 200: z.object({ scope: z.string(), units: z.array(unitOut) }), ...errors },
    },
    handler: async (req) => {
      const scope = await loadScope(db, asker(req))
      const units = scope.units.filter((u) => scope.has(u))
      const ids = units.map((u) => u.id)
      const [people, chats, grids] = await Promise.all([
        db.person.groupBy({ by: ['unitId'], where: { active: true, unitId: { in: ids } }, _count: { _all: true } }),
        db.chatGroup.groupBy({ by: ['unitId'], where: { unitId: { in: ids } }, _count: { _all: true } }),
        db.grid.findMany({ select: { id: true, name: true } }),
      ])
      const peopleBy = new Map(people.map((p) => [p.unitId, p._count._all]))
      const chatsBy = new Map(chats.map((c) => [c.unitId, c._count._all]))
      const gridNames = new Map(grids.map((g) => [g.id, g.name]))
      return {
        scope: scope.root === null ? '全部单位' : scope.root,
        units: units.map((u) => ({
          id: u.id,
          name: u.name,
          path: u.path,
          label: unitLabel(u),
          level: u.level,
          parentId: u.parentId,
          people: peopleBy.get(u.id) ?? 0,
          chats: chatsBy.get(u.id) ?? 0,
          grid: u.gridId === null ? null : (gridNames.get(u.gridId) ?? null),
        })),
      }
    },
  })

  const peopleQuery = z.object({
    unit: z.coerce.number({ error: '单位应为单位编号' }).int().positive().optional().describe('单位编号（含下级单位）'),
    role: z.enum(['worker', 'collector', 'officer', 'admin'], { error: '角色应为 worker、collector、officer 或 admin' }).optional(),
    q: z.string().trim().max(50, '搜索词最多 50 字').optional().describe('按姓名或工号搜索'),
    active: queryBool.optional().describe('默认只列在册人员'),
    bound: queryBool.optional().describe('true：已绑定任一聊天平台；false：尚未绑定'),
    page,
    pageSize,
  })

  r.get('/api/v1/people', {
    schema: {
      tags,
      summary: '人员（本人负责范围内）',
      querystring: peopleQuery,
      response: { 200: z.object({ total: z.number(), page: z.number(), pageSize: z.number(), items: z.array(personOut) }), ...errors },
    },
    handler: async (req) => {
      const me = asker(req)
      const scope = await loadScope(db, me)
      const q = req.query
      const and: Prisma.PersonWhereInput[] = [{ active: q.active ?? true }]
      if (scope.ids !== null) and.push({ unitId: { in: scope.ids } })
      if (q.unit) {
        const unit = scope.byId.get(q.unit)
        if (!unit) throw notFound(`编号为 ${q.unit} 的单位`)
        if (!scope.has(unit)) throw outOfScope(`单位“${unitLabel(unit)}”`)
        and.push({ unitId: { in: subtreeIds(scope, unit) } })
      }
      if (q.role) and.push({ role: q.role })
      if (q.q) and.push({ OR: [{ name: { contains: q.q } }, { employeeNo: { contains: q.q } }, { employeeNo: { contains: q.q.toUpperCase() } }] })
      if (q.bound === true) and.push({ identities: { some: {} } })
      if (q.bound === false) and.push({ identities: { none: {} } })
      const where: Prisma.PersonWhereInput = { AND: and }
      const [total, rows] = await Promise.all([
        db.person.count({ where }),
        db.person.findMany({
          where,
          orderBy: [{ unitId: 'asc' }, { employeeNo: 'asc' }],
          skip: (q.page - 1) * q.pageSize,
          take: q.pageSize,
          include: { identities: { select: { platform: true } } },
        }),
      ])
      return {
        total,
        page: q.page,
        pageSize: q.pageSize,
        items: rows.map((p) => ({
          id: p.id,
          employeeNo: p.employeeNo,
          name: p.name,
          role: p.role,
          roleLabel: deps.t.roles[p.role] ?? p.role,
          unit: unitRef(scope.byId.get(p.unitId)),
          active: p.active,
          ...(me.role === 'admin' ? { phone: p.phone } : {}),
          platforms: [...new Set(p.identities.map((i) => i.platform))],
        })),
      }
    },
  })

  r.get('/api/v1/roster/export.xlsx', {
    schema: {
      tags,
      summary: '导出花名册（XLSX，本人负责范围内）',
      description: '第一张表可直接改后再导入；手机列仅管理员导出。第二张表是各人绑定聊天平台的情况。',
      produces: [XLSX_TYPE],
    },
    handler: async (req, reply) => {
      const me = asker(req)
      const scope = await loadScope(db, me)
      const people = await db.person.findMany({
        where: scope.ids === null ? {} : { unitId: { in: scope.ids } },
        orderBy: [{ unitId: 'asc' }, { employeeNo: 'asc' }],
        include: { identities: { select: { platform: true } } },
      })
      const grids = new Map((await db.grid.findMany({ select: { id: true, name: true } })).map((g) => [g.id, g.name]))
      const rows = people.map((p) => {
        const unit = scope.byId.get(p.unitId)
        const grid = unit?.gridId && (p.role === 'worker' || p.role === 'collector') ? (grids.get(unit.gridId) ?? null) : null
        return {
          employeeNo: p.employeeNo,
          name: p.name,
          unit: unit ? unitLabel(unit) : '',
          role: p.role,
          phone: p.phone,
          grid,
          active: p.active,
          platforms: [...new Set(p.identities.map((i) => i.platform))],
        }
      })
      const buffer = await rosterWorkbook(rows, { withPhone: me.role === 'admin', scope: scope.root ?? '全部单位' })
      return reply
        .type(XLSX_TYPE)
        .header('content-disposition', `attachment; filename="roster.xlsx"; filename*=UTF-8''${encodeURIComponent('花名册.xlsx')}`)
        .send(buffer)
    },
  })

  r.get('/api/v1/roster/template.xlsx', {
    schema: { tags, summary: '花名册模板（XLSX）', produces: [XLSX_TYPE] },
    handler: async (_req, reply) =>
      reply
        .type(XLSX_TYPE)
        .header('content-disposition', `attachment; filename="roster-template.xlsx"; filename*=UTF-8''${encodeURIComponent('花名册模板.xlsx')}`)
        .send(await rosterTemplate()),
  })

  r.post('/api/v1/roster/import', {
    schema: {
      tags,
      summary: '导入花名册（管理员）',
      description: `请求体就是文件本身，Content-Type 为 text/csv 或 ${XLSX_TYPE}。全部正确才导入；否则 422，error.rejected 列出每一行的问题，什么都不导入。`,
      consumes: ROSTER_TYPES,
      response: {
        200: z.object({
          created: z.number(),
          updated: z.number(),
          unchanged: z.number(),
          unitsCreated: z.number(),
          directory: z
            .array(z.object({ platform: z.string(), bound: z.number(), error: z.string().optional() }))
            .optional()
            .describe('导入后按手机号在平台通讯录中核验并绑定的人数（仅当有平台提供通讯录时）'),
        }),
        422: z.object({ error: z.object({ code: z.string(), message: z.string(), rejected: z.array(z.object({ line: z.number(), reason: z.string() })) }) }),
        ...errors,
      },
    },
    handler: async (req, reply) => {
      requireAdmin(req)
      const type = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
      if (!Buffer.isBuffer(req.body) || !ROSTER_TYPES.includes(type)) {
        throw new ApiError(415, 'unsupported_media_type', `请上传花名册文件本身：Content-Type 为 text/csv 或 ${XLSX_TYPE}`)
      }
      const format = type === 'text/csv' ? 'csv' : 'xlsx'
      // Refused before parsing: a file that would unpack to too much, or has too many rows.
      const tooLarge = rosterTooLarge(req.body, format, deps.t)
      if (tooLarge?.status === 413) throw new ApiError(413, 'too_large', tooLarge.message)
      if (tooLarge) throw new ApiError(422, 'suspicious_file', tooLarge.message, { rejected: [{ line: 1, reason: tooLarge.message }] })
      const outcome = await importRosterBuffer(db, req.body, format)
      if (!outcome.ok)
        return reply
          .code(422)
          .send({ error: { code: 'rows_rejected', message: `有 ${outcome.rejected.length} 行不正确，未导入任何数据`, rejected: outcome.rejected } })
      // After the import has committed: people the platforms' directories know are bound without typing.
      if (!deps.adapters.some((a) => a.directory)) return outcome.result
      const directory = await syncDirectories(
        {
          db,
          t: deps.t,
          deliver: (tx, messages, keyPrefix) => deps.core.deliver(tx, messages, keyPrefix, undefined),
          now: () => deps.clock.now(),
          log: req.log,
        },
        deps.adapters,
      )
      deps.wake()
      return { ...outcome.result, directory }
    },
  })

  // ---------------------------------------------------------------------- chat-group bindings

  r.get('/api/v1/chat-groups', {
    schema: {
      tags,
      summary: '群与绑定情况',
      description: '列出绑定在本人负责范围内单位的群，以及尚未绑定的群（可以绑定到范围内的单位）。',
      querystring: z.object({ bound: queryBool.optional() }),
      response: { 200: z.object({ groups: z.array(chatOut) }), ...errors },
    },
    handler: async (req) => {
      const scope = await loadScope(db, asker(req))
      const where: Prisma.ChatGroupWhereInput = scope.ids === null ? {} : { OR: [{ unitId: null }, { unitId: { in: scope.ids } }] }
      const and: Prisma.ChatGroupWhereInput[] = [where]
      if (req.query.bound === true) and.push({ unitId: { not: null } })
      if (req.query.bound === false) and.push({ unitId: null })
      const groups = await db.chatGroup.findMany({ where: { AND: and }, orderBy: [{ unitId: 'asc' }, { id: 'asc' }], take: 1000 })
      return { groups: groups.map((g) => chatView(deps.adapters, g, scope.byId)) }
    },
  })

  const bindingBody = z.object({
    unitId: z.number({ error: '请填写要绑定的单位编号 unitId' }).int().positive(),
    purpose: z.enum(['team', 'officers'], { error: '用途应为 team（班组群）或 officers（工会干部群）' }).default('team'),
  })

  r.put('/api/v1/chat-groups/:id/binding', {
    schema: { tags, summary: '把群绑定到单位（范围内）', params: idParam, body: bindingBody, response: { 200: chatOut, ...errors } },
    handler: async (req) => {
      const scope = await loadScope(db, asker(req))
      const group = await db.chatGroup.findUnique({ where: { id: req.params.id } })
      if (!group) throw notFound(`编号为 ${req.params.id} 的群`)
      const current = group.unitId === null ? null : scope.byId.get(group.unitId)
      if (current && !scope.has(current)) throw outOfScope(`群“${group.name}”`)
      const unit = scope.byId.get(req.body.unitId)
      if (!unit) throw notFound(`编号为 ${req.body.unitId} 的单位`)
      if (!scope.has(unit)) throw outOfScope(`单位“${unitLabel(unit)}”`)
      const updated = await db.chatGroup.update({ where: { id: group.id }, data: { unitId: unit.id, purpose: req.body.purpose } })
      return chatView(deps.adapters, updated, scope.byId)
    },
  })

  r.delete('/api/v1/chat-groups/:id/binding', {
    schema: { tags, summary: '解除群的绑定（范围内）', params: idParam, response: { 200: chatOut, ...errors } },
    handler: async (req) => {
      const scope = await loadScope(db, asker(req))
      const group = await db.chatGroup.findUnique({ where: { id: req.params.id } })
      if (!group) throw notFound(`编号为 ${req.params.id} 的群`)
      const current = group.unitId === null ? null : scope.byId.get(group.unitId)
      if (!current) return chatView(deps.adapters, group, scope.byId)
      if (!scope.has(current)) throw outOfScope(`群“${group.name}”`)
      const updated = await db.chatGroup.update({ where: { id: group.id }, data: { unitId: null, purpose: 'team' } })
      return chatView(deps.adapters, updated, scope.byId)
    },
  })
}

/** A chat id the way people may see it: masked by its adapter; masked outright when no adapter of its platform runs here. */
function shownChatId(adapters: ApiDeps['adapters'], platform: string, externalId: string): string {
  const adapter = adapters.find((a) => a.platform === platform)
  if (adapter) return adapter.shownChatId ? adapter.shownChatId(externalId) : externalId
  return externalId.length <= 8 ? '****' : `${externalId.slice(0, 4)}****${externalId.slice(-4)}`
}

function chatView(
  adapters: ApiDeps['adapters'],
  g: { id: number; platform: string; externalId: string; name: string; purpose: string; unitId: number | null; demo: boolean; updatedAt: Date },
  units: Map<number, Parameters<typeof unitRef>[0] & object>,
) {
  return {
    id: g.id,
    platform: g.platform,
    externalId: shownChatId(adapters, g.platform, g.externalId),
    name: g.name,
    purpose: g.purpose,
    unit: unitRef(g.unitId === null ? null : units.get(g.unitId)),
    demo: g.demo,
    updatedAt: iso(g.updatedAt)!,
  }
}
