/**
 * Announcements (公告): counts per option and unit (small units hidden), and who voted what where the poll is named
 */
import { DEFAULT_MIN_GROUP, type Asker, type UnitRow } from '../core/commands.js'
import type { Tx } from '../db/client.js'
import { canActOnUnit, unitLabel } from '../organisation/scope.js'
import { subtreeWhere, targetUnits, withinTargets, type PollContext, type PollRow } from './service.js'
import { parseChoices, votesWritten } from './voting.js'

// ---------------------------------------------------------------------------------------------
// Results

export interface OptionCount {
  position: number
  label: string
  votes: number
  /** Share of the voters who chose it, 0–100 (sums above 100 for multiple choice). */
  percent: number
}

export interface UnitCount {
  unitId: number | null
  unit: string
  eligible: number
  voters: number
  /** True when too few answered here to show this unit's figures (see hiddenUnits): options is then empty. */
  hidden: boolean
  options: { position: number; votes: number }[]
}

/**
 * Small numbers are not shown: the units (by index) whose answers may not be shown separately —
 * those where fewer than `min` people answered, and, when those together are still fewer than
 * `min`, the smallest of the others too (or the total minus the shown units would give them away).
 * Units nobody answered in have nothing to hide.
 */
export function hiddenUnits(answered: number[], min: number): Set<number> {
  const hidden = new Set<number>()
  answered.forEach((n, i) => {
    if (n > 0 && n < min) hidden.add(i)
  })
  const hiddenTotal = () => [...hidden].reduce((a, i) => a + answered[i]!, 0)
  while (hiddenTotal() > 0 && hiddenTotal() < min) {
    const next = answered
      .map((n, i) => ({ n, i }))
      .filter(({ n, i }) => n > 0 && !hidden.has(i))
      .sort((a, b) => a.n - b.n)[0]
    if (!next) break
    hidden.add(next.i)
  }
  return hidden
}

/** A poll's counts, as the chat, a dashboard or an API show them. Never who voted what. */
export interface PollResults {
  poll: Pick<
    PollRow,
    'id' | 'number' | 'kind' | 'title' | 'anonymous' | 'maxChoices' | 'allowChange' | 'status' | 'deadline' | 'closedAt' | 'creatorId' | 'createdAt'
  >
  targets: string[]
  voters: number
  eligible: number
  options: OptionCount[]
  /** Per unit of the voters (and of the eligible people), ordered by unit path. */
  units: UnitCount[]
}

export const percentOf = (part: number, whole: number): number => (whole > 0 ? Math.round((part * 100) / whole) : 0)

/** Counts per option and per unit, for a poll (structured, for chat, dashboard and API alike). */
export async function pollResults(tx: Tx, pollId: number, minGroup = DEFAULT_MIN_GROUP): Promise<PollResults> {
  const poll = await tx.poll.findUniqueOrThrow({ where: { id: pollId } })
  await votesWritten(tx)
  const [options, votes, targets] = await Promise.all([
    tx.pollOption.findMany({ where: { pollId }, orderBy: { position: 'asc' } }),
    tx.pollVote.findMany({ where: { pollId }, select: { choices: true, unitId: true } }),
    targetUnits(tx, pollId),
  ])
  const counts = new Map<number, number>()
  const perUnit = new Map<number | null, { voters: number; counts: Map<number, number> }>()
  for (const v of votes) {
    const unit = perUnit.get(v.unitId) ?? { voters: 0, counts: new Map<number, number>() }
    unit.voters++
    for (const p of parseChoices(v.choices)) {
      counts.set(p, (counts.get(p) ?? 0) + 1)
      unit.counts.set(p, (unit.counts.get(p) ?? 0) + 1)
    }
    perUnit.set(v.unitId, unit)
  }
  const eligibleByUnit = await eligibleCounts(tx, targets)
  const unitIds = [...new Set([...perUnit.keys(), ...eligibleByUnit.keys()])]
  const unitRows = await tx.unit.findMany({ where: { id: { in: unitIds.filter((x): x is number => x !== null) } } })
  const hidden = hiddenUnits(
    unitIds.map((id) => perUnit.get(id)?.voters ?? 0),
    minGroup,
  )
  const units: UnitCount[] = unitIds
    .map((unitId, i) => {
      const row = unitRows.find((u) => u.id === unitId)
      const tally = perUnit.get(unitId)
      return {
        unitId,
        unit: row ? unitLabel(row) : '',
        eligible: unitId === null ? 0 : (eligibleByUnit.get(unitId) ?? 0),
        voters: tally?.voters ?? 0,
        hidden: hidden.has(i),
        options: hidden.has(i) ? [] : options.map((o) => ({ position: o.position, votes: tally?.counts.get(o.position) ?? 0 })),
      }
    })
    .sort((a, b) => a.unit.localeCompare(b.unit))
  return {
    poll: pick(poll),
    targets: targets.map(unitLabel),
    voters: votes.length,
    eligible: [...eligibleByUnit.values()].reduce((a, b) => a + b, 0),
    options: options.map((o) => ({
      position: o.position,
      label: o.label,
      votes: counts.get(o.position) ?? 0,
      percent: percentOf(counts.get(o.position) ?? 0, votes.length),
    })),
    units,
  }
}

export function pick(poll: PollRow): PollResults['poll'] {
  const { id, number, kind, title, anonymous, maxChoices, allowChange, status, deadline, closedAt, creatorId, createdAt } = poll
  return { id, number, kind, title, anonymous, maxChoices, allowChange, status, deadline, closedAt, creatorId, createdAt }
}

/** Active people per unit within the targets. */
export async function eligibleCounts(tx: Tx, targets: UnitRow[]): Promise<Map<number, number>> {
  if (targets.length === 0) return new Map()
  const units = await tx.unit.findMany({ where: subtreeWhere(targets.map((u) => u.path)), select: { id: true } })
  const grouped = await tx.person.groupBy({ by: ['unitId'], where: { active: true, unitId: { in: units.map((u) => u.id) } }, _count: { _all: true } })
  return new Map(grouped.map((g) => [g.unitId, g._count._all]))
}

/** Names per option, for the creator of a named poll only (anonymous polls have none to give). */
export async function votersByOption(tx: Tx, poll: PollRow): Promise<Map<number, string[]>> {
  const byOption = new Map<number, string[]>()
  if (poll.anonymous) return byOption
  await votesWritten(tx)
  const votes = await tx.pollVote.findMany({ where: { pollId: poll.id, personId: { not: null } }, select: { choices: true, personId: true } })
  const names = new Map(
    (await tx.person.findMany({ where: { id: { in: votes.map((v) => v.personId!) } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]),
  )
  for (const v of votes) for (const p of parseChoices(v.choices)) byOption.set(p, [...(byOption.get(p) ?? []), names.get(v.personId!) ?? ''])
  return byOption
}

/**
 * Who may see a poll's counts: the creator, everyone it is for, officers over a target unit,
 * administrators. Names (of a named poll) only ever go to its creator.
 */
export async function maySeeResults(ctx: PollContext, viewer: Asker, poll: PollRow): Promise<boolean> {
  if (viewer.role === 'admin' || viewer.id === poll.creatorId) return true
  const targets = await targetUnits(ctx.tx, poll.id)
  if (viewer.role === 'officer' && targets.some((u) => canActOnUnit(viewer, u))) return true
  // Surveys' answers (free text included) are for their creator and the officers; polls' counts for everyone in them.
  return poll.kind === 'poll' && withinTargets(viewer.unit, targets)
}

/** Who may close a poll early: its creator, an administrator, an officer over all its targets. */
export async function mayClose(ctx: PollContext, actor: Asker, poll: PollRow): Promise<boolean> {
  if (actor.role === 'admin' || actor.id === poll.creatorId) return true
  if (actor.role !== 'officer') return false
  const targets = await targetUnits(ctx.tx, poll.id)
  return targets.length > 0 && targets.every((u) => canActOnUnit(actor, u))
}
