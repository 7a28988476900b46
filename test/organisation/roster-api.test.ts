import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueToken } from '../../src/auth/tokens.js'
import { startTestService, type TestService } from '../helpers/service.js'

let svc: TestService
let adminToken: string
let workerToken: string

// A real organisation (the sample roster; the playground is off): importing into the demo would retire it.
beforeAll(async () => {
  svc = await startTestService({ env: { GONGYOU_PLAYGROUND: 'false' } })
  const admin = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })
  const worker = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D1002' } })
  adminToken = await issueToken(svc.db, admin.id)
  workerToken = await issueToken(svc.db, worker.id)
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

const upload = (body: string | Buffer, token: string | null, type = 'text/csv') =>
  svc.app.inject({ method: 'POST', url: '/api/v1/roster/import', headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) }, payload: body })

describe('roster import by API', () => {
  it('imports a CSV for an administrator', async () => {
    const res = await upload('工号,姓名,单位,角色,手机\nA001,钱一,二车间/装配一班,职工,13800000001\nA002,钱二,三车间/新班,网格员,\n', adminToken)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ created: 2, updated: 0, unchanged: 0, unitsCreated: 2 })
    const person = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'A002' }, include: { unit: true } })
    expect(person.unit.path).toBe('三车间/新班')
  })

  it('imports an XLSX and re-import updates instead of duplicating', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('花名册')
    ws.addRow(['工号', '姓名', '单位', '角色', '手机'])
    ws.addRow(['A001', '钱一一', '二车间/装配一班', '职工', 13800000001])
    const res = await upload(Buffer.from(await wb.xlsx.writeBuffer()), adminToken, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(res.json()).toEqual({ created: 0, updated: 1, unchanged: 0, unitsCreated: 0 })
    expect(await svc.db.person.count({ where: { employeeNo: 'A001' } })).toBe(1)
  })

  it('rejects a file with bad rows whole, naming each line', async () => {
    const res = await upload('工号,姓名,单位,角色\nA003,钱三,二车间/装配一班,职工\nA004,,二车间/装配一班,职工\nA005,钱五,二车间/装配一班,组长\n', adminToken)
    expect(res.statusCode).toBe(422)
    const rejected = res.json().error.rejected as { line: number; reason: string }[]
    expect(rejected.map((r) => r.line)).toEqual([3, 4])
    expect(rejected[1]!.reason).toContain('组长')
    expect(await svc.db.person.count({ where: { employeeNo: 'A003' } })).toBe(0)
  })

  it('needs an administrator token', async () => {
    const none = await upload('工号,姓名,单位,角色\n', null)
    expect(none.statusCode).toBe(401)
    expect(none.json().error.message).toContain('Bearer')
    expect((await upload('工号,姓名,单位,角色\n', 'gy_forged')).statusCode).toBe(401)
    const worker = await upload('工号,姓名,单位,角色\n', workerToken)
    expect(worker.statusCode).toBe(403)
    expect(worker.json().error.message).toBe('您的身份无权进行此操作')
  })

  it('refuses a revoked token', async () => {
    const admin = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })
    const token = await issueToken(svc.db, admin.id)
    await svc.db.apiToken.updateMany({ where: { personId: admin.id, label: null }, data: { revokedAt: new Date() } })
    expect((await upload('工号,姓名,单位,角色\n', token)).statusCode).toBe(401)
  })
})
