/** Importing checked roster rows in one transaction: units, grids, people and collectors; a real roster retires the demo. */
import type { Db, Tx } from '../db/client.js'
import { retireDemo } from './roster-demo.js'
import { chunks, type Role, type RosterImportOptions, type RosterImportResult, type RosterRow, splitUnitPath, unitLevel } from './roster-rows.js'

interface CachedUnit {
  id: number
  name: string
  path: string
  gridId: number | null
}

interface ExistingPerson {
  id: number
  employeeNo: string
  name: string
  phone: string | null
  role: string
  unitId: number
  active: boolean
  birthday: string | null
}

interface PersonUpdate {
  name?: string
  unitId?: number
  role?: Role
  phone?: string | null
  active?: boolean
  birthday?: string | null
}

/**
 * Imports valid roster rows in one transaction: creates the company root and every missing unit,
 * upserts people by employee number, puts collectors into their grids. Re-importing the same rows
 * changes nothing.
 */
export async function importRoster(db: Db, rows: RosterRow[], opts: RosterImportOptions = {}): Promise<RosterImportResult> {
  const seen = new Set<string>()
  for (const row of rows) {
    if (seen.has(row.employeeNo)) throw new Error(`duplicate employeeNo in roster rows: ${row.employeeNo}`)
    seen.add(row.employeeNo)
  }
  return db.$transaction(async (tx) => importInTransaction(tx, rows, opts), { timeout: 60_000 })
}

async function importInTransaction(tx: Tx, rows: RosterRow[], opts: RosterImportOptions): Promise<RosterImportResult> {
  const demo = opts.demo ?? false
  // A real roster replaces the demo organisation, in this same transaction: all or nothing.
  const demoRetired = demo ? 0 : await retireDemo(tx)
  const { root, byId, rowUnits, unitsCreated } = await ensureUnits(tx, rows, opts, demo)
  const collectorGrid = await assignGrids(tx, rows, rowUnits, root, byId)
  const plan = await planPeople(tx, rows, rowUnits, collectorGrid)
  await applyPeople(tx, plan, rowUnits, collectorGrid, demo)
  const { toCreate, updated, unchanged } = plan
  return { created: toCreate.length, updated, unchanged, unitsCreated, ...(demoRetired > 0 ? { demoRetired } : {}) }
}

/** The unit of every row (index by index), creating the company root and every missing unit on the way. */
async function ensureUnits(
  tx: Tx,
  rows: RosterRow[],
  opts: RosterImportOptions,
  demo: boolean,
): Promise<{ root: CachedUnit; byId: Map<number, CachedUnit>; rowUnits: CachedUnit[]; unitsCreated: number }> {
  let unitsCreated = 0
  // Units, cached by path.
  const byPath = new Map<string, CachedUnit>()
  const byId = new Map<number, CachedUnit>()
  const remember = (u: CachedUnit): CachedUnit => {
    byPath.set(u.path, u)
    byId.set(u.id, u)
    return u
  }
  const unitSelect = { id: true, name: true, path: true, gridId: true } as const
  for (const u of await tx.unit.findMany({ select: unitSelect })) remember(u)
  let root = byPath.get('')
  if (!root) {
    root = remember(await tx.unit.create({ data: { name: opts.companyName ?? '公司', path: '', level: 'company', demo }, select: unitSelect }))
    unitsCreated++
  }
  const rootNames = new Set([root.name, '公司', ...(opts.companyName ? [opts.companyName] : [])])

  const ensureUnit = async (segments: string[]): Promise<CachedUnit> => {
    let parent = root
    for (let depth = 1; depth <= segments.length; depth++) {
      const unitPath = segments.slice(0, depth).join('/')
      let unit = byPath.get(unitPath)
      if (!unit) {
        const name = segments[depth - 1]!
        unit = remember(
          await tx.unit.create({
            data: { name, path: unitPath, level: unitLevel(name, depth), parentId: parent.id, demo },
            select: unitSelect,
          }),
        )
        unitsCreated++
      }
      parent = unit
    }
    return parent
  }

  const rowUnits: CachedUnit[] = []
  for (const row of rows) {
    const segments = splitUnitPath(row.unit)
    if (segments === null) throw new Error(`invalid unit path: ${row.unit}`)
    if (segments.length > 0 && rootNames.has(segments[0]!)) segments.shift()
    rowUnits.push(await ensureUnit(segments))
  }
  return { root, byId, rowUnits, unitsCreated }
}

/** Puts units into grids (the 网格 column, else each collector's unit's grid, made when missing); answers each collector row's grid. */
async function assignGrids(tx: Tx, rows: RosterRow[], rowUnits: CachedUnit[], root: CachedUnit, byId: Map<number, CachedUnit>): Promise<Map<number, number>> {
  // Grids: the 网格 column first, then each collector's unit's grid (made when missing).
  const gridsByName = new Map<string, number>()
  for (const g of await tx.grid.findMany({ select: { id: true, name: true } })) gridsByName.set(g.name, g.id)
  const gridNamed = async (name: string): Promise<number> => {
    let id = gridsByName.get(name)
    if (id === undefined) {
      id = (await tx.grid.create({ data: { name }, select: { id: true } })).id
      gridsByName.set(name, id)
    }
    return id
  }
  const unitGrid = new Map<number, number>()
  const collectorGrid = new Map<number, number>() // row index → grid id
  for (const [i, row] of rows.entries()) {
    if (row.grid && (row.role === 'worker' || row.role === 'collector')) {
      const gridId = await gridNamed(row.grid)
      unitGrid.set(rowUnits[i]!.id, gridId)
      if (row.role === 'collector') collectorGrid.set(i, gridId)
    }
  }
  for (const [i, row] of rows.entries()) {
    if (row.role !== 'collector' || collectorGrid.has(i)) continue
    const unit = rowUnits[i]!
    let gridId = unitGrid.get(unit.id) ?? unit.gridId
    if (gridId === null) {
      gridId = await gridNamed(unit.path === '' ? root.name : unit.path)
      unitGrid.set(unit.id, gridId)
    }
    collectorGrid.set(i, gridId)
  }
  for (const [unitId, gridId] of unitGrid) {
    const unit = byId.get(unitId)!
    if (unit.gridId !== gridId) {
      await tx.unit.update({ where: { id: unitId }, data: { gridId } })
      unit.gridId = gridId
    }
  }
  return collectorGrid
}

/** What the import changes about people: who is new, the same change for many in one update, collector links to add and remove. */
interface PeoplePlan {
  toCreate: { index: number; row: RosterRow }[]
  updates: Map<string, { data: PersonUpdate; ids: number[] }>
  addLinks: { gridId: number; personId: number }[]
  removeLinks: Map<number, number[]>
  updated: number
  unchanged: number
}

/** Compares the rows with the people already there (read in chunks); writes nothing. */
async function planPeople(tx: Tx, rows: RosterRow[], rowUnits: CachedUnit[], collectorGrid: Map<number, number>): Promise<PeoplePlan> {
  const existing = new Map<string, ExistingPerson>()
  const memberships = new Map<number, Set<number>>() // person id → grid ids they collect for
  for (const part of chunks(rows, 1000)) {
    const people = await tx.person.findMany({
      where: { employeeNo: { in: part.map((r) => r.employeeNo) } },
      select: { id: true, employeeNo: true, name: true, phone: true, role: true, unitId: true, active: true, birthday: true },
    })
    for (const p of people) existing.set(p.employeeNo, p)
    const links = await tx.gridCollector.findMany({ where: { personId: { in: people.map((p) => p.id) } } })
    for (const l of links) {
      let set = memberships.get(l.personId)
      if (!set) memberships.set(l.personId, (set = new Set()))
      set.add(l.gridId)
    }
  }

  let updated = 0
  let unchanged = 0
  const toCreate: { index: number; row: RosterRow }[] = []
  const addLinks: { gridId: number; personId: number }[] = []
  const removeLinks = new Map<number, number[]>() // grid id → person ids
  const updates = new Map<string, { data: PersonUpdate; ids: number[] }>() // same change, one updateMany
  for (const [i, row] of rows.entries()) {
    const person = existing.get(row.employeeNo)
    if (!person) {
      toCreate.push({ index: i, row })
      continue
    }
    const unitId = rowUnits[i]!.id
    const data: PersonUpdate = {}
    if (person.name !== row.name) data.name = row.name
    if (person.unitId !== unitId) data.unitId = unitId
    if (person.role !== row.role) data.role = row.role
    if (row.phone !== undefined && person.phone !== row.phone) data.phone = row.phone
    if (row.birthday !== undefined && person.birthday !== row.birthday) data.birthday = row.birthday
    if (!person.active) data.active = true

    const current = memberships.get(person.id) ?? new Set<number>()
    const wanted = collectorGrid.get(i)
    const stale = [...current].filter((g) => g !== wanted)
    const missingLink = wanted !== undefined && !current.has(wanted)
    for (const gridId of stale) {
      const ids = removeLinks.get(gridId)
      if (ids) ids.push(person.id)
      else removeLinks.set(gridId, [person.id])
    }
    if (missingLink) addLinks.push({ gridId: wanted, personId: person.id })

    const changed = Object.keys(data).length > 0
    if (changed) {
      const key = JSON.stringify(data)
      const group = updates.get(key)
      if (group) group.ids.push(person.id)
      else updates.set(key, { data, ids: [person.id] })
    }
    if (changed || stale.length > 0 || missingLink) updated++
    else unchanged++
  }
  return { toCreate, updates, addLinks, removeLinks, updated, unchanged }
}

/** Writes the plan: new people (and their links), grouped updates, removed and added collector links. */
async function applyPeople(tx: Tx, plan: PeoplePlan, rowUnits: CachedUnit[], collectorGrid: Map<number, number>, demo: boolean): Promise<void> {
  const { toCreate, updates, addLinks, removeLinks } = plan
  for (const part of chunks(toCreate, 500)) {
    const created = await tx.person.createManyAndReturn({
      data: part.map(({ index, row }) => ({
        employeeNo: row.employeeNo,
        name: row.name,
        phone: row.phone ?? null,
        birthday: row.birthday ?? null,
        role: row.role,
        unitId: rowUnits[index]!.id,
        demo,
      })),
      select: { id: true, employeeNo: true },
    })
    const idOf = new Map(created.map((p) => [p.employeeNo, p.id]))
    for (const { index, row } of part) {
      const gridId = collectorGrid.get(index)
      if (gridId !== undefined) addLinks.push({ gridId, personId: idOf.get(row.employeeNo)! })
    }
  }
  for (const { data, ids } of updates.values()) {
    if (ids.length === 1) await tx.person.updateMany({ where: { id: ids[0]! }, data })
    else for (const part of chunks(ids, 1000)) await tx.person.updateMany({ where: { id: { in: part } }, data })
  }
  for (const [gridId, personIds] of removeLinks) {
    for (const part of chunks(personIds, 1000)) await tx.gridCollector.deleteMany({ where: { gridId, personId: { in: part } } })
  }
  for (const part of chunks(addLinks, 1000)) await tx.gridCollector.createMany({ data: part })
}
