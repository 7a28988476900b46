import { DEFAULT_MIN_GROUP, Refusal, type Asker, type PersonRow, type UnitRow } from '../core/commands.js'
import type { Card, OutboundMessage, Platform, Recipient } from '../core/types.js'
import type { Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import { canActOnUnit, unitLabel } from '../organisation/scope.js'
import { formatLocal, localParts } from '../core/time/zone.js'
import { findCategory, guessCategory, type CategoryRow } from './categories.js'
import { chairAndAdministrators, responsibleLevel } from './routing.js'

export type RequestRow = Awaited<ReturnType<Tx['workerRequest']['findFirstOrThrow']>>

/** What every request operation needs: a transaction, the time, the words, the time zone. */
export interface RequestContext {
  tx: Tx
  now: Date
  t: Messages
  timeZone: string
  /** PRIVACY_MIN_GROUP: a unit with fewer people is not named in an officers' group (its parent is). */
  minGroup?: number
}

/** Open statuses: an officer still has something to do. */
export const OPEN_STATUSES = ['new', 'accepted'] as const
export const MAX_CONTENT = 1000

/** A failure a person should read (not a bug): the text says what was wrong. */
export class RequestRefusal extends Refusal {
  override name = 'RequestRefusal'
}

const refuse = (text: string): never => {
  throw new RequestRefusal(text)
}

/** A request number in full (SQ-2026-0042, sq20260042) or short (42, 42号, #42: this year's). */
export function normaliseNumber(input: string, year?: number): string {
  const s = input.trim().replace(/[－—–]/g, '-')
  const m = /^(?:SQ)?-?(\d{4})-?(\d{1,6})$/i.exec(s)
  if (m) return `SQ-${m[1]}-${m[2]!.padStart(4, '0')}`
  const short = SHORT_NUMBER.exec(s)
  if (short && year !== undefined) return `SQ-${year}-${short[1]!.padStart(4, '0')}`
  return s.toUpperCase()
}

const SHORT_NUMBER = /^[#＃]?(\d{1,4})号?$/

/** A full request number (what the API takes). */
export function isRequestNumber(input: string | undefined): boolean {
  return !!input && /^(?:SQ)?-?\d{4}-?\d{1,6}$/i.test(input.trim().replace(/[－—–]/g, '-'))
}

/** A request number as people write it in chat: full, or short for this year's (进度 42). */
export function isRequestReference(input: string | undefined): boolean {
  return isRequestNumber(input) || (!!input && SHORT_NUMBER.test(input.trim()))
}

/** The next number of the year, atomic on both databases (an upsert that increments). */
async function nextNumber(tx: Tx, year: number): Promise<string> {
  const row = await tx.counter.upsert({
    where: { name: `request:${year}` },
    create: { name: `request:${year}`, value: 1 },
    update: { value: { increment: 1 } },
  })
  return `SQ-${year}-${String(row.value).padStart(4, '0')}`
}

function deadlines(category: CategoryRow, urgent: boolean, from: Date): { answerDueAt: Date; resultDueAt: Date } {
  const answer = urgent ? category.urgentAnswerMinutes : category.answerMinutes
  const result = urgent ? category.urgentResultMinutes : category.resultMinutes
  return { answerDueAt: new Date(from.getTime() + answer * 60_000), resultDueAt: new Date(from.getTime() + result * 60_000) }
}

const personTo = (personId: number): Recipient => ({ kind: 'person', personId })

/** The officers' group bound to this unit or the nearest unit above it. */
async function officersGroups(tx: Tx, unit: UnitRow): Promise<Recipient[]> {
  let current: UnitRow | null = unit
  while (current) {
    const groups = await tx.chatGroup.findMany({ where: { unitId: current.id, purpose: 'officers' } })
    if (groups.length > 0) return groups.map((g) => ({ kind: 'chat', platform: g.platform as Platform, chatId: g.externalId }))
    current = current.parentId === null ? null : await tx.unit.findUnique({ where: { id: current.parentId } })
  }
  return []
}

/**
 * The unit to name in a group for a request from `unitId`: the unit itself, or the nearest unit
 * above it with at least `minGroup` active people (a small team would point at its few members).
 */
async function unitForGroups(ctx: RequestContext, unitId: number): Promise<UnitRow> {
  const min = ctx.minGroup ?? DEFAULT_MIN_GROUP
  let unit = await ctx.tx.unit.findUniqueOrThrow({ where: { id: unitId } })
  for (;;) {
    if (unit.parentId === null) return unit
    const units = await ctx.tx.unit.findMany({ where: { OR: [{ id: unit.id }, { path: { startsWith: `${unit.path}/` } }] }, select: { id: true } })
    const people = await ctx.tx.person.count({ where: { active: true, unitId: { in: units.map((u) => u.id) } } })
    if (people >= min) return unit
    unit = await ctx.tx.unit.findUniqueOrThrow({ where: { id: unit.parentId } })
  }
}

/** Whether a request is discussed in groups only by number, category and unit: anonymous, or of a sensitive category. */
export async function isDiscreet(tx: Tx, request: Pick<RequestRow, 'anonymous' | 'categoryId'>): Promise<boolean> {
  if (request.anonymous) return true
  return (await tx.requestCategory.findUnique({ where: { id: request.categoryId }, select: { sensitive: true } }))?.sensitive === true
}

/** The requester's display name for officers: never the author of an anonymous request. */
function requesterLabel(t: Messages, request: Pick<RequestRow, 'anonymous'>, requester: PersonRow | null): string {
  if (request.anonymous || !requester) return t.requests.anonymousName
  return `${requester.name}（${requester.employeeNo}）`
}

export interface Notified {
  out: OutboundMessage[]
}

/** Tells the requester (privately, else in the group it came from, never naming an anonymous one) and the collector who filed it. */
async function tellRequester(ctx: RequestContext, request: RequestRow, text: string, out: OutboundMessage[], card?: Card): Promise<void> {
  const fallback: Recipient | undefined = request.sourceChatId
    ? { kind: 'chat', platform: request.sourcePlatform as Platform, chatId: request.sourceChatId }
    : undefined
  const authorId = request.anonymous ? (await ctx.tx.requestAuthor.findUnique({ where: { requestId: request.id } }))?.personId : request.requesterId
  // A group is a public place: when the requester can only be reached there, it hears that there is news, not the news.
  if (authorId)
    out.push({
      to: personTo(authorId),
      text,
      notice: true,
      urgent: request.urgent,
      ...(card ? { card } : {}),
      ...(fallback ? { fallback, fallbackText: ctx.t.privacy.requesterUpdateHint(request.number) } : {}),
    })
  if (request.filedById && request.filedById !== authorId) out.push({ to: personTo(request.filedById), text, notice: true, urgent: request.urgent })
}

function officerCard(ctx: RequestContext, request: RequestRow, category: string, body: string): Card {
  const b = ctx.t.requests.buttons
  return {
    title: `${request.urgent ? `【${ctx.t.requests.urgentTag}】` : ''}${ctx.t.requests.newForOfficer(request.number)}`,
    body,
    fields: [
      { label: ctx.t.requests.progressFields.category, value: category },
      { label: ctx.t.requests.progressFields.due, value: request.answerDueAt ? ctx.t.requests.dueAnswer(formatLocal(request.answerDueAt, ctx.timeZone)) : '' },
    ],
    buttons: [
      { label: b.accept, action: { command: `受理 ${request.number}` }, style: 'primary' },
      { label: b.progress, action: { command: `进度 ${request.number}` } },
      { label: b.escalate, action: { command: `升级 ${request.number}` } },
      { label: b.supervise, action: { command: `督办 ${request.number}` } },
    ],
    tone: request.urgent ? 'urgent' : 'attention',
  }
}

/**
 * Notifies officers (privately, and their officers' group) about a request at a level. An
 * anonymous request or one of a sensitive category is announced to the group only by number,
 * category and unit (a unit big enough not to point at anyone); the officers get the details privately.
 */
async function tellOfficers(
  ctx: RequestContext,
  request: RequestRow,
  officers: PersonRow[],
  levelUnit: UnitRow,
  text: string,
  out: OutboundMessage[],
  withCard = true,
): Promise<void> {
  const category = await ctx.tx.requestCategory.findUnique({ where: { id: request.categoryId } })
  const card = withCard ? officerCard(ctx, request, category?.name ?? '', text) : undefined
  for (const o of officers) out.push({ to: personTo(o.id), text, notice: true, urgent: request.urgent, ...(card ? { card } : {}) })
  const groups = await officersGroups(ctx.tx, levelUnit)
  if (groups.length === 0) return
  if (request.anonymous || category?.sensitive) {
    const unit = await unitForGroups(ctx, request.unitId)
    const notice = ctx.t.privacy.officersGroupNotice(request.number, category?.name ?? '', unitLabel(unit), request.urgent)
    for (const g of groups) out.push({ to: g, text: notice, notice: true, urgent: request.urgent })
    return
  }
  for (const g of groups) out.push({ to: g, text, notice: true, urgent: request.urgent, ...(card ? { card } : {}) })
}

async function event(
  ctx: RequestContext,
  request: RequestRow,
  kind: string,
  actorId: number | null,
  text?: string | null,
  units?: { from?: number; to?: number },
): Promise<void> {
  await ctx.tx.requestEvent.create({
    data: { requestId: request.id, at: ctx.now, actorId, kind, text: text ?? null, fromUnitId: units?.from ?? null, toUnitId: units?.to ?? null },
  })
}

export interface FileInput {
  requester: PersonRow & { unit: UnitRow }
  /** The collector or officer filing for the requester, when not the requester. */
  filedBy?: PersonRow
  anonymous: boolean
  content: string
  source: { platform: Platform; chatId: string | null }
  urgent?: boolean
  campaignId?: number
  categoryName?: string
}

/** Files a request: numbered, categorised, routed to the responsible officers, acknowledged. */
export async function fileRequest(
  ctx: RequestContext,
  input: FileInput,
): Promise<{ request: RequestRow; ack: string; out: OutboundMessage[]; discreet: boolean }> {
  const { tx, t } = ctx
  // A group is a public place: an anonymous request is never taken there.
  if (input.anonymous && input.source.chatId !== null) refuse(t.privacy.anonymousNotInGroupHint)
  const content = input.content.trim()
  if (!content) refuse(t.requests.emptyContent)
  if (content.length > MAX_CONTENT) refuse(t.requests.tooLong(MAX_CONTENT))
  const categories = await tx.requestCategory.findMany({ where: { active: true }, orderBy: { sortOrder: 'asc' } })
  const category = (input.categoryName ? findCategory(input.categoryName, categories) : null) ?? guessCategory(content, categories)
  const urgent = input.urgent === true || category.urgentByDefault || /紧急|十万火急|马上|立刻/.test(content)
  const number = await nextNumber(tx, localParts(ctx.now, ctx.timeZone).year)
  const level = await responsibleLevel(tx, input.requester.unitId, category.id)
  const levelUnit = level?.unit ?? (await tx.unit.findFirst({ where: { parentId: null }, orderBy: { id: 'asc' } })) ?? input.requester.unit
  const request = await tx.workerRequest.create({
    data: {
      number,
      categoryId: category.id,
      urgent,
      content,
      anonymous: input.anonymous,
      requesterId: input.anonymous ? null : input.requester.id,
      filedById: input.filedBy?.id ?? null,
      unitId: input.requester.unitId,
      sourcePlatform: input.source.platform,
      sourceChatId: input.source.chatId,
      levelUnitId: levelUnit.id,
      campaignId: input.campaignId ?? null,
      // The service's clock, like every other time on the request (deadlines, answers, results).
      createdAt: ctx.now,
      ...deadlines(category, urgent, ctx.now),
      firstAnswerDueAt: deadlines(category, urgent, ctx.now).answerDueAt,
    },
  })
  if (input.anonymous) await tx.requestAuthor.create({ data: { requestId: request.id, personId: input.requester.id } })
  await event(ctx, request, input.filedBy ? 'filedOnBehalf' : 'filed', input.filedBy?.id ?? (input.anonymous ? null : input.requester.id), null, {
    to: levelUnit.id,
  })

  const out: OutboundMessage[] = []
  const due = formatLocal(request.answerDueAt!, ctx.timeZone)
  const text = t.requests.newForOfficerText(
    number,
    category.name,
    urgent,
    unitLabel(input.requester.unit),
    requesterLabel(t, request, input.requester),
    content,
    due,
  )
  if (level) await tellOfficers(ctx, request, level.officers, levelUnit, text, out)
  else
    for (const p of await chairAndAdministrators(tx)) out.push({ to: personTo(p.id), text: `${t.requests.noOfficers(number)}\n${text}`, notice: true, urgent })
  if (input.filedBy) out.push({ to: personTo(input.requester.id), text: t.requests.filedForYou(input.filedBy.name, number, content), notice: true, urgent })

  let ack = t.requests.filed(number, category.name, urgent, unitLabel(levelUnit), due)
  if (input.anonymous) ack += `\n${t.requests.filedAnonymous}`
  // The collector filing for someone is told about *their* request, not "您的诉求".
  if (input.filedBy)
    ack = `${t.requests.filedOnBehalf(number, input.requester.name)}\n${t.conversation.filedForSomeone(number, input.requester.name, category.name, urgent, unitLabel(levelUnit), due)}`
  return { request, ack, out, discreet: input.anonymous || category.sensitive }
}

export async function findRequest(ctx: RequestContext, numberInput: string): Promise<RequestRow> {
  const number = normaliseNumber(numberInput, localParts(ctx.now, ctx.timeZone).year)
  return (await ctx.tx.workerRequest.findUnique({ where: { number } })) ?? refuse(ctx.t.requests.notFound(number))
}

/** Whether an officer or administrator may act on the request: its current level is in their part of the organisation, or it was handed to them. */
export async function canHandle(ctx: RequestContext, actor: Asker, request: RequestRow): Promise<boolean> {
  if (actor.role === 'admin') return true
  if (actor.role !== 'officer') return false
  if (request.assigneeId === actor.id) return true
  const level = await ctx.tx.unit.findUniqueOrThrow({ where: { id: request.levelUnitId } })
  return canActOnUnit(actor, level)
}

async function requireHandler(ctx: RequestContext, actor: Asker, request: RequestRow): Promise<void> {
  if (!(await canHandle(ctx, actor, request))) refuse(ctx.t.requests.outOfScope(request.number))
}

function requireStatus(ctx: RequestContext, request: RequestRow, allowed: readonly string[]): void {
  if (!allowed.includes(request.status)) refuse(ctx.t.requests.wrongState(request.number, ctx.t.requests.status[request.status] ?? request.status))
}

/** Whether this person wrote the request (also when it is anonymous). */
export async function isAuthor(ctx: RequestContext, personId: number, request: RequestRow): Promise<boolean> {
  if (request.requesterId === personId) return true
  if (!request.anonymous) return false
  return (await ctx.tx.requestAuthor.findUnique({ where: { requestId: request.id } }))?.personId === personId
}

export type OfficerAction =
  | { kind: 'accept' }
  | { kind: 'reply'; text: string }
  | { kind: 'resolve'; result: string }
  | { kind: 'reject'; reason: string }
  | { kind: 'transfer'; to: PersonRow & { unit: UnitRow }; note: string }
  | { kind: 'escalate'; reason: string }
  | { kind: 'supervise'; note?: string; resultDueAt?: Date | null }

/** An officer's step on a request; returns the answer for the officer and the notices for everyone else. */
export async function act(
  ctx: RequestContext,
  actor: Asker,
  numberInput: string,
  action: OfficerAction,
): Promise<{ ack: string; out: OutboundMessage[]; request: RequestRow }> {
  const { tx, t } = ctx
  let request = await findRequest(ctx, numberInput)
  await requireHandler(ctx, actor, request)
  const out: OutboundMessage[] = []
  const n = request.number
  const firstAnswer = request.firstAnsweredAt ?? ctx.now
  switch (action.kind) {
    case 'accept': {
      requireStatus(ctx, request, ['new'])
      request = await tx.workerRequest.update({ where: { id: request.id }, data: { status: 'accepted', assigneeId: actor.id, firstAnsweredAt: firstAnswer } })
      await event(ctx, request, 'accepted', actor.id)
      await tellRequester(ctx, request, t.requests.accepted(n, actor.name), out)
      return { ack: t.requests.acceptedAck(n), out, request }
    }
    case 'reply': {
      requireStatus(ctx, request, OPEN_STATUSES)
      request = await tx.workerRequest.update({
        where: { id: request.id },
        data: { status: 'accepted', assigneeId: request.assigneeId ?? actor.id, firstAnsweredAt: firstAnswer },
      })
      // A reply that ends in a question waits for the worker's answer (`补充 SQ-… 回答`), threaded to the request.
      const asks = isQuestion(action.text)
      await event(ctx, request, asks ? 'asked' : 'replied', actor.id, action.text)
      await tellRequester(ctx, request, asks ? t.conversation.asked(n, actor.name, action.text) : t.requests.replied(n, actor.name, action.text), out)
      return { ack: asks ? t.conversation.askedAck(n) : t.requests.repliedAck(n), out, request }
    }
    case 'resolve': {
      requireStatus(ctx, request, OPEN_STATUSES)
      request = await tx.workerRequest.update({
        where: { id: request.id },
        data: { status: 'resolved', result: action.result, resolvedAt: ctx.now, assigneeId: request.assigneeId ?? actor.id, firstAnsweredAt: firstAnswer },
      })
      await event(ctx, request, 'resolved', actor.id, action.result)
      const card: Card = {
        title: t.requests.rateCardTitle(n),
        body: action.result,
        buttons: [5, 4, 3, 2, 1].map((score) => ({
          label: `${score} 分`,
          action: { command: `评价 ${n} ${score}` },
          style: score >= 4 ? 'primary' : score <= 2 ? 'danger' : 'default',
        })),
        tone: 'done',
      }
      const finalNote = (await reviewed(ctx, request)) ? `\n${t.conversation.reviewFinal}` : ''
      await tellRequester(ctx, request, `${t.requests.resolved(n, actor.name, action.result)}${finalNote}`, out, card)
      return { ack: t.requests.resolvedAck(n), out, request }
    }
    case 'reject': {
      requireStatus(ctx, request, OPEN_STATUSES)
      request = await tx.workerRequest.update({
        where: { id: request.id },
        data: { status: 'rejected', rejectReason: action.reason, closedAt: ctx.now, firstAnsweredAt: firstAnswer },
      })
      await event(ctx, request, 'rejected', actor.id, action.reason)
      const final = await reviewed(ctx, request)
      await tellRequester(
        ctx,
        request,
        final
          ? `${t.conversation.rejectedAfterReview(n, actor.name, action.reason)}\n${t.conversation.reviewFinal}`
          : t.requests.rejected(n, actor.name, action.reason),
        out,
      )
      return { ack: t.requests.rejectedAck(n), out, request }
    }
    case 'transfer': {
      requireStatus(ctx, request, OPEN_STATUSES)
      const to = action.to
      if (to.role !== 'officer' && to.role !== 'admin') refuse(t.requests.transferTargetNotOfficer(to.name))
      const moveLevel = to.role === 'officer' && to.unitId !== request.levelUnitId
      request = await tx.workerRequest.update({ where: { id: request.id }, data: { assigneeId: to.id, ...(moveLevel ? { levelUnitId: to.unitId } : {}) } })
      await event(ctx, request, 'transferred', actor.id, action.note || null, { from: request.levelUnitId, to: to.unitId })
      out.push({
        to: personTo(to.id),
        text: t.requests.transferredToYou(n, actor.name, action.note),
        notice: true,
        urgent: request.urgent,
        card: officerCard(ctx, request, '', t.requests.transferredToYou(n, actor.name, action.note)),
      })
      await tellRequester(ctx, request, t.requests.transferred(n, actor.name, to.name), out)
      return { ack: t.requests.transferredAck(n, to.name), out, request }
    }
    case 'escalate': {
      requireStatus(ctx, request, OPEN_STATUSES)
      const moved = await escalate(ctx, request, actor.id, action.reason, out)
      if (!moved) refuse(t.requests.alreadyTop(n))
      return { ack: t.requests.escalatedAck(n, unitLabel(moved!.unit)), out, request: moved!.request }
    }
    case 'supervise': {
      if (request.supervised) return { ack: t.requests.alreadySupervised(n), out, request }
      const resultDueAt = action.resultDueAt && OPEN_STATUSES.includes(request.status as 'new') ? action.resultDueAt : null
      request = await tx.workerRequest.update({ where: { id: request.id }, data: { supervised: true, ...(resultDueAt ? { resultDueAt } : {}) } })
      const due = resultDueAt ? formatLocal(resultDueAt, ctx.timeZone) : ''
      await event(ctx, request, 'supervised', actor.id, [action.note, due ? t.conversation.newDeadline(due) : ''].filter(Boolean).join('；') || null)
      // The handling officer hears it privately, with the note and the new deadline; the worker hears it is supervised.
      for (const h of await handlers(ctx, request)) {
        if (h.id !== actor.id)
          out.push({
            to: personTo(h.id),
            text: t.conversation.supervisedForOfficer(n, actor.name, action.note ?? '', due),
            notice: true,
            urgent: request.urgent,
          })
      }
      if (OPEN_STATUSES.includes(request.status as 'new')) await tellRequester(ctx, request, t.conversation.supervisedForRequester(n), out)
      return { ack: t.requests.supervisedAck(n), out, request }
    }
  }
}

/**
 * Moves a request one level up the ladder with fresh deadlines, telling the officers at both
 * levels and the requester. The move is one conditional write, so it happens once however many
 * instances try it at the same moment. Returns null at the top of the ladder.
 */
export async function escalate(
  ctx: RequestContext,
  request: RequestRow,
  actorId: number | null,
  reason: string,
  out: OutboundMessage[],
  kind: 'escalated' | 'reopened' = 'escalated',
): Promise<{ request: RequestRow; unit: UnitRow } | null> {
  const { tx, t } = ctx
  const next = await responsibleLevel(tx, request.levelUnitId, request.categoryId, false)
  if (!next) return null
  const category = await tx.requestCategory.findUniqueOrThrow({ where: { id: request.categoryId } })
  const moved = await tx.workerRequest.updateMany({
    where: { id: request.id, levelUnitId: request.levelUnitId, escalationCount: request.escalationCount },
    data: {
      levelUnitId: next.unit.id,
      assigneeId: null,
      escalationCount: { increment: 1 },
      // The first answer stays recorded: the on-time rate is about that answer, not the review.
      ...(kind === 'reopened' ? { status: 'new', resolvedAt: null } : {}),
      ...deadlines(category, request.urgent, ctx.now),
    },
  })
  if (moved.count !== 1) return null
  const fromUnit = await tx.unit.findUniqueOrThrow({ where: { id: request.levelUnitId } })
  const updated = await tx.workerRequest.findUniqueOrThrow({ where: { id: request.id } })
  await event(ctx, updated, kind, actorId, reason || null, { from: fromUnit.id, to: next.unit.id })
  const n = request.number
  const toLabel = unitLabel(next.unit)
  // Officers at the new level get the request; those at the old level are told where it went.
  const requester = request.requesterId ? await tx.person.findUnique({ where: { id: request.requesterId } }) : null
  const unit = await tx.unit.findUniqueOrThrow({ where: { id: request.unitId } })
  const text = `${t.requests.escalatedToYou(n, unitLabel(fromUnit), reason)}\n${t.requests.newForOfficerText(n, category.name, request.urgent, unitLabel(unit), requesterLabel(t, request, requester), request.content, formatLocal(updated.answerDueAt!, ctx.timeZone))}`
  await tellOfficers(ctx, updated, next.officers, next.unit, text, out)
  const previous = await responsibleLevel(tx, fromUnit.id, request.categoryId)
  for (const o of previous?.unit.id === fromUnit.id ? previous.officers : []) {
    if (o.id !== actorId) out.push({ to: personTo(o.id), text: t.requests.escalatedAway(n, toLabel, reason), notice: true, urgent: request.urgent })
  }
  if (kind === 'escalated') await tellRequester(ctx, updated, t.requests.escalated(n, toLabel), out)
  return { request: updated, unit: next.unit }
}

/** The requester's rating; 1–2 reopens the request one level up for review. */
export async function rate(
  ctx: RequestContext,
  person: PersonRow,
  numberInput: string,
  score: number,
  comment: string,
): Promise<{ ack: string; out: OutboundMessage[] }> {
  const { tx, t } = ctx
  const request = await findRequest(ctx, numberInput)
  if (!(await isAuthor(ctx, person.id, request))) refuse(t.requests.notYours(request.number))
  // A rejected request has no result to rate: a low score is a contest of the rejection, a good one is noted.
  if (request.status === 'rejected') {
    if (score <= 2) return contest(ctx, person, request, comment || t.conversation.lowScoreReason(score))
    refuse(t.conversation.rejectedNotRatable(request.number))
  }
  if (request.status !== 'resolved') refuse(t.requests.notRatable(request.number))
  // A review's outcome is final: a low score after it is recorded, it does not reopen the request again.
  const final = await reviewed(ctx, request)
  const out: OutboundMessage[] = []
  const rated = await tx.workerRequest.update({
    where: { id: request.id },
    data: { rating: score, ratingComment: comment || null, ratedAt: ctx.now, status: 'rated', closedAt: ctx.now },
  })
  await event(ctx, rated, 'rated', request.anonymous ? null : person.id, `${score}${comment ? ` ${comment}` : ''}`)
  if (request.assigneeId) out.push({ to: personTo(request.assigneeId), text: t.requests.ratedForOfficer(request.number, score, comment), notice: true })
  if (score <= 2 && final) return { ack: t.conversation.ratedFinal(request.number, score), out }
  if (score <= 2) {
    const moved = await escalate(ctx, { ...rated, status: 'new' }, null, t.requests.reopenedForYou(request.number, score, comment), out, 'reopened')
    if (moved) return { ack: t.requests.ratedLow(request.number, unitLabel(moved.unit)), out }
    // At the top already: reopen where it is.
    await tx.workerRequest.update({ where: { id: request.id }, data: { status: 'new', closedAt: null, resolvedAt: null } })
    await event(ctx, rated, 'reopened', null, `${score}`)
    const level = await tx.unit.findUniqueOrThrow({ where: { id: request.levelUnitId } })
    return { ack: t.requests.ratedLow(request.number, unitLabel(level)), out }
  }
  return { ack: t.requests.rated(request.number, score), out }
}

/** Corrects the category (requester or a handling officer) while the request is open. */
export async function recategorise(
  ctx: RequestContext,
  actor: Asker,
  numberInput: string,
  categoryName: string,
): Promise<{ ack: string; out: OutboundMessage[]; discreet: boolean }> {
  const { tx, t } = ctx
  const request = await findRequest(ctx, numberInput)
  if (!(await isAuthor(ctx, actor.id, request)) && !(await canHandle(ctx, actor, request))) refuse(t.requests.notYours(request.number))
  requireStatus(ctx, request, OPEN_STATUSES)
  const categories = await tx.requestCategory.findMany({ where: { active: true }, orderBy: { sortOrder: 'asc' } })
  const category =
    findCategory(categoryName, categories) ??
    refuse(
      t.requests.unknownCategory(
        categoryName,
        categories.map((c) => c.name),
      ),
    )
  const urgent = request.urgent || category.urgentByDefault
  const out: OutboundMessage[] = []
  let levelUnitId = request.levelUnitId
  // Still untouched at its first level: route again, the new category may have its own officers.
  if (request.status === 'new' && request.escalationCount === 0 && !request.assigneeId) {
    const level = await responsibleLevel(tx, request.unitId, category.id)
    if (level && level.unit.id !== request.levelUnitId) {
      levelUnitId = level.unit.id
      const unit = await tx.unit.findUniqueOrThrow({ where: { id: request.unitId } })
      const requester = request.requesterId ? await tx.person.findUnique({ where: { id: request.requesterId } }) : null
      const updatedForText = { ...request, categoryId: category.id, urgent }
      await tellOfficers(
        ctx,
        updatedForText,
        level.officers,
        level.unit,
        t.requests.newForOfficerText(
          request.number,
          category.name,
          urgent,
          unitLabel(unit),
          requesterLabel(t, request, requester),
          request.content,
          formatLocal(request.answerDueAt ?? ctx.now, ctx.timeZone),
        ),
        out,
      )
    }
  }
  const updated = await tx.workerRequest.update({
    where: { id: request.id },
    data: {
      categoryId: category.id,
      urgent,
      levelUnitId,
      ...deadlines(category, urgent, request.createdAt),
      ...(request.escalationCount === 0 ? { firstAnswerDueAt: deadlines(category, urgent, request.createdAt).answerDueAt } : {}),
    },
  })
  await event(ctx, updated, 'recategorised', request.anonymous && (await isAuthor(ctx, actor.id, request)) ? null : actor.id, category.name)
  return { ack: t.requests.recategorised(request.number, category.name), out, discreet: request.anonymous || category.sensitive }
}

// ---------------------------------------------------------------------------------- conversation (issue #17)

/** Whether an officer's reply asks the worker something (ends in a question mark). */
export const isQuestion = (text: string): boolean => /[?？]\s*$/.test(text.trim())

/** Who is handling the request now: the officer it was handed to, else the officers at its level, else the chair and administrators. */
export async function handlers(ctx: RequestContext, request: RequestRow): Promise<PersonRow[]> {
  if (request.assigneeId) {
    const p = await ctx.tx.person.findUnique({ where: { id: request.assigneeId } })
    if (p?.active) return [p]
  }
  const level = await responsibleLevel(ctx.tx, request.levelUnitId, request.categoryId)
  if (level && level.unit.id === request.levelUnitId) return level.officers
  return chairAndAdministrators(ctx.tx)
}

/** Whether the request has been contested before (a review's outcome is final). */
async function reviewed(ctx: RequestContext, request: RequestRow): Promise<boolean> {
  return (await ctx.tx.requestEvent.count({ where: { requestId: request.id, kind: { in: ['contested', 'reopened'] } } })) > 0
}

/**
 * `补充 SQ-… 内容`: the author (or the collector who filed it) adds to an open request. It goes
 * on the timeline and to the handling officer privately; when the officer's last word was a
 * question still unanswered, it is recorded as the answer. An anonymous author stays anonymous.
 */
export async function addToRequest(
  ctx: RequestContext,
  person: PersonRow,
  numberInput: string,
  textInput: string,
): Promise<{ ack: string; out: OutboundMessage[] }> {
  const { tx, t } = ctx
  const request = await findRequest(ctx, numberInput)
  const author = await isAuthor(ctx, person.id, request)
  if (!author && request.filedById !== person.id) refuse(t.requests.notYours(request.number))
  const text = textInput.trim()
  if (!text) refuse(t.requests.emptyContent)
  if (text.length > MAX_CONTENT) refuse(t.requests.tooLong(MAX_CONTENT))
  requireStatus(ctx, request, OPEN_STATUSES)
  const last = await tx.requestEvent.findFirst({ where: { requestId: request.id, kind: { in: ['asked', 'answered'] } }, orderBy: { id: 'desc' } })
  const answering = last?.kind === 'asked'
  await event(ctx, request, answering ? 'answered' : 'added', request.anonymous && author ? null : person.id, text)
  const who = author ? (request.anonymous ? t.requests.anonymousName : t.conversation.requesterNamed(person.name)) : t.conversation.collectorNamed(person.name)
  const out: OutboundMessage[] = []
  const officers = answering && last?.actorId ? await tx.person.findMany({ where: { id: last.actorId } }) : await handlers(ctx, request)
  for (const o of officers)
    out.push({
      to: personTo(o.id),
      text: answering ? t.conversation.answeredForOfficer(request.number, who, text) : t.conversation.addedForOfficer(request.number, who, text),
      notice: true,
      urgent: request.urgent,
    })
  // The other side of a filing on someone's behalf hears it too (the worker when the collector writes, and the other way round).
  if (!author && request.requesterId)
    out.push({ to: personTo(request.requesterId), text: t.conversation.addedForRequester(request.number, person.name, text), notice: true })
  if (author && request.filedById && request.filedById !== person.id)
    out.push({ to: personTo(request.filedById), text: t.conversation.addedForCollector(request.number, person.name, text), notice: true })
  return { ack: answering ? t.conversation.answeredAck(request.number) : t.conversation.addedAck(request.number), out }
}

/**
 * `申请复核 SQ-… 理由` (or a 1–2 star rating): a rejected or resolved request is contested once.
 * It goes one level up with the reason; the review there is final.
 */
export async function contestRequest(
  ctx: RequestContext,
  person: PersonRow,
  numberInput: string,
  reason: string,
): Promise<{ ack: string; out: OutboundMessage[] }> {
  const request = await findRequest(ctx, numberInput)
  if (!(await isAuthor(ctx, person.id, request))) refuse(ctx.t.requests.notYours(request.number))
  if (!reason.trim()) refuse(ctx.t.conversation.contestNeedsReason(request.number))
  return contest(ctx, person, request, reason.trim())
}

async function contest(ctx: RequestContext, person: PersonRow, request: RequestRow, reason: string): Promise<{ ack: string; out: OutboundMessage[] }> {
  const { tx, t } = ctx
  if (!['rejected', 'resolved'].includes(request.status))
    refuse(t.conversation.notContestable(request.number, t.requests.status[request.status] ?? request.status))
  if (await reviewed(ctx, request)) refuse(t.conversation.alreadyReviewed(request.number))
  const out: OutboundMessage[] = []
  const previous = await handlers(ctx, request)
  await event(ctx, request, 'contested', request.anonymous ? null : person.id, reason)
  const reopened = await tx.workerRequest.update({
    where: { id: request.id },
    data: { status: 'new', closedAt: null, resolvedAt: null, rejectReason: null, result: null },
  })
  const moved = await escalate(
    ctx,
    reopened,
    null,
    t.conversation.contestedForReviewer(request.number, t.requests.status[request.status] ?? request.status, reason),
    out,
    'reopened',
  )
  const level = moved?.unit ?? (await tx.unit.findUniqueOrThrow({ where: { id: request.levelUnitId } }))
  if (!moved) {
    // At the top already: the chair and the administrators review it.
    for (const p of await chairAndAdministrators(tx))
      out.push({
        to: personTo(p.id),
        text: t.conversation.contestedForReviewer(request.number, t.requests.status[request.status] ?? request.status, reason),
        notice: true,
      })
  }
  for (const o of previous) out.push({ to: personTo(o.id), text: t.conversation.contestedForPrevious(request.number, unitLabel(level)), notice: true })
  return { ack: t.conversation.contestedAck(request.number, unitLabel(level)), out }
}
