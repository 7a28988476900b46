import crypto from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { UnitRow } from '../core/commands.js'
import type { Db } from '../db/client.js'
import type { Prisma } from '../generated/sqlite/client.js'
import { act, canHandle, OPEN_STATUSES, type OfficerAction, type RequestContext, type RequestRow } from '../requests/service.js'
import { isOverdue } from '../requests/views.js'
import { attachmentOut, attachmentsOf } from './attachment-list.js'
import { ApiError, asker, iso, loadScope, notFound, outOfScope, requestScopeWhere, subtreeIds, unitRef, type ApiDeps, type Scope } from './context.js'
import { errors, page, pageSize, personRef, queryBool, requestNumberParam, text, unitRef as unitRefSchema } from './schemas.js'

const tags = ['诉求']

const STATUSES = ['new', 'accepted', 'resolved', 'rated', 'rejected', 'closed'] as const
const DONE_STATUSES = ['resolved', 'rated', 'closed', 'rejected']

export const ACTIONS = ['accept', 'reply', 'resolve', 'reject', 'transfer', 'escalate', 'supervise'] as const
type ActionName = (typeof ACTIONS)[number]

const requestSummary = z.object({
  number: z.string(),
  status: z.enum(STATUSES),
  statusLabel: z.string(),
  category: z.object({ id: z.number(), name: z.string() }),
  urgent: z.boolean(),
  supervised: z.boolean(),
  overdue: z.boolean(),
  anonymous: z.boolean().describe('匿名诉求：requester 和 filedBy 永远为 null'),
  requester: personRef.nullable(),
  filedBy: personRef.nullable().describe('代报的网格员或干部'),
  unit: unitRefSchema.nullable().describe('提出诉求的单位'),
  level: unitRefSchema.nullable().describe('当前负责的层级'),
  assignee: personRef.nullable(),
  content: z.string(),
  createdAt: z.string(),
  answerDueAt: z.string().nullable(),
  resultDueAt: z.string().nullable(),
  firstAnsweredAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  rating: z.number().nullable(),
  escalationCount: z.number(),
})

const timelineEvent = z.object({
  at: z.string(),
  kind: z.string(),
  label: z.string(),
  actor: z.object({ name: z.string(), role: z.string() }).nullable().describe('null：系统或匿名职工'),
  actorLabel: z.string(),
  sentence: z.string().describe('这一步读成一句话，与机器人“进度”中的时间线相同'),
  text: z.string().nullable(),
  fromUnit: unitRefSchema.nullable(),
  toUnit: unitRefSchema.nullable(),
})

const requestDetail = requestSummary.extend({
  result: z.string().nullable(),
  rejectReason: z.string().nullable(),
  ratingComment: z.string().nullable(),
  ratedAt: z.string().nullable(),
  timeline: z.array(timelineEvent),
  attachments: z.array(attachmentOut).describe('照片和文件（不含内容；url 取内容）。匿名诉求的附件没有上传人'),
  canAct: z.boolean().describe('当前登录的人能否办理'),
  actions: z.array(z.enum(ACTIONS)).describe('现在可以进行的办理操作'),
})

type Summary = z.infer<typeof requestSummary>

interface Names {
  categories: Map<number, string>
  units: Map<number, UnitRow>
  people: Map<number, { id: number; employeeNo: string; name: string; role: string }>
}

/** Names for a page of requests. Requesters are looked up only for requests that are not anonymous. */
async function namesFor(db: Db, scope: Scope, rows: RequestRow[], extraPeople: number[] = []): Promise<Names> {
  const ids = new Set<number>(extraPeople)
  for (const r of rows) {
    if (!r.anonymous) {
      if (r.requesterId) ids.add(r.requesterId)
      if (r.filedById) ids.add(r.filedById)
    }
    if (r.assigneeId) ids.add(r.assigneeId)
  }
  const [categories, people] = await Promise.all([
    db.requestCategory.findMany({ select: { id: true, name: true } }),
    ids.size ? db.person.findMany({ where: { id: { in: [...ids] } }, select: { id: true, employeeNo: true, name: true, role: true } }) : Promise.resolve([]),
  ])
  return { categories: new Map(categories.map((c) => [c.id, c.name])), units: scope.byId, people: new Map(people.map((p) => [p.id, p])) }
}

function summarise(r: RequestRow, names: Names, now: Date, statusLabels: Record<string, string>): Summary {
  const person = (id: number | null) => (id === null ? null : (names.people.get(id) ?? null))
  return {
    number: r.number,
    status: r.status as Summary['status'],
    statusLabel: statusLabels[r.status] ?? r.status,
    category: { id: r.categoryId, name: names.categories.get(r.categoryId) ?? '' },
    urgent: r.urgent,
    supervised: r.supervised,
    overdue: isOverdue(r, now),
    anonymous: r.anonymous,
    // An anonymous request's author is never looked up, never answered.
    requester: r.anonymous ? null : person(r.requesterId),
    filedBy: r.anonymous ? null : person(r.filedById),
    unit: unitRef(names.units.get(r.unitId)),
    level: unitRef(names.units.get(r.levelUnitId)),
    assignee: person(r.assigneeId),
    content: r.content,
    createdAt: r.createdAt.toISOString(),
    answerDueAt: iso(r.answerDueAt),
    resultDueAt: iso(r.resultDueAt),
    firstAnsweredAt: iso(r.firstAnsweredAt),
    resolvedAt: iso(r.resolvedAt),
    closedAt: iso(r.closedAt),
    rating: r.rating,
    escalationCount: r.escalationCount,
  }
}

/** Whether the asker may see the request (as chat's 进度 allows staff). */
export function visible(scope: Scope, r: Pick<RequestRow, 'unitId' | 'levelUnitId' | 'assigneeId'>): boolean {
  return scope.ids === null || scope.ids.includes(r.unitId) || scope.ids.includes(r.levelUnitId) || r.assigneeId === scope.asker.id
}

function allowedActions(r: RequestRow, canAct: boolean): ActionName[] {
  if (!canAct) return []
  const open = (OPEN_STATUSES as readonly string[]).includes(r.status)
  if (!open) return []
  return ACTIONS.filter((a) => (a === 'accept' ? r.status === 'new' : a === 'supervise' ? !r.supervised : true))
}

function requestContext(deps: ApiDeps, tx: RequestContext['tx']): RequestContext {
  return { tx, now: deps.clock.now(), t: deps.t, timeZone: deps.config.GONGYOU_TIMEZONE, minGroup: deps.config.PRIVACY_MIN_GROUP }
}

/** Loads a request the asker may see, or fails with 404 / 403. */
async function visibleRequest(deps: ApiDeps, scope: Scope, number: string): Promise<RequestRow> {
  const r = await deps.db.workerRequest.findUnique({ where: { number } })
  if (!r) throw notFound(`诉求 ${number}`)
  if (!visible(scope, r)) throw outOfScope(`诉求 ${number} `)
  return r
}

export async function requestDetailFor(deps: ApiDeps, scope: Scope, r: RequestRow) {
  const { db, t } = deps
  const now = deps.clock.now()
  const events = await db.requestEvent.findMany({ where: { requestId: r.id }, orderBy: { id: 'asc' } })
  const names = await namesFor(
    db,
    scope,
    [r],
    events.map((e) => e.actorId).filter((x): x is number => x !== null),
  )
  const canAct = await canHandle(requestContext(deps, db), scope.asker, r)
  const timeline = events.map((e) => {
    let actor = e.actorId === null ? null : (names.people.get(e.actorId) ?? null)
    // On an anonymous request, only staff acting as staff are named; anything the author did is not.
    if (r.anonymous && actor && (actor.role === 'worker' || actor.role === 'collector' || ['filed', 'rated', 'reopened'].includes(e.kind))) actor = null
    const anonymousStep = ['filed', 'rated', 'recategorised', 'added', 'answered', 'contested', 'attached'].includes(e.kind)
    return {
      at: e.at.toISOString(),
      kind: e.kind,
      label: t.requests.events[e.kind] ?? t.conversation.events[e.kind] ?? t.attachments.events[e.kind] ?? e.kind,
      actor: actor ? { name: actor.name, role: t.roles[actor.role] ?? actor.role } : null,
      actorLabel: actor ? actor.name : r.anonymous && anonymousStep ? t.requests.anonymousName : t.requests.system,
      sentence: t.conversation.timelineEntry({
        kind: e.kind,
        who: actor ? actor.name : anonymousStep ? t.requests.anonymousName : null,
        text: e.text,
        to: e.toUnitId === null ? null : (unitRef(scope.byId.get(e.toUnitId))?.label ?? null),
      }),
      text: e.text,
      fromUnit: unitRef(e.fromUnitId === null ? null : scope.byId.get(e.fromUnitId)),
      toUnit: unitRef(e.toUnitId === null ? null : scope.byId.get(e.toUnitId)),
    }
  })
  return {
    ...summarise(r, names, now, t.requests.status),
    result: r.result,
    rejectReason: r.rejectReason,
    ratingComment: r.ratingComment,
    ratedAt: iso(r.ratedAt),
    timeline,
    attachments: await attachmentsOf(db, r),
    canAct,
    actions: allowedActions(r, canAct),
  }
}

const listQuery = z.object({
  status: z
    .enum([...STATUSES, 'open', 'done'], { error: '状态应为 new、accepted、resolved、rated、rejected、closed、open（未办结）或 done（已办结或驳回）' })
    .optional()
    .describe('状态；open = 待受理或处理中，done = 已办结、已评价、已关闭或已驳回'),
  category: z.coerce.number({ error: '类别应为类别编号' }).int().positive().optional().describe('类别编号'),
  unit: z.coerce.number({ error: '单位应为单位编号' }).int().positive().optional().describe('单位编号（含下级单位）'),
  overdue: queryBool.optional(),
  supervised: queryBool.optional(),
  urgent: queryBool.optional(),
  q: z.string().trim().max(100, '搜索词最多 100 字').optional().describe('在编号和内容中搜索'),
  sort: z.enum(['newest', 'oldest'], { error: '排序应为 newest 或 oldest' }).default('newest'),
  page,
  pageSize,
})

const actionBody = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('accept').describe('受理') }),
    z.object({ action: z.literal('reply').describe('回复'), text: text('回复内容') }),
    z.object({ action: z.literal('resolve').describe('办结'), text: text('办理结果') }),
    z.object({ action: z.literal('reject').describe('驳回'), text: text('驳回理由') }),
    z.object({
      action: z.literal('transfer').describe('转办'),
      to: z.string({ error: '请填写转办对象的工号' }).trim().min(1, '请填写转办对象的工号').max(64),
      text: z.string().trim().max(2000, '说明最多 2000 字').default(''),
    }),
    z.object({ action: z.literal('escalate').describe('升级'), text: z.string().trim().max(2000, '理由最多 2000 字').default('') }),
    z.object({
      action: z.literal('supervise').describe('督办'),
      text: z.string().trim().max(2000, '督办说明最多 2000 字').default('').describe('督办说明：私信发给办理的干部'),
      dueAt: z.iso.datetime({ offset: true, error: '新的办结期限格式不对，例如 2026-03-06T18:00:00+08:00' }).optional().describe('新的办结期限（可不填）'),
    }),
  ],
  { error: 'action 应为 accept（受理）、reply（回复）、resolve（办结）、reject（驳回）、transfer（转办）、escalate（升级）或 supervise（督办）' },
)

export async function requestRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { db } = deps

  r.get('/api/v1/requests', {
    schema: {
      tags,
      summary: '诉求列表（本人负责范围内）',
      description: '匿名诉求照常列出，但不含任何提出人信息。',
      querystring: listQuery,
      response: { 200: z.object({ total: z.number(), page: z.number(), pageSize: z.number(), items: z.array(requestSummary) }), ...errors },
    },
    handler: async (req) => {
      const scope = await loadScope(db, asker(req))
      const q = req.query
      const now = deps.clock.now()
      const and: Prisma.WorkerRequestWhereInput[] = [requestScopeWhere(scope)]
      if (q.status === 'open') and.push({ status: { in: [...OPEN_STATUSES] } })
      else if (q.status === 'done') and.push({ status: { in: DONE_STATUSES } })
      else if (q.status) and.push({ status: q.status })
      if (q.category) and.push({ categoryId: q.category })
      if (q.unit) {
        const unit = scope.byId.get(q.unit)
        if (!unit) throw notFound(`编号为 ${q.unit} 的单位`)
        if (!scope.has(unit)) throw outOfScope(`单位“${unit.path || unit.name}”`)
        and.push({ unitId: { in: subtreeIds(scope, unit) } })
      }
      const overdueWhere: Prisma.WorkerRequestWhereInput = {
        OR: [
          { status: 'new', answerDueAt: { lt: now } },
          { status: 'accepted', resultDueAt: { lt: now } },
        ],
      }
      if (q.overdue === true) and.push(overdueWhere)
      if (q.overdue === false) and.push({ NOT: overdueWhere })
      if (q.supervised !== undefined) and.push({ supervised: q.supervised })
      if (q.urgent !== undefined) and.push({ urgent: q.urgent })
      if (q.q) and.push({ OR: [{ number: { contains: q.q.toUpperCase() } }, { content: { contains: q.q } }] })
      const where: Prisma.WorkerRequestWhereInput = { AND: and }
      const [total, rows] = await Promise.all([
        db.workerRequest.count({ where }),
        db.workerRequest.findMany({ where, orderBy: { id: q.sort === 'oldest' ? 'asc' : 'desc' }, skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
      ])
      const names = await namesFor(db, scope, rows)
      return { total, page: q.page, pageSize: q.pageSize, items: rows.map((row) => summarise(row, names, now, deps.t.requests.status)) }
    },
  })

  r.get('/api/v1/requests/:number', {
    schema: { tags, summary: '诉求详情与时间线', params: requestNumberParam, response: { 200: requestDetail, ...errors } },
    handler: async (req) => {
      const scope = await loadScope(db, asker(req))
      return requestDetailFor(deps, scope, await visibleRequest(deps, scope, req.params.number))
    },
  })

  r.post('/api/v1/requests/:number/actions', {
    schema: {
      tags,
      summary: '办理诉求：受理、回复、办结、驳回、转办、升级、督办',
      description: '与聊天中的命令完全相同：提出人（匿名诉求也一样）会在聊天中收到通知。',
      params: requestNumberParam,
      body: actionBody,
      response: { 200: z.object({ message: z.string(), request: requestDetail }), ...errors, 409: errors[400] },
    },
    handler: async (req) => {
      const me = asker(req)
      const scope = await loadScope(db, me)
      const current = await visibleRequest(deps, scope, req.params.number)
      if (!(await canHandle(requestContext(deps, db), me, current)))
        throw new ApiError(403, 'cannot_act', `诉求 ${current.number} 目前不在您这一级办理，您只能查看`)
      const body = req.body
      let action: OfficerAction
      switch (body.action) {
        case 'accept':
          action = { kind: body.action }
          break
        case 'supervise': {
          const dueAt = body.dueAt ? new Date(body.dueAt) : null
          if (dueAt && dueAt <= deps.clock.now()) throw new ApiError(400, 'invalid_request', '新的办结期限应在现在之后')
          action = { kind: 'supervise', note: body.text, resultDueAt: dueAt }
          break
        }
        case 'reply':
          action = { kind: 'reply', text: body.text }
          break
        case 'resolve':
          action = { kind: 'resolve', result: body.text }
          break
        case 'reject':
          action = { kind: 'reject', reason: body.text }
          break
        case 'escalate':
          action = { kind: 'escalate', reason: body.text }
          break
        case 'transfer': {
          const to = await db.person.findUnique({ where: { employeeNo: body.to }, include: { unit: true } })
          if (!to?.active) throw notFound(`工号为“${body.to}”的人员`)
          action = { kind: 'transfer', to, note: body.text }
          break
        }
      }
      const result = await db.$transaction(
        async (tx) => {
          const done = await act(requestContext(deps, tx), me, current.number, action)
          // The same notices chat would send: the requester (privately, even when anonymous), officers.
          await deps.core.deliver(tx, done.out, `api:${crypto.randomUUID()}`, undefined)
          return done
        },
        { timeout: 30_000, maxWait: 30_000 },
      )
      deps.wake()
      return { message: result.ack, request: await requestDetailFor(deps, scope, result.request) }
    },
  })
}
