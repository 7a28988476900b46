import type { Tx } from '../db/client.js'
import { rememberedWork } from '../db/read-memo.js'
import type { PersonRow, UnitRow } from '../core/commands.js'

export interface Level {
  unit: UnitRow
  /** The officers told about the request at this level: the category's specialists there, else the general officers. */
  officers: PersonRow[]
}

/** The unit and its ancestors, nearest first. */
export function ladder(tx: Tx, unitId: number): Promise<UnitRow[]> {
  return rememberedWork('ladder', unitId, () => climb(tx, unitId))
}

async function climb(tx: Tx, unitId: number): Promise<UnitRow[]> {
  const chain: UnitRow[] = []
  let next: number | null = unitId
  while (next !== null && chain.length < 50) {
    const unit: UnitRow | null = await tx.unit.findUnique({ where: { id: next } })
    if (!unit) break
    chain.push(unit)
    next = unit.parentId
  }
  return chain
}

async function officersAt(tx: Tx, unitId: number, categoryId: number): Promise<PersonRow[]> {
  const officers = await tx.person.findMany({ where: { unitId, role: 'officer', active: true }, include: { categories: true }, orderBy: { id: 'asc' } })
  const specialists = officers.filter((o) => o.categories.some((c) => c.categoryId === categoryId))
  const general = officers.filter((o) => o.categories.length === 0)
  return (specialists.length > 0 ? specialists : general).map(({ categories: _c, ...p }) => p)
}

/**
 * Where a request goes: the nearest level up from `fromUnitId` (inclusive) that has an officer
 * for its category or a general officer. Null when no level above has any.
 */
export function responsibleLevel(tx: Tx, fromUnitId: number, categoryId: number, inclusive = true): Promise<Level | null> {
  return rememberedWork('responsibleLevel', `${fromUnitId} ${categoryId} ${inclusive}`, () => findLevel(tx, fromUnitId, categoryId, inclusive))
}

async function findLevel(tx: Tx, fromUnitId: number, categoryId: number, inclusive: boolean): Promise<Level | null> {
  const chain = await ladder(tx, fromUnitId)
  for (const unit of inclusive ? chain : chain.slice(1)) {
    const officers = await officersAt(tx, unit.id, categoryId)
    if (officers.length > 0) return { unit, officers }
  }
  return null
}

/** The union chair (officers at the company root) and the administrators: where the top level's misses go. */
export async function chairAndAdministrators(tx: Tx): Promise<PersonRow[]> {
  const root = await tx.unit.findFirst({ where: { parentId: null }, orderBy: { id: 'asc' } })
  return tx.person.findMany({
    where: { active: true, OR: [{ role: 'admin' }, ...(root ? [{ role: 'officer', unitId: root.id }] : [])] },
    orderBy: { id: 'asc' },
  })
}
