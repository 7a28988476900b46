import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isUniqueViolation, type Db } from '../../src/db/client.js'
import { KEPT_STATEMENTS, statementName } from '../../src/db/pg-statements.js'
import { createTestDatabase, testProvider, type TestDatabase } from '../helpers/db.js'

// PostgreSQL statements the service runs again are kept prepared (pg-statements.ts). The naming
// rules are plain functions, checked on every run; what the server does with the names only exists
// on PostgreSQL (SQLite keeps its statements prepared in sqlite-connection.ts) and is checked there.
describe('names for statements kept prepared', () => {
  it('a text run a second time gets a name, the same one from then on; another text another name', () => {
    const text = 'SELECT "id" FROM "Unit" WHERE "path" = $1'
    expect(statementName(text)).toBeUndefined()
    const name = statementName(text)
    expect(name).toMatch(/^gy_/)
    expect(statementName(text)).toBe(name)
    const other = 'SELECT "id" FROM "Unit" WHERE "name" = $1'
    statementName(other)
    expect(statementName(other)).not.toBe(name)
  })

  it(`keeps the names of the last ${KEPT_STATEMENTS} texts; one left out is named again, by the same name`, () => {
    const first = 'SELECT 1 WHERE $1 = 1'
    statementName(first)
    const name = statementName(first)
    expect(name).toBeDefined()
    for (let i = 0; i < KEPT_STATEMENTS; i++) {
      const text = `SELECT ${i} WHERE $1 = 2`
      statementName(text)
      expect(statementName(text)).toBeDefined()
    }
    // Left out: sent unnamed once more, then named as before (a connection that prepared it uses it again).
    expect(statementName(first)).toBeUndefined()
    expect(statementName(first)).toBe(name)
  })
})

if (testProvider === 'postgresql') {
  describe('on PostgreSQL, statements kept prepared', () => {
    let tdb: TestDatabase
    let db: Db
    beforeAll(async () => {
      tdb = await createTestDatabase()
      db = tdb.db
      const unit = await db.unit.create({ data: { name: '一车间', path: '一车间', level: 'branch' } })
      await db.person.createMany({
        data: [
          { employeeNo: 'P1', name: '张三', unitId: unit.id },
          { employeeNo: 'P2', name: '李四', unitId: unit.id },
        ],
      })
    })
    afterAll(async () => {
      await tdb.drop()
    })

    it('a query run again on a connection is prepared there once and answers with each run’s own values', async () => {
      const names = await db.$transaction(async (tx) => {
        const seen: string[] = []
        for (const no of ['P1', 'P2', 'P1', 'P2']) seen.push((await tx.person.findUniqueOrThrow({ where: { employeeNo: no } })).name)
        expect(seen).toEqual(['张三', '李四', '张三', '李四'])
        return tx.$queryRaw<{ statement: string }[]>`SELECT statement FROM pg_prepared_statements`
      })
      expect(names.filter((s) => s.statement.includes('"Person"') && s.statement.includes('"employeeNo" = $1'))).toHaveLength(1)
    })

    it('a prepared insert that breaks a unique rule fails as such, and the connection goes on', async () => {
      const unitId = (await db.unit.findFirstOrThrow()).id
      await db.$transaction(async (tx) => {
        for (const no of ['P3', 'P4']) await tx.person.create({ data: { employeeNo: no, name: no, unitId } })
      })
      const error = await db.$transaction((tx) => tx.person.create({ data: { employeeNo: 'P3', name: '重复', unitId } })).catch((e: unknown) => e)
      expect(isUniqueViolation(error)).toBe(true)
      await db.$transaction(async (tx) => {
        await tx.person.create({ data: { employeeNo: 'P5', name: '王五', unitId } })
      })
      expect((await db.person.findMany({ where: { employeeNo: { in: ['P3', 'P4', 'P5'] } }, orderBy: { employeeNo: 'asc' } })).map((p) => p.name)).toEqual([
        'P3',
        'P4',
        '王五',
      ])
    })
  })
}
