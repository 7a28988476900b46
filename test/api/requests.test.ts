/**
 * Requests through the API: lists and filters, the detail with its timeline, every officer action
 * (the same service as chat, so the worker hears it in chat), validation errors in Chinese, the
 * anonymity of anonymous requests, and hostile-looking text stored and returned as written.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { call, dmsTo, file, tokenFor, waitFor } from './helpers.js'

const HOUR = 3_600_000
const clock = new ManualClock(new Date('2026-03-02T01:00:00Z'))
let svc: TestService
let officer: string // D3001, 一车间
let admin: string
/** Every read of the author table, by any client or transaction of the service (model operations and raw SQL). */
const authorReads: string[] = []

beforeAll(async () => {
  svc = await startTestService({
    clock,
    observe: ({ model, operation, args }) => {
      if (model === 'RequestAuthor' || (!model && /RequestAuthor/i.test(JSON.stringify(args)))) authorReads.push(`${model ?? 'raw'}.${operation}`)
    },
  })
  officer = await tokenFor(svc, 'D3001')
  admin = await tokenFor(svc, 'D9000')
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

const act = (number: string, payload: unknown, token = officer) => call(svc, { method: 'POST', url: `/api/v1/requests/${number}/actions`, token, payload })
const detail = async (number: string, token = officer) => (await call(svc, { url: `/api/v1/requests/${number}`, token })).json()
const list = async (query = '', token = officer) => (await call(svc, { url: `/api/v1/requests${query}`, token })).json()

describe('officer actions through the API', () => {
  let n = ''
  beforeAll(async () => {
    n = await file(svc, 'D1002', '诉求 电工班更衣室的热水器坏了一周')
  })

  it('shows the request with its timeline', async () => {
    const d = await detail(n)
    expect(d).toMatchObject({
      number: n,
      status: 'new',
      statusLabel: '待受理',
      anonymous: false,
      requester: { employeeNo: 'D1002', name: '张伟' },
      unit: { path: '一车间/电工班' },
      level: { path: '一车间/电工班' },
      content: '电工班更衣室的热水器坏了一周',
      canAct: true,
      actions: ['accept', 'reply', 'resolve', 'reject', 'transfer', 'escalate', 'supervise'],
    })
    expect(d.timeline).toEqual([expect.objectContaining({ kind: 'filed', label: '提交诉求', actorLabel: '张伟' })])
  })

  it('accepts, replies and resolves; the worker hears each in chat, as from chat commands', async () => {
    const accepted = await act(n, { action: 'accept' })
    expect(accepted.statusCode).toBe(200)
    expect(accepted.json().message).toBe(`已受理 ${n}，已通知诉求人。请在期限内办结：办结 ${n} 处理结果`)
    expect(accepted.json().request).toMatchObject({ status: 'accepted', assignee: { employeeNo: 'D3001' } })

    const replied = await act(n, { action: 'reply', text: '已联系后勤，明天上午来修' })
    expect(replied.json().message).toBe(`已把回复发给 ${n} 的诉求人。`)
    await waitFor(
      'the reply in the worker’s chat',
      async () => (await dmsTo(svc, 'D1002')).find((t) => t === `关于您的诉求 ${n}，梁秀英 回复：已联系后勤，明天上午来修`),
      svc,
    )
    expect((await dmsTo(svc, 'D1002')).some((t) => t.startsWith(`您的诉求 ${n} 已由 梁秀英 受理`))).toBe(true)

    const resolved = await act(n, { action: 'resolve', text: '热水器已更换' })
    expect(resolved.json().request).toMatchObject({ status: 'resolved', result: '热水器已更换', actions: [] })
    await waitFor('the result in the worker’s chat', async () => (await dmsTo(svc, 'D1002')).find((t) => t.includes('处理结果：热水器已更换')), svc)
    const d = await detail(n)
    expect(d.timeline.map((e: { kind: string }) => e.kind)).toEqual(['filed', 'accepted', 'replied', 'resolved'])
    expect(d.timeline[2]).toMatchObject({ actorLabel: '梁秀英', label: '回复', text: '已联系后勤，明天上午来修' })
  })

  it('refuses an action the request’s state does not allow (409, in Chinese)', async () => {
    const again = await act(n, { action: 'accept' })
    expect(again.statusCode).toBe(409)
    expect(again.json().error).toEqual({ code: 'refused', message: `诉求 ${n} 目前已办结（待评价），不能进行这个操作。` })
  })

  it('transfers, escalates, supervises and rejects', async () => {
    const m = await file(svc, 'D1002', '诉求 车间通风不好')
    expect((await act(m, { action: 'supervise' })).json().request.supervised).toBe(true)
    const transferred = await act(m, { action: 'transfer', to: 'D2001', text: '请班组先核实' })
    expect(transferred.json().request.assignee.employeeNo).toBe('D2001')
    expect((await act(m, { action: 'transfer', to: 'D0000' })).statusCode).toBe(404)
    const escalated = await act(m, { action: 'escalate' })
    expect(escalated.json().request.level.path).toBe('一车间')
    const rejected = await act(m, { action: 'reject', text: '已在整改计划中' })
    expect(rejected.json().request).toMatchObject({ status: 'rejected', rejectReason: '已在整改计划中' })
    await waitFor('the rejection in the worker’s chat', async () => (await dmsTo(svc, 'D1002')).find((t) => t.includes('已在整改计划中')), svc)
  })
})

describe('lists and filters', () => {
  it('filters by status, category, supervised, overdue, search, and pages', async () => {
    await file(svc, 'D1004', '诉求 食堂夜班没有热饭')
    const all = await list('?pageSize=100')
    expect(all.total).toBe(all.items.length)
    expect((await list('?status=open')).items.every((r: { status: string }) => ['new', 'accepted'].includes(r.status))).toBe(true)
    expect((await list('?status=rejected')).items.map((r: { status: string }) => r.status)).toEqual(['rejected'])
    expect((await list('?supervised=true')).items.every((r: { supervised: boolean }) => r.supervised)).toBe(true)
    const canteen = (await call(svc, { url: '/api/v1/categories', token: officer })).json().categories.find((c: { name: string }) => c.name === '食堂餐饮')
    expect((await list(`?category=${canteen.id}`)).items.map((r: { content: string }) => r.content)).toEqual(['食堂夜班没有热饭'])
    expect((await list(`?q=${encodeURIComponent('热饭')}`)).total).toBe(1)
    const page = await list('?pageSize=1&page=2&sort=oldest')
    expect(page).toMatchObject({ page: 2, pageSize: 1, total: all.total })
    expect(page.items).toHaveLength(1)

    expect((await list('?overdue=true')).total).toBe(0)
    clock.advance(3 * 24 * HOUR)
    const overdue = await list('?overdue=true')
    expect(overdue.total).toBeGreaterThan(0)
    expect(overdue.items.every((r: { overdue: boolean }) => r.overdue)).toBe(true)
    expect((await list('?overdue=false')).items.every((r: { overdue: boolean }) => !r.overdue)).toBe(true)
  })
})

describe('validation', () => {
  const bad = async (res: Awaited<ReturnType<typeof call>>) => {
    expect(res.statusCode).toBe(400)
    const body = res.json()
    expect(body.error.code).toBe('invalid_request')
    expect(body.error.message).toMatch(/[\u4e00-\u9fff]/)
    expect(body.error.message).not.toMatch(/Invalid input|Expected|Too small/i)
    return body.error.message as string
  }

  it('answers a bad query, path or body with 400 and a Chinese message naming the field', async () => {
    expect(await bad(await call(svc, { url: '/api/v1/requests?status=bogus', token: officer }))).toContain('查询参数不正确：status：状态应为')
    expect(await bad(await call(svc, { url: '/api/v1/requests?pageSize=1000', token: officer }))).toContain('每页最多 100 条')
    expect(await bad(await call(svc, { url: '/api/v1/requests?overdue=maybe', token: officer }))).toContain('overdue：应为 true 或 false')
    expect(await bad(await call(svc, { url: '/api/v1/requests/not-a-number', token: officer }))).toContain('诉求编号应形如 SQ-2026-0042')
    const n = await file(svc, 'D1002', '诉求 工具柜的锁坏了')
    expect(await bad(await act(n, { action: 'reply', text: '   ' }))).toContain('请填写回复内容')
    expect(await bad(await act(n, { action: 'reply' }))).toContain('text')
    expect(await bad(await act(n, { action: 'fly' }))).toContain('action 应为')
    const notJson = await call(svc, {
      method: 'POST',
      url: `/api/v1/requests/${n}/actions`,
      token: officer,
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    })
    expect(notJson.statusCode).toBe(400)
    expect(notJson.json().error.message).toBe('请求体不是有效的 JSON')
    expect(await bad(await call(svc, { url: '/api/v1/reports/monthly?month=2026-13', token: officer }))).toContain('月份应为 YYYY-MM')
    const cat = (await call(svc, { url: '/api/v1/categories', token: admin })).json().categories[0]
    expect(await bad(await call(svc, { method: 'PATCH', url: `/api/v1/categories/${cat.id}`, token: admin, payload: { answerMinutes: -5 } }))).toContain(
      '首次答复时限至少 1 分钟',
    )
    expect(
      await bad(await call(svc, { method: 'PATCH', url: `/api/v1/categories/${cat.id}`, token: admin, payload: { answerMinutes: 99999, resultMinutes: 60 } })),
    ).toContain('首次答复时限不能长于办结时限')
    // Nothing was changed by the refused calls.
    expect((await detail(n)).timeline).toHaveLength(1)
  })

  it('answers an unknown request with 404', async () => {
    const res = await call(svc, { url: '/api/v1/requests/SQ-2026-9999', token: officer })
    expect(res.statusCode).toBe(404)
    expect(res.json().error).toEqual({ code: 'not_found', message: '没有找到诉求 SQ-2026-9999' })
  })
})

describe('an anonymous request', () => {
  const AUTHOR = { employeeNo: 'D1003', name: '王芳' }
  let n = ''
  beforeAll(async () => {
    n = await file(svc, AUTHOR.employeeNo, '匿名诉求 班长克扣加班费，每月少算十个小时')
    await act(n, { action: 'accept' })
    await act(n, { action: 'resolve', text: '已补发' })
    await svc.say(AUTHOR.employeeNo, 'dm', `评价 ${n} 4 补发了`)
  })

  const clean = (what: string, text: string) => {
    for (const id of [AUTHOR.employeeNo, AUTHOR.name]) expect(text, `${what} names the author`).not.toContain(id)
  }

  it('is listed and shown without any trace of its author, and the API never reads the author table', async () => {
    // The observer does see reads, in a transaction and as raw SQL (controls), so "none" below means none.
    authorReads.length = 0
    await svc.db.$transaction((tx) => tx.requestAuthor.count())
    // Seen before it runs (on PostgreSQL a bare table name misses the test's own schema, and fails: no matter).
    await svc.db.$queryRawUnsafe('SELECT COUNT(*) FROM "RequestAuthor"').catch(() => null)
    expect(authorReads).toEqual(['RequestAuthor.count', 'raw.$queryRawUnsafe'])
    authorReads.length = 0
    {
      const listed = await list('?pageSize=100')
      const item = listed.items.find((r: { number: string }) => r.number === n)
      expect(item).toMatchObject({ anonymous: true, requester: null, filedBy: null, rating: 4 })
      clean('list', JSON.stringify(listed))
      const d = await detail(n)
      expect(d).toMatchObject({ anonymous: true, requester: null, filedBy: null })
      expect(d.timeline.find((e: { kind: string }) => e.kind === 'filed')).toMatchObject({ actor: null, actorLabel: '匿名职工' })
      expect(d.timeline.find((e: { kind: string }) => e.kind === 'rated')).toMatchObject({ actor: null, actorLabel: '匿名职工' })
      clean('detail', JSON.stringify(d))
      for (const token of [officer, admin]) {
        clean('overview', (await call(svc, { url: '/api/v1/stats/overview', token })).body)
        clean('monthly report', (await call(svc, { url: '/api/v1/reports/monthly?month=2026-03', token })).body)
      }
      const xlsx = await call(svc, { url: '/api/v1/reports/monthly.xlsx?month=2026-03', token: admin })
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(xlsx.rawPayload as unknown as ExcelJS.Buffer)
      const cells: string[] = []
      wb.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((c) => void cells.push(String(c.value)))))
      clean('monthly report xlsx', cells.join('\n'))
      expect((await call(svc, { url: '/api/v1/reports/monthly?month=2026-03', token: admin })).json().totals.anonymous).toBe(1)
      expect(authorReads).toEqual([])
    }
  })

  it('the author still hears the officer’s API reply, privately', async () => {
    await waitFor('the result in the author’s chat', async () => (await dmsTo(svc, AUTHOR.employeeNo)).find((t) => t.includes('已补发')), svc)
  })
})

describe('hostile-looking text', () => {
  const SQL = `'); DROP TABLE "WorkerRequest"; --`
  const SCRIPT = '<script>alert("x")</script><img src=x onerror="alert(1)">'

  it('is stored and returned exactly as written, and does nothing', async () => {
    const a = await file(svc, 'D1002', `诉求 ${SQL}`)
    const b = await file(svc, 'D1002', `诉求 ${SCRIPT}`)
    expect((await detail(a)).content).toBe(SQL)
    expect((await detail(b)).content).toBe(SCRIPT)
    const replied = await act(b, { action: 'reply', text: `${SCRIPT} ${SQL}` })
    expect(replied.json().request.timeline.at(-1).text).toBe(`${SCRIPT} ${SQL}`)
    await waitFor('the reply as written', async () => (await dmsTo(svc, 'D1002')).find((t) => t.endsWith(`${SCRIPT} ${SQL}`)), svc)
    // The tables are all still there and searches treat the text as text.
    expect(await svc.db.workerRequest.count()).toBeGreaterThan(2)
    expect((await list(`?q=${encodeURIComponent("' OR '1'='1")}`)).total).toBe(0)
    expect((await list(`?q=${encodeURIComponent('DROP TABLE')}`)).items.map((r: { number: string }) => r.number)).toEqual([a])
    // JSON, never HTML.
    const raw = await call(svc, { url: `/api/v1/requests/${b}`, token: officer })
    expect(raw.headers['content-type']).toContain('application/json')
  })
})
