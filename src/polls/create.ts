/**
 * Announcements (公告): creating one (targets within the creator's scope, deadline, options or questions) and its post
 */
import { z } from 'zod'
import type { Asker, UnitRow } from '../core/commands.js'
import { formatLocal } from '../core/time/zone.js'
import { PLATFORMS, type OutboundMessage, type Platform } from '../core/types.js'
import { parseWhen } from '../core/time/when.js'
import type { Messages } from '../messages/index.js'
import { unitLabel } from '../organisation/scope.js'
import { pollPost } from './views.js'
import {
  DAY,
  DEFAULT_DEADLINE_HOURS,
  HOUR,
  MAX_DEADLINE_DAYS,
  MAX_OPTION,
  MAX_OPTIONS,
  MAX_TITLE,
  MINUTE,
  MIN_DEADLINE_MINUTES,
  MIN_OPTIONS,
  groupsFor,
  nextNumber,
  refuse,
  resolveTargets,
  type PollContext,
  type PollRow,
} from './service.js'

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
  units: z
    .array(z.union([z.number().int().positive(), z.string().min(1).max(200)]))
    .max(20)
    .optional(),
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
  if (!creator?.active) refuse(ctx.t.polls.creatorUnknown)
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
