import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { loadMonthly, loadOverview, monthlyWorkbook, type ReportScope } from '../reports/monthly.js'
import { XLSX_TYPE } from '../reports/roster.js'
import { ledgerWorkbook } from '../reports/ledger.js'
import { formatLocal, zonedTime } from '../core/time/zone.js'
import { monthOf, monthRange } from '../reports/stats.js'
import { ApiError, asker, loadScope, type ApiDeps } from './context.js'
import { errors, monthString } from './schemas.js'

const tags = ['统计与报表']

const compliance = z.object({ onTime: z.number(), late: z.number(), pending: z.number(), share: z.number().nullable().describe('按时比例 0–1') })
const satisfaction = z.object({ count: z.number(), average: z.number().nullable(), distribution: z.array(z.object({ score: z.number(), count: z.number() })) })
const times = z.object({ firstAnswerHours: z.number().nullable(), resultHours: z.number().nullable() })
const supervisedItem = z.object({
  number: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  category: z.string(),
  unit: z.string(),
  level: z.string(),
  overdue: z.boolean(),
  content: z.string(),
  createdAt: z.string(),
})

const overviewOut = z.object({
  scope: z.string(),
  totals: z.object({
    total: z.number(),
    open: z.number(),
    overdue: z.number(),
    resolved: z.number(),
    rejected: z.number(),
    urgentOpen: z.number(),
    supervisedOpen: z.number(),
    anonymous: z.number(),
  }),
  byCategory: z.array(z.object({ id: z.number(), name: z.string(), total: z.number(), open: z.number(), overdue: z.number(), resolved: z.number() })),
  byUnit: z.array(z.object({ path: z.string(), label: z.string(), total: z.number(), open: z.number(), overdue: z.number(), resolved: z.number() })),
  byMonth: z.array(z.object({ month: z.string(), filed: z.number(), resolved: z.number() })),
  deadline: z.object({ answer: compliance, result: compliance }),
  times,
  satisfaction,
  supervised: z.array(supervisedItem),
})

const line = {
  filed: z.number(),
  anonymous: z.number(),
  resolved: z.number(),
  rejected: z.number(),
  open: z.number(),
  answeredOnTime: z.number(),
  answeredLate: z.number(),
}
const monthlyOut = z.object({
  month: z.string(),
  scope: z.string(),
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  generatedAt: z.string(),
  totals: z.object({
    filed: z.number(),
    anonymous: z.number(),
    urgent: z.number(),
    resolved: z.number(),
    rejected: z.number(),
    open: z.number(),
    supervised: z.number(),
  }),
  deadline: z.object({ answer: compliance, result: compliance }),
  times,
  satisfaction,
  byCategory: z.array(z.object({ category: z.string(), ...line, ratingAverage: z.number().nullable() })),
  byUnit: z.array(z.object({ unit: z.string(), path: z.string(), ...line })),
  supervised: z.array(supervisedItem),
  activities: z
    .object({ campaigns: z.number(), announcements: z.number(), acknowledgements: z.number(), signups: z.number(), polls: z.number(), votes: z.number() })
    .nullable()
    .describe('有活动、公告或投票数据时才有'),
})

const dayString = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, '日期应为 YYYY-MM-DD，例如 2026-03-01')
const ledgerQuery = z.object({ from: dayString.optional().describe('开始日期（含）'), to: dayString.optional().describe('结束日期（含）') })
const formatDay = (d: Date, tz: string) => formatLocal(d, tz).slice(0, 10)

const monthQuery = z.object({ month: monthString.optional().describe('YYYY-MM，按 GONGYOU_TIMEZONE 计；默认本月') })

export async function reportRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { db } = deps
  const opts = () => ({ now: deps.clock.now(), timeZone: deps.config.GONGYOU_TIMEZONE, statusLabels: deps.t.requests.status })
  const reportScope = async (req: Parameters<typeof asker>[0]): Promise<ReportScope> => {
    const scope = await loadScope(db, asker(req))
    return { asker: scope.asker, units: scope.units, ids: scope.ids }
  }

  r.get('/api/v1/stats/overview', {
    schema: {
      tags,
      summary: '总览：本人负责范围内的诉求统计',
      description:
        '未办结、超期、已办结；按类别、按单位、按月；按时答复率（首次答复不晚于提交时定的答复期限 firstAnswerDueAt，升级不改变它）；平均答复与办结用时；满意度；督办事项。',
      querystring: z.object({ months: z.coerce.number().int().min(1, '至少 1 个月').max(36, '最多 36 个月').default(12).describe('按月统计的月数') }),
      response: { 200: overviewOut, ...errors },
    },
    handler: async (req) => loadOverview(db, await reportScope(req), { ...opts(), months: req.query.months }),
  })

  r.get('/api/v1/reports/monthly', {
    schema: {
      tags,
      summary: '月度报表（JSON）',
      description: '与 monthly.xlsx 数字相同。匿名诉求计入数量，但不含任何提出人信息。',
      querystring: monthQuery,
      response: { 200: monthlyOut, ...errors },
    },
    handler: async (req) => loadMonthly(db, await reportScope(req), req.query.month ?? monthOf(deps.clock.now(), deps.config.GONGYOU_TIMEZONE), opts()),
  })

  r.get('/api/v1/reports/ledger.xlsx', {
    schema: {
      tags,
      summary: '诉求台账（XLSX）',
      description:
        '区间内提交的每件诉求一行，范围与其他接口相同；匿名诉求不含诉求人、工号、代报人。from、to 为 YYYY-MM-DD（含两端，按 GONGYOU_TIMEZONE 计），默认本月。',
      querystring: ledgerQuery,
      produces: [XLSX_TYPE],
    },
    handler: async (req, reply) => {
      const tz = deps.config.GONGYOU_TIMEZONE
      const month = monthRange(monthOf(deps.clock.now(), tz), tz)
      const day = (s: string, next = 0) => {
        const [y, m, d] = s.split('-').map(Number) as [number, number, number]
        return zonedTime(y, m, d + next, 0, 0, tz)
      }
      const from = req.query.from ? day(req.query.from) : month.from
      const to = req.query.to ? day(req.query.to, 1) : month.to
      if (from >= to) throw new ApiError(400, 'invalid_request', '开始日期不能晚于结束日期')
      const name = `工会诉求台账-${formatDay(from, tz)}至${formatDay(new Date(to.getTime() - 1), tz)}.xlsx`
      const body = await ledgerWorkbook(db, await reportScope(req), from, to, opts())
      return reply
        .type(XLSX_TYPE)
        .header('content-disposition', `attachment; filename="ledger.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`)
        .send(body)
    },
  })

  r.get('/api/v1/reports/monthly.xlsx', {
    schema: { tags, summary: '月度报表（XLSX）', querystring: monthQuery, produces: [XLSX_TYPE] },
    handler: async (req, reply) => {
      const month = req.query.month ?? monthOf(deps.clock.now(), deps.config.GONGYOU_TIMEZONE)
      const report = await loadMonthly(db, await reportScope(req), month, opts())
      const name = `工会诉求月报-${month}.xlsx`
      return reply
        .type(XLSX_TYPE)
        .header('content-disposition', `attachment; filename="report-${month}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`)
        .send(await monthlyWorkbook(report))
    },
  })
}
