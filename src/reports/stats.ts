/**
 * The numbers officers look at (dashboard overview) and report each month. Computed in code from
 * the requests in the asker's scope, so both databases give the same answers. Never reads who
 * wrote a request: the rows carry no requester at all.
 */
import type { UnitRow } from '../core/commands.js'
import { localParts, zonedTime } from '../core/time/zone.js'
import { isUnitWithin, unitLabel } from '../organisation/scope.js'
import { OPEN_STATUSES } from '../requests/service.js'
import { isOverdue } from '../requests/views.js'

/** The fields statistics need; deliberately without requesterId, filedById or any person. */
export const statFields = {
  id: true,
  number: true,
  status: true,
  categoryId: true,
  unitId: true,
  levelUnitId: true,
  urgent: true,
  anonymous: true,
  supervised: true,
  content: true,
  createdAt: true,
  answerDueAt: true,
  firstAnswerDueAt: true,
  resultDueAt: true,
  firstAnsweredAt: true,
  resolvedAt: true,
  closedAt: true,
  rating: true,
  ratedAt: true,
  campaignId: true,
} as const

export interface StatRow {
  id: number
  number: string
  status: string
  categoryId: number
  unitId: number
  levelUnitId: number
  urgent: boolean
  anonymous: boolean
  supervised: boolean
  content: string
  createdAt: Date
  answerDueAt: Date | null
  firstAnswerDueAt: Date | null
  resultDueAt: Date | null
  firstAnsweredAt: Date | null
  resolvedAt: Date | null
  closedAt: Date | null
  rating: number | null
  ratedAt: Date | null
  campaignId: number | null
}

export interface StatContext {
  now: Date
  timeZone: string
  categories: { id: number; name: string; sortOrder: number }[]
  units: Map<number, UnitRow>
  /** The scope's root path (null: the whole organisation). */
  root: string | null
  statusLabels: Record<string, string>
}

const isOpen = (r: Pick<StatRow, 'status'>) => (OPEN_STATUSES as readonly string[]).includes(r.status)
const isResolved = (r: Pick<StatRow, 'status' | 'resolvedAt'>) => r.resolvedAt !== null && r.status !== 'rejected'
const HOUR = 3_600_000
const round2 = (n: number) => Math.round(n * 100) / 100
const avg = (xs: number[]) => (xs.length ? round2(xs.reduce((a, b) => a + b, 0) / xs.length) : null)

// ---------------------------------------------------------------------------------- months

/** `2026-03` for an instant, in the time zone. */
export function monthOf(date: Date, timeZone: string): string {
  const p = localParts(date, timeZone)
  return `${p.year}-${String(p.month).padStart(2, '0')}`
}

/** The instants a month starts and ends at (end exclusive), in the time zone. */
export function monthRange(month: string, timeZone: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return { from: zonedTime(y, m, 1, 0, 0, timeZone), to: zonedTime(y, m + 1, 1, 0, 0, timeZone) }
}

/** The `count` months up to and including the one `now` is in. */
export function lastMonths(now: Date, timeZone: string, count: number): string[] {
  const p = localParts(now, timeZone)
  const out: string[] = []
  for (let i = count - 1; i >= 0; i--) {
    const index = p.year * 12 + (p.month - 1) - i
    out.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`)
  }
  return out
}

const within = (d: Date | null, from: Date, to: Date) => d !== null && d >= from && d < to

// ---------------------------------------------------------------------------------- grouping

/** The unit a request is counted under: the child of the scope's root that contains it (or the root itself). */
function groupPath(path: string, root: string | null): string {
  const base = root ?? ''
  if (!isUnitWithin(path, base)) return path.split('/')[0] ?? path
  if (path === base) return base
  const rest = base === '' ? path : path.slice(base.length + 1)
  const next = rest.split('/')[0]!
  return base === '' ? next : `${base}/${next}`
}

function unitGroups(ctx: StatContext) {
  const byPath = new Map([...ctx.units.values()].map((u) => [u.path, u]))
  return (unitId: number): { path: string; label: string } => {
    const unit = ctx.units.get(unitId)
    if (!unit) return { path: '?', label: '?' }
    const path = groupPath(unit.path, ctx.root)
    const group = byPath.get(path)
    return { path, label: group ? unitLabel(group) : path }
  }
}

// ---------------------------------------------------------------------------------- deadlines

export interface Compliance {
  onTime: number
  late: number
  /** Not answered yet and not yet due. */
  pending: number
  /** onTime / (onTime + late), 0–1, or null when nothing was due. */
  share: number | null
}

/**
 * THE answer deadline figures are judged by: the one set at filing. An escalation gives the next
 * level a fresh deadline to work to, but it does not make a late answer on time (a request
 * escalated because it was late stays late). Rows from before the column existed fall back to
 * the current deadline.
 */
export function firstAnswerDue(r: Pick<StatRow, 'firstAnswerDueAt' | 'answerDueAt'>): Date | null {
  return r.firstAnswerDueAt ?? r.answerDueAt
}

/** 按时答复: first answered (accepted, replied, resolved or rejected) no later than the deadline set at filing. */
export function answeredOnTime(r: Pick<StatRow, 'firstAnswerDueAt' | 'answerDueAt' | 'firstAnsweredAt'>): boolean {
  const due = firstAnswerDue(r)
  return !!due && !!r.firstAnsweredAt && r.firstAnsweredAt <= due
}

/** First answers: answered by the deadline set at filing, late (answered late, or unanswered past it), or still within it. */
export function answerCompliance(rows: StatRow[], now: Date): Compliance {
  return compliance(rows, now, (r) => r.firstAnsweredAt, firstAnswerDue)
}

/** Results: resolved (or rejected) within resultDueAt. */
export function resultCompliance(rows: StatRow[], now: Date): Compliance {
  return compliance(
    rows,
    now,
    (r) => (r.status === 'rejected' ? r.closedAt : r.resolvedAt),
    (r) => r.resultDueAt,
  )
}

function compliance(rows: StatRow[], now: Date, doneAt: (r: StatRow) => Date | null, dueAt: (r: StatRow) => Date | null): Compliance {
  let onTime = 0
  let late = 0
  let pending = 0
  for (const r of rows) {
    const due = dueAt(r)
    const done = doneAt(r)
    if (!due) continue
    if (done) done <= due ? onTime++ : late++
    else if (due < now && isOpen(r)) late++
    else if (isOpen(r)) pending++
  }
  return { onTime, late, pending, share: onTime + late > 0 ? Math.round((onTime / (onTime + late)) * 1000) / 1000 : null }
}

function times(rows: StatRow[]) {
  return {
    firstAnswerHours: avg(rows.filter((r) => r.firstAnsweredAt).map((r) => (r.firstAnsweredAt!.getTime() - r.createdAt.getTime()) / HOUR)),
    resultHours: avg(rows.filter(isResolved).map((r) => (r.resolvedAt!.getTime() - r.createdAt.getTime()) / HOUR)),
  }
}

export interface Satisfaction {
  count: number
  average: number | null
  /** Counts of scores 1 to 5. */
  distribution: { score: number; count: number }[]
}

export function satisfaction(rows: StatRow[]): Satisfaction {
  const rated = rows.filter((r) => r.rating !== null)
  return {
    count: rated.length,
    average: rated.length ? Math.round((rated.reduce((a, r) => a + r.rating!, 0) / rated.length) * 100) / 100 : null,
    distribution: [1, 2, 3, 4, 5].map((score) => ({ score, count: rated.filter((r) => r.rating === score).length })),
  }
}

function supervisedItems(rows: StatRow[], ctx: StatContext) {
  const cats = new Map(ctx.categories.map((c) => [c.id, c.name]))
  const label = (id: number) => {
    const u = ctx.units.get(id)
    return u ? unitLabel(u) : ''
  }
  return rows
    .filter((r) => r.supervised)
    .sort((a, b) => Number(isOpen(b)) - Number(isOpen(a)) || a.id - b.id)
    .map((r) => ({
      number: r.number,
      status: r.status,
      statusLabel: ctx.statusLabels[r.status] ?? r.status,
      category: cats.get(r.categoryId) ?? '',
      unit: label(r.unitId),
      level: label(r.levelUnitId),
      overdue: isOverdue(r, ctx.now),
      content: r.content.length > 60 ? `${r.content.slice(0, 60)}…` : r.content,
      createdAt: r.createdAt.toISOString(),
    }))
}

function sortedCategories(ctx: StatContext) {
  return [...ctx.categories].sort((a, b) => a.sortOrder - b.sortOrder || a.id - b.id)
}

// ---------------------------------------------------------------------------------- overview

/** The dashboard's overview of every request in scope. */
export function overview(rows: StatRow[], ctx: StatContext, months = 12) {
  const now = ctx.now
  const group = unitGroups(ctx)
  const open = rows.filter(isOpen)
  const byCategory = sortedCategories(ctx)
    .map((c) => {
      const mine = rows.filter((r) => r.categoryId === c.id)
      return {
        id: c.id,
        name: c.name,
        total: mine.length,
        open: mine.filter(isOpen).length,
        overdue: mine.filter((r) => isOverdue(r, now)).length,
        resolved: mine.filter(isResolved).length,
      }
    })
    .filter((c) => c.total > 0)
  const units = new Map<string, { path: string; label: string; total: number; open: number; overdue: number; resolved: number }>()
  for (const r of rows) {
    const g = group(r.unitId)
    const u = units.get(g.path) ?? { ...g, total: 0, open: 0, overdue: 0, resolved: 0 }
    u.total++
    if (isOpen(r)) u.open++
    if (isOverdue(r, now)) u.overdue++
    if (isResolved(r)) u.resolved++
    units.set(g.path, u)
  }
  const monthKeys = lastMonths(now, ctx.timeZone, months)
  const byMonth = monthKeys.map((month) => ({ month, filed: 0, resolved: 0 }))
  const index = new Map(monthKeys.map((m, i) => [m, i]))
  for (const r of rows) {
    const filed = index.get(monthOf(r.createdAt, ctx.timeZone))
    if (filed !== undefined) byMonth[filed]!.filed++
    if (isResolved(r)) {
      const resolved = index.get(monthOf(r.resolvedAt!, ctx.timeZone))
      if (resolved !== undefined) byMonth[resolved]!.resolved++
    }
  }
  return {
    totals: {
      total: rows.length,
      open: open.length,
      overdue: rows.filter((r) => isOverdue(r, now)).length,
      resolved: rows.filter(isResolved).length,
      rejected: rows.filter((r) => r.status === 'rejected').length,
      urgentOpen: open.filter((r) => r.urgent).length,
      supervisedOpen: open.filter((r) => r.supervised).length,
      anonymous: rows.filter((r) => r.anonymous).length,
    },
    byCategory,
    byUnit: [...units.values()].sort((a, b) => b.total - a.total || a.path.localeCompare(b.path)),
    byMonth,
    deadline: { answer: answerCompliance(rows, now), result: resultCompliance(rows, now) },
    times: times(rows),
    satisfaction: satisfaction(rows),
    supervised: supervisedItems(rows, ctx),
  }
}

// ---------------------------------------------------------------------------------- monthly

export interface ActivityCounts {
  campaigns: number
  announcements: number
  acknowledgements: number
  signups: number
  polls: number
  votes: number
}

/**
 * The monthly report: requests filed in the month by category and unit, results and rejections
 * in the month, deadline compliance and times of the month's requests, ratings given in the
 * month, supervised items that were open in the month. Anonymous requests are counted, never named.
 */
export function monthly(rows: StatRow[], ctx: StatContext, month: string, activities: ActivityCounts | null) {
  const { from, to } = monthRange(month, ctx.timeZone)
  const now = ctx.now
  const group = unitGroups(ctx)
  const filed = rows.filter((r) => within(r.createdAt, from, to))
  const resolvedIn = (r: StatRow) => isResolved(r) && within(r.resolvedAt, from, to)
  const rejectedIn = (r: StatRow) => r.status === 'rejected' && within(r.closedAt, from, to)
  const ratedIn = rows.filter((r) => r.rating !== null && within(r.ratedAt, from, to))
  // Deadlines are judged as of the month's end, or now for the current month.
  // biome-ignore lint/complexity/useMathMinMax: Dates, not numbers (Math.min would return a number)
  const asOf = now < to ? now : to
  const answer = answerCompliance(filed, asOf)

  const line = (subset: StatRow[], all: StatRow[]) => {
    const c = answerCompliance(subset, asOf)
    return {
      filed: subset.length,
      anonymous: subset.filter((r) => r.anonymous).length,
      resolved: all.filter(resolvedIn).length,
      rejected: all.filter(rejectedIn).length,
      open: subset.filter(isOpen).length,
      answeredOnTime: c.onTime,
      answeredLate: c.late,
    }
  }
  const byCategory = sortedCategories(ctx)
    .map((c) => {
      const rated = ratedIn.filter((r) => r.categoryId === c.id)
      return {
        category: c.name,
        ...line(
          filed.filter((r) => r.categoryId === c.id),
          rows.filter((r) => r.categoryId === c.id),
        ),
        ratingAverage: satisfaction(rated).average,
      }
    })
    .filter((c) => c.filed + c.resolved + c.rejected > 0)
  const unitKeys = new Map<string, string>()
  for (const r of rows.filter((x) => within(x.createdAt, from, to) || resolvedIn(x) || rejectedIn(x))) {
    const g = group(r.unitId)
    unitKeys.set(g.path, g.label)
  }
  const byUnit = [...unitKeys.entries()]
    .map(([path, label]) => {
      const mine = rows.filter((r) => group(r.unitId).path === path)
      return {
        unit: label,
        path,
        ...line(
          mine.filter((r) => within(r.createdAt, from, to)),
          mine,
        ),
      }
    })
    .sort((a, b) => b.filed - a.filed || a.path.localeCompare(b.path))
  const supervised = supervisedItems(
    rows.filter((r) => r.supervised && r.createdAt < to && (isOpen(r) || (r.closedAt ?? r.resolvedAt ?? now) >= from)),
    ctx,
  )
  return {
    month,
    from: from.toISOString(),
    to: to.toISOString(),
    timeZone: ctx.timeZone,
    totals: {
      filed: filed.length,
      anonymous: filed.filter((r) => r.anonymous).length,
      urgent: filed.filter((r) => r.urgent).length,
      resolved: rows.filter(resolvedIn).length,
      rejected: rows.filter(rejectedIn).length,
      open: filed.filter(isOpen).length,
      supervised: supervised.length,
    },
    deadline: { answer, result: resultCompliance(filed, asOf) },
    times: times(filed),
    satisfaction: satisfaction(ratedIn),
    byCategory,
    byUnit,
    supervised,
    activities,
  }
}

export type MonthlyReport = ReturnType<typeof monthly>
export type Overview = ReturnType<typeof overview>
