/**
 * The monthly report: a month of requests seeded through chat on a ManualClock, then the JSON
 * from the API checked number by number, the XLSX opened with exceljs and its totals compared
 * with the JSON, months taken in GONGYOU_TIMEZONE (Asia/Shanghai: 31 March 23:30 is March,
 * 00:30 on 1 April is April although both are 31 March in UTC).
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { call, file, tokenFor } from './helpers.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const _DAY = 24 * HOUR
const NO_CRON = { REQUEST_DIGEST_CRON: '0 0 1 1 *', REQUEST_SUPERVISED_CRON: '0 0 1 1 *', REQUEST_AUTOCLOSE_CRON: '0 0 1 1 *' }

const clock = new ManualClock(new Date('2026-03-02T01:00:00Z')) // 09:00 on 2 March in Shanghai
let svc: TestService
let admin: string
let officer: string
const n: Record<string, string> = {}

beforeAll(async () => {
  svc = await startTestService({ clock, env: NO_CRON, schedules: { 'requests:escalate-overdue': '0 0 1 1 *' } })
  admin = await tokenFor(svc, 'D9000')
  officer = await tokenFor(svc, 'D3001')
  // r1: answered in an hour, resolved, rated 5.
  n.r1 = await file(svc, 'D1002', '诉求 食堂晚班没有热饭')
  clock.advance(HOUR)
  await svc.say('D2001', 'dm', `受理 ${n.r1}`)
  // r2: anonymous, never answered (late), supervised.
  n.r2 = await file(svc, 'D1003', '匿名诉求 班长克扣加班费')
  await svc.say('D3001', 'dm', `督办 ${n.r2}`)
  // r3: 二车间, rejected within the hour.
  n.r3 = await file(svc, 'D1010', '诉求 劳保手套磨破了')
  clock.advance(HOUR)
  await svc.say('D2003', 'dm', `驳回 ${n.r3} 上周已统一发放，请到班组领取`)
  // r4: 二车间, urgent safety hazard, accepted in ten minutes, resolved, rated 3.
  n.r4 = await file(svc, 'D1011', '诉求 车间电缆漏电有安全隐患')
  clock.advance(10 * MINUTE)
  await svc.say('D2003', 'dm', `受理 ${n.r4}`)
  clock.advance(3 * HOUR)
  await svc.say('D2003', 'dm', `办结 ${n.r4} 已更换电缆`)
  await svc.say('D2001', 'dm', `办结 ${n.r1} 食堂增加晚班热饭窗口`)
  clock.advance(HOUR)
  await svc.say('D1002', 'dm', `评价 ${n.r1} 5 很快`)
  await svc.say('D1011', 'dm', `评价 ${n.r4} 3`)
  // r6: 23:30 on 31 March in Shanghai (15:30 UTC): March. r5: 00:30 on 1 April (16:30 UTC the same UTC day): April.
  clock.set('2026-03-31T15:30:00Z')
  n.r6 = await file(svc, 'D1004', '诉求 班车太挤了')
  clock.set('2026-03-31T16:30:00Z')
  n.r5 = await file(svc, 'D1002', '诉求 最近心理压力大')
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

const monthly = async (month: string, token = admin) => {
  const res = await call(svc, { url: `/api/v1/reports/monthly?month=${month}`, token })
  expect(res.statusCode).toBe(200)
  return res.json()
}

async function workbook(month: string, token = admin): Promise<ExcelJS.Workbook> {
  const res = await call(svc, { url: `/api/v1/reports/monthly.xlsx?month=${month}`, token })
  expect(res.statusCode).toBe(200)
  expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  expect(String(res.headers['content-disposition'])).toContain(`report-${month}.xlsx`)
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer)
  return wb
}

/** The 概览 sheet as label → value. */
function summary(wb: ExcelJS.Workbook): Map<string, unknown> {
  const out = new Map<string, unknown>()
  wb.getWorksheet('概览')!.eachRow((row, i) => i > 1 && out.set(String(row.getCell(1).value), row.getCell(2).value))
  return out
}

/** A table sheet as objects keyed by its header, and its 合计 row. */
function sheetRows(wb: ExcelJS.Workbook, name: string): { rows: Record<string, unknown>[]; total: Record<string, unknown> | undefined } {
  const ws = wb.getWorksheet(name)!
  const header = (ws.getRow(1).values as unknown[]).map((v) => String(v ?? ''))
  const rows: Record<string, unknown>[] = []
  ws.eachRow((row, i) => {
    if (i === 1) return
    rows.push(Object.fromEntries(header.map((h, c) => [h, row.getCell(c).value]).filter(([h]) => h)))
  })
  const total = rows.find((r) => Object.values(r)[0] === '合计')
  return { rows: rows.filter((r) => r !== total), total }
}

describe('the monthly report', () => {
  it('counts March in Shanghai time, by category and unit, with deadlines and satisfaction', async () => {
    const r = await monthly('2026-03')
    expect(r).toMatchObject({
      month: '2026-03',
      scope: '示例集团（演示）',
      timeZone: 'Asia/Shanghai',
      from: '2026-02-28T16:00:00.000Z',
      to: '2026-03-31T16:00:00.000Z',
    })
    expect(r.totals).toEqual({ filed: 5, anonymous: 1, urgent: 1, resolved: 2, rejected: 1, open: 2, supervised: 1 })
    // Answered on time: r1 (1 h), r3 (1 h), r4 (10 min of 30); late: r2; r6 not yet due at the month's end.
    expect(r.deadline.answer).toEqual({ onTime: 3, late: 1, pending: 1, share: 0.75 })
    expect(r.satisfaction).toEqual({
      count: 2,
      average: 4,
      distribution: [1, 2, 3, 4, 5].map((score) => ({ score, count: score === 5 || score === 3 ? 1 : 0 })),
    })
    const byCategory = Object.fromEntries(r.byCategory.map((c: { category: string; filed: number }) => [c.category, c.filed]))
    expect(byCategory).toEqual({ 工资待遇: 1, 劳动保护: 1, 安全隐患: 1, 食堂餐饮: 1, 通勤: 1 })
    expect(r.byUnit.map((u: { unit: string; filed: number; resolved: number; rejected: number }) => [u.unit, u.filed, u.resolved, u.rejected])).toEqual([
      ['一车间', 3, 1, 0],
      ['二车间', 2, 1, 1],
    ])
    expect(r.supervised).toEqual([expect.objectContaining({ number: n.r2, category: '工资待遇', overdue: true })])
    // Sums agree with the totals.
    for (const key of ['filed', 'anonymous', 'resolved', 'rejected', 'open'] as const) {
      expect(
        r.byCategory.reduce((a: number, c: Record<string, number>) => a + c[key]!, 0),
        `byCategory ${key}`,
      ).toBe(r.totals[key])
      expect(
        r.byUnit.reduce((a: number, c: Record<string, number>) => a + c[key]!, 0),
        `byUnit ${key}`,
      ).toBe(r.totals[key])
    }
    expect(r.activities).toBeNull()
  })

  it('puts 00:30 on 1 April (Shanghai) in April', async () => {
    const april = await monthly('2026-04')
    expect(april.totals.filed).toBe(1)
    expect(april.byCategory).toEqual([expect.objectContaining({ category: '心理关怀', filed: 1 })])
    expect((await monthly('2026-02')).totals.filed).toBe(0)
  })

  it('the XLSX has the same numbers as the JSON', async () => {
    const json = await monthly('2026-03')
    const wb = await workbook('2026-03')
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概览', '按类别', '按单位', '督办事项'])
    const s = summary(wb)
    expect(s.get('报表月份')).toBe('2026-03')
    expect(s.get('本月新增诉求')).toBe(json.totals.filed)
    expect(s.get('其中匿名诉求')).toBe(json.totals.anonymous)
    expect(s.get('其中紧急诉求')).toBe(json.totals.urgent)
    expect(s.get('本月办结')).toBe(json.totals.resolved)
    expect(s.get('本月驳回')).toBe(json.totals.rejected)
    expect(s.get('本月新增中尚未办结')).toBe(json.totals.open)
    expect(s.get('督办事项')).toBe(json.totals.supervised)
    expect(s.get('按时首次答复')).toBe(json.deadline.answer.onTime)
    expect(s.get('超时首次答复')).toBe(json.deadline.answer.late)
    expect(s.get('按时答复率')).toBe(json.deadline.answer.share)
    expect(s.get('本月评价数')).toBe(json.satisfaction.count)
    expect(s.get('平均满意度（1–5 分）')).toBe(json.satisfaction.average)
    for (const d of json.satisfaction.distribution) expect(s.get(`${d.score} 分`)).toBe(d.count)

    const cats = sheetRows(wb, '按类别')
    expect(cats.rows.map((r) => [r.类别, r.新增, r.办结, r.驳回])).toEqual(
      json.byCategory.map((c: Record<string, unknown>) => [c.category, c.filed, c.resolved, c.rejected]),
    )
    expect(cats.total).toMatchObject({
      新增: json.totals.filed,
      匿名: json.totals.anonymous,
      办结: json.totals.resolved,
      驳回: json.totals.rejected,
      未办结: json.totals.open,
    })
    const units = sheetRows(wb, '按单位')
    expect(units.rows.map((r) => [r.单位, r.新增])).toEqual(json.byUnit.map((u: Record<string, unknown>) => [u.unit, u.filed]))
    expect(units.total).toMatchObject({
      新增: json.totals.filed,
      办结: json.totals.resolved,
      按时答复: json.deadline.answer.onTime,
      超时答复: json.deadline.answer.late,
    })
    const supervised = sheetRows(wb, '督办事项')
    expect(supervised.rows.map((r) => r.编号)).toEqual([n.r2])
  })

  it('for a workshop officer, only the workshop, by team', async () => {
    const r = await monthly('2026-03', officer)
    expect(r.scope).toBe('一车间')
    expect(r.totals).toMatchObject({ filed: 3, anonymous: 1, resolved: 1, rejected: 0 })
    expect(r.byUnit.map((u: { unit: string; filed: number }) => [u.unit, u.filed])).toEqual([['一车间/电工班', 3]])
    const s = summary(await workbook('2026-03', officer))
    expect(s.get('范围')).toBe('一车间')
    expect(s.get('本月新增诉求')).toBe(3)
  })

  it('defaults to the current month in the service’s time zone', async () => {
    // The clock is at 00:30 on 1 April in Shanghai (still 31 March in UTC).
    expect((await call(svc, { url: '/api/v1/reports/monthly', token: admin })).json().month).toBe('2026-04')
  })
})

describe('the overview', () => {
  it('counts every request in scope, by month in Shanghai time', async () => {
    const o = (await call(svc, { url: '/api/v1/stats/overview?months=3', token: admin })).json()
    expect(o.totals).toMatchObject({ total: 6, open: 3, resolved: 2, rejected: 1, supervisedOpen: 1, anonymous: 1 })
    expect(o.byMonth).toEqual([
      { month: '2026-02', filed: 0, resolved: 0 },
      { month: '2026-03', filed: 5, resolved: 2 },
      { month: '2026-04', filed: 1, resolved: 0 },
    ])
    expect(o.satisfaction.average).toBe(4)
    expect(o.times.firstAnswerHours).toBeGreaterThan(0)
    expect(o.deadline.answer.share).toBeGreaterThan(0)
    expect(o.supervised.map((x: { number: string }) => x.number)).toEqual([n.r2])
    expect(o.byCategory.reduce((a: number, c: { total: number }) => a + c.total, 0)).toBe(o.totals.total)
    expect(o.byUnit.reduce((a: number, c: { total: number }) => a + c.total, 0)).toBe(o.totals.total)
  })

  it('counts campaigns and polls in the report once there are any', async () => {
    const creator = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })
    await svc.db.campaign.create({
      data: {
        name: '2026 安康杯',
        startsAt: new Date('2026-03-01T00:00:00Z'),
        endsAt: new Date('2026-06-30T00:00:00Z'),
        createdAt: new Date('2026-02-20T00:00:00Z'),
      },
    })
    await svc.db.poll.create({
      data: {
        number: 'P-1',
        title: '周末加班意愿',
        creatorId: creator.id,
        deadline: new Date('2026-03-20T00:00:00Z'),
        createdAt: new Date('2026-03-10T00:00:00Z'),
      },
    })
    const r = await monthly('2026-03')
    expect(r.activities).toMatchObject({ campaigns: 1, polls: 1 })
    const s = summary(await workbook('2026-03'))
    expect(s.get('进行中的活动')).toBe(1)
    expect(s.get('发起的投票与问卷')).toBe(1)
  })
})
