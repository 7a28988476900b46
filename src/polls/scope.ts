/**
 * Which polls and surveys a person's part of the organisation covers — one rule for the admin API
 * (and so the dashboard) and the monthly report (issue #17). A poll is for its target units only:
 * the rows that record the groups it was posted to (a poll for 一车间 started in the company's
 * officers' group) are where it went, not whom it is for, and never widen or rename its scope.
 */
import type { Asker, UnitRow } from '../core/commands.js'
import type { Prisma } from '../generated/sqlite/client.js'
import { isUnitWithin } from '../organisation/scope.js'

export interface ViewScope {
  asker: Asker
  units: UnitRow[]
  /** Unit ids in scope, or null for the whole organisation. */
  ids: number[] | null
}

/** A poll's target units (its eligibility), as opposed to the groups it was posted to. */
export const unitTarget = { chatId: null } as const

/** Polls the asker may see: all for administrators; otherwise theirs, or aimed at a unit in their scope or above it (the company). */
export function pollScopeWhere(scope: ViewScope): Prisma.PollWhereInput {
  if (scope.ids === null) return {}
  // Units above the officer's own: a poll aimed at them is for the officer's people too.
  const above = scope.units.filter((u) => isUnitWithin(scope.asker.unit.path, u.path)).map((u) => u.id)
  const forUnits = [...new Set([...scope.ids, ...above])]
  return { OR: [{ creatorId: scope.asker.id }, { targets: { some: { ...unitTarget, unitId: { in: forUnits } } } }] }
}
