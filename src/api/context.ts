import type { FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import type { ChatCore } from '../core/chat-core.js'
import type { Clock } from '../core/clock.js'
import type { Asker, UnitRow } from '../core/commands.js'
import type { Adapter } from '../core/types.js'
import type { Db } from '../db/client.js'
import type { Prisma } from '../generated/sqlite/client.js'
import type { Messages } from '../messages/index.js'
import { scopeRoot } from '../auth/tokens.js'
import { isUnitWithin, unitLabel } from '../organisation/scope.js'

/** What the admin API and the dashboard work with: the service's own parts. */
export interface ApiDeps {
  db: Db
  core: ChatCore
  clock: Clock
  config: Config
  t: Messages
  /** The service's adapters (their status() for the platform page). */
  adapters: readonly Adapter[]
  /** The address people reach the service at (sign-in links). */
  publicUrl(): string
  /** Wakes the outbox so messages written by an API call go out now. */
  wake(): void
  /** Whether demo people's tokens, sessions and sign-in links work: only while the playground is on. */
  demoSignIn: boolean
}

/** An API failure with a stable code and a Chinese message: `{ error: { code, message, ...extra } }`. */
export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `没有找到${what}`)
export const outOfScope = (what: string) => new ApiError(403, 'out_of_scope', `${what}不在您负责的范围内`)
export const adminOnly = () => new ApiError(403, 'forbidden', '只有管理员可以进行此操作')

/** The authenticated person; the API's auth hook put them there. */
export function asker(req: FastifyRequest): Asker {
  if (!req.asker) throw new ApiError(401, 'unauthorized', '需要登录')
  return req.asker
}

export function requireAdmin(req: FastifyRequest): Asker {
  const a = asker(req)
  if (a.role !== 'admin') throw adminOnly()
  return a
}

/** The organisation as the asker may see it: every unit, and the ids within their scope (null: all). */
export interface Scope {
  asker: Asker
  root: string | null
  units: UnitRow[]
  byId: Map<number, UnitRow>
  /** Unit ids within scope, or null when the asker sees the whole organisation. */
  ids: number[] | null
  has(unit: Pick<UnitRow, 'path'>): boolean
}

export async function loadScope(db: Db, who: Asker): Promise<Scope> {
  const units = await db.unit.findMany({ orderBy: { path: 'asc' } })
  const root = scopeRoot(who)
  const ids = root === null ? null : units.filter((u) => isUnitWithin(u.path, root)).map((u) => u.id)
  return {
    asker: who,
    root,
    units,
    byId: new Map(units.map((u) => [u.id, u])),
    ids,
    has: (unit) => root === null || isUnitWithin(unit.path, root),
  }
}

/**
 * Requests the asker may see, as chat's 进度 allows: requested from a unit in their scope, waiting
 * at a level in their scope, or handed to them.
 */
export function requestScopeWhere(scope: Scope): Prisma.WorkerRequestWhereInput {
  if (scope.ids === null) return {}
  return { OR: [{ unitId: { in: scope.ids } }, { levelUnitId: { in: scope.ids } }, { assigneeId: scope.asker.id }] }
}

/** Unit ids of a unit's subtree (the unit itself included). */
export function subtreeIds(scope: Scope, unit: UnitRow): number[] {
  return scope.units.filter((u) => isUnitWithin(u.path, unit.path)).map((u) => u.id)
}

export function unitRef(unit: UnitRow | undefined | null): { id: number; path: string; label: string } | null {
  return unit ? { id: unit.id, path: unit.path, label: unitLabel(unit) } : null
}

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null)
