/**
 * Polls and surveys (投票, 问卷), the shared part: rows and context, refusals, voter keys, numbers,
 * targets and eligibility. The operations are one concern per file: create.ts, voting.ts,
 * results.ts; closing.ts, survey.ts, jobs.ts build on them.
 */
import crypto from 'node:crypto'
import { Refusal, type Asker, type UnitRow } from '../core/commands.js'
import type { Platform, Recipient } from '../core/types.js'
import { isUniqueViolation, type Db, type Tx } from '../db/client.js'
import { takeNumber } from '../db/counters.js'
import type { Messages } from '../messages/index.js'
import { canActOnUnit, findUnits, isUnitWithin, unitLabel } from '../organisation/scope.js'

export type PollRow = Awaited<ReturnType<Tx['poll']['findFirstOrThrow']>>
export type PollOptionRow = Awaited<ReturnType<Tx['pollOption']['findFirstOrThrow']>>
export type PollTargetRow = Awaited<ReturnType<Tx['pollTarget']['findFirstOrThrow']>>

/** What every poll operation needs: a transaction, the time, the words, the time zone, the voter-key secret. */
export interface PollContext {
  tx: Tx
  now: Date
  t: Messages
  timeZone: string
  /** The HMAC key that turns (poll, person) into a voter key; see voteSecret. */
  secret: string
  /** PRIVACY_MIN_GROUP: per-unit figures about fewer people are not shown (default 5). */
  minGroup?: number
}

/** A failure a person should read (not a bug): the text says what was wrong. */
export class PollRefusal extends Refusal {
  override name = 'PollRefusal'
}

export const refuse = (text: string): never => {
  throw new PollRefusal(text)
}

export const MIN_OPTIONS = 2
export const MAX_OPTIONS = 10
export const MAX_TITLE = 100
export const MAX_OPTION = 40
/** A poll without a deadline closes this many hours after it is created (and the creator is told so). */
export const DEFAULT_DEADLINE_HOURS = 24
export const MIN_DEADLINE_MINUTES = 5
export const MAX_DEADLINE_DAYS = 90
/** Most people named in one reminder message (the rest are counted). */
export const MAX_MENTIONS = 50

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

// ---------------------------------------------------------------------------------------------
// Voter keys

/** The Setting row that holds the generated voter-key secret when GONGYOU_SECRET is not set. */
export const VOTE_KEY_SETTING = 'voteKey'

/**
 * The secret voter keys are made with: GONGYOU_SECRET when set, else one generated on first use
 * and kept in the Setting table. Several instances starting at once agree on one: the first
 * insert wins, the others read it.
 */
export async function voteSecret(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured
  const existing = await db.setting.findUnique({ where: { key: VOTE_KEY_SETTING } })
  if (existing) return existing.value
  try {
    await db.setting.create({ data: { key: VOTE_KEY_SETTING, value: crypto.randomBytes(32).toString('base64url') } })
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
  }
  return (await db.setting.findUniqueOrThrow({ where: { key: VOTE_KEY_SETTING } })).value
}

/**
 * One key per person per poll: HMAC-SHA256(secret, "pollId:personId"). It stops a second vote
 * without storing who voted (anonymous polls keep no person id), and differs from poll to poll.
 */
export function voterKey(secret: string, pollId: number, personId: number): string {
  return crypto.createHmac('sha256', secret).update(`${pollId}:${personId}`).digest('hex')
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** `P-17`, `p17`, `P－17`, `17` → `P-17` (or `Q-…` for surveys); null when it is not a number. */
export function normalisePollNumber(input: string | undefined, prefix: 'P' | 'Q'): string | null {
  if (!input) return null
  const m = /^(?:([PQ]) ?[-－—–_]? ?)?(\d{1,7})$/i.exec(input.normalize('NFKC').trim())
  if (!m) return null
  return `${(m[1] ?? prefix).toUpperCase()}-${Number(m[2])}`
}

/** The next number (db/counters.ts). */
export async function nextNumber(tx: Tx, kind: 'poll' | 'survey'): Promise<string> {
  return `${kind === 'poll' ? 'P' : 'Q'}-${await takeNumber(tx, kind)}`
}

export async function findPoll(ctx: PollContext, number: string): Promise<PollRow> {
  return (await ctx.tx.poll.findUnique({ where: { number } })) ?? refuse(ctx.t.polls.notFound(number))
}

// ---------------------------------------------------------------------------------------------
// Targets and eligibility

/** Units whose path is within any of the given ones (the company root '' covers all). */
export function subtreeWhere(paths: string[]) {
  if (paths.includes('')) return {}
  return { OR: paths.flatMap((path) => [{ path }, { path: { startsWith: `${path}/` } }]) }
}

/** The units a poll is for (its eligibility), in target order. */
export async function targetUnits(tx: Tx, pollId: number): Promise<UnitRow[]> {
  const targets = await tx.pollTarget.findMany({ where: { pollId, chatId: null }, orderBy: { id: 'asc' } })
  const ids = targets.map((x) => x.unitId).filter((x): x is number => x !== null)
  const units = await tx.unit.findMany({ where: { id: { in: ids } } })
  return ids.map((id) => units.find((u) => u.id === id)).filter((u): u is UnitRow => !!u)
}

/** The group chats a poll was posted in (results go there too). */
export async function postedGroups(tx: Tx, pollId: number): Promise<PollTargetRow[]> {
  return tx.pollTarget.findMany({ where: { pollId, chatId: { not: null } }, orderBy: { id: 'asc' } })
}

export function chatRecipient(target: Pick<PollTargetRow, 'platform' | 'chatId'>): Recipient {
  return { kind: 'chat', platform: target.platform as Platform, chatId: target.chatId! }
}

/** Whether a person's unit lies within the poll's target units. */
export function withinTargets(unit: Pick<UnitRow, 'path'>, targets: Pick<UnitRow, 'path'>[]): boolean {
  return targets.some((t) => isUnitWithin(unit.path, t.path))
}

/** The active people a poll is for (everyone in its target units' subtrees). */
export async function eligiblePeople(tx: Tx, pollId: number): Promise<{ id: number; name: string; unitId: number }[]> {
  const targets = await targetUnits(tx, pollId)
  if (targets.length === 0) return []
  const units = await tx.unit.findMany({ where: subtreeWhere(targets.map((u) => u.path)), select: { id: true } })
  return tx.person.findMany({
    where: { active: true, unitId: { in: units.map((u) => u.id) } },
    select: { id: true, name: true, unitId: true },
    orderBy: { id: 'asc' },
  })
}

/** The units of the grids a collector collects for. */
async function gridUnits(tx: Tx, collectorId: number): Promise<UnitRow[]> {
  const grids = await tx.grid.findMany({ where: { collectors: { some: { personId: collectorId } } }, include: { units: true } })
  return grids.flatMap((g) => g.units)
}

/**
 * Whether someone may start a poll for a unit: administrators for all, officers for their unit's
 * subtree, collectors for the teams of their own grid (and nothing else).
 */
async function mayTarget(tx: Tx, creator: Asker, unit: UnitRow, collectorUnits?: UnitRow[]): Promise<boolean> {
  if (creator.role === 'admin' || creator.role === 'officer') return canActOnUnit(creator, unit)
  if (creator.role !== 'collector') return false
  const mine = collectorUnits ?? (await gridUnits(tx, creator.id))
  return mine.some((g) => isUnitWithin(unit.path, g.path))
}

export interface Source {
  platform: Platform
  /** The group chat it was started in, or null for a private chat. */
  chatId: string | null
}

/**
 * The units a new poll is for: those named (`范围 一车间`), else the unit of the group it is
 * started in, else (privately) the creator's own unit. Every one must be within the creator's part
 * of the organisation; a unit inside another target is dropped.
 */
export async function resolveTargets(ctx: PollContext, creator: Asker, named: (number | string)[] | undefined, source: Source | undefined): Promise<UnitRow[]> {
  const { tx, t } = ctx
  const collectorUnits = creator.role === 'collector' ? await gridUnits(tx, creator.id) : undefined
  let units: UnitRow[] = []
  if (named && named.length > 0) {
    for (const q of named) {
      if (typeof q === 'number') {
        units.push((await tx.unit.findUnique({ where: { id: q } })) ?? refuse(t.polls.unitNotFound(String(q))))
        continue
      }
      const found = await findUnits(tx, q)
      if (found.length === 0) refuse(t.polls.unitNotFound(q))
      if (found.length > 1) refuse(t.polls.unitAmbiguous(q, found.map(unitLabel)))
      units.push(found[0]!)
    }
  } else if (source?.chatId) {
    const chat = await tx.chatGroup.findUnique({
      where: { platform_externalId: { platform: source.platform, externalId: source.chatId } },
      include: { unit: true },
    })
    if (!chat?.unit) refuse(t.polls.groupNotBound)
    units = [chat!.unit!]
  } else {
    units = [creator.unit]
  }
  for (const u of units)
    if (!(await mayTarget(tx, creator, u, collectorUnits)))
      refuse(creator.role === 'collector' ? t.polls.collectorScope(unitLabel(u)) : t.polls.outOfScope(unitLabel(u)))
  const distinct = units.filter((u, i) => units.findIndex((x) => x.id === u.id) === i)
  return distinct.filter((u) => !distinct.some((o) => o.id !== u.id && isUnitWithin(u.path, o.path)))
}

/** Team groups bound to a unit within the targets, any platform; plus the group it was started in. */
export async function groupsFor(
  tx: Tx,
  targets: UnitRow[],
  source: Source | undefined,
): Promise<{ platform: string; chatId: string; unitId: number | null }[]> {
  const units = await tx.unit.findMany({ where: subtreeWhere(targets.map((u) => u.path)), select: { id: true } })
  const groups = await tx.chatGroup.findMany({ where: { purpose: 'team', unitId: { in: units.map((u) => u.id) } }, orderBy: { id: 'asc' } })
  const out = groups.map((g) => ({ platform: g.platform, chatId: g.externalId, unitId: g.unitId }))
  if (source?.chatId && !out.some((g) => g.platform === source.platform && g.chatId === source.chatId)) {
    const chat = await tx.chatGroup.findUnique({ where: { platform_externalId: { platform: source.platform, externalId: source.chatId } } })
    out.unshift({ platform: source.platform, chatId: source.chatId, unitId: chat?.unitId ?? null })
  }
  return out
}
