/**
 * Photos and files on requests (issue #18). What the core fetched and checked (src/core/attachments.ts)
 * joins a request: the one named by `补充 SQ-…`, else the sender's newest open request filed within
 * ATTACHMENT_JOIN_MINUTES. A photo with no such request is kept aside and answered with an offer:
 * report it as a safety hazard (随手拍, under the running safety campaign), file it as a request, or
 * drop it. Anonymous requests' attachments carry no uploader; officers are told privately, with a
 * link to the request's dashboard page.
 */
import crypto from 'node:crypto'
import { z } from 'zod'
import { currentSafetyCampaign } from '../announcements/campaigns.js'
import { allRoles, Refusal, type CommandContext, type CommandDefinition, type PersonRow, type ReceivedFile } from '../core/commands.js'
import { conversationState, personSubject, stateSlot } from '../core/state.js'
import type { OutboundMessage, Platform } from '../core/types.js'
import type { Tx } from '../db/client.js'
import { handlers } from './access.js'
import { acknowledge, requestContext } from './context.js'
import { fileRequest, findRequest, isAuthor, isRequestReference, OPEN_STATUSES, RequestRefusal, type RequestContext, type RequestRow } from './service.js'

export type AcceptedFile = Extract<ReceivedFile, { ok: true }>

/** An offer for attachments sent alone waits this long; the attachments kept aside are dropped a day later. */
export const ATTACHMENT_OFFER_MINUTES = 30

export interface AttachmentOptions {
  /** ATTACHMENT_JOIN_MINUTES: how long after filing a request a photo still joins it. */
  joinMinutes: number
  /** ATTACHMENT_MAX_BYTES, as refusals say it. */
  maxBytes: number
  /** The service's public address, for links to the dashboard (none: officers are told to look there). */
  publicUrl?: () => string
}

interface PendingOffer {
  token: string
  ids: number[]
  expiresAt: string
}

const offerSlot = stateSlot<PendingOffer>('attachments', z.object({ token: z.string(), ids: z.array(z.number().int()), expiresAt: z.string() }))

/** The request's page on the dashboard. */
export function requestLink(options: AttachmentOptions, number: string): string {
  return options.publicUrl ? `${options.publicUrl()}/dashboard/#/requests/${number}` : ''
}

const sizeLabel = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`)

/** What a refused file is answered with. */
function refusals(ctx: CommandContext, files: ReceivedFile[], maxBytes: number): string[] {
  const a = ctx.t.attachments
  return files.flatMap((f) => {
    if (f.ok) return []
    const what = a.aFile(f.kind, f.name)
    return [f.reason === 'type' ? a.refusedType(what) : f.reason === 'size' ? a.refusedSize(what, sizeLabel(maxBytes)) : a.refusedFailed(what)]
  })
}

/**
 * Stores files on a request: no uploader on an anonymous one; a step on the timeline (by nobody on
 * an anonymous one); the handling officers told privately with the link.
 */
export async function attachToRequest(
  ctx: RequestContext,
  request: RequestRow,
  person: PersonRow,
  files: AcceptedFile[],
  platform: Platform,
  options: AttachmentOptions,
): Promise<OutboundMessage[]> {
  const { tx } = ctx
  for (const f of files)
    await tx.attachment.create({
      data: {
        requestId: request.id,
        ...fileColumns(f),
        uploaderId: request.anonymous ? null : person.id,
        platform,
        createdAt: ctx.now,
      },
    })
  return announce(ctx, request, person, files.length, options)
}

async function announce(ctx: RequestContext, request: RequestRow, person: PersonRow, n: number, options: AttachmentOptions): Promise<OutboundMessage[]> {
  const { tx, t } = ctx
  const author = await isAuthor(ctx, person.id, request)
  await tx.requestEvent.create({
    data: { requestId: request.id, at: ctx.now, actorId: request.anonymous ? null : person.id, kind: 'attached', text: t.attachments.event(n) },
  })
  const who = request.anonymous && author ? t.requests.anonymousName : person.name
  const text = t.attachments.forOfficer(request.number, who, n, requestLink(options, request.number))
  return (await handlers(ctx, request)).map((o) => ({ to: { kind: 'person', personId: o.id }, text, notice: true, urgent: request.urgent }))
}

/** The sender's newest open request (their own, anonymous ones too, or one they filed for someone) filed since `since`. */
async function recentRequest(tx: Tx, personId: number, since: Date): Promise<RequestRow | null> {
  const authored = await tx.requestAuthor.findMany({ where: { personId }, select: { requestId: true }, orderBy: { requestId: 'desc' }, take: 20 })
  return tx.workerRequest.findFirst({
    where: {
      createdAt: { gte: since },
      status: { in: [...OPEN_STATUSES] },
      OR: [{ requesterId: personId }, { filedById: personId }, { id: { in: authored.map((a) => a.requestId) } }],
    },
    orderBy: { id: 'desc' },
  })
}

/**
 * The core's receiver for a private message's files no command took: refusals said; the rest join
 * the sender's request of the last minutes, or wait for the answer to an offer.
 */
export function attachmentReceiver(options: AttachmentOptions) {
  return async (ctx: CommandContext, files: ReceivedFile[]): Promise<void> => {
    const person = ctx.person
    if (!person || ctx.chat) return
    const lines = refusals(ctx, files, options.maxBytes)
    const accepted = files.filter((f): f is AcceptedFile => f.ok)
    if (accepted.length > 0) {
      let request: RequestRow | null
      try {
        request = ADD_WORDS.has(ctx.word.replace(/^[/／]/, '').toLowerCase()) && isRequestReference(ctx.tokens[0]) ? await namedRequest(ctx, person) : null
      } catch (error) {
        if (!(error instanceof Refusal)) throw error
        return ctx.reply([...lines, error.message].join('\n'))
      }
      request ??= await recentRequest(ctx.tx, person.id, new Date(ctx.now.getTime() - options.joinMinutes * 60_000))
      if (request) {
        ;(await attachToRequest(requestContext(ctx), request, person, accepted, ctx.msg.platform, options)).forEach(ctx.send)
        lines.push(ctx.t.attachments.joined(request.number, accepted.length))
      } else return offer(ctx, person, accepted, lines)
    }
    if (lines.length) ctx.reply(lines.join('\n'))
  }
}

/** The words of `补充` (src/requests/commands.ts): its files join the request it names. */
const ADD_WORDS = new Set(['补充', '补充说明', 'add'])

/** The request `补充 SQ-…` names, when the sender may add to it (its author or the collector who filed it) and it is open. */
async function namedRequest(ctx: CommandContext, person: PersonRow): Promise<RequestRow> {
  const rctx = requestContext(ctx)
  const request = await findRequest(rctx, ctx.tokens[0]!)
  if (!(await isAuthor(rctx, person.id, request)) && request.filedById !== person.id) throw new RequestRefusal(ctx.t.requests.notYours(request.number))
  if (!(OPEN_STATUSES as readonly string[]).includes(request.status)) throw new RequestRefusal(ctx.t.attachments.closed(request.number))
  return request
}

/** Keeps the files aside (no request yet) and asks what they are. */
async function offer(ctx: CommandContext, person: PersonRow, files: AcceptedFile[], before: string[]): Promise<void> {
  const a = ctx.t.attachments
  const key = { platform: ctx.msg.platform, subject: personSubject(person.id) }
  // Files of an earlier offer not answered join this one.
  const earlier = await conversationState.get(ctx.tx, offerSlot, key, ctx.now)
  const ids = earlier ? [...earlier.ids] : []
  for (const f of files) {
    const row = await ctx.tx.attachment.create({
      data: {
        requestId: null,
        ...fileColumns(f),
        uploaderId: person.id,
        platform: ctx.msg.platform,
        createdAt: ctx.now,
      },
      select: { id: true },
    })
    ids.push(row.id)
  }
  const token = crypto.randomBytes(4).toString('hex')
  const expiresAt = new Date(ctx.now.getTime() + ATTACHMENT_OFFER_MINUTES * 60_000)
  await conversationState.set(ctx.tx, offerSlot, key, { token, ids, expiresAt: expiresAt.toISOString() }, expiresAt, ctx.now)
  ctx.reply([...before, a.offer(ids.length)].join('\n'), {
    card: {
      title: a.offerTitle,
      body: a.offer(ids.length).split('\n')[0]!,
      buttons: [
        { label: a.buttons.hazard, action: { command: `随手拍 ${token}` }, style: 'primary' },
        { label: a.buttons.request, action: { command: `附件诉求 ${token}` } },
        { label: a.buttons.cancel, action: { command: `不要附件 ${token}` } },
      ],
      tone: 'info',
    },
  })
}

type Choice = 'hazard' | 'request' | 'cancel'

/** Answers the offer: files the kept files as a hazard report or a request, or drops them. */
async function answer(ctx: CommandContext, choice: Choice, options: AttachmentOptions): Promise<void> {
  const a = ctx.t.attachments
  const person = ctx.person!
  const key = { platform: ctx.msg.platform, subject: personSubject(person.id) }
  const pending = await conversationState.get(ctx.tx, offerSlot, key, ctx.now)
  const token = ctx.tokens[0]
  if (!pending || (token && pending.token !== token)) return ctx.reply(token ? a.expired : a.nothingPending)
  await conversationState.clear(ctx.tx, offerSlot, key, ctx.now)
  const where = { id: { in: pending.ids }, requestId: null, uploaderId: person.id }
  if (choice === 'cancel') {
    await ctx.tx.attachment.deleteMany({ where })
    return ctx.reply(a.cancelled)
  }
  const n = await ctx.tx.attachment.count({ where })
  if (n === 0) return ctx.reply(a.expired)
  const campaign = choice === 'hazard' ? await currentSafetyCampaign(ctx.tx, ctx.now) : null
  const rctx = requestContext(ctx)
  const { request, ack, out, discreet } = await fileRequest(rctx, {
    requester: person,
    anonymous: false,
    content: choice === 'hazard' ? a.hazardContent : a.requestContent,
    source: { platform: ctx.msg.platform, chatId: ctx.msg.chatId },
    ...(choice === 'hazard' ? { urgent: true, categoryName: '安全隐患' } : {}),
    ...(campaign ? { campaignId: campaign.id } : {}),
  })
  await ctx.tx.attachment.updateMany({ where, data: { requestId: request.id } })
  const notices = await announce(rctx, request, person, n, options)
  await acknowledge(
    ctx,
    `${ack}\n${a.joined(request.number, n)}${campaign ? `\n${ctx.t.announcements.hazardCampaign(campaign.name)}` : ''}`,
    request.number,
    discreet,
  )
  for (const m of [...out, ...notices]) ctx.send(m)
}

/** The commands the offer's buttons carry (not listed in 帮助; typing them works too). */
export function attachmentCommands(options: AttachmentOptions): CommandDefinition[] {
  const command = (name: string, word: string, choice: Choice): CommandDefinition => ({
    name,
    words: [word],
    aliases: [],
    roles: allRoles,
    listedFor: [],
    usage: () => word,
    summary: (t) => t.attachments.offerTitle,
    run: async (ctx) => answer(ctx, choice, options),
  })
  return [command('attachHazard', '随手拍', 'hazard'), command('attachRequest', '附件诉求', 'request'), command('attachCancel', '不要附件', 'cancel')]
}

/** Attachments kept aside for an offer nobody answered are dropped after a day (the retention job). */
export async function dropUnclaimed(tx: Tx, now: Date): Promise<number> {
  const { count } = await tx.attachment.deleteMany({ where: { requestId: null, createdAt: { lt: new Date(now.getTime() - 24 * 60 * 60_000) } } })
  return count
}

/** A checked file as the Attachment table keeps it. */
function fileColumns(f: AcceptedFile) {
  return { kind: f.kind, name: f.name, mime: f.mime, size: f.size, sha256: f.sha256, bytes: new Uint8Array(f.bytes) }
}
