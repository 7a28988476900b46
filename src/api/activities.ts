import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Prisma } from '../generated/sqlite/client.js'
import { unitLabel } from '../organisation/scope.js'
import { announcementReach } from '../announcements/reach.js'
import { statusLabel } from '../announcements/views.js'
import { pollResults } from '../polls/results.js'
import { pollScopeWhere, unitTarget } from '../polls/scope.js'
import { asker, iso, loadScope, notFound, outOfScope, type ApiDeps, type Scope } from './context.js'
import { errors, page, pageSize } from './schemas.js'

const tags = ['活动']

/** Announcements the asker may see: all for administrators; otherwise theirs, company-wide ones, or aimed at a unit in their scope. */
function announcementWhere(scope: Scope): Prisma.AnnouncementWhereInput {
  if (scope.ids === null) return {}
  return { OR: [{ createdById: scope.asker.id }, { allUnits: true }, { targets: { some: { unitId: { in: scope.ids } } } }] }
}

/** Target labels without those inside another target (a poll for 一车间 lists 一车间, not its teams too). */
function topTargets(labels: string[], scope: Scope): string[] {
  const root = scope.units.find((u) => u.path === '')
  const paths = [...new Set(labels)]
  if (root && paths.includes(unitLabel(root))) return [unitLabel(root)]
  return paths.filter((p) => !paths.some((q) => q !== p && p.startsWith(`${q}/`)))
}

const pollSummary = z.object({
  number: z.string(),
  kind: z.enum(['poll', 'survey']).or(z.string()),
  title: z.string(),
  status: z.string(),
  anonymous: z.boolean(),
  maxChoices: z.number(),
  deadline: z.string(),
  createdAt: z.string(),
  targets: z.array(z.string()),
  voters: z.number().describe('投票人数（问卷：答卷人数）'),
})

const pollDetail = pollSummary.extend({
  eligible: z.number(),
  options: z.array(z.object({ position: z.number(), label: z.string(), votes: z.number(), percent: z.number() })),
  units: z
    .array(
      z.object({
        unit: z.string(),
        eligible: z.number(),
        voters: z.number(),
        hidden: z.boolean(),
        options: z.array(z.object({ position: z.number(), votes: z.number() })),
      }),
    )
    .describe('各单位的票数（只含本人负责范围内的单位）；投票不足 PRIVACY_MIN_GROUP 人的单位 hidden 为 true、不列票数'),
})

const announcementOut = z.object({
  number: z.string(),
  kind: z.string(),
  title: z.string(),
  status: z.string(),
  statusLabel: z.string().describe('状态的说法，与机器人“公告列表”“公告进度”的同一个函数（定期公告为 定期发送中 / 已暂停）'),
  paused: z.boolean(),
  scheduleKind: z.string(),
  scheduledAt: z.string().nullable(),
  cron: z.string().nullable(),
  allUnits: z.boolean(),
  targets: z.array(z.string()),
  campaign: z.string().nullable(),
  requireAck: z.boolean(),
  signup: z.boolean(),
  capacity: z.number().nullable(),
  dueAt: z.string().nullable(),
  lastFiredAt: z.string().nullable(),
  deliveries: z.number().describe('已发送到的群（或人）次数'),
  readCount: z.number().nullable().describe('平台报告的已读人数合计（飞书）'),
  acknowledgements: z.number().describe('已阅人数：确认已阅或报名的对象（与机器人「公告进度」同一口径，限本人负责范围）'),
  signups: z.number(),
  waitlisted: z.number(),
  createdAt: z.string(),
})

export async function activityRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { db } = deps

  r.get('/api/v1/polls', {
    schema: {
      tags,
      summary: '投票与问卷（本人负责范围内）',
      querystring: z.object({
        status: z.enum(['open', 'closed', 'cancelled'], { error: '状态应为 open、closed 或 cancelled' }).optional(),
        kind: z.enum(['poll', 'survey'], { error: '类型应为 poll 或 survey' }).optional(),
        page,
        pageSize,
      }),
      response: { 200: z.object({ total: z.number(), page: z.number(), pageSize: z.number(), items: z.array(pollSummary) }), ...errors },
    },
    handler: async (req) => {
      const scope = await loadScope(db, asker(req))
      const q = req.query
      const where: Prisma.PollWhereInput = { AND: [pollScopeWhere(scope), ...(q.status ? [{ status: q.status }] : []), ...(q.kind ? [{ kind: q.kind }] : [])] }
      const [total, rows] = await Promise.all([
        db.poll.count({ where }),
        db.poll.findMany({
          where,
          orderBy: { id: 'desc' },
          skip: (q.page - 1) * q.pageSize,
          take: q.pageSize,
          include: { targets: { where: unitTarget, select: { unitId: true } } },
        }),
      ])
      const ids = rows.map((p) => p.id)
      const [votes, respondents] = await Promise.all([
        db.pollVote.groupBy({ by: ['pollId'], where: { pollId: { in: ids } }, _count: { _all: true } }),
        db.surveyAnswer.findMany({ where: { pollId: { in: ids } }, select: { pollId: true, respondentKey: true }, distinct: ['pollId', 'respondentKey'] }),
      ])
      const voteCount = new Map(votes.map((v) => [v.pollId, v._count._all]))
      const answered = new Map<number, number>()
      for (const a of respondents) answered.set(a.pollId, (answered.get(a.pollId) ?? 0) + 1)
      return {
        total,
        page: q.page,
        pageSize: q.pageSize,
        items: rows.map((p) => ({
          number: p.number,
          kind: p.kind,
          title: p.title,
          status: p.status,
          anonymous: p.anonymous,
          maxChoices: p.maxChoices,
          deadline: p.deadline.toISOString(),
          createdAt: p.createdAt.toISOString(),
          targets: topTargets(
            p.targets
              .map((t) => (t.unitId === null ? null : scope.byId.get(t.unitId)))
              .filter((u) => !!u)
              .map((u) => unitLabel(u!)),
            scope,
          ),
          voters: p.kind === 'survey' ? (answered.get(p.id) ?? 0) : (voteCount.get(p.id) ?? 0),
        })),
      }
    },
  })

  r.get('/api/v1/polls/:number', {
    schema: {
      tags,
      summary: '投票结果（只有票数，从不显示谁投了什么）',
      params: z.object({
        number: z
          .string()
          .regex(/^[PpQq]-?\d{1,6}$/, '编号应形如 P-17 或 Q-3')
          .transform((v) => v.toUpperCase().replace(/^([PQ])-?/, '$1-')),
      }),
      response: { 200: pollDetail, ...errors },
    },
    handler: async (req) => {
      const scope = await loadScope(db, asker(req))
      const poll = await db.poll.findUnique({ where: { number: req.params.number } })
      if (!poll) throw notFound(`${req.params.number}`)
      if ((await db.poll.count({ where: { AND: [{ id: poll.id }, pollScopeWhere(scope)] } })) === 0) throw outOfScope(`${poll.number} `)
      const results = await pollResults(db, poll.id, deps.config.PRIVACY_MIN_GROUP)
      const voters =
        poll.kind === 'survey'
          ? (await db.surveyAnswer.findMany({ where: { pollId: poll.id }, select: { respondentKey: true }, distinct: ['respondentKey'] })).length
          : results.voters
      const inScope = (unitId: number | null) => scope.ids === null || (unitId !== null && scope.ids.includes(unitId))
      return {
        number: poll.number,
        kind: poll.kind,
        title: poll.title,
        status: poll.status,
        anonymous: poll.anonymous,
        maxChoices: poll.maxChoices,
        deadline: poll.deadline.toISOString(),
        createdAt: poll.createdAt.toISOString(),
        targets: topTargets(results.targets, scope),
        voters,
        eligible: results.eligible,
        options: results.options,
        units: results.units
          .filter((u) => inScope(u.unitId))
          .map((u) => ({ unit: u.unit, eligible: u.eligible, voters: u.voters, hidden: u.hidden, options: u.options })),
      }
    },
  })

  r.get('/api/v1/announcements', {
    schema: {
      tags,
      summary: '公告（本人负责范围内），含发送、已阅与报名情况',
      querystring: z.object({
        status: z.enum(['scheduled', 'sending', 'sent', 'cancelled'], { error: '状态应为 scheduled、sending、sent 或 cancelled' }).optional(),
        page,
        pageSize,
      }),
      response: { 200: z.object({ total: z.number(), page: z.number(), pageSize: z.number(), items: z.array(announcementOut) }), ...errors },
    },
    handler: async (req) => {
      const scope = await loadScope(db, asker(req))
      const q = req.query
      const where: Prisma.AnnouncementWhereInput = { AND: [announcementWhere(scope), ...(q.status ? [{ status: q.status }] : [])] }
      const [total, rows] = await Promise.all([
        db.announcement.count({ where }),
        db.announcement.findMany({
          where,
          orderBy: { id: 'desc' },
          skip: (q.page - 1) * q.pageSize,
          take: q.pageSize,
          include: { targets: { select: { unitId: true } } },
        }),
      ])
      const ids = rows.map((a) => a.id)
      const [deliveries, reads, responses, campaigns] = await Promise.all([
        db.announcementDelivery.groupBy({ by: ['announcementId'], where: { announcementId: { in: ids } }, _count: { _all: true } }),
        db.announcementDelivery.groupBy({
          by: ['announcementId'],
          where: { announcementId: { in: ids }, readCount: { not: null } },
          _sum: { readCount: true },
        }),
        db.announcementResponse.groupBy({ by: ['announcementId', 'kind', 'status'], where: { announcementId: { in: ids } }, _count: { _all: true } }),
        db.campaign.findMany({ where: { id: { in: rows.map((a) => a.campaignId).filter((x): x is number => x !== null) } }, select: { id: true, name: true } }),
      ])
      const delivered = new Map(deliveries.map((d) => [d.announcementId, d._count._all]))
      const read = new Map(reads.map((d) => [d.announcementId, d._sum.readCount ?? null]))
      const count = (id: number, kind: string, status: string) =>
        responses.find((x) => x.announcementId === id && x.kind === kind && x.status === status)?._count._all ?? 0
      const campaignNames = new Map(campaigns.map((c) => [c.id, c.name]))
      // 已阅 as the bot's 公告进度 counts it (one definition: src/announcements/reach.ts), in the asker's part.
      const readers = new Map<number, number>()
      for (const a of rows.filter((x) => x.requireAck))
        readers.set(a.id, (await announcementReach(db, a, scope.ids === null ? {} : { within: (u) => scope.has(u) })).read.length)
      return {
        total,
        page: q.page,
        pageSize: q.pageSize,
        items: rows.map((a) => ({
          number: a.number,
          kind: a.kind,
          title: a.title,
          status: a.status,
          statusLabel: statusLabel(deps.t, a),
          paused: a.paused,
          scheduleKind: a.scheduleKind,
          scheduledAt: iso(a.scheduledAt),
          cron: a.cron,
          allUnits: a.allUnits,
          targets: a.targets
            .map((t) => scope.byId.get(t.unitId))
            .filter((u) => !!u)
            .map((u) => unitLabel(u!)),
          campaign: a.campaignId === null ? null : (campaignNames.get(a.campaignId) ?? null),
          requireAck: a.requireAck,
          signup: a.signup,
          capacity: a.capacity,
          dueAt: iso(a.dueAt),
          lastFiredAt: iso(a.lastFiredAt),
          deliveries: delivered.get(a.id) ?? 0,
          readCount: read.get(a.id) ?? null,
          acknowledgements: readers.get(a.id) ?? 0,
          signups: count(a.id, 'signup', 'confirmed'),
          waitlisted: count(a.id, 'signup', 'waitlisted'),
          createdAt: a.createdAt.toISOString(),
        })),
      }
    },
  })

  r.get('/api/v1/campaigns', {
    schema: {
      tags,
      summary: '活动（如 安康杯、送清凉），含公告数和关联诉求数（本人负责范围内）',
      response: {
        200: z.object({
          campaigns: z.array(
            z.object({
              id: z.number(),
              name: z.string(),
              kind: z.string(),
              startsAt: z.string().nullable(),
              endsAt: z.string().nullable(),
              announcements: z.number(),
              requests: z.number(),
            }),
          ),
        }),
        ...errors,
      },
    },
    handler: async (req) => {
      const scope = await loadScope(db, asker(req))
      const campaigns = await db.campaign.findMany({ orderBy: { id: 'desc' }, take: 200 })
      const ids = campaigns.map((c) => c.id)
      const [announcements, requests] = await Promise.all([
        db.announcement.groupBy({ by: ['campaignId'], where: { AND: [{ campaignId: { in: ids } }, announcementWhere(scope)] }, _count: { _all: true } }),
        db.workerRequest.groupBy({
          by: ['campaignId'],
          where: { campaignId: { in: ids }, ...(scope.ids === null ? {} : { unitId: { in: scope.ids } }) },
          _count: { _all: true },
        }),
      ])
      const a = new Map(announcements.map((x) => [x.campaignId, x._count._all]))
      const q = new Map(requests.map((x) => [x.campaignId, x._count._all]))
      return {
        campaigns: campaigns.map((c) => ({
          id: c.id,
          name: c.name,
          kind: c.kind,
          startsAt: iso(c.startsAt),
          endsAt: iso(c.endsAt),
          announcements: a.get(c.id) ?? 0,
          requests: q.get(c.id) ?? 0,
        })),
      }
    },
  })
}
