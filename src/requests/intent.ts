/**
 * The intent layer wired to requests: what the core's IntentHook does with a reading from
 * src/core/intent. A message that plainly means a command runs it; one that only looks like a
 * problem is offered with buttons (提交诉求 / 匿名提交 / 不用了) that file the text already
 * written; the same person writing nearly the same thing within a day is asked whether it is the
 * same matter. Pending offers live in the Conversation table (per platform and person, with an
 * expiry, next to a survey in progress), and a button names its offer by a short token.
 */
import { primeRead } from '../db/read-memo.js'
import crypto from 'node:crypto'
import { z } from 'zod'
import { allRoles, type CommandContext, type CommandDefinition } from '../core/commands.js'
import type { IntentHook } from '../core/chat-core.js'
import { conversationState, personSubject, stateSlot } from '../core/state.js'
import { readIntent, startsWithTypo, yesOrNo, type Reading } from '../core/intent/read.js'
import { readingForm, similarity, soundKey } from '../core/intent/text.js'
import type { Card, Platform } from '../core/types.js'
import type { Tx } from '../db/client.js'
import { acknowledge, requestContext } from './context.js'
import { fileRequest, type RequestContext, type RequestRow } from './service.js'

/** An offer waits this long for its answer. */
export const OFFER_MINUTES = 30
/** Nearly the same text (character bigram Jaccard) from the same person within this window is asked about. */
export const DUPLICATE_SIMILARITY = 0.8
export const DUPLICATE_WINDOW_MS = 24 * 60 * 60_000

export interface Offer {
  token: string
  text: string
  urgent: boolean
  /** Who the request is for (a collector may be asked about a worker's duplicate). */
  requesterId: number
  anonymous: boolean
  /** Set when the offer asks whether this is the same matter as that request. */
  duplicateOf?: string
  category?: string
  expiresAt: string
}

const offerSlot = stateSlot<Offer>(
  'offer',
  z.object({
    token: z.string(),
    text: z.string(),
    urgent: z.boolean(),
    requesterId: z.number().int(),
    anonymous: z.boolean(),
    duplicateOf: z.string().optional(),
    category: z.string().optional(),
    expiresAt: z.string(),
  }),
)
/** An expired offer is still kept this long, so that its answer is told it expired. */
const EXPIRED_OFFER_KEPT_MS = 24 * 60 * 60_000

async function readOffer(tx: Tx, platform: Platform, personId: number, now: Date): Promise<Offer | null> {
  return conversationState.get(tx, offerSlot, { platform, subject: personSubject(personId) }, now)
}

/** Sets (or with null, ends) the offer part of a person's conversation, keeping whatever else it holds (a survey). */
async function writeOffer(tx: Tx, platform: Platform, personId: number, offer: Offer | null, now: Date): Promise<void> {
  const key = { platform, subject: personSubject(personId) }
  if (offer) await conversationState.set(tx, offerSlot, key, offer, new Date(new Date(offer.expiresAt).getTime() + EXPIRED_OFFER_KEPT_MS), now)
  else await conversationState.clear(tx, offerSlot, key, now)
}

function excerpt(text: string, max = 60): string {
  const chars = Array.from(text.trim())
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('')
}

/** Stores an offer and asks about it: file it / anonymously (privately only) / drop it. */
async function offerToFile(ctx: CommandContext, reading: Reading, text: string): Promise<void> {
  const t = ctx.t.intent
  const person = ctx.person!
  const offer: Offer = {
    token: crypto.randomBytes(4).toString('hex'),
    text,
    urgent: reading.urgent === true,
    requesterId: person.id,
    anonymous: false,
    ...(reading.category ? { category: reading.category } : {}),
    expiresAt: new Date(ctx.now.getTime() + OFFER_MINUTES * 60_000).toISOString(),
  }
  await writeOffer(ctx.tx, ctx.msg.platform, person.id, offer, ctx.now)
  const buttons: NonNullable<Card['buttons']> = [{ label: t.buttons.file, action: { command: `确认提交 ${offer.token}` }, style: 'primary' }]
  // Never anonymously from a group: the person is told to write privately instead.
  if (!ctx.chat) buttons.push({ label: t.buttons.anonymous, action: { command: `匿名提交 ${offer.token}` } })
  buttons.push({ label: t.buttons.cancel, action: { command: `取消提交 ${offer.token}` } })
  const body = reading.typo ? t.typoOffer(reading.typo.written, reading.typo.meant, excerpt(text)) : t.offer(excerpt(text))
  ctx.reply(`${body}\n${ctx.chat ? t.offerInGroup : t.typedHint}`, { card: { title: t.offerTitle, body: excerpt(text, 200), buttons, tone: 'info' } })
}

/** The start of the duplicate window, to the minute (so the events of a batch ask the same question). */
const duplicateSince = (now: Date) => new Date(Math.floor((now.getTime() - DUPLICATE_WINDOW_MS) / 60_000) * 60_000)
/** What the duplicate check reads of a recent request: what it compares and names, and whose it is. */
const RECENT = { id: true, number: true, content: true, requesterId: true } as const
/** The duplicate check's reads: the person's anonymous requests, and their requests of the window. */
const authoredRead = (personId: number) => ({ where: { personId }, select: { requestId: true } })
const recentRead = (requesterId: number, since: Date, anonymousIds: number[]) => ({
  where: { createdAt: { gte: since }, OR: [{ requesterId }, ...(anonymousIds.length ? [{ id: { in: anonymousIds } }] : [])] },
  orderBy: { createdAt: 'desc' as const },
  take: 50,
  select: RECENT,
})

/** A request of this person's, open or recent, that says nearly the same thing; null when none. */
export async function findDuplicate(
  ctx: RequestContext,
  requesterId: number,
  content: string,
  includeAnonymous: boolean,
): Promise<Pick<RequestRow, 'number' | 'content'> | null> {
  const anonymousIds = includeAnonymous ? (await ctx.tx.requestAuthor.findMany(authoredRead(requesterId))).map((a) => a.requestId) : []
  const recent = await ctx.tx.workerRequest.findMany(recentRead(requesterId, duplicateSince(ctx.now), anonymousIds))
  return recent.find((r) => similarity(r.content, content) >= DUPLICATE_SIMILARITY) ?? null
}

/**
 * For requests filed together (a safety campaign's burst): the duplicate check's reads for all
 * their senders in two queries, remembered as each check's answers (db/read-memo.ts; a request
 * filed meanwhile by one of them makes their check ask again).
 */
export async function prefetchDuplicates(db: Tx, now: Date, calls: { personId: number; includeAnonymous: boolean }[]): Promise<void> {
  if (calls.length === 0) return
  const since = duplicateSince(now)
  const people = [...new Set(calls.map((c) => c.personId))]
  const withAnonymous = [...new Set(calls.filter((c) => c.includeAnonymous).map((c) => c.personId))]
  const authored = withAnonymous.length
    ? await db.requestAuthor.findMany({ where: { personId: { in: withAnonymous } }, select: { personId: true, requestId: true } })
    : []
  const anonymousOf = (personId: number) => authored.filter((a) => a.personId === personId).map((a) => a.requestId)
  for (const personId of withAnonymous)
    primeRead(
      'RequestAuthor',
      'findMany',
      authoredRead(personId),
      anonymousOf(personId).map((requestId) => ({ requestId })),
    )
  const recent = await db.workerRequest.findMany({
    where: { createdAt: { gte: since }, OR: [{ requesterId: { in: people } }, ...(authored.length ? [{ id: { in: authored.map((a) => a.requestId) } }] : [])] },
    orderBy: { createdAt: 'desc' },
    select: RECENT,
  })
  for (const { personId, includeAnonymous } of calls) {
    const ids = includeAnonymous ? anonymousOf(personId) : []
    const theirs = recent.filter((r) => r.requesterId === personId || ids.includes(r.id)).slice(0, 50)
    primeRead('WorkerRequest', 'findMany', recentRead(personId, since, ids), theirs)
  }
}

/**
 * Files a request unless the same person wrote nearly the same within a day: then asks, with
 * buttons, whether it is the same matter (是同一件 / 是新问题), and files nothing yet.
 */
export async function fileUnlessDuplicate(
  ctx: CommandContext,
  input: {
    requester: NonNullable<CommandContext['person']>
    filedBy?: NonNullable<CommandContext['person']>
    anonymous: boolean
    content: string
    urgent?: boolean
    categoryName?: string
  },
  checkDuplicate = true,
): Promise<void> {
  const rctx = requestContext(ctx)
  if (checkDuplicate) {
    const same = await findDuplicate(rctx, input.requester.id, input.content, !ctx.chat)
    if (same) {
      const t = ctx.t.intent
      const asker = ctx.person!
      const offer: Offer = {
        token: crypto.randomBytes(4).toString('hex'),
        text: input.content,
        urgent: input.urgent === true,
        requesterId: input.requester.id,
        anonymous: input.anonymous,
        duplicateOf: same.number,
        ...(input.categoryName ? { category: input.categoryName } : {}),
        expiresAt: new Date(ctx.now.getTime() + OFFER_MINUTES * 60_000).toISOString(),
      }
      await writeOffer(ctx.tx, ctx.msg.platform, asker.id, offer, ctx.now)
      // A group is a public place: neither request's words are repeated there.
      ctx.reply(t.duplicate(same.number, ctx.chat ? null : excerpt(same.content)), {
        card: {
          title: t.duplicateTitle(same.number),
          ...(ctx.chat ? {} : { body: excerpt(input.content, 200) }),
          buttons: [
            { label: t.buttons.same, action: { command: `是同一件 ${offer.token}` }, style: 'primary' },
            { label: t.buttons.fresh, action: { command: `是新问题 ${offer.token}` } },
          ],
          tone: 'attention',
        },
      })
      return
    }
  }
  const { ack, out, request, discreet } = await fileRequest(rctx, {
    requester: input.requester,
    ...(input.filedBy ? { filedBy: input.filedBy } : {}),
    anonymous: input.anonymous,
    content: input.content,
    source: { platform: ctx.msg.platform, chatId: ctx.msg.chatId },
    ...(input.urgent ? { urgent: true } : {}),
    ...(input.categoryName ? { categoryName: input.categoryName } : {}),
  })
  await acknowledge(ctx, ack, request.number, discreet)
  out.forEach(ctx.send)
}

type Answer = 'file' | 'anonymous' | 'cancel' | 'same' | 'fresh'

/** Answers the pending offer (by its token, or the current one when typed): files, drops, or says it expired. */
async function answerOffer(ctx: CommandContext, answer: Answer, token: string | undefined): Promise<void> {
  const t = ctx.t.intent
  const person = ctx.person!
  const offer = await readOffer(ctx.tx, ctx.msg.platform, person.id, ctx.now)
  if (!offer || (token && offer.token !== token)) return ctx.reply(token ? t.expired : t.nothingPending)
  await writeOffer(ctx.tx, ctx.msg.platform, person.id, null, ctx.now)
  if (new Date(offer.expiresAt).getTime() < ctx.now.getTime()) return ctx.reply(t.expired)
  if (answer === 'cancel') return ctx.reply(t.cancelled)
  if (answer === 'same') return ctx.reply(t.sameMatter(offer.duplicateOf ?? ''))
  const anonymous = answer === 'anonymous' || (answer === 'fresh' && offer.anonymous)
  // Never anonymously from a group (the button is not offered there; a typed command is refused the same way).
  if (anonymous && ctx.chat) return ctx.reply(t.offerInGroup)
  const requester = offer.requesterId === person.id ? person : await ctx.tx.person.findUnique({ where: { id: offer.requesterId }, include: { unit: true } })
  if (!requester) return ctx.reply(t.expired)
  await fileUnlessDuplicate(
    ctx,
    {
      requester,
      ...(requester.id !== person.id ? { filedBy: person } : {}),
      anonymous,
      content: offer.text,
      urgent: offer.urgent,
      ...(offer.category ? { categoryName: offer.category } : {}),
    },
    answer !== 'fresh',
  )
}

function answerCommand(name: string, word: string, answer: Answer): CommandDefinition {
  return {
    name,
    words: [word],
    aliases: [],
    roles: allRoles,
    listedFor: [],
    usage: () => word,
    summary: (t) => t.intent.offerTitle,
    run: async (ctx) => answerOffer(ctx, answer, ctx.tokens[0]),
  }
}

/** The commands the offer buttons carry (not listed in 帮助; typing them works too). */
export const offerCommands: CommandDefinition[] = [
  answerCommand('confirmOffer', '确认提交', 'file'),
  answerCommand('confirmAnonymous', '匿名提交', 'anonymous'),
  answerCommand('cancelOffer', '取消提交', 'cancel'),
  answerCommand('sameMatter', '是同一件', 'same'),
  answerCommand('newMatter', '是新问题', 'fresh'),
]

/** The core's intent hook for this service; `botName` is how people @-mention the bot (工友). */
export function requestIntent(botName: string): IntentHook {
  const mention = new RegExp(`^\\s*[@＠]${botName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=\\S)`)
  return {
    addressed(text, isCommand) {
      // `@工友诉求 …`: the platform saw a mention of "工友诉求"; the person meant the bot and 诉求.
      if (mention.test(text)) {
        const rest = text.replace(mention, '').trim()
        if (isCommand(rest) || readIntent(rest, { role: 'worker' }).kind !== 'unknown') return { text: rest, mentionsBot: true }
      }
      // A mistyped command word at the start is meant for the bot like the word itself.
      if (startsWithTypo(text)) return { text, mentionsBot: false }
      return null
    },

    async interpret(ctx) {
      const raw = ctx.rawArgs
      const typed = ctx.person ? yesOrNo(raw) : undefined
      if (typed && ctx.person) {
        const offer = await readOffer(ctx.tx, ctx.msg.platform, ctx.person.id, ctx.now)
        if (offer) {
          await answerOffer(ctx, typed === 'yes' ? (offer.duplicateOf ? 'same' : 'file') : offer.duplicateOf ? 'fresh' : 'cancel', undefined)
          return true
        }
      }
      const reading = readIntent(raw, { role: ctx.role })
      const t = ctx.t.intent
      if (reading.kind === 'smallTalk') {
        const line = t.smallTalk[reading.topic ?? 'ok'] ?? t.smallTalk.ok!
        ctx.reply(reading.topic === 'ok' || reading.topic === 'laugh' ? line : `${line}\n${t.howToFile}`)
        return true
      }
      if (reading.kind === 'unknown' || !reading.command) return false
      if (!reading.confirm) return { command: reading.command }
      if (!ctx.person) {
        ctx.reply(ctx.t.needBinding)
        return true
      }
      if (reading.text !== undefined && (reading.kind === 'offer' || reading.kind === 'file')) {
        await offerToFile(ctx, reading, reading.text)
        return true
      }
      // A mistyped command that writes (an officer's 受里 SQ-…): one tap runs what was meant.
      const { written, meant } = reading.typo ?? { written: '', meant: '' }
      ctx.reply(t.didYouMean(written, meant), {
        card: {
          title: t.didYouMean(written, meant),
          buttons: [{ label: reading.command, action: { command: reading.command }, style: 'primary' }],
          tone: 'info',
        },
      })
      return true
    },

    sameMeaning(written, suggested) {
      if (/^[\x20-\x7e]+$/.test(suggested)) return true
      const head = Array.from(readingForm(written)).slice(0, Array.from(suggested).length).join('')
      try {
        return soundKey(head) === soundKey(suggested)
      } catch {
        return false
      }
    },
  }
}
