import crypto from 'node:crypto'
import zlib from 'node:zlib'
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
  svc.app.inject({
    method: 'POST',
    url: '/api/v1/roster/import',
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: body,
  })

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

/** A zip with the given entries, written by hand (deflated, sizes and CRCs as any zip tool writes them). */
function zipOf(files: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const f of files) {
    const packed = zlib.deflateRawSync(f.data, { level: 9 })
    const name = Buffer.from(f.name)
    const crc = zlib.crc32(f.data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(f.data.length, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(f.data.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, packed)
    centrals.push(central, name)
    offset += local.length + name.length + packed.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

describe('roster files too large to parse', () => {
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  let adminToken = ''
  beforeAll(async () => {
    adminToken = await issueToken(svc.db, (await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })).id)
  })

  it('refuses a ~100 KB .xlsx that would unpack to 100 MB before unpacking it, and the service keeps answering', async () => {
    const sheet = Buffer.concat([
      Buffer.from('<?xml version="1.0"?><worksheet><sheetData>'),
      Buffer.alloc(100 * 1024 * 1024, 0x20),
      Buffer.from('</sheetData></worksheet>'),
    ])
    const bomb = zipOf([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/worksheets/sheet1.xml', data: sheet },
    ])
    expect(bomb.length).toBeLessThan(200 * 1024)
    const [res, health] = await Promise.all([upload(bomb, adminToken, XLSX), svc.app.inject({ url: '/healthz' })])
    expect(health.statusCode).toBe(200)
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().error).toMatchObject({ code: 'suspicious_file', message: expect.stringContaining('压缩') })
    // Large but ordinary content (over 16 MB unpacked at a normal ratio) is refused as too large.
    const random = (n: number) => Buffer.from(crypto.randomBytes(n).map((b) => 0x41 + (b % 26)))
    const big = zipOf([
      { name: 'xl/worksheets/sheet1.xml', data: random(9 * 1024 * 1024) },
      { name: 'xl/sharedStrings.xml', data: random(9 * 1024 * 1024) },
    ])
    const tooLarge = await upload(big, adminToken, XLSX)
    expect(tooLarge.statusCode).toBe(413)
    expect(tooLarge.json().error.message).toContain('16 MB')
    expect(await svc.db.person.count({ where: { employeeNo: { startsWith: 'B' } } })).toBe(0)
  })

  it('refuses a CSV of more than 20,000 rows, or more than 16 MB, with 413 before parsing it', async () => {
    const rows = Array.from({ length: 20_001 }, (_, i) => `B${String(i).padStart(6, '0')},工人${i},二车间/装配一班,职工,`).join('\n')
    const many = await upload(`工号,姓名,单位,角色,手机\n${rows}\n`, adminToken)
    expect(many.statusCode).toBe(413)
    expect(many.json().error.message).toContain('20000')
    const huge = await upload(`工号,姓名,单位,角色,手机\nB1,张,二车间/装配一班,职工,"${'x'.repeat(17 * 1024 * 1024)}"\n`, adminToken)
    expect(huge.statusCode).toBe(413)
    expect(await svc.db.person.count({ where: { employeeNo: { startsWith: 'B' } } })).toBe(0)
  })
})
