import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoPeople, isOrganisationEmpty, seedDemoOrganisation } from '../../src/organisation/demo.js'
import { importRosterBuffer } from '../../src/organisation/roster.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'

let t: TestDatabase

beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  await t?.drop()
})

/** Everything the seed touches, as a person would see it. */
async function snapshot() {
  const db = t.db
  return {
    units: await db.unit.findMany({ orderBy: { id: 'asc' } }),
    people: await db.person.findMany({ orderBy: { id: 'asc' } }),
    grids: await db.grid.findMany({ orderBy: { id: 'asc' } }),
    collectors: await db.gridCollector.findMany({ orderBy: [{ gridId: 'asc' }, { personId: 'asc' }] }),
    chats: await db.chatGroup.findMany({ orderBy: { id: 'asc' } }),
  }
}

describe('demo organisation', () => {
  it('is seeded only into an empty organisation, labelled as a demo', async () => {
    expect(await isOrganisationEmpty(t.db)).toBe(true)
    await seedDemoOrganisation(t.db)
    expect(await isOrganisationEmpty(t.db)).toBe(false)

    const root = await t.db.unit.findUnique({ where: { path: '' } })
    expect(root).toMatchObject({ name: '示例集团（演示）', level: 'company', parentId: null, demo: true })
    expect(await t.db.unit.count({ where: { demo: false } })).toBe(0)
    expect(await t.db.person.count({ where: { demo: false } })).toBe(0)
  })

  it('has the company, two workshops and four teams', async () => {
    const units = await t.db.unit.findMany({ include: { parent: true } })
    const root = units.find((u) => u.path === '')!
    const workshops = units.filter((u) => u.level === 'workshop')
    expect(workshops.map((u) => [u.name, u.parentId]).sort()).toEqual([
      ['一车间', root.id],
      ['二车间', root.id],
    ])
    const teams = units.filter((u) => u.level === 'team')
    expect(teams.map((u) => `${u.parent!.name}/${u.name}`).sort()).toEqual(['一车间/电工班', '一车间/钳工班', '二车间/装配一班', '二车间/装配二班'].sort())
    expect(units).toHaveLength(7)
  })

  it('gives every team three workers, a collector with a grid and an officer', async () => {
    const teams = await t.db.unit.findMany({
      where: { level: 'team' },
      include: { people: true, grid: { include: { units: true, collectors: { include: { person: true } } } } },
    })
    for (const team of teams) {
      expect(
        team.people.filter((p) => p.role === 'worker'),
        team.path,
      ).toHaveLength(3)
      expect(
        team.people.filter((p) => p.role === 'officer'),
        team.path,
      ).toHaveLength(1)
      const collectors = team.people.filter((p) => p.role === 'collector')
      expect(collectors, team.path).toHaveLength(1)
      expect(team.grid, team.path).not.toBeNull()
      expect(team.grid!.collectors.map((c) => c.person.employeeNo)).toContain(collectors[0]!.employeeNo)
    }
    // 一车间's two teams share one grid with two collectors; 二车间's teams have a grid each.
    const shared = await t.db.grid.findUnique({ where: { name: '一车间网格' }, include: { units: true, collectors: true } })
    expect(shared!.units.map((u) => u.path).sort()).toEqual(['一车间/电工班', '一车间/钳工班'])
    expect(shared!.collectors).toHaveLength(2)
    const zp = teams.filter((u) => u.path.startsWith('二车间/'))
    expect(new Set(zp.map((u) => u.gridId)).size).toBe(2)
    for (const team of zp) expect(team.grid!.units.map((u) => u.path)).toEqual([team.path])
  })

  it('has officers at every level and an administrator', async () => {
    const officers = await t.db.person.findMany({ where: { role: 'officer' }, include: { unit: true } })
    expect(officers.filter((o) => o.unit.level === 'company')).toHaveLength(1)
    expect(
      officers
        .filter((o) => o.unit.level === 'workshop')
        .map((o) => o.unit.name)
        .sort(),
    ).toEqual(['一车间', '二车间'].sort())
    expect(officers.filter((o) => o.unit.level === 'team')).toHaveLength(4)
    expect(await t.db.person.findUnique({ where: { employeeNo: 'D9001' }, include: { unit: true } })).toMatchObject({ role: 'officer', unit: { path: '' } })
    expect(await t.db.person.count({ where: { role: 'admin' } })).toBe(1)
  })

  it('advertises demo people that exist with the roles given', async () => {
    expect(demoPeople.map((p) => p.role).sort()).toEqual(['admin', 'collector', 'officer', 'officer', 'officer', 'worker'])
    for (const p of demoPeople) {
      const person = await t.db.person.findUnique({ where: { employeeNo: p.employeeNo } })
      expect(person, p.employeeNo).toMatchObject({ name: p.name, role: p.role, demo: true })
    }
  })

  it('has a web group chat per team and an officers group', async () => {
    const chats = await t.db.chatGroup.findMany({ include: { unit: true } })
    expect(chats.every((c) => c.platform === 'web' && c.demo && /^[a-z0-9-]+$/.test(c.externalId))).toBe(true)
    const teamChats = chats.filter((c) => c.purpose === 'team')
    expect(teamChats.map((c) => c.unit!.level)).toEqual(['team', 'team', 'team', 'team'])
    expect(new Set(teamChats.map((c) => c.unitId)).size).toBe(4)
    expect(chats.find((c) => c.externalId === 'web-team-dg')).toMatchObject({ name: '电工班工作群', unit: { path: '一车间/电工班' } })
    expect(chats.find((c) => c.purpose === 'officers')).toMatchObject({ externalId: 'web-officers', name: '工会干部群', unit: { path: '' } })
    expect(chats).toHaveLength(5)
  })

  it('is idempotent: seeding again changes nothing', async () => {
    const before = await snapshot()
    await seedDemoOrganisation(t.db)
    expect(await snapshot()).toEqual(before)
  })

  it('refuses to seed into a real organisation', async () => {
    const other = await createTestDatabase()
    try {
      const outcome = await importRosterBuffer(other.db, Buffer.from('工号,姓名,单位,角色\nD1001,真实职工,一分厂/一班,职工\n'), 'csv')
      expect(outcome.ok).toBe(true)
      await expect(seedDemoOrganisation(other.db)).rejects.toThrow('真实数据')
      expect(await other.db.person.findUnique({ where: { employeeNo: 'D1001' } })).toMatchObject({ name: '真实职工', demo: false })
      expect(await other.db.chatGroup.count()).toBe(0)
    } finally {
      await other.drop()
    }
  })
})
