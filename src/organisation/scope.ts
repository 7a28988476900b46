import type { Tx } from '../db/client.js'
import type { Asker, UnitRow } from '../core/commands.js'

/** Unit paths are relative to the company root (path ''), so a subtree is a path prefix. */
export function isUnitWithin(unitPath: string, rootPath: string): boolean {
  return rootPath === '' || unitPath === rootPath || unitPath.startsWith(`${rootPath}/`)
}

/** Whether the asker answers for this unit: administrators for all, officers for their unit's subtree. */
export function canActOnUnit(asker: Asker, unit: Pick<UnitRow, 'path'>): boolean {
  if (asker.role === 'admin') return true
  if (asker.role === 'officer') return isUnitWithin(unit.path, asker.unit.path)
  return false
}

/** A unit's display name: its path, or its name for the company root. */
export function unitLabel(unit: Pick<UnitRow, 'path' | 'name'>): string {
  return unit.path === '' ? unit.name : unit.path
}

/** Finds units by full path, or by a unique last segment / name. */
export async function findUnits(tx: Tx, query: string): Promise<UnitRow[]> {
  const q = query
    .trim()
    .replace(/[／\\]/g, '/')
    .replace(/^\/+|\/+$/g, '')
  // Retired demo units (paths starting with "/", see retireDemo) are never found.
  const live = { NOT: { path: { startsWith: '/' } } }
  const exact = await tx.unit.findMany({ where: { ...live, OR: [{ path: q }, ...(q === '' ? [] : [{ name: q }])] }, take: 10 })
  if (exact.length > 0) return exact
  return tx.unit.findMany({ where: { ...live, path: { endsWith: `/${q}` } }, take: 10 })
}
