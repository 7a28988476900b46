import crypto from 'node:crypto'
import { z } from 'zod'
import { DEFAULT_MIN_GROUP, Refusal, type Asker, type UnitRow } from '../core/commands.js'
import { formatLocal } from '../core/time/zone.js'
import { PLATFORMS, type OutboundMessage, type Platform, type Recipient } from '../core/types.js'
import { parseWhen } from '../core/time/when.js'
import { isUniqueViolation, type Db, type Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import { canActOnUnit, findUnits, isUnitWithin, unitLabel } from '../organisation/scope.js'
import { pollPost } from './views.js'

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

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

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

/** The next number, atomic on both databases (an upsert that increments). */
async function nextNumber(tx: Tx, kind: 'poll' | 'survey'): Promise<string> {
  const row = await tx.counter.upsert({ where: { name: kind }, create: { name: kind, value: 1 }, update: { value: { increment: 1 } } })
  return `${kind === 'poll' ? 'P' : 'Q'}-${row.value}`
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
  return tx.person.findMany({ where: { active: true, unitId: { in: units.map((u) => u.id) } }, select: { id: true, name: true, unitId: true }, orderBy: { id: 'asc' } })
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
async function resolveTargets(ctx: PollContext, creator: Asker, named: (number | string)[] | undefined, source: Source | undefined): Promise<UnitRow[]> {
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
    const chat = await tx.chatGroup.findUnique({ where: { platform_externalId: { platform: source.platform, externalId: source.chatId } }, include: { unit: true } })
    if (!chat?.unit) refuse(t.polls.groupNotBound)
    units = [chat!.unit!]
  } else {
    units = [creator.unit]
  }
  for (const u of units) if (!(await mayTarget(tx, creator, u, collectorUnits))) refuse(creator.role === 'collector' ? t.polls.collectorScope(unitLabel(u)) : t.polls.outOfScope(unitLabel(u)))
  const distinct = units.filter((u, i) => units.findIndex((x) => x.id === u.id) === i)
  return distinct.filter((u) => !distinct.some((o) => o.id !== u.id && isUnitWithin(u.path, o.path)))
}

/** Team groups bound to a unit within the targets, any platform; plus the group it was started in. */
async function groupsFor(tx: Tx, targets: UnitRow[], source: Source | undefined): Promise<{ platform: string; chatId: string; unitId: number | null }[]> {
  const units = await tx.unit.findMany({ where: subtreeWhere(targets.map((u) => u.path)), select: { id: true } })
  const groups = await tx.chatGroup.findMany({ where: { purpose: 'team', unitId: { in: units.map((u) => u.id) } }, orderBy: { id: 'asc' } })
  const out = groups.map((g) => ({ platform: g.platform, chatId: g.externalId, unitId: g.unitId }))
  if (source?.chatId && !out.some((g) => g.platform === source.platform && g.chatId === source.chatId)) {
    const chat = await tx.chatGroup.findUnique({ where: { platform_externalId: { platform: source.platform, externalId: source.chatId } } })
    out.unshift({ platform: source.platform, chatId: source.chatId, unitId: chat?.unitId ?? null })
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Creating

const platformSchema = z.enum(PLATFORMS)

/** Where a poll or survey is for and until when: shared by polls and surveys. */
const commonShape = {
  /** The person starting it (an officer, administrator, or a collector for their own grid). */
  creatorId: z.number().int().positive(),
  title: z.string(),
  anonymous: z.boolean().optional(),
  /** A Date, an ISO 8601 string, or words such as `周五18:00` / `3天后`; default: 24 hours from now. */
  deadline: z.union([z.date(), z.string()]).optional(),
  /** Unit ids, paths or names; default: the source group's unit, else the creator's unit. */
  units: z.array(z.union([z.number().int().positive(), z.string().min(1).max(200)])).max(20).optional(),
  /** Where it was started (its group is posted to as well). */
  source: z.object({ platform: platformSchema, chatId: z.string().min(1).max(200).nullable() }).optional(),
}

/** The input of createPoll, for the chat command and the admin API alike. */
export const createPollSchema = z.object({
  ...commonShape,
  options: z.array(z.string()).max(50),
  /** Most options one person may choose; 1 = single choice; at most the number of options. */
  maxChoices: z.number().int().min(1).optional(),
  /** False: a vote is final (`不可改`). */
  allowChange: z.boolean().optional(),
})
export type CreatePollInput = z.input<typeof createPollSchema>

export const questionSchema = z.object({
  kind: z.enum(['choice', 'scale', 'text']),
  prompt: z.string(),
  options: z.array(z.string()).max(50).optional(),
  maxChoices: z.number().int().min(1).max(MAX_OPTIONS).optional(),
})
export type QuestionInput = z.input<typeof questionSchema>

export const createSurveySchema = z.object({
  ...commonShape,
  questions: z.array(questionSchema).max(50),
})
export type CreateSurveyInput = z.input<typeof createSurveySchema>

function parseInput<S extends z.ZodType>(ctx: PollContext, schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) refuse(ctx.t.polls.invalidInput(parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')))
  return (parsed as { data: z.infer<S> }).data
}

/** Compares option labels as people see them: width, case and spacing do not make them different. */
export function sameLabel(a: string, b: string): boolean {
  const key = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toLowerCase()
  return key(a) === key(b)
}

/** Checks a title and a list of options, with answers a person can act on. */
export function checkOptions(t: Messages, title: string, options: string[]): { title: string; options: string[] } {
  const cleanTitle = title.trim()
  if (!cleanTitle) refuse(t.polls.needTitle)
  if (cleanTitle.length > MAX_TITLE) refuse(t.polls.titleTooLong(MAX_TITLE))
  const clean = options.map((o) => o.trim())
  if (clean.some((o) => o === '')) refuse(t.polls.emptyOption)
  if (clean.length < MIN_OPTIONS) refuse(t.polls.tooFewOptions(MIN_OPTIONS))
  if (clean.length > MAX_OPTIONS) refuse(t.polls.tooManyOptions(MAX_OPTIONS, clean.length))
  const long = clean.find((o) => o.length > MAX_OPTION)
  if (long) refuse(t.polls.optionTooLong(long.slice(0, 10), MAX_OPTION))
  for (let i = 0; i < clean.length; i++) {
    const j = clean.findIndex((o, k) => k > i && sameLabel(o, clean[i]!))
    if (j !== -1) refuse(t.polls.duplicateOption(clean[i]!, i + 1, j + 1))
  }
  return { title: cleanTitle, options: clean }
}

/** The deadline: given (a Date, ISO text or words) or DEFAULT_DEADLINE_HOURS from now; within bounds. */
export function resolveDeadline(ctx: PollContext, deadline: Date | string | undefined): { at: Date; defaulted: boolean } {
  const { t, now } = ctx
  let at: Date
  const defaulted = deadline === undefined || (typeof deadline === 'string' && deadline.trim() === '')
  if (defaulted) at = new Date(now.getTime() + DEFAULT_DEADLINE_HOURS * HOUR)
  else if (deadline instanceof Date) at = deadline
  else if (/^\d{4}-\d{2}-\d{2}T/.test(deadline!.trim())) at = new Date(deadline!.trim())
  else {
    const when = parseWhen(deadline!, now, ctx.timeZone, t.when)
    if ('error' in when) refuse(`${t.polls.deadlineWord}${when.error}`)
    at = (when as { at: Date }).at
  }
  if (!Number.isFinite(at.getTime())) refuse(`${t.polls.deadlineWord}${t.when.notUnderstood(String(deadline))}`)
  if (at.getTime() <= now.getTime()) refuse(`${t.polls.deadlineWord}${t.when.past(formatLocal(at, ctx.timeZone))}`)
  if (at.getTime() - now.getTime() < MIN_DEADLINE_MINUTES * MINUTE) refuse(t.polls.deadlineTooSoon(MIN_DEADLINE_MINUTES))
  if (at.getTime() - now.getTime() > MAX_DEADLINE_DAYS * DAY) refuse(t.polls.deadlineTooFar(MAX_DEADLINE_DAYS))
  return { at, defaulted }
}

async function loadCreator(ctx: PollContext, creatorId: number): Promise<Asker> {
  const creator = await ctx.tx.person.findUnique({ where: { id: creatorId }, include: { unit: true } })
  if (!creator || !creator.active) refuse(ctx.t.polls.creatorUnknown)
  return creator!
}

/** What creating a poll or a survey gives back: the row, the answer for the creator, the posts to the groups. */
export interface Created {
  poll: PollRow
  ack: string
  out: OutboundMessage[]
  /** Where it was posted. */
  groups: { platform: string; chatId: string; unitId: number | null }[]
  targets: UnitRow[]
}

/** Shared by polls and surveys: checks the creator, the targets and the deadline, numbers it. */
export async function prepare(ctx: PollContext, kind: 'poll' | 'survey', input: z.infer<typeof createPollSchema> | z.infer<typeof createSurveySchema>) {
  const creator = await loadCreator(ctx, input.creatorId)
  const allowed = kind === 'poll' ? ['officer', 'admin', 'collector'] : ['officer', 'admin']
  if (!allowed.includes(creator.role)) refuse(kind === 'poll' ? ctx.t.polls.mayNotCreate : ctx.t.polls.mayNotCreateSurvey)
  const targets = await resolveTargets(ctx, creator, input.units, input.source)
  const deadline = resolveDeadline(ctx, input.deadline)
  const groups = await groupsFor(ctx.tx, targets, input.source)
  const number = await nextNumber(ctx.tx, kind)
  const targetRows = [
    ...targets.map((u) => ({ unitId: u.id, platform: null, chatId: null })),
    ...groups.map((g) => ({ unitId: g.unitId, platform: g.platform, chatId: g.chatId })),
  ]
  return { creator, targets, deadline, groups, number, targetRows }
}

/**
 * Starts a poll: checked, numbered (P-17, unique across instances), stored with its options and
 * targets, and posted as a card to every team group of the target units (and the group it was
 * started in). The admin API calls this with the same input as the chat command.
 */
export async function createPoll(ctx: PollContext, rawInput: CreatePollInput): Promise<Created> {
  const { tx, t } = ctx
  const input = parseInput(ctx, createPollSchema, rawInput)
  const { title, options } = checkOptions(t, input.title, input.options)
  const maxChoices = input.maxChoices ?? 1
  if (maxChoices > options.length) refuse(t.polls.maxAboveOptions(maxChoices, options.length))
  const { creator, targets, deadline, groups, number, targetRows } = await prepare(ctx, 'poll', input)
  const poll = await tx.poll.create({
    data: {
      number,
      kind: 'poll',
      title,
      creatorId: creator.id,
      maxChoices,
      anonymous: input.anonymous ?? false,
      allowChange: input.allowChange ?? true,
      deadline: deadline.at,
      createdAt: ctx.now,
      options: { create: options.map((label, i) => ({ position: i + 1, label })) },
      targets: { create: targetRows },
    },
  })
  const optionRows = options.map((label, i) => ({ position: i + 1, label }))
  const { text, card } = pollPost(ctx, poll, optionRows, targets)
  const out: OutboundMessage[] = groups.map((g) => ({ to: { kind: 'chat', platform: g.platform as Platform, chatId: g.chatId }, text, card, notice: true }))
  const ack = t.polls.created(number, title, formatLocal(deadline.at, ctx.timeZone), deadline.defaulted, targets.map(unitLabel).join('、'), groups.length)
  return { poll, ack, out, groups, targets }
}

// ---------------------------------------------------------------------------------------------
// Voting

export function parseChoices(choices: string): number[] {
  return choices
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0)
}

export interface VoteInput {
  number: string
  /** Option numbers (1-based) or labels as written. */
  choices: (number | string)[]
  /** Card buttons of a multiple-choice poll: add each option, or take it away when already chosen. */
  toggle?: boolean
}

export interface VoteResult {
  poll: PollRow
  /** The choices now recorded (empty when a toggle took the last one away: no vote any more). */
  choices: { position: number; label: string }[]
  /** new: first vote; changed; same: nothing changed; withdrawn: the vote was taken back. */
  outcome: 'new' | 'changed' | 'same' | 'withdrawn'
}

/** Maps written choices (numbers or labels) to option positions, refusing unknown ones. */
function positionsOf(t: Messages, options: { position: number; label: string }[], choices: (number | string)[]): number[] {
  const positions: number[] = []
  for (const c of choices) {
    const written = String(c).trim()
    const asNumber = typeof c === 'number' ? c : /^\d+$/.test(written.normalize('NFKC')) ? Number(written.normalize('NFKC')) : null
    const option = asNumber !== null ? options.find((o) => o.position === asNumber) : options.find((o) => sameLabel(o.label, written))
    if (!option) refuse(t.polls.unknownOption(written, options.length))
    if (!positions.includes(option!.position)) positions.push(option!.position)
  }
  return positions
}

/**
 * Records a person's vote: one per person per poll, whichever group or platform it comes from
 * (unique poll + voter key), changeable until the poll closes unless the creator said 不可改.
 * Only people in the target units may vote. The write is one upsert on that unique index.
 */
export async function castVote(ctx: PollContext, voter: Asker, input: VoteInput): Promise<VoteResult> {
  const { tx, t } = ctx
  const poll = await findPoll(ctx, input.number)
  if (poll.kind !== 'poll') refuse(t.polls.isSurvey(poll.number))
  if (poll.status !== 'open' || poll.deadline.getTime() <= ctx.now.getTime()) refuse(t.polls.closed(poll.number))
  const targets = await targetUnits(tx, poll.id)
  if (!withinTargets(voter.unit, targets)) refuse(t.polls.notEligible(poll.number, targets.map(unitLabel).join('、')))
  const options = await tx.pollOption.findMany({ where: { pollId: poll.id }, orderBy: { position: 'asc' } })
  if (input.choices.length === 0) refuse(t.polls.noChoice(poll.number, options.length))
  const picked = positionsOf(t, options, input.choices)
  const key = voterKey(ctx.secret, poll.id, voter.id)
  const where = { pollId_voterKey: { pollId: poll.id, voterKey: key } }
  const existing = await tx.pollVote.findUnique({ where, select: { choices: true } })
  const before = existing ? parseChoices(existing.choices) : []
  let chosen = picked
  if (input.toggle) {
    chosen = [...before]
    for (const p of picked) chosen = chosen.includes(p) ? chosen.filter((x) => x !== p) : [...chosen, p]
  }
  chosen.sort((a, b) => a - b)
  const labelled = chosen.map((p) => ({ position: p, label: options.find((o) => o.position === p)!.label }))
  const same = existing !== null && before.join(',') === chosen.join(',')
  if (existing && !poll.allowChange && !same) refuse(t.polls.noChange(poll.number))
  if (chosen.length > poll.maxChoices) refuse(poll.maxChoices === 1 ? t.polls.singleChoice(poll.number) : t.polls.tooManyChoices(poll.maxChoices, chosen.length))
  if (same) return { poll, choices: labelled, outcome: 'same' }
  if (chosen.length === 0) {
    // A toggle took away the only choice: the vote is withdrawn (only while changes are allowed).
    await tx.pollVote.deleteMany({ where: { pollId: poll.id, voterKey: key } })
    return { poll, choices: [], outcome: 'withdrawn' }
  }
  const choices = chosen.join(',')
  const personId = poll.anonymous ? null : voter.id
  await tx.pollVote.upsert({
    where,
    create: { pollId: poll.id, voterKey: key, personId, choices, unitId: voter.unitId, createdAt: ctx.now, updatedAt: ctx.now },
    update: { choices, personId, unitId: voter.unitId, updatedAt: ctx.now },
  })
  return { poll, choices: labelled, outcome: existing ? 'changed' : 'new' }
}

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
    const next = answered.map((n, i) => ({ n, i })).filter(({ n, i }) => n > 0 && !hidden.has(i)).sort((a, b) => a.n - b.n)[0]
    if (!next) break
    hidden.add(next.i)
  }
  return hidden
}

/** A poll's counts, as the chat, a dashboard or an API show them. Never who voted what. */
export interface PollResults {
  poll: Pick<PollRow, 'id' | 'number' | 'kind' | 'title' | 'anonymous' | 'maxChoices' | 'allowChange' | 'status' | 'deadline' | 'closedAt' | 'creatorId' | 'createdAt'>
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
  const hidden = hiddenUnits(unitIds.map((id) => perUnit.get(id)?.voters ?? 0), minGroup)
  const units: UnitCount[] = unitIds
    .map((unitId, i) => {
      const row = unitRows.find((u) => u.id === unitId)
      const tally = perUnit.get(unitId)
      return {
        unitId,
        unit: row ? unitLabel(row) : '',
        eligible: unitId === null ? 0 : eligibleByUnit.get(unitId) ?? 0,
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
    options: options.map((o) => ({ position: o.position, label: o.label, votes: counts.get(o.position) ?? 0, percent: percentOf(counts.get(o.position) ?? 0, votes.length) })),
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
  const votes = await tx.pollVote.findMany({ where: { pollId: poll.id, personId: { not: null } }, select: { choices: true, personId: true } })
  const names = new Map((await tx.person.findMany({ where: { id: { in: votes.map((v) => v.personId!) } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]))
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
