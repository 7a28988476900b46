/** Who hears about a request and how: the requester (never named when anonymous), the officers, their groups (discreetly). */
import { DEFAULT_MIN_GROUP, type PersonRow, type UnitRow } from '../core/commands.js'
import type { Card, OutboundMessage, Platform, Recipient } from '../core/types.js'
import type { Tx } from '../db/client.js'
import { rememberedWork } from '../db/read-memo.js'
import type { Messages } from '../messages/index.js'
import { unitLabel } from '../organisation/scope.js'
import { formatLocal } from '../core/time/zone.js'
import type { RequestContext, RequestRow } from './model.js'

export const personTo = (personId: number): Recipient => ({ kind: 'person', personId })

/** The officers' group bound to this unit or the nearest unit above it. */
function officersGroups(tx: Tx, unit: UnitRow): Promise<Recipient[]> {
  return rememberedWork('officersGroups', unit.id, () => nearestOfficersGroups(tx, unit))
}

async function nearestOfficersGroups(tx: Tx, unit: UnitRow): Promise<Recipient[]> {
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

/** The requester's display name for officers: never the author of an anonymous request. */
export function requesterLabel(t: Messages, request: Pick<RequestRow, 'anonymous'>, requester: PersonRow | null): string {
  if (request.anonymous || !requester) return t.requests.anonymousName
  return `${requester.name}（${requester.employeeNo}）`
}

export interface Notified {
  out: OutboundMessage[]
}

/** Tells the requester (privately, else in the group it came from, never naming an anonymous one) and the collector who filed it. */
export async function tellRequester(ctx: RequestContext, request: RequestRow, text: string, out: OutboundMessage[], card?: Card): Promise<void> {
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
  if (request.filedById && request.filedById !== authorId) {
    // The collector who filed it reads about that person's request, not "您的诉求".
    const requester = request.requesterId ? await ctx.tx.person.findUnique({ where: { id: request.requesterId }, select: { name: true } }) : null
    const forCollector = requester ? ctx.t.conversation.forCollector(text, requester.name) : text
    out.push({ to: personTo(request.filedById), text: forCollector, notice: true, urgent: request.urgent })
  }
}

export function officerCard(ctx: RequestContext, request: RequestRow, category: string, body: string, title?: string): Card {
  const b = ctx.t.requests.buttons
  return {
    title: `${request.urgent ? `【${ctx.t.requests.urgentTag}】` : ''}${title ?? ctx.t.requests.newForOfficer(request.number)}`,
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
export async function tellOfficers(
  ctx: RequestContext,
  request: RequestRow,
  officers: PersonRow[],
  levelUnit: UnitRow,
  text: string,
  out: OutboundMessage[],
  withCard = true,
  title?: string,
): Promise<void> {
  const category = await ctx.tx.requestCategory.findUnique({ where: { id: request.categoryId } })
  const card = withCard ? officerCard(ctx, request, category?.name ?? '', text, title) : undefined
  for (const o of officers) out.push({ to: personTo(o.id), text, notice: true, urgent: request.urgent, ...(card ? { card } : {}) })
  const groups = await officersGroups(ctx.tx, levelUnit)
  if (groups.length === 0) return
  if (request.anonymous || category?.sensitive) {
    const unit = await unitForGroups(ctx, request.unitId)
    // A request escalated, sent for review or handed on is not new to this level's group either.
    const notice = (title ? ctx.t.conversation.officersGroupMoved : ctx.t.privacy.officersGroupNotice)(
      request.number,
      category?.name ?? '',
      unitLabel(unit),
      request.urgent,
    )
    for (const g of groups) out.push({ to: g, text: notice, notice: true, urgent: request.urgent })
    return
  }
  for (const g of groups) out.push({ to: g, text, notice: true, urgent: request.urgent, ...(card ? { card } : {}) })
}
