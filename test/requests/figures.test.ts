/**
 * One definition per figure (issue #17). A month is scripted through chat on a ManualClock —
 * filings, an escalation because the answer was late, answers, a rejection, ratings (one low,
 * which reopens the request upstairs) — and the headline figures, computed here by hand, are
 * compared with all four surfaces: the bot's 统计, the dashboard's overview API, the monthly
 * report JSON and the monthly XLSX.
 *
 * By hand (2026-04, canteen requests, answer deadline 2 days after filing):
 *   a  accepted after 1 h, resolved, rated 5                        → answered on time
 *   c  rejected after 1 h                                          → answered on time (a rejection answers)
 *   f  accepted after 1 h, resolved, rated 2 → reopened upstairs,
 *      accepted there 3 days later                                  → on time: its FIRST answer was in time
 *   b  never answered; escalated 3 days later *because* it was late,
 *      accepted upstairs at once (within the fresh deadline)         → late: the deadline set at filing counts
 *   d  anonymous, never answered, past its deadline                 → late
 *   e  filed at the end, within its deadline                       → pending
 *   on time 3, late 2, pending 1, rate 60%; filed 6, resolved 1 (a; f was reopened), rejected 1, open 4;
 *   rated 2, average 3.5.
 * And the month's activities: an announcement for 一车间 asking for 已阅 and sign-ups, read by
 * three (one 已阅, two sign-ups: who signs up has read it) → 已阅 3, sign-ups 2, one announcement;
 * a poll for 一车间 started in the company's officers' group, two votes → its scope is 一车间
 * (the group it was posted to is not whom it is for), 1 poll, 2 votes.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { call, file, tokenFor } from '../api/helpers.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const NO_CRON = { REQUEST_DIGEST_CRON: '0 0 1 1 *', REQUEST_SUPERVISED_CRON: '0 0 1 1 *', REQUEST_AUTOCLOSE_CRON: '0 0 1 1 *' }
/** The escalation's schedule is internal (a constant): tests move it by job name. */
const NO_INTERNAL_CRON = { 'requests:escalate-overdue': '0 0 1 1 *' }

const clock = new ManualClock(new Date('2026-04-01T01:00:00Z'))
let svc: TestService
let admin: string
const n: Record<string, string> = {}

const expected = { onTime: 3, late: 2, pending: 1, share: 0.6, filed: 6, resolved: 1, rejected: 1, open: 4, rated: 2, average: 3.5 }
const activities = { announcements: 1, acknowledgements: 3, signups: 2, polls: 1, votes: 2 }
let poll = ''

async function ok(from: string, words: string, expectText: RegExp): Promise<void> {
  const replies = await svc.say(from, 'dm', words)
  expect(replies.map((r) => r.text).join('\n'), words).toMatch(expectText)
}

beforeAll(async () => {
  svc = await startTestService({ clock, env: NO_CRON, schedules: NO_INTERNAL_CRON })
  admin = await tokenFor(svc, 'D9000')
  n.a = await file(svc, 'D1002', '诉求 食堂的饭菜太咸了')
  n.b = await file(svc, 'D1003', '诉求 食堂晚饭太少了')
  n.d = await file(svc, 'D1004', '匿名诉求 食堂夜宵太贵了')
  n.c = await file(svc, 'D1002', '诉求 食堂餐具不够')
  n.f = await file(svc, 'D1003', '诉求 食堂早餐不够吃')
  await ok('D3001', '发布公告 通知 四月安全学习\n请各班组学习安全规程。\n范围 一车间\n需要已阅\n报名 名额30', /N-1/)
  const started = await svc.say('D3001', 'web-officers', '发起投票 周末加班意愿 | 愿意 | 不愿意 范围 一车间 截止 明天10:00')
  poll = /P-\d+/.exec(started.map((r) => r.text).join('\n'))![0]
  clock.advance(HOUR)
  await ok('D1002', '已阅 N-1', /已确认/)
  await ok('D1003', '报名 N-1', /报名成功/)
  await ok('D1006', '报名 N-1', /报名成功/)
  await ok('D1002', `投票 ${poll} 1`, /投票成功/)
  await ok('D1006', `投票 ${poll} 2`, /投票成功/)
  await ok('D2001', `受理 ${n.a}`, /已受理/)
  await ok('D2001', `驳回 ${n.c} 上周已补齐餐具`, /已驳回/)
  await ok('D2001', `受理 ${n.f}`, /已受理/)
  await ok('D2001', `办结 ${n.f} 早餐已加量`, /已办结/)
  await ok('D2001', `办结 ${n.a} 已调整口味`, /已办结/)
  clock.advance(HOUR)
  await ok('D1002', `评价 ${n.a} 5`, /感谢评价/)
  await ok('D1003', `评价 ${n.f} 2 还是不够`, /重新打开/)
  clock.advance(3 * DAY)
  await ok('D2001', `升级 ${n.b} 超期未答复`, /升级/)
  await ok('D3001', `受理 ${n.b}`, /已受理/)
  await ok('D3001', `受理 ${n.f}`, /已受理/)
  n.e = await file(svc, 'D1004', '诉求 食堂的汤太淡')
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

describe('the headline figures of a scripted month', () => {
  it('the monthly report JSON matches the figures computed by hand', async () => {
    const res = await call(svc, { url: '/api/v1/reports/monthly?month=2026-04', token: admin })
    expect(res.statusCode).toBe(200)
    const r = res.json()
    expect(r.deadline.answer).toEqual({ onTime: expected.onTime, late: expected.late, pending: expected.pending, share: expected.share })
    expect(r.totals).toMatchObject({ filed: expected.filed, resolved: expected.resolved, rejected: expected.rejected, open: expected.open })
    expect(r.satisfaction).toMatchObject({ count: expected.rated, average: expected.average })
    expect(r.activities).toMatchObject(activities)
  })

  it('the dashboard overview gives the same answer figures', async () => {
    const res = await call(svc, { url: '/api/v1/stats/overview', token: admin })
    expect(res.statusCode).toBe(200)
    const o = res.json()
    expect(o.deadline.answer).toEqual({ onTime: expected.onTime, late: expected.late, pending: expected.pending, share: expected.share })
    expect(o.totals).toMatchObject({ total: expected.filed, resolved: expected.resolved, rejected: expected.rejected, open: expected.open })
    expect(o.satisfaction).toMatchObject({ count: expected.rated, average: expected.average })
  })

  it('the monthly XLSX gives the same figures', async () => {
    const res = await call(svc, { url: '/api/v1/reports/monthly.xlsx?month=2026-04', token: admin })
    expect(res.statusCode).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer)
    const summary = new Map<string, unknown>()
    wb.getWorksheet('概览')!.eachRow((row, i) => i > 1 && summary.set(String(row.getCell(1).value), row.getCell(2).value))
    expect(summary.get('按时首次答复')).toBe(expected.onTime)
    expect(summary.get('超时首次答复')).toBe(expected.late)
    expect(summary.get('按时答复率')).toBe(expected.share)
    expect(summary.get('本月新增诉求')).toBe(expected.filed)
    expect(summary.get('本月办结')).toBe(expected.resolved)
    expect(summary.get('本月驳回')).toBe(expected.rejected)
    expect(summary.get('本月评价数')).toBe(expected.rated)
    expect(summary.get('平均满意度（1–5 分）')).toBe(expected.average)
    expect(summary.get('已阅确认')).toBe(activities.acknowledgements)
    expect(summary.get('发布的公告')).toBe(activities.announcements)
  })

  it('the dashboard’s announcement and poll lists count and scope as the bot does', async () => {
    for (const token of [admin, await tokenFor(svc, 'D3001')]) {
      const anns = (await call(svc, { url: '/api/v1/announcements', token })).json().items as { number: string; acknowledgements: number }[]
      expect(anns.find((a) => a.number === 'N-1')).toMatchObject({ acknowledgements: activities.acknowledgements })
      const polls = (await call(svc, { url: '/api/v1/polls', token })).json().items as { number: string; targets: string[]; voters: number }[]
      expect(polls.find((p) => p.number === poll)).toMatchObject({ targets: ['一车间'], voters: activities.votes })
      expect((await call(svc, { url: `/api/v1/polls/${poll}`, token })).json()).toMatchObject({ targets: ['一车间'], voters: activities.votes })
    }
    const progress = (await svc.say('D3001', 'dm', '公告进度 N-1')).map((r) => r.text).join('\n')
    expect(progress).toContain(`已阅：${activities.acknowledgements}/`)
    const results = (await svc.say('D3001', 'dm', `投票结果 ${poll}`)).map((r) => r.text).join('\n')
    expect(results).toContain('一车间')
    expect(results).not.toContain('示例集团')
  })

  it('the bot’s 统计 says the same, privately, with the definition', async () => {
    const text = (await svc.say('D9000', 'dm', '统计 2026-04')).map((r) => r.text).join('\n')
    expect(text).toContain(`提交 ${expected.filed} 件，办结 ${expected.resolved} 件，驳回 ${expected.rejected} 件，未办结 ${expected.open} 件`)
    expect(text).toContain(`按时答复 ${expected.onTime} 件，超期答复 ${expected.late} 件，按时答复率 60%`)
    expect(text).toContain(`评价 ${expected.rated} 件，平均 ${expected.average} 分`)
    expect(text).toContain('升级不重新计时')
    expect(text).toContain(`公告 1 条，已阅 ${activities.acknowledgements} 人，报名 ${activities.signups} 人；投票和问卷 1 个，投票 ${activities.votes} 人次`)
  })

  it('统计 refuses a malformed month with a short answer, and is not for workers', async () => {
    expect((await svc.say('D9000', 'dm', '统计 四月')).map((r) => r.text).join('\n')).toBe('月份请写成 2026-03 这样。')
    expect((await svc.say('D1002', 'dm', '统计')).map((r) => r.text).join('\n')).not.toContain('按时答复率')
  })
})

describe('the ledger (诉求台账)', () => {
  it('lists every request of the period with the same on-time verdicts, anonymous ones without author fields, frozen header', async () => {
    const res = await call(svc, { url: '/api/v1/reports/ledger.xlsx?from=2026-04-01&to=2026-04-30', token: admin })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer)
    const ws = wb.getWorksheet('诉求台账')!
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    const headers = (ws.getRow(1).values as unknown[]).slice(1).map(String)
    const col = (name: string) => headers.indexOf(name) + 1
    const byNumber = new Map<string, ExcelJS.Row>()
    ws.eachRow((row, i) => i > 1 && byNumber.set(String(row.getCell(1).value), row))
    expect([...byNumber.keys()].sort()).toEqual(Object.values(n).sort())
    const onTime = [...byNumber.values()].filter((r) => r.getCell(col('按时答复')).value === '是').length
    const late = [...byNumber.values()].filter((r) => r.getCell(col('按时答复')).value === '否').length
    expect({ onTime, late }).toEqual({ onTime: expected.onTime, late: expected.late })
    expect(byNumber.get(n.b!)!.getCell(col('按时答复')).value).toBe('否')
    const anonymous = byNumber.get(n.d!)!
    expect(anonymous.getCell(col('诉求人')).value ?? '').toBe('')
    expect(anonymous.getCell(col('工号')).value ?? '').toBe('')
    expect(JSON.stringify(anonymous.values)).not.toMatch(/刘洋|D1004/)
    expect(byNumber.get(n.a!)!.getCell(col('诉求人')).value).toBe('张伟')
    expect(ws.getColumn(col('内容')).width).toBeGreaterThanOrEqual(40)
  })

  it('keeps to the asker’s scope and answers a bad date with a Chinese 400', async () => {
    const elsewhere = await tokenFor(svc, 'D3002') // 二车间: none of this month's requests
    const res = await call(svc, { url: '/api/v1/reports/ledger.xlsx?from=2026-04-01&to=2026-04-30', token: elsewhere })
    expect(res.statusCode).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer)
    expect(wb.getWorksheet('诉求台账')!.rowCount).toBe(1)
    const bad = await call(svc, { url: '/api/v1/reports/ledger.xlsx?from=2026-4-1', token: admin })
    expect(bad.statusCode).toBe(400)
    expect(JSON.stringify(bad.json())).toContain('日期应为 YYYY-MM-DD')
    const reversed = await call(svc, { url: '/api/v1/reports/ledger.xlsx?from=2026-04-30&to=2026-04-01', token: admin })
    expect(reversed.statusCode).toBe(400)
    expect(reversed.json().error.message).toBe('开始日期不能晚于结束日期')
  })
})
