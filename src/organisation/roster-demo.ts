/** Retiring the demo organisation when a real roster comes in. */
import { personSubject } from '../core/state.js'
import type { Tx } from '../db/client.js'
import { chunks } from './roster-rows.js'

/** Marks a retired demo person's employee number; the roster's numbers (ASCII only) can never take this form. */
export const RETIRED_DEMO_SUFFIX = '（演示）'
/** Retired demo units hang under a path that starts with "/", which no roster unit can have. */
export const RETIRED_DEMO_PREFIX = '/'

/**
 * Retires the demo organisation (示例集团（演示）) so that nothing of it can act or be acted as once
 * a real roster is in: demo people become inactive, their employee numbers move out of the
 * roster's way (a real D9000 is a new person, never the demo administrator), and their platform
 * identities, API tokens, dashboard sessions, sign-in links and conversations are removed; demo
 * chat groups are unbound; demo units leave the company root (path '') and the roster's paths
 * (their paths move under "/示例集团（演示）"), so the real import makes its own root and units.
 * Requests and polls of demo people stay, attached to the retired people and units, for history.
 * Answers how many demo people were retired (0 when there was no active demo).
 */
export async function retireDemo(tx: Tx): Promise<number> {
  const people = await tx.person.findMany({ where: { demo: true }, select: { id: true, employeeNo: true, active: true } })
  const units = await tx.unit.findMany({
    where: { demo: true, NOT: { path: { startsWith: RETIRED_DEMO_PREFIX } } },
    select: { id: true, path: true, name: true, gridId: true },
  })
  const chats = await tx.chatGroup.count({ where: { demo: true, unitId: { not: null } } })
  const retiring = people.filter((p) => p.active || !p.employeeNo.endsWith(RETIRED_DEMO_SUFFIX))
  if (retiring.length === 0 && units.length === 0 && chats === 0) return 0

  const ids = people.map((p) => p.id)
  for (const part of chunks(ids, 1000)) {
    await tx.platformIdentity.deleteMany({ where: { personId: { in: part } } })
    await tx.apiToken.deleteMany({ where: { personId: { in: part } } })
    await tx.conversation.deleteMany({ where: { subject: { in: part.map(personSubject) } } })
    await tx.gridCollector.deleteMany({ where: { personId: { in: part } } })
  }
  for (const p of retiring) {
    const employeeNo = p.employeeNo.endsWith(RETIRED_DEMO_SUFFIX) ? p.employeeNo : `${p.employeeNo}${RETIRED_DEMO_SUFFIX}`
    await tx.person.update({ where: { id: p.id }, data: { active: false, employeeNo } })
  }
  await tx.chatGroup.updateMany({ where: { demo: true }, data: { unitId: null } })

  // Units: out of the company root's place and out of the roster's paths; their grids go with them.
  const root = units.find((u) => u.path === '')
  const base = `${RETIRED_DEMO_PREFIX}${root?.name ?? '演示'}`
  const grids = new Set(units.map((u) => u.gridId).filter((g): g is number => g !== null))
  for (const u of units) await tx.unit.update({ where: { id: u.id }, data: { path: u.path === '' ? base : `${base}/${u.path}`, gridId: null } })
  for (const gridId of grids) {
    const [inUse, collectors] = await Promise.all([tx.unit.count({ where: { gridId } }), tx.gridCollector.count({ where: { gridId } })])
    if (inUse === 0 && collectors === 0) await tx.grid.delete({ where: { id: gridId } })
  }
  return retiring.length
}
