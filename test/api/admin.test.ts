/**
 * Administrators' endpoints and the OpenAPI document: categories and deadlines, the outbox's dead
 * letters, platform status, the roster round trip (export → import changes nothing) and template.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { call, file, tokenFor } from './helpers.js'

let svc: TestService
let admin: string
let officer: string

beforeAll(async () => {
  svc = await startTestService()
  admin = await tokenFor(svc, 'D9000')
  officer = await tokenFor(svc, 'D3001')
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

describe('the OpenAPI document', () => {
  it('is generated from the zod schemas at /docs/json and shown at /docs', async () => {
    const res = await svc.app.inject({ method: 'GET', url: '/docs/json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toMatch(/^3\./)
    for (const path of [
      '/api/v1/requests',
      '/api/v1/requests/{number}',
      '/api/v1/requests/{number}/actions',
      '/api/v1/reports/monthly',
      '/api/v1/reports/monthly.xlsx',
      '/api/v1/tokens',
      '/api/v1/tokens/{id}',
      '/api/v1/auth/login',
      '/api/v1/people',
      '/api/v1/units',
      '/api/v1/chat-groups',
      '/api/v1/roster/import',
      '/api/v1/roster/export.xlsx',
      '/api/v1/outbox',
      '/api/v1/platforms',
      '/api/v1/categories/{id}',
      '/api/v1/stats/overview',
    ]) {
      expect(doc.paths, path).toHaveProperty([path])
    }
    expect(Object.keys(doc.paths).every((p: string) => p.startsWith('/api/v1/'))).toBe(true)
    // The same schemas that validate: the status filter's values, the actions' bodies.
    const status = doc.paths['/api/v1/requests'].get.parameters.find((p: { name: string }) => p.name === 'status')
    expect(status.in).toBe('query')
    expect(status.schema.enum).toEqual(['new', 'accepted', 'resolved', 'rated', 'rejected', 'closed', 'open', 'done'])
    const body = JSON.stringify(doc.paths['/api/v1/requests/{number}/actions'].post.requestBody)
    for (const action of ['accept', 'reply', 'resolve', 'reject', 'transfer', 'escalate', 'supervise']) expect(body).toContain(`"${action}"`)
    expect(doc.paths['/api/v1/requests/{number}'].get.responses['200']).toBeDefined()
    const page = await svc.app.inject({ method: 'GET', url: '/docs' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('swagger')
  })
})

describe('categories and deadlines', () => {
  it('lists categories for officers; an administrator changes deadlines, used by the next request', async () => {
    const cats = (await call(svc, { url: '/api/v1/categories', token: officer })).json().categories as { id: number; name: string; answerMinutes: number }[]
    const canteen = cats.find((c) => c.name === '食堂餐饮')!
    const res = await call(svc, {
      method: 'PATCH',
      url: `/api/v1/categories/${canteen.id}`,
      token: admin,
      payload: { answerMinutes: 120, resultMinutes: 2880 },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ name: '食堂餐饮', answerMinutes: 120, resultMinutes: 2880 })
    const n = await file(svc, 'D1002', '诉求 食堂的饭菜太咸')
    const r = await svc.db.workerRequest.findUniqueOrThrow({ where: { number: n } })
    expect(r.answerDueAt!.getTime() - r.createdAt.getTime()).toBe(120 * 60_000)
  })

  it('creates a category; a duplicate name is refused; the fallback cannot be switched off', async () => {
    const created = await call(svc, {
      method: 'POST',
      url: '/api/v1/categories',
      token: admin,
      payload: { name: '住房', keywords: '宿舍,住房', answerMinutes: 1440, resultMinutes: 14400, urgentResultMinutes: 2880 },
    })
    expect(created.statusCode).toBe(201)
    expect(
      (
        await call(svc, {
          method: 'POST',
          url: '/api/v1/categories',
          token: admin,
          payload: { name: '住房', answerMinutes: 1, resultMinutes: 2, urgentResultMinutes: 60 },
        })
      ).statusCode,
    ).toBe(409)
    const other = (await call(svc, { url: '/api/v1/categories', token: admin })).json().categories.find((c: { name: string }) => c.name === '其他')
    expect((await call(svc, { method: 'PATCH', url: `/api/v1/categories/${other.id}`, token: admin, payload: { active: false } })).statusCode).toBe(409)
  })
})

describe('outbox and dead letters', () => {
  let deadChat = 0
  let deadPrivate = 0
  beforeAll(async () => {
    const payload = JSON.stringify({ text: '群通知：周五开会' })
    deadChat = (
      await svc.db.outboxMessage.create({
        data: {
          key: 'test:dead:chat',
          platform: 'feishu',
          targetKind: 'chat',
          target: 'oc_group_1',
          payload,
          status: 'dead',
          attempts: 8,
          lastError: 'chat not found',
        },
      })
    ).id
    deadPrivate = (
      await svc.db.outboxMessage.create({
        data: {
          key: 'test:dead:user',
          platform: 'feishu',
          targetKind: 'user',
          target: 'ou_secret_person',
          payload: JSON.stringify({ text: '您的匿名诉求已受理' }),
          status: 'dead',
          attempts: 8,
          lastError: 'user blocked the bot',
        },
      })
    ).id
  })

  it('lists dead letters without private addresses or private texts', async () => {
    const res = await call(svc, { url: '/api/v1/outbox?status=dead', token: admin })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.total).toBe(2)
    expect(JSON.stringify(body)).not.toContain('ou_secret_person')
    expect(JSON.stringify(body)).not.toContain('您的匿名诉求')
    const byId = new Map(body.items.map((i: { id: number }) => [i.id, i]))
    expect(byId.get(deadPrivate)).toMatchObject({ recipient: '私聊对象（不显示）', preview: null })
    expect(byId.get(deadChat)).toMatchObject({ recipient: 'oc_group_1', preview: '群通知：周五开会' })
    expect(body.counts).toEqual(expect.arrayContaining([{ platform: 'feishu', status: 'dead', count: 2 }]))
  })

  it('retries one and discards another; a row that is not dead is refused', async () => {
    const retried = await call(svc, { method: 'POST', url: `/api/v1/outbox/${deadChat}/retry`, token: admin })
    expect(retried.json()).toEqual({ id: deadChat, status: 'pending' })
    expect((await svc.db.outboxMessage.findUniqueOrThrow({ where: { id: deadChat } })).attempts).toBe(0)
    expect((await call(svc, { method: 'POST', url: `/api/v1/outbox/${deadChat}/retry`, token: admin })).statusCode).toBe(409)
    const discarded = await call(svc, { method: 'DELETE', url: `/api/v1/outbox/${deadPrivate}`, token: admin })
    expect(discarded.json()).toEqual({ id: deadPrivate, status: 'discarded' })
    expect((await call(svc, { url: '/api/v1/outbox?status=dead', token: admin })).json().total).toBe(0)
    expect((await call(svc, { method: 'POST', url: '/api/v1/outbox/999999/retry', token: admin })).statusCode).toBe(404)
  })
})

describe('platforms', () => {
  it('shows the database and each adapter’s connection', async () => {
    const res = await call(svc, { url: '/api/v1/platforms', token: officer })
    expect(res.json()).toEqual({ database: true, platforms: [{ platform: 'web', connected: true, detail: null, login: null }] })
  })
})

describe('the WeChat login QR code', () => {
  it('is drawn locally for administrators only', async () => {
    const wechaty = {
      platform: 'wechaty' as const,
      limits: {},
      send: async () => ({}),
      status: () => ({ connected: false, detail: 'waiting for the login QR code to be scanned' }),
      login: () => ({ status: 'waiting', qrcode: 'https://login.weixin.qq.com/l/gongyou-test' }),
    }
    const other = await startTestService({ adapters: [wechaty] })
    try {
      const asAdmin = (await call(other, { url: '/api/v1/platforms', token: await tokenFor(other, 'D9000') })).json()
      const shown = asAdmin.platforms.find((p: { platform: string }) => p.platform === 'wechaty')
      expect(shown).toMatchObject({
        connected: false,
        detail: expect.stringContaining('QR'),
        login: { status: 'waiting', qrcode: 'https://login.weixin.qq.com/l/gongyou-test' },
      })
      expect(shown.login.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/)
      const asOfficer = (await call(other, { url: '/api/v1/platforms', token: await tokenFor(other, 'D3001') })).json()
      expect(asOfficer.platforms.find((p: { platform: string }) => p.platform === 'wechaty').login).toBeNull()
      expect(JSON.stringify(asOfficer)).not.toContain('gongyou-test')
    } finally {
      await other.close()
      await other.dropDatabase()
    }
  })
})

// A real organisation (the sample roster; the playground is off): importing into the demo retires it.
describe('roster', () => {
  let real: TestService
  let admin: string
  let officer: string
  beforeAll(async () => {
    real = await startTestService({ env: { GONGYOU_PLAYGROUND: 'false' } })
    admin = await tokenFor(real, 'D9000')
    officer = await tokenFor(real, 'D3001')
  })
  afterAll(async () => {
    await real.close()
    await real.dropDatabase()
  })

  it('the template opens with the columns the import reads', async () => {
    const res = await call(real, { url: '/api/v1/roster/template.xlsx', token: officer })
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer)
    expect((wb.worksheets[0]!.getRow(1).values as string[]).filter(Boolean)).toEqual(['工号', '姓名', '单位', '角色', '手机', '网格'])
  })

  it('an administrator’s export imports back unchanged', async () => {
    const exported = await call(real, { url: '/api/v1/roster/export.xlsx', token: admin })
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(exported.rawPayload as unknown as ExcelJS.Buffer)
    expect((wb.worksheets[0]!.getRow(1).values as string[]).filter(Boolean)).toEqual(['工号', '姓名', '单位', '角色', '手机', '网格'])
    const people = await real.db.person.count({ where: { active: true } })
    expect(wb.worksheets[0]!.rowCount - 1).toBe(people)
    const imported = await call(real, {
      method: 'POST',
      url: '/api/v1/roster/import',
      token: admin,
      headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: exported.rawPayload,
    })
    expect(imported.statusCode).toBe(200)
    expect(imported.json()).toEqual({ created: 0, updated: 0, unchanged: people, unitsCreated: 0 })
  })

  it('import is for administrators only', async () => {
    const res = await call(real, {
      method: 'POST',
      url: '/api/v1/roster/import',
      token: officer,
      headers: { 'content-type': 'text/csv' },
      payload: '工号,姓名,单位,角色\n',
    })
    expect(res.statusCode).toBe(403)
  })
})
