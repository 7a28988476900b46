/**
 * Unit scope on every endpoint: an officer of 一车间 (D3001) never sees or touches 二车间's
 * requests, people, groups or numbers (D3002's), and the other way round; the company chair and
 * the administrator see everything.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { call, file, tokenFor } from './helpers.js'

let svc: TestService
let ws1: string // D3001, 一车间
let ws2: string // D3002, 二车间
let chair: string
let admin: string
let a = '' // filed in 一车间/电工班
let b = '' // filed in 二车间/装配一班

beforeAll(async () => {
  svc = await startTestService()
  ws1 = await tokenFor(svc, 'D3001')
  ws2 = await tokenFor(svc, 'D3002')
  chair = await tokenFor(svc, 'D9001')
  admin = await tokenFor(svc, 'D9000')
  a = await file(svc, 'D1002', '诉求 电工班的劳保手套磨破了一个月没换')
  b = await file(svc, 'D1010', '诉求 装配一班食堂晚班没有热饭')
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

const get = (token: string, url: string) => call(svc, { url, token })
const numbers = async (token: string, query = '') => ((await get(token, `/api/v1/requests${query}`)).json().items as { number: string }[]).map((r) => r.number)
const unitId = async (path: string) => (await svc.db.unit.findUniqueOrThrow({ where: { path } })).id

describe('requests', () => {
  it('lists only the requests of the officer’s own workshop', async () => {
    expect(await numbers(ws1)).toEqual([a])
    expect(await numbers(ws2)).toEqual([b])
    expect((await numbers(chair)).sort()).toEqual([a, b].sort())
    expect((await numbers(admin)).sort()).toEqual([a, b].sort())
  })

  it('refuses a request of another workshop: detail 403, actions 403 and nothing changes', async () => {
    const detail = await get(ws1, `/api/v1/requests/${b}`)
    expect(detail.statusCode).toBe(403)
    expect(detail.json().error).toEqual({ code: 'out_of_scope', message: `诉求 ${b} 不在您负责的范围内` })
    expect(JSON.stringify(detail.json())).not.toContain('食堂')
    for (const payload of [{ action: 'accept' }, { action: 'reply', text: '越权回复' }, { action: 'supervise' }]) {
      const res = await call(svc, { method: 'POST', url: `/api/v1/requests/${b}/actions`, token: ws1, payload })
      expect(res.statusCode).toBe(403)
    }
    const row = await svc.db.workerRequest.findUniqueOrThrow({ where: { number: b }, include: { events: true } })
    expect(row.status).toBe('new')
    expect(row.supervised).toBe(false)
    expect(row.events.map((e) => e.kind)).toEqual(['filed'])
    expect((await get(ws2, `/api/v1/requests/${b}`)).statusCode).toBe(200)
  })

  it('refuses a unit filter outside the scope, and a filter inside it narrows the list', async () => {
    const res = await get(ws1, `/api/v1/requests?unit=${await unitId('二车间')}`)
    expect(res.statusCode).toBe(403)
    expect(await numbers(ws1, `?unit=${await unitId('一车间/电工班')}`)).toEqual([a])
    expect(await numbers(ws1, `?unit=${await unitId('一车间/钳工班')}`)).toEqual([])
  })

  it('a request escalated to the company stays visible to its workshop, never to the other', async () => {
    const escalate = () =>
      call(svc, { method: 'POST', url: `/api/v1/requests/${a}/actions`, token: ws1, payload: { action: 'escalate', text: '需要公司协调' } })
    const first = await escalate()
    expect(first.statusCode).toBe(200)
    expect(first.json().request.level.path).toBe('一车间')
    const second = await escalate()
    expect(second.json().request.level.path).toBe('')
    expect(second.json().message).toContain('升级到')
    expect(await numbers(ws1)).toEqual([a])
    expect(await numbers(ws2)).toEqual([b])
    // At the company level now: the workshop officer may look, no longer act.
    const detail = (await get(ws1, `/api/v1/requests/${a}`)).json()
    expect(detail).toMatchObject({ canAct: false, actions: [] })
    expect((await call(svc, { method: 'POST', url: `/api/v1/requests/${a}/actions`, token: ws1, payload: { action: 'accept' } })).json().error.code).toBe(
      'cannot_act',
    )
  })
})

describe('organisation', () => {
  it('units: only the officer’s subtree', async () => {
    const paths = ((await get(ws1, '/api/v1/units')).json().units as { path: string }[]).map((u) => u.path)
    expect(paths).toEqual(['一车间', '一车间/电工班', '一车间/钳工班'])
    expect(((await get(admin, '/api/v1/units')).json().units as unknown[]).length).toBeGreaterThan(paths.length)
  })

  it('people: only the subtree; another workshop’s unit is refused; phones only for administrators', async () => {
    const people = (await get(ws1, '/api/v1/people?pageSize=100')).json().items as { employeeNo: string; unit: { path: string }; phone?: string }[]
    expect(people.length).toBeGreaterThan(0)
    expect(people.every((p) => p.unit.path.startsWith('一车间'))).toBe(true)
    expect(people.map((p) => p.employeeNo)).not.toContain('D1010')
    expect(people.every((p) => !('phone' in p))).toBe(true)
    expect((await get(ws1, `/api/v1/people?unit=${await unitId('二车间/装配一班')}`)).statusCode).toBe(403)
    expect(((await get(ws1, '/api/v1/people?q=吴霞')).json().items as unknown[]).length).toBe(0)
    expect(((await get(ws2, '/api/v1/people?q=吴霞')).json().items as unknown[]).length).toBe(1)
    expect((await get(admin, '/api/v1/people?q=吴霞')).json().items[0]).toHaveProperty('phone')
  })

  it('roster export: only the subtree, and no phone column for an officer', async () => {
    const res = await get(ws1, '/api/v1/roster/export.xlsx')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('spreadsheetml')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer)
    const sheet = wb.worksheets[0]!
    const header = (sheet.getRow(1).values as string[]).filter(Boolean)
    expect(header).toEqual(['工号', '姓名', '单位', '角色', '网格'])
    const units: string[] = []
    sheet.eachRow((row, n) => n > 1 && units.push(String(row.getCell(3).value)))
    expect(units.length).toBeGreaterThan(0)
    expect(units.every((u) => u.startsWith('一车间'))).toBe(true)
  })

  it('chat groups: bound in scope or unbound; binding across workshops is refused', async () => {
    const groups = (await get(ws1, '/api/v1/chat-groups')).json().groups as { id: number; externalId: string; unit: { path: string } | null }[]
    const ids = groups.map((g) => g.externalId)
    expect(ids).toContain('web-team-dg')
    expect(ids).not.toContain('web-team-zp1')
    expect(ids).not.toContain('web-officers')
    const zp1 = await svc.db.chatGroup.findFirstOrThrow({ where: { externalId: 'web-team-zp1' } })
    const dg = groups.find((g) => g.externalId === 'web-team-dg')!
    expect(
      (await call(svc, { method: 'PUT', url: `/api/v1/chat-groups/${zp1.id}/binding`, token: ws1, payload: { unitId: await unitId('一车间/电工班') } }))
        .statusCode,
    ).toBe(403)
    expect(
      (await call(svc, { method: 'PUT', url: `/api/v1/chat-groups/${dg.id}/binding`, token: ws1, payload: { unitId: await unitId('二车间/装配一班') } }))
        .statusCode,
    ).toBe(403)
    expect((await call(svc, { method: 'DELETE', url: `/api/v1/chat-groups/${zp1.id}/binding`, token: ws1 })).statusCode).toBe(403)
    expect((await svc.db.chatGroup.findUniqueOrThrow({ where: { id: zp1.id } })).unitId).toBe(await unitId('二车间/装配一班'))
    // Within scope it works both ways.
    const moved = await call(svc, {
      method: 'PUT',
      url: `/api/v1/chat-groups/${dg.id}/binding`,
      token: ws1,
      payload: { unitId: await unitId('一车间/钳工班'), purpose: 'team' },
    })
    expect(moved.json().unit.path).toBe('一车间/钳工班')
    expect((await call(svc, { method: 'DELETE', url: `/api/v1/chat-groups/${dg.id}/binding`, token: ws1 })).json().unit).toBeNull()
    expect(
      (await call(svc, { method: 'PUT', url: `/api/v1/chat-groups/${dg.id}/binding`, token: ws1, payload: { unitId: await unitId('一车间/电工班') } })).json()
        .unit.path,
    ).toBe('一车间/电工班')
  })
})

describe('numbers', () => {
  it('overview and the monthly report count only the scope', async () => {
    const o1 = (await get(ws1, '/api/v1/stats/overview')).json()
    const o2 = (await get(ws2, '/api/v1/stats/overview')).json()
    const all = (await get(admin, '/api/v1/stats/overview')).json()
    expect(o1.totals.total).toBe(1)
    expect(o2.totals.total).toBe(1)
    expect(all.totals.total).toBe(2)
    expect(JSON.stringify(o1)).not.toContain('二车间')
    const m1 = (await get(ws1, '/api/v1/reports/monthly')).json()
    expect(m1.totals.filed).toBe(1)
    expect(JSON.stringify(m1)).not.toContain('装配')
  })

  it('administrators only: dead letters and category changes', async () => {
    expect((await get(ws1, '/api/v1/outbox')).statusCode).toBe(403)
    const cat = (await get(ws1, '/api/v1/categories')).json().categories[0]
    const res = await call(svc, { method: 'PATCH', url: `/api/v1/categories/${cat.id}`, token: ws1, payload: { answerMinutes: 60 } })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.message).toBe('只有管理员可以进行此操作')
  })
})
