/** Filing a request: numbered, categorised, routed, acknowledged. */
import type { PersonRow, UnitRow } from '../core/commands.js'
import type { OutboundMessage, Platform } from '../core/types.js'
import type { Tx } from '../db/client.js'
import { takeNumber } from '../db/counters.js'
import { insertRows, nextIdOf, type SqlValue } from '../db/direct-writes.js'
import { holdBack, type RowWriter } from '../db/held-writes.js'
import { rowsWritten } from '../db/read-memo.js'
import { unitLabel } from '../organisation/scope.js'
import { formatLocal, localParts } from '../core/time/zone.js'
import { findCategory, guessCategory } from './categories.js'
import { deadlines, MAX_CONTENT, refuse, type RequestContext, type RequestRow } from './model.js'
import { personTo, requesterLabel, tellOfficers } from './notify.js'
import { chairAndAdministrators, responsibleLevel } from './routing.js'
import { event } from './timeline.js'

/** The next number of the year (db/counters.ts). */
async function nextNumber(tx: Tx, year: number): Promise<string> {
  return `SQ-${year}-${String(await takeNumber(tx, `request:${year}`)).padStart(4, '0')}`
}

/** A new request's columns the database or Prisma fills in (its id, defaults, update time). */
const FILLED_IN = { id: true, status: true, supervised: true, escalationCount: true, updatedAt: true } as const
/** A new request's columns that have no value yet (no default in the schema: empty until they happen). */
const UNANSWERED = {
  firstAnsweredAt: null,
  resolvedAt: null,
  result: null,
  rejectReason: null,
  rating: null,
  ratingComment: null,
  ratedAt: null,
  closedAt: null,
  topOverdueNotifiedAt: null,
  assigneeId: null,
} as const

/**
 * A batch's new requests on PostgreSQL, held back and written together by the driver before it
 * commits (held-writes.ts), as the timeline entries that refer to them are (the timeline writes them
 * first); a query that must find them (of requests, or of what refers to them) writes them first.
 */
const newRequests: RowWriter<Record<string, SqlValue>> = {
  model: 'WorkerRequest',
  forgottenWhenHeld: true,
  async write(tx, rows) {
    if (!(await insertRows(tx, 'WorkerRequest', rows))) throw new Error('new requests were held outside a batch of events')
  },
}

/**
 * Writes a new request; answers what the database or Prisma fills in. In a batch of events by the
 * driver (direct-writes.ts: Prisma's create cost a filing a sixth of its handling), with the time
 * Prisma's client would write for `@updatedAt`; on PostgreSQL its id taken ahead and the row held
 * back for the batch's one insert (a statement a filing cost a tenth of the handling's time, bench
 * profile); elsewhere through Prisma.
 */
async function insertRequest<D extends { [K in keyof D]: SqlValue } & Parameters<Tx['workerRequest']['create']>[0]['data']>(
  tx: Tx,
  data: D,
): Promise<Pick<RequestRow, keyof typeof FILLED_IN>> {
  const updatedAt = new Date()
  const id = await nextIdOf(tx, 'WorkerRequest')
  if (id !== undefined) {
    // The schema's defaults, written as given (the row is the driver's, not Prisma's).
    const filled = { id, status: 'new', supervised: false, escalationCount: 0, updatedAt }
    const row = { ...data, ...filled }
    // What the batch remembers of this person's requests is forgotten now, as for a written row.
    if (holdBack(newRequests, tx, [row])) rowsWritten('WorkerRequest', [row])
    else await newRequests.write(tx, [row])
    return filled
  }
  const [row] = (await insertRows(tx, 'WorkerRequest', [{ ...data, updatedAt }], { returning: ['id', 'status', 'supervised', 'escalationCount'] })) ?? []
  if (!row) return tx.workerRequest.create({ data, select: FILLED_IN })
  return { id: Number(row.id), status: String(row.status), supervised: Boolean(row.supervised), escalationCount: Number(row.escalationCount), updatedAt }
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
  const dueAt = deadlines(category, urgent, ctx.now)
  const data = {
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
    ...dueAt,
    firstAnswerDueAt: dueAt.answerDueAt,
  }
  // The insert returns only what the database or Prisma fills in; the rest is what was written.
  const request: RequestRow = { ...UNANSWERED, ...data, ...(await insertRequest(tx, data)) }
  // Its first timeline entry. (Written as a nested create it took three statements, the request
  // read back after both inserts; this way two.)
  await event(ctx, request, input.filedBy ? 'filedOnBehalf' : 'filed', input.filedBy?.id ?? (input.anonymous ? null : input.requester.id), null, {
    to: levelUnit.id,
  })
  if (input.anonymous) await tx.requestAuthor.create({ data: { requestId: request.id, personId: input.requester.id } })

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
