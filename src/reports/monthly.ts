import type ExcelJS from 'exceljs'
import type { Asker, UnitRow } from '../core/commands.js'
import type { Tx as Db } from '../db/client.js'
import type { Prisma } from '../generated/sqlite/client.js'
import { formatLocal } from '../core/time/zone.js'
import { isUnitWithin, unitLabel } from '../organisation/scope.js'
import { scopeRoot } from '../auth/tokens.js'
import { pollScopeWhere } from '../polls/scope.js'
import { announcementReach } from '../announcements/reach.js'
import { monthly, monthRange, overview, statFields, type ActivityCounts, type MonthlyReport, type StatContext, type StatRow } from './stats.js'

export interface ReportScope {
  asker: Asker
  units: UnitRow[]
  /** Unit ids in scope, or null for the whole organisation. */
  ids: number[] | null
}

export function requestWhere(scope: ReportScope): Prisma.WorkerRequestWhereInput {
  if (scope.ids === null) return {}
  return { OR: [{ unitId: { in: scope.ids } }, { levelUnitId: { in: scope.ids } }, { assigneeId: scope.asker.id }] }
}

async function context(db: Db, scope: ReportScope, now: Date, timeZone: string, statusLabels: Record<string, string>): Promise<StatContext> {
  const categories = await db.requestCategory.findMany({ select: { id: true, name: true, sortOrder: true } })
  return { now, timeZone, categories, units: new Map(scope.units.map((u) => [u.id, u])), root: scopeRoot(scope.asker), statusLabels }
}

/** The report scope of a person: everything for the organisation's top officers and administrators, their part otherwise. */
export async function scopeOf(db: Db, asker: Asker): Promise<ReportScope> {
  const units = await db.unit.findMany({ orderBy: { path: 'asc' } })
  const root = scopeRoot(asker)
  return { asker, units, ids: root === null ? null : units.filter((u) => isUnitWithin(u.path, root)).map((u) => u.id) }
}

export function scopeName(scope: ReportScope): string {
  const root = scopeRoot(scope.asker)
  if (root === null) return scope.units.find((u) => u.path === '')?.name ?? '全部单位'
  return unitLabel(scope.asker.unit)
}

/** The dashboard overview for a scope. */
export async function loadOverview(db: Db, scope: ReportScope, opts: { now: Date; timeZone: string; statusLabels: Record<string, string>; months?: number }) {
  const rows: StatRow[] = await db.workerRequest.findMany({ where: requestWhere(scope), select: statFields })
  return { scope: scopeName(scope), ...overview(rows, await context(db, scope, opts.now, opts.timeZone, opts.statusLabels), opts.months ?? 12) }
}

/** Counts of campaigns, announcements and polls in the month, when the organisation uses them (null otherwise). */
async function activityCounts(db: Db, scope: ReportScope, from: Date, to: Date): Promise<ActivityCounts | null> {
  const [campaignRows, announcementRows, pollRows] = await Promise.all([db.campaign.count(), db.announcement.count(), db.poll.count()])
  if (campaignRows + announcementRows + pollRows === 0) return null
  const ids = scope.ids
  const inMonth = { gte: from, lt: to }
  const deliveries = await db.announcementDelivery.findMany({
    where: { createdAt: inMonth, ...(ids ? { unitId: { in: ids } } : {}) },
    select: { announcementId: true },
  })
  const peopleInScope: Prisma.AnnouncementResponseWhereInput = ids
    ? { personId: { in: (await db.person.findMany({ where: { unitId: { in: ids } }, select: { id: true } })).map((p) => p.id) } }
    : {}
  const pollWhere: Prisma.PollWhereInput = {
    createdAt: inMonth,
    ...pollScopeWhere(scope),
  }
  const [campaigns, acknowledgements, signups, polls, votes] = await Promise.all([
    db.campaign.count({
      where: {
        AND: [{ OR: [{ startsAt: null }, { startsAt: { lt: to } }] }, { OR: [{ endsAt: null }, { endsAt: { gte: from } }] }, { createdAt: { lt: to } }],
      },
    }),
    readsInMonth(db, scope, from, to),
    db.announcementResponse.count({ where: { kind: 'signup', status: { in: ['confirmed', 'waitlisted'] }, createdAt: inMonth, ...peopleInScope } }),
    db.poll.count({ where: pollWhere }),
    db.pollVote.count({ where: { createdAt: inMonth, ...(ids ? { unitId: { in: ids } } : {}) } }),
  ])
  return { campaigns, announcements: new Set(deliveries.map((d) => d.announcementId)).size, acknowledgements, signups, polls, votes }
}

/** 已阅 in the month: people of the scope who first read an announcement that asks for it then (src/announcements/reach.ts). */
async function readsInMonth(db: Db, scope: ReportScope, from: Date, to: Date): Promise<number> {
  const answered = await db.announcementResponse.findMany({
    where: { createdAt: { gte: from, lt: to } },
    select: { announcementId: true },
    distinct: ['announcementId'],
  })
  const anns = await db.announcement.findMany({ where: { id: { in: answered.map((r) => r.announcementId) }, requireAck: true } })
  const ids = scope.ids === null ? null : new Set(scope.ids)
  let n = 0
  for (const ann of anns) n += (await announcementReach(db, ann, { period: { from, to }, ...(ids ? { within: (u) => ids.has(u.id) } : {}) })).read.length
  return n
}

/** The monthly report for a scope ("2026-03", months in the service's time zone). */
export async function loadMonthly(
  db: Db,
  scope: ReportScope,
  month: string,
  opts: { now: Date; timeZone: string; statusLabels: Record<string, string> },
): Promise<MonthlyReport & { scope: string; generatedAt: string }> {
  const { from, to } = monthRange(month, opts.timeZone)
  const inMonth = { gte: from, lt: to }
  const rows: StatRow[] = await db.workerRequest.findMany({
    where: {
      AND: [
        requestWhere(scope),
        { OR: [{ createdAt: inMonth }, { resolvedAt: inMonth }, { closedAt: inMonth }, { ratedAt: inMonth }, { supervised: true, createdAt: { lt: to } }] },
      ],
    },
    select: statFields,
  })
  const ctx = await context(db, scope, opts.now, opts.timeZone, opts.statusLabels)
  const report = monthly(rows, ctx, month, await activityCounts(db, scope, from, to))
  return { scope: scopeName(scope), generatedAt: opts.now.toISOString(), ...report }
}

// ---------------------------------------------------------------------------------- XLSX

const pct = (share: number | null) => (share === null ? '—' : share)

function styleHeader(row: ExcelJS.Row) {
  row.font = { bold: true, color: { argb: 'FFFFFFFF' } }
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFB91C1C' } }
  row.alignment = { vertical: 'middle', horizontal: 'center' }
}

function table(
  wb: ExcelJS.Workbook,
  name: string,
  columns: { header: string; key: string; width: number; percent?: boolean }[],
  rows: Record<string, unknown>[],
  totals?: Record<string, unknown>,
) {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width }))
  styleHeader(ws.getRow(1))
  for (const r of rows) ws.addRow(r)
  if (totals) ws.addRow(totals).font = { bold: true }
  for (const c of columns) if (c.percent) ws.getColumn(c.key).numFmt = '0.0%'
  return ws
}

/** The monthly report as an XLSX: the same numbers as the JSON, one sheet per table. */
export async function monthlyWorkbook(report: MonthlyReport & { scope: string; generatedAt: string }): Promise<Buffer> {
  const wb = new (await import('exceljs')).default.Workbook()
  wb.creator = '工友'
  wb.title = `${report.month} 工会诉求月报`
  const tz = report.timeZone
  const summary = wb.addWorksheet('概览')
  summary.columns = [
    { header: '项目', key: 'k', width: 28 },
    { header: '数值', key: 'v', width: 22 },
  ]
  styleHeader(summary.getRow(1))
  const t = report.totals
  const d = report.deadline
  const s = report.satisfaction
  const rows: [string, unknown][] = [
    ['报表月份', report.month],
    ['范围', report.scope],
    ['统计区间', `${formatLocal(new Date(report.from), tz)} 至 ${formatLocal(new Date(report.to), tz)}（${tz}）`],
    ['生成时间', formatLocal(new Date(report.generatedAt), tz)],
    ['本月新增诉求', t.filed],
    ['其中匿名诉求', t.anonymous],
    ['其中紧急诉求', t.urgent],
    ['本月办结', t.resolved],
    ['本月驳回', t.rejected],
    ['本月新增中尚未办结', t.open],
    ['督办事项', t.supervised],
    ['按时首次答复', d.answer.onTime],
    ['超时首次答复', d.answer.late],
    ['按时答复率', pct(d.answer.share)],
    ['按时办结', d.result.onTime],
    ['超时办结', d.result.late],
    ['按时办结率', pct(d.result.share)],
    ['平均首次答复用时（小时）', report.times.firstAnswerHours ?? '—'],
    ['平均办结用时（小时）', report.times.resultHours ?? '—'],
    ['本月评价数', s.count],
    ['平均满意度（1–5 分）', s.average ?? '—'],
    ...s.distribution.map((x) => [`${x.score} 分`, x.count] as [string, unknown]),
  ]
  if (report.activities) {
    const a = report.activities
    rows.push(
      ['进行中的活动', a.campaigns],
      ['发布的公告', a.announcements],
      ['已阅确认', a.acknowledgements],
      ['报名', a.signups],
      ['发起的投票与问卷', a.polls],
      ['投票与答卷', a.votes],
    )
  }
  for (const [k, v] of rows) {
    const row = summary.addRow({ k, v })
    if (typeof v === 'number' && k.endsWith('率')) row.getCell('v').numFmt = '0.0%'
  }

  const sum = (xs: Record<string, unknown>[], key: string) => xs.reduce((a, x) => a + (Number(x[key]) || 0), 0)
  const lineColumns = [
    { header: '新增', key: 'filed', width: 8 },
    { header: '匿名', key: 'anonymous', width: 8 },
    { header: '办结', key: 'resolved', width: 8 },
    { header: '驳回', key: 'rejected', width: 8 },
    { header: '未办结', key: 'open', width: 8 },
    { header: '按时答复', key: 'answeredOnTime', width: 10 },
    { header: '超时答复', key: 'answeredLate', width: 10 },
  ]
  const totalsOf = (xs: Record<string, unknown>[], first: string) => Object.fromEntries([[first, '合计'], ...lineColumns.map((c) => [c.key, sum(xs, c.key)])])
  const cats = report.byCategory.map((c) => ({ ...c, ratingAverage: c.ratingAverage ?? '' }))
  table(
    wb,
    '按类别',
    [{ header: '类别', key: 'category', width: 14 }, ...lineColumns, { header: '平均满意度', key: 'ratingAverage', width: 12 }],
    cats,
    totalsOf(cats, 'category'),
  )
  table(wb, '按单位', [{ header: '单位', key: 'unit', width: 26 }, ...lineColumns], report.byUnit, totalsOf(report.byUnit, 'unit'))
  table(
    wb,
    '督办事项',
    [
      { header: '编号', key: 'number', width: 15 },
      { header: '状态', key: 'statusLabel', width: 14 },
      { header: '类别', key: 'category', width: 12 },
      { header: '单位', key: 'unit', width: 22 },
      { header: '当前层级', key: 'level', width: 18 },
      { header: '超期', key: 'overdueLabel', width: 6 },
      { header: '内容', key: 'content', width: 60 },
    ],
    report.supervised.map((x) => ({ ...x, overdueLabel: x.overdue ? '是' : '' })),
  )
  return Buffer.from(await wb.xlsx.writeBuffer())
}
