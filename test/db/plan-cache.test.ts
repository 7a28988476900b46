import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/client.js'
import { takeNumber } from '../../src/db/counters.js'
import { planCacheStats } from '../../src/db/plan-cache.js'
import { createTestDatabase } from '../helpers/db.js'

// Query plans kept per shape of query (src/db/plan-cache.ts): each query still answers for its own
// values. The whole suite also compares every kept plan with a fresh one (test/setup.ts); these
// tests are the cases where keeping a plan could go wrong.
let db: Db
let drop: () => Promise<void>
let unitId: number

beforeAll(async () => {
  ;({ db, drop } = await createTestDatabase())
  unitId = (await db.unit.create({ data: { name: '三车间', path: '三车间', level: 'workshop' } })).id
  await db.person.createMany({
    data: [
      { employeeNo: 'PC1', name: '王芳', unitId, phone: '13800000001' },
      { employeeNo: 'PC2', name: '李强', unitId },
      { employeeNo: 'PC3', name: '王强', unitId },
    ],
  })
})
afterAll(() => drop())

const compiled = () => planCacheStats().compiled

describe('query plans kept per shape', () => {
  it('the same read with other values is compiled once and answers for each value', async () => {
    await db.person.findFirst({ where: { employeeNo: 'warm-up' } })
    const before = compiled()
    const names = []
    for (const employeeNo of ['PC1', 'PC2', 'PC3', 'nobody']) names.push((await db.person.findFirst({ where: { employeeNo } }))?.name ?? null)
    expect(names).toEqual(['王芳', '李强', '王强', null])
    expect(compiled() - before).toBe(0)
  })

  it('writes carry their own values: three people created by one plan are three different people', async () => {
    for (const [no, name] of [
      ['PC4', '赵敏'],
      ['PC5', '钱进'],
      ['PC6', '孙丽'],
    ] as const)
      await db.person.create({ data: { employeeNo: no, name, unitId, createdAt: new Date(`2026-12-0${no.slice(2)}T08:00:00Z`) } })
    const rows = await db.person.findMany({ where: { employeeNo: { in: ['PC4', 'PC5', 'PC6'] } }, orderBy: { employeeNo: 'asc' } })
    expect(rows.map((p) => [p.employeeNo, p.name, p.createdAt.toISOString()])).toEqual([
      ['PC4', '赵敏', '2026-12-04T08:00:00.000Z'],
      ['PC5', '钱进', '2026-12-05T08:00:00.000Z'],
      ['PC6', '孙丽', '2026-12-06T08:00:00.000Z'],
    ])
  })

  it('rows inserted together: one plan per row count, whichever of their values happen to be equal', async () => {
    const other = (await db.unit.create({ data: { name: '四车间', path: '四车间', level: 'workshop' } })).id
    const rows = (nos: string[], units: number[]) => nos.map((employeeNo, i) => ({ employeeNo, name: `批量${employeeNo}`, unitId: units[i]! }))
    await db.person.createMany({ data: rows(['CM1', 'CM2', 'CM3'], [unitId, unitId, unitId]) })
    const before = compiled()
    await db.person.createMany({ data: rows(['CM4', 'CM5', 'CM6'], [unitId, other, unitId]) })
    await db.person.createMany({ data: rows(['CM7', 'CM8', 'CM9'], [other, other, unitId]) })
    expect(compiled() - before).toBe(0)
    const written = await db.person.findMany({ where: { employeeNo: { startsWith: 'CM' } }, orderBy: { employeeNo: 'asc' } })
    expect(written.map((p) => [p.employeeNo, p.unitId === other ? '四' : '三'])).toEqual([
      ['CM1', '三'],
      ['CM2', '三'],
      ['CM3', '三'],
      ['CM4', '三'],
      ['CM5', '四'],
      ['CM6', '三'],
      ['CM7', '四'],
      ['CM8', '四'],
      ['CM9', '三'],
    ])
  })

  it('keeps the plans in use: a read asked now and then among 2,000 other shapes is kept, an old one is not', async () => {
    const hot = () => db.person.findFirst({ where: { employeeNo: 'PC1' }, orderBy: { name: 'asc' } })
    const cold = () => db.person.findFirst({ where: { employeeNo: 'PC2' }, orderBy: { name: 'desc' } })
    await hot()
    await cold()
    // 2,000 shapes (a `take` shapes a plan), the most kept: the hot read is asked every hundred,
    // and never compiled again.
    let before = compiled()
    for (let take = 1; take <= 2000; take++) {
      await db.person.findMany({ where: { unitId }, take, select: { id: true } })
      if (take % 100 === 0) await hot()
    }
    expect(compiled() - before).toBe(2000)
    before = compiled()
    expect((await hot())?.name).toBe('王芳')
    expect(compiled() - before).toBe(0)
    before = compiled()
    expect((await cold())?.name).toBe('李强')
    expect(compiled() - before).toBe(1)
  })

  it('numbers from the upsert whose where names the row it creates: 1, 2, 3 (its plan compared with a fresh one)', async () => {
    expect([await takeNumber(db, 'plan-cache'), await takeNumber(db, 'plan-cache'), await takeNumber(db, 'plan-cache')]).toEqual([1, 2, 3])
  })

  it('a text search finds what each pattern names (the pattern is written into LIKE, so it shapes the plan)', async () => {
    const named = async (contains: string) => (await db.person.findMany({ where: { name: { contains } }, orderBy: { employeeNo: 'asc' } })).map((p) => p.name)
    expect(await named('王')).toEqual(['王芳', '王强'])
    expect(await named('强')).toEqual(['李强', '王强'])
  })

  it('null keeps its shape: no phone is IS NULL, a phone is that phone', async () => {
    const phones = async (phone: string | null) =>
      (await db.person.findMany({ where: { employeeNo: { in: ['PC1', 'PC2'] }, phone }, orderBy: { employeeNo: 'asc' } })).map((p) => p.employeeNo)
    expect(await phones('13800000001')).toEqual(['PC1'])
    expect(await phones(null)).toEqual(['PC2'])
  })
})
