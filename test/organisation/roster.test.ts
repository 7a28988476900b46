import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importRoster, importRosterBuffer, parseRoster, roleLabels, type RosterRow } from '../../src/organisation/roster.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'

const company = '测试集团'
let t: TestDatabase

beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  await t?.drop()
})

const csv = (text: string): Buffer => Buffer.from(text, 'utf8')
const importCsv = (text: string) => importRosterBuffer(t.db, csv(text), 'csv', { companyName: company })

async function person(employeeNo: string) {
  return t.db.person.findUnique({ where: { employeeNo }, include: { unit: true, grids: { include: { grid: true } } } })
}
async function unit(path: string) {
  return t.db.unit.findUnique({ where: { path }, include: { parent: true, grid: true } })
}

describe('CSV roster', () => {
  it('imports a CSV with Chinese headers, BOM, CRLF and quoted fields: people, unit tree, grid', async () => {
    const text =
      '\uFEFF 工号 ,姓名,单位,角色,手机,备注\r\n' +
      '1001,张三,一分厂/机修车间/电工班,职工,138-0013-8000,\r\n' +
      '1002,"李四",一分厂／机修车间／电工班,网格员,,"多行\r\n备注,带逗号"\r\n' +
      '\r\n' +
      ',,,,,\r\n' +
      '1003,"王""五""",公司,工会干部,,\r\n' +
      '1004,赵六, 一分厂 \\ 机修车间 ,干部,+86 138 0013 8001,\r\n' +
      `1005,钱七,${company}/一分厂/装配车间/装配一班,工人,,\r\n` +
      '1006,孙八,测试集团,管理员,,\r\n'
    const outcome = await importCsv(text)
    expect(outcome).toEqual({ ok: true, result: { created: 6, updated: 0, unchanged: 0, unitsCreated: 6 } })

    const root = await unit('')
    expect(root).toMatchObject({ name: company, level: 'company', parentId: null, demo: false })
    const branch = await unit('一分厂')
    expect(branch).toMatchObject({ name: '一分厂', level: 'branch', parentId: root!.id })
    const workshop = await unit('一分厂/机修车间')
    expect(workshop).toMatchObject({ name: '机修车间', level: 'workshop', parentId: branch!.id })
    const team = await unit('一分厂/机修车间/电工班')
    expect(team).toMatchObject({ name: '电工班', level: 'team', parentId: workshop!.id })
    expect(await unit('一分厂/装配车间/装配一班')).toMatchObject({ level: 'team', parent: { path: '一分厂/装配车间', level: 'workshop' } })

    expect(await person('1001')).toMatchObject({ name: '张三', role: 'worker', phone: '13800138000', active: true, unit: { path: '一分厂/机修车间/电工班' } })
    expect(await person('1003')).toMatchObject({ name: '王"五"', role: 'officer', unit: { path: '' } })
    expect(await person('1004')).toMatchObject({ name: '赵六', role: 'officer', phone: '+8613800138001', unit: { path: '一分厂/机修车间' } })
    expect(await person('1005')).toMatchObject({ role: 'worker', unit: { path: '一分厂/装配车间/装配一班' } })
    expect(await person('1006')).toMatchObject({ role: 'admin', unit: { path: '' } })

    // The collector collects for the grid of their team, made for it and named after it.
    const collector = await person('1002')
    expect(collector).toMatchObject({ name: '李四', role: 'collector', phone: null })
    expect(collector!.grids.map((g) => g.grid.name)).toEqual(['一分厂/机修车间/电工班'])
    expect(team!.grid?.name).toBe('一分厂/机修车间/电工班')
  })

  it('accepts English headers in any order and case, with extra columns', async () => {
    const text =
      'Name,EmployeeNo,Extra,ROLE, unit ,Phone\nAlice Wang,E-01,x,Worker,二分厂/化验班,\nBob Li,E_02,,collector,二分厂/化验班,13912345678\nCarol,E03,,OFFICER,二分厂,\nDan,E04,,admin,公司,\n'
    const outcome = await importCsv(text)
    expect(outcome).toMatchObject({ ok: true, result: { created: 4, updated: 0, unchanged: 0, unitsCreated: 2 } })
    expect(await person('E-01')).toMatchObject({ name: 'Alice Wang', role: 'worker', unit: { path: '二分厂/化验班', level: 'team' } })
    expect(await person('E_02')).toMatchObject({ role: 'collector', phone: '13912345678' })
    expect(await person('E03')).toMatchObject({ role: 'officer', unit: { path: '二分厂', level: 'branch' } })
    expect(await person('E04')).toMatchObject({ role: 'admin', unit: { path: '' } })
  })

  it('reports every bad row with its line and reason, and imports nothing', async () => {
    const before = await t.db.person.count()
    const unitsBefore = await t.db.unit.count()
    const text =
      '工号,姓名,单位,角色\n' +
      'B001,甲,九分厂/电工班,组长\n' +
      'B002,,九分厂/电工班,职工\n' +
      'B003,丙,九分厂//电工班,职工\n' +
      'B004,丁,九分厂/电工班,职工\n' +
      '\n' +
      'B004,戊,九分厂/电工班,职工\n' +
      'B 5,,九分厂/电工班,\n' +
      'B006,己,九分厂/电工班,职工,\n'
    const outcome = await importCsv(text)
    expect(outcome).toEqual({
      ok: false,
      rejected: [
        { line: 2, reason: '第 2 行：角色“组长”无法识别，应为 职工/网格员/工会干部/管理员' },
        { line: 3, reason: '第 3 行：姓名不能为空' },
        { line: 4, reason: '第 4 行：单位“九分厂//电工班”中有空的层级，应写成 一分厂/机修车间/电工班 这样' },
        { line: 7, reason: '第 7 行：工号 B004 与第 5 行重复' },
        { line: 8, reason: '第 8 行：工号“B 5”只能包含字母、数字、- 和 _；姓名不能为空；角色不能为空，应为 职工/网格员/工会干部/管理员' },
      ],
    })
    expect(await t.db.person.count()).toBe(before)
    expect(await t.db.unit.count()).toBe(unitsBefore)
    expect(await person('B004')).toBeNull()
    expect(await person('B006')).toBeNull()
  })

  it('counts lines as the file does, across quoted fields spanning lines and empty lines', async () => {
    for (const eol of ['\n', '\r\n']) {
      const text = ['工号,姓名,单位,角色,备注', 'L1,甲,一分厂/一班,职工,"多', '行', '备注"', '', ',,,,', 'L2,乙,一分厂/一班,组长,'].join(eol)
      const parsed = await parseRoster(csv(text), 'csv')
      expect(parsed.rows).toEqual([{ line: 2, employeeNo: 'L1', name: '甲', unit: '一分厂/一班', role: 'worker' }])
      expect(parsed.rejected.map((r) => r.line)).toEqual([7])
    }
  })

  it('rejects a file without a required column at line 1, naming the columns in Chinese', async () => {
    expect(await importCsv('工号,姓名,角色\nC001,甲,职工\n')).toEqual({
      ok: false,
      rejected: [{ line: 1, reason: '第 1 行：缺少列 单位（表头应为 工号,姓名,单位,角色,手机）' }],
    })
    const parsed = await parseRoster(csv('name,phone\nA,123456\n'), 'csv')
    expect(parsed.rows).toEqual([])
    expect(parsed.rejected).toHaveLength(1)
    expect(parsed.rejected[0]!.line).toBe(1)
    expect(parsed.rejected[0]!.reason).toContain('缺少列 工号、单位、角色')
    expect((await parseRoster(csv(''), 'csv')).rejected[0]).toMatchObject({ line: 1 })
    expect((await parseRoster(csv('工号,姓名,单位,角色\n"C1,甲'), 'csv')).rejected[0]!.reason).toContain('CSV 格式有误')
  })

  it('reads a GB18030 CSV as saved by Excel on Chinese Windows', async () => {
    // "工号,姓名,单位,角色\nK001,张三,二分厂/化验班,职工\n" in GB18030
    const gbk = Buffer.from('b9a4bac52cd0d5c3fb2cb5a5cebb2cbdc7c9ab0a4b3030312cd5c5c8fd2cb6feb7d6b3a72fbbafd1e9b0e02cd6b0b9a40a', 'hex')
    const parsed = await parseRoster(gbk, 'csv')
    expect(parsed.rejected).toEqual([])
    expect(parsed.rows).toEqual([{ line: 2, employeeNo: 'K001', name: '张三', unit: '二分厂/化验班', role: 'worker' }])
  })

  it('re-import updates changed people without duplicating them', async () => {
    const first = '工号,姓名,单位,角色,手机\nR001,周一,三分厂/一班,职工,13000000001\nR002,周二,三分厂/一班,职工,\nR003,周三,三分厂/一班,职工,\n'
    expect(await importCsv(first)).toEqual({ ok: true, result: { created: 3, updated: 0, unchanged: 0, unitsCreated: 2 } })

    const second =
      '工号,姓名,单位,角色,手机\nR001,周一一,三分厂/一班,职工,13000000001\nR002,周二,三分厂/二班,职工,\nR003,周三,三分厂/一班,职工,\nR004,周四,三分厂/二班,职工,\n'
    expect(await importCsv(second)).toEqual({ ok: true, result: { created: 1, updated: 2, unchanged: 1, unitsCreated: 1 } })
    expect(await t.db.person.count({ where: { employeeNo: { startsWith: 'R0' } } })).toBe(4)
    expect(await person('R001')).toMatchObject({ name: '周一一', phone: '13000000001', unit: { path: '三分厂/一班' } })
    expect(await person('R002')).toMatchObject({ name: '周二', unit: { path: '三分厂/二班' } })

    expect(await importCsv(second)).toEqual({ ok: true, result: { created: 0, updated: 0, unchanged: 4, unitsCreated: 0 } })

    // A deactivated person on the roster again is active again; a phone column with an empty cell clears the phone.
    await t.db.person.update({ where: { employeeNo: 'R003' }, data: { active: false } })
    const third = '工号,姓名,单位,角色,手机\nR001,周一一,三分厂/一班,职工,\nR003,周三,三分厂/一班,职工,\n'
    expect(await importCsv(third)).toEqual({ ok: true, result: { created: 0, updated: 2, unchanged: 0, unitsCreated: 0 } })
    expect(await person('R001')).toMatchObject({ phone: null })
    expect(await person('R003')).toMatchObject({ active: true })
  })

  it('reads an optional 生日 column as MM-DD (the year is dropped), reports bad dates, and keeps birthdays when the column is left out', async () => {
    const text =
      '工号,姓名,单位,角色,生日\n' +
      'BD01,甲,四分厂/一班,职工,1990-03-15\n' +
      'BD02,乙,四分厂/一班,职工,3/5\n' +
      'BD03,丙,四分厂/一班,职工,1988年12月1日\n' +
      'BD04,丁,四分厂/一班,职工,02-29\n' +
      'BD05,戊,四分厂/一班,职工,\n'
    expect(await importCsv(text)).toMatchObject({ ok: true, result: { created: 5 } })
    expect((await Promise.all(['BD01', 'BD02', 'BD03', 'BD04', 'BD05'].map(person))).map((p) => p!.birthday)).toEqual([
      '03-15',
      '03-05',
      '12-01',
      '02-29',
      null,
    ])

    const bad = await importCsv('工号,姓名,单位,角色,生日\nBD06,己,四分厂/一班,职工,1990-02-30\nBD07,庚,四分厂/一班,职工,明天\n')
    expect(bad).toEqual({
      ok: false,
      rejected: [
        { line: 2, reason: '第 2 行：生日“1990-02-30”格式不对，应为 月-日（如 03-15）或 年-月-日（如 1990-03-15）' },
        { line: 3, reason: '第 3 行：生日“明天”格式不对，应为 月-日（如 03-15）或 年-月-日（如 1990-03-15）' },
      ],
    })
    // Without the column the birthdays stay; an empty cell clears one.
    expect(await importCsv('工号,姓名,单位,角色\nBD01,甲,四分厂/一班,职工\n')).toMatchObject({ ok: true, result: { unchanged: 1 } })
    expect((await person('BD01'))!.birthday).toBe('03-15')
    expect(await importCsv('工号,姓名,单位,角色,Birthday\nBD01,甲,四分厂/一班,职工,\nBD02,乙,四分厂/一班,职工,0705\n')).toMatchObject({ ok: false })
    expect(await importCsv('工号,姓名,单位,角色,Birthday\nBD01,甲,四分厂/一班,职工,\nBD02,乙,四分厂/一班,职工,7-5\n')).toMatchObject({
      ok: true,
      result: { updated: 2 },
    })
    expect((await person('BD01'))!.birthday).toBeNull()
    expect((await person('BD02'))!.birthday).toBe('07-05')
  })

  it('assigns units to the grid named in the 网格 column, for workers and collectors', async () => {
    const text =
      '工号,姓名,单位,角色,网格\n' +
      'G001,郑一,五分厂/一班,网格员,五分厂东区网格\n' +
      'G002,郑二,五分厂/一班,职工,五分厂东区网格\n' +
      'G003,郑三,五分厂/二班,职工,五分厂东区网格\n' +
      'G004,郑四,五分厂/二班,网格员,\n' +
      'G005,郑五,五分厂/三班,网格员,\n' +
      'G006,郑六,五分厂/三班,职工,\n'
    expect(await importCsv(text)).toMatchObject({ ok: true, result: { created: 6 } })

    const east = await t.db.grid.findUnique({ where: { name: '五分厂东区网格' }, include: { units: true, collectors: { include: { person: true } } } })
    expect(east!.units.map((u) => u.path).sort()).toEqual(['五分厂/一班', '五分厂/二班'])
    // G004 has no grid of their own: they collect for their team's grid, which is the east grid.
    expect(east!.collectors.map((c) => c.person.employeeNo).sort()).toEqual(['G001', 'G004'])
    const third = await unit('五分厂/三班')
    expect(third!.grid?.name).toBe('五分厂/三班')
    expect((await person('G005'))!.grids.map((g) => g.grid.name)).toEqual(['五分厂/三班'])
    expect((await person('G006'))!.grids).toEqual([])

    // A collector put back to worker no longer collects for the grid.
    const again = text.replace('G001,郑一,五分厂/一班,网格员', 'G001,郑一,五分厂/一班,职工')
    expect(await importCsv(again)).toEqual({ ok: true, result: { created: 0, updated: 1, unchanged: 5, unitsCreated: 0 } })
    expect((await person('G001'))!.grids).toEqual([])

    // One unit cannot be put into two grids in one file.
    const conflict = '工号,姓名,单位,角色,网格\nG101,甲,五分厂/四班,职工,甲网格\nG102,乙,五分厂/四班,职工,乙网格\n'
    expect(await importCsv(conflict)).toEqual({
      ok: false,
      rejected: [{ line: 3, reason: '第 3 行：单位“五分厂/四班”在第 2 行已归入网格“甲网格”，这里又写了“乙网格”' }],
    })
  })
})

describe('XLSX roster', () => {
  async function workbook(rows: ExcelJS.CellValue[][]): Promise<Buffer> {
    const wb = new ExcelJS.Workbook()
    const sheet = wb.addWorksheet('花名册')
    wb.addWorksheet('说明').addRow(['这张表不会被读取'])
    rows.forEach((values, i) => {
      if (values.length > 0) sheet.getRow(i + 1).values = values
    })
    return Buffer.from(await wb.xlsx.writeBuffer())
  }

  it('imports the first worksheet, with number, rich-text and formula cells', async () => {
    const data = await workbook([
      ['单位', '工号', '姓名', '角色', '手机'],
      ['六分厂/装配车间/装配一班', 1024, '陈一', '职工', 13900139000],
      [],
      [
        { formula: '"六分厂/装配车间/"&"装配一班"', result: '六分厂/装配车间/装配一班' },
        1025,
        { richText: [{ text: '陈' }, { text: '二', font: { bold: true } }] },
        '网格员',
        null,
      ],
    ])
    const outcome = await importRosterBuffer(t.db, data, 'xlsx', { companyName: company })
    expect(outcome).toEqual({ ok: true, result: { created: 2, updated: 0, unchanged: 0, unitsCreated: 3 } })
    expect(await person('1024')).toMatchObject({
      name: '陈一',
      role: 'worker',
      phone: '13900139000',
      unit: { path: '六分厂/装配车间/装配一班', level: 'team' },
    })
    const collector = await person('1025')
    expect(collector).toMatchObject({ name: '陈二', role: 'collector' })
    expect(collector!.grids.map((g) => g.grid.name)).toEqual(['六分厂/装配车间/装配一班'])
  })

  it('reports bad rows with the sheet row numbers and imports nothing', async () => {
    const data = await workbook([
      ['工号', '姓名', '单位', '角色'],
      [2001, '甲', '七分厂/一班', '职工'],
      [],
      [],
      [2002, '乙', '七分厂/一班', '班长'],
      [2001, '丙', '七分厂/一班', '职工'],
    ])
    expect(await importRosterBuffer(t.db, data, 'xlsx')).toEqual({
      ok: false,
      rejected: [
        { line: 5, reason: '第 5 行：角色“班长”无法识别，应为 职工/网格员/工会干部/管理员' },
        { line: 6, reason: '第 6 行：工号 2001 与第 2 行重复' },
      ],
    })
    expect(await person('2001')).toBeNull()
    expect(await unit('七分厂')).toBeNull()
  })

  it('answers an unreadable file in Chinese instead of throwing', async () => {
    const outcome = await importRosterBuffer(t.db, csv('not a zip'), 'xlsx')
    expect(outcome).toMatchObject({ ok: false, rejected: [{ line: 1 }] })
    if (!outcome.ok) expect(outcome.rejected[0]!.reason).toContain('无法读取')
  })
})

describe('roles and scale', () => {
  it('labels roles in Chinese', () => {
    expect(roleLabels).toEqual({ worker: '职工', collector: '网格员', officer: '工会干部', admin: '管理员' })
  })

  it('imports a large roster in one go and re-imports it as updates', async () => {
    const rows: RosterRow[] = []
    for (let i = 0; i < 4_000; i++) {
      const branch = `大厂${i % 5}分厂`
      const team = `${branch}/车间${i % 20}/${i % 200}班`
      rows.push({ employeeNo: `P${i}`, name: `职工${i}`, unit: team, role: i % 10 === 0 ? 'collector' : 'worker', phone: `139${String(i).padStart(8, '0')}` })
    }
    const result = await importRoster(t.db, rows)
    expect(result).toEqual({ created: 4_000, updated: 0, unchanged: 0, unitsCreated: 5 + 20 + 200 })

    const again = await importRoster(
      t.db,
      rows.map((r, i) => (i % 4 === 0 ? { ...r, name: `${r.name}改` } : r)),
    )
    expect(again).toEqual({ created: 0, updated: 1_000, unchanged: 3_000, unitsCreated: 0 })
    expect(await t.db.person.count({ where: { employeeNo: { startsWith: 'P' } } })).toBe(4_000)
  }, 120_000)
})
