import { z } from 'zod'
import {
  allRoles,
  commandBuilder,
  guarded,
  parseArgs,
  reachablePrivately,
  replyPrivately,
  staffRoles,
  textAfterFirst,
  type Asker,
  type CommandContext,
  type CommandDefinition,
  type PersonRow,
} from '../core/commands.js'
import type { Messages } from '../messages/index.js'
import { canActOnUnit } from '../organisation/scope.js'
import { act, addToRequest, contestRequest, isRequestReference, rate, recategorise, type OfficerAction } from './service.js'
import { parseWhen } from '../core/time/when.js'
import { requestContext } from './context.js'
import { fileUnlessDuplicate, prefetchDuplicates } from './intent.js'
import { gridRequests, myRequests, progress, todoText } from './views.js'
import { loadMonthly, scopeName, scopeOf } from '../reports/monthly.js'
import { monthOf } from '../reports/stats.js'

type Usage = keyof Messages['requests']['usage']
type Summary = keyof Messages['requests']['summary']

const command = commandBuilder('requests')

const number = z.string().refine(isRequestReference)
const content = z.string().trim().min(1)

async function file(ctx: CommandContext, self: CommandDefinition, anonymous: boolean): Promise<void> {
  const text = parseArgs(ctx, content, self, ctx.rawArgs)
  if (text === null) return
  const asker = ctx.person!
  if (anonymous && ctx.msg.chatId !== null) {
    // Never taken in a group: nothing is filed and the words are not repeated; the asker is told, privately where possible, where to write.
    if (await reachablePrivately(ctx, asker.id)) ctx.send({ to: { kind: 'person', personId: asker.id }, text: ctx.t.privacy.anonymousNotInGroup })
    else ctx.reply(ctx.t.privacy.anonymousNotInGroupHint)
    return
  }
  await fileUnlessDuplicate(ctx, { requester: asker, anonymous, content: text })
}

/** The person a collector names: an @mention, an employee number or a name, at the start of the arguments. */
async function whoFor(ctx: CommandContext): Promise<{ person: Asker; rest: string } | string> {
  const first = ctx.tokens[0] ?? ''
  const mentioned = first.startsWith('@') ? ctx.mentioned.find((m) => m.name === first.slice(1)) : undefined
  const query = first.replace(/^@/, '')
  const rest = textAfterFirst(ctx)
  let candidates: PersonRow[] = []
  if (mentioned?.person) candidates = [mentioned.person]
  else if (query)
    candidates = await ctx.tx.person.findMany({
      where: { active: true, OR: [{ employeeNo: query }, { employeeNo: query.toUpperCase() }, { name: query }] },
      take: 5,
    })
  if (candidates.length === 0) return ctx.t.requests.whoFor(query)
  if (candidates.length > 1)
    return ctx.t.requests.whoForAmbiguous(
      query,
      candidates.map((p) => `${p.name}（${p.employeeNo}）`),
    )
  const person = await ctx.tx.person.findUniqueOrThrow({ where: { id: candidates[0]!.id }, include: { unit: true } })
  return { person, rest }
}

const fileCommand = command(
  'fileRequest',
  ['诉求', '提诉求', '反映'],
  ['request', 'req'],
  allRoles,
  'file',
  'file',
  (ctx, self) => file(ctx, self, false),
  'fileExample',
)
// Requests filed together: the senders' duplicate checks read in two queries (the filer is the requester).
fileCommand.prefetch = (db, calls, now) =>
  prefetchDuplicates(
    db,
    now,
    calls.map((c) => ({ personId: c.person.id, includeAnonymous: c.private })),
  )

const anonymousCommand = command(
  'fileAnonymous',
  ['匿名诉求', '匿名反映'],
  ['anon'],
  allRoles,
  'anonymous',
  'anonymous',
  (ctx, self) => file(ctx, self, true),
  'anonymousExample',
)

const onBehalfCommand = command(
  'fileOnBehalf',
  ['代报', '代提'],
  ['proxy'],
  ['collector', 'officer', 'admin'],
  'onBehalf',
  'onBehalf',
  async (ctx, self) => {
    if (ctx.tokens.length < 2) return ctx.reply(ctx.t.usage(self.usage(ctx.t), self.example?.(ctx.t)))
    const found = await whoFor(ctx)
    if (typeof found === 'string') return ctx.reply(found)
    const { person, rest } = found
    const filer = ctx.person!
    let allowed = filer.role === 'admin' || (filer.role === 'officer' && canActOnUnit(filer, person.unit))
    if (!allowed && filer.role === 'collector') {
      allowed = (await ctx.tx.grid.count({ where: { collectors: { some: { personId: filer.id } }, units: { some: { id: person.unitId } } } })) > 0
    }
    if (!allowed) return ctx.reply(ctx.t.requests.onlyInGrid(person.name))
    const text = parseArgs(ctx, content, self, rest)
    if (text === null) return
    await fileUnlessDuplicate(ctx, { requester: person, filedBy: filer, anonymous: false, content: text })
  },
  'onBehalfExample',
)

const mineCommand = command('myRequests', ['我的诉求'], ['mine'], allRoles, 'file', 'mine', async (ctx) =>
  replyPrivately(ctx, await myRequests(requestContext(ctx), ctx.person!.id)),
)
mineCommand.usage = () => '我的诉求'

const gridCommand = command('gridRequests', ['网格诉求'], ['gridrequests'], ['collector'], 'file', 'grid', async (ctx) =>
  replyPrivately(ctx, await gridRequests(requestContext(ctx), ctx.person!.id)),
)
gridCommand.usage = () => '网格诉求'

const progressCommand = command(
  'progress',
  ['进度', '查进度'],
  ['status'],
  allRoles,
  'status',
  'status',
  async (ctx, self) => {
    const n = parseArgs(ctx, number, self, ctx.tokens[0])
    if (n === null) return
    const { text, card } = await progress(requestContext(ctx), ctx.person!, n)
    await replyPrivately(ctx, text, { card })
  },
  'statusExample',
)

const rateCommand = command(
  'rate',
  ['评价', '打分'],
  ['rate'],
  allRoles,
  'rate',
  'rate',
  async (ctx, self) => {
    const n = parseArgs(ctx, number, self, ctx.tokens[0])
    if (n === null) return
    const score = z.coerce.number().int().min(1).max(5).safeParse(ctx.tokens[1]?.replace(/分$/, ''))
    if (!score.success) return ctx.reply(ctx.t.requests.badScore)
    const comment = textAfterFirst({ rawArgs: textAfterFirst(ctx) })
    const { ack, out } = await rate(requestContext(ctx), ctx.person!, n, score.data, comment)
    await replyPrivately(ctx, ack)
    out.forEach(ctx.send)
  },
  'rateExample',
)

const recategoriseCommand = command(
  'recategorise',
  ['改类别', '更改类别'],
  ['recategorise', 'recategorize'],
  allRoles,
  'recategorise',
  'recategorise',
  async (ctx, self) => {
    const args = parseArgs(ctx, z.tuple([number, z.string().min(1)]), self, ctx.tokens.slice(0, 2))
    if (!args) return
    const { ack, out, discreet } = await recategorise(requestContext(ctx), ctx.person!, args[0], args[1])
    if (discreet) await replyPrivately(ctx, ack)
    else ctx.reply(ack)
    out.forEach(ctx.send)
  },
  'recategoriseExample',
)

/** An officer command: `<word> SQ-… [text]`, text required when `needsText`. */
function officerCommand(
  name: string,
  words: string[],
  alias: string,
  usage: Usage,
  summary: Summary,
  build: (ctx: CommandContext, text: string) => Promise<OfficerAction | string>,
  needsText: boolean,
  example?: Usage,
): CommandDefinition {
  return command(
    name,
    words,
    [alias],
    staffRoles,
    usage,
    summary,
    async (ctx, self) => {
      const n = parseArgs(ctx, number, self, ctx.tokens[0])
      if (n === null) return
      const text = textAfterFirst(ctx)
      if (needsText && !text) return ctx.reply(ctx.t.usage(self.usage(ctx.t), self.example?.(ctx.t)))
      const action = await build(ctx, text)
      if (typeof action === 'string') return ctx.reply(action)
      const { ack, out } = await act(requestContext(ctx), ctx.person!, n, action)
      ctx.reply(ack)
      out.forEach(ctx.send)
    },
    example,
  )
}

const transferCommand = officerCommand(
  'transfer',
  ['转办'],
  'transfer',
  'transfer',
  'transfer',
  async (ctx, text) => {
    const [first = '', ...restTokens] = text.split(/\s+/)
    const target = first.replace(/^@/, '')
    const mention = ctx.mentioned.find((m) => m.name === target)?.person
    const candidates = mention
      ? [mention]
      : await ctx.tx.person.findMany({
          where: { active: true, role: { in: ['officer', 'admin'] }, OR: [{ employeeNo: target }, { employeeNo: target.toUpperCase() }, { name: target }] },
          take: 5,
        })
    if (candidates.length === 0) return ctx.t.requests.whoFor(target)
    if (candidates.length > 1)
      return ctx.t.requests.whoForAmbiguous(
        target,
        candidates.map((p) => `${p.name}（${p.employeeNo}）`),
      )
    const to = await ctx.tx.person.findUniqueOrThrow({ where: { id: candidates[0]!.id }, include: { unit: true } })
    return { kind: 'transfer', to, note: restTokens.join(' ') }
  },
  true,
  'transferExample',
)

// The two commands that act on an @mentioned person: only theirs are resolved.
onBehalfCommand.takesMentions = true
transferCommand.takesMentions = true

const todoCommand: CommandDefinition = {
  name: 'todo',
  words: ['待办', '我的待办'],
  aliases: ['todo'],
  roles: staffRoles,
  usage: (t) => (t.botName === '工友' ? '待办' : 'todo'),
  summary: (t) => t.requests.summary.todo,
  run: (ctx) => guarded(ctx, async () => replyPrivately(ctx, await todoText(requestContext(ctx), ctx.person!))),
}

/** `补充 SQ-… 内容`: the author (or the collector who filed it) adds to the request, or answers the officer's question. */
const addCommand: CommandDefinition = {
  name: 'addToRequest',
  words: ['补充', '补充说明'],
  aliases: ['add'],
  roles: allRoles,
  usage: (t) => t.conversation.usage.add,
  summary: (t) => t.conversation.summary.add,
  example: (t) => t.conversation.usage.addExample,
  run: (ctx) =>
    guarded(ctx, async () => {
      const n = ctx.tokens[0]
      const text = textAfterFirst(ctx)
      // `补充 SQ-…` with a photo and no words: the photo is the addition (src/requests/attachments.ts joins it).
      if (isRequestReference(n) && !text && ctx.attachments) return
      if (!isRequestReference(n) || !text) return replyPrivately(ctx, ctx.t.usage(ctx.t.conversation.usage.add, ctx.t.conversation.usage.addExample))
      const { ack, out } = await addToRequest(requestContext(ctx), ctx.person!, n!, text)
      await replyPrivately(ctx, ack)
      out.forEach(ctx.send)
    }),
}

/** `申请复核 SQ-… 理由`: contests a rejected or resolved request once; it goes one level up. */
const contestCommand: CommandDefinition = {
  name: 'contest',
  words: ['申请复核', '复核'],
  aliases: ['review'],
  roles: allRoles,
  usage: (t) => t.conversation.usage.contest,
  summary: (t) => t.conversation.summary.contest,
  example: (t) => t.conversation.usage.contestExample,
  run: (ctx) =>
    guarded(ctx, async () => {
      const n = ctx.tokens[0]
      if (!isRequestReference(n)) return replyPrivately(ctx, ctx.t.usage(ctx.t.conversation.usage.contest, ctx.t.conversation.usage.contestExample))
      const { ack, out } = await contestRequest(requestContext(ctx), ctx.person!, n!, textAfterFirst(ctx))
      await replyPrivately(ctx, ack)
      out.forEach(ctx.send)
    }),
}

/** `统计 [2026-03]`: the month's headline figures, computed by the same function as the dashboard, the API and the monthly report. */
const figuresCommand: CommandDefinition = {
  name: 'figures',
  words: ['统计', '诉求统计'],
  aliases: ['figures'],
  roles: staffRoles,
  usage: (t) => t.conversation.usage.figures,
  summary: (t) => t.conversation.summary.figures,
  run: (ctx) =>
    guarded(ctx, async () => {
      const month = ctx.tokens[0] ?? monthOf(ctx.now, ctx.settings.timeZone)
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return ctx.reply(ctx.t.conversation.badMonth)
      const scope = await scopeOf(ctx.tx, ctx.person!)
      const r = await loadMonthly(ctx.tx, scope, month, { now: ctx.now, timeZone: ctx.settings.timeZone, statusLabels: ctx.t.requests.status })
      const a = r.deadline.answer
      const none = ctx.t.conversation.none
      await replyPrivately(
        ctx,
        ctx.t.conversation.figures(scopeName(scope), month, {
          filed: r.totals.filed,
          resolved: r.totals.resolved,
          rejected: r.totals.rejected,
          open: r.totals.open,
          onTime: a.onTime,
          late: a.late,
          share: a.share === null ? none : `${Math.round(a.share * 1000) / 10}%`,
          rated: r.satisfaction.count,
          average: r.satisfaction.average === null ? none : String(r.satisfaction.average),
          supervised: r.totals.supervised,
        }) + (r.activities ? `\n${ctx.t.conversation.figuresActivities({ ...r.activities, read: r.activities.acknowledgements })}` : ''),
      )
    }),
}

export const requestCommands: CommandDefinition[] = [
  figuresCommand,
  fileCommand,
  anonymousCommand,
  onBehalfCommand,
  mineCommand,
  gridCommand,
  progressCommand,
  rateCommand,
  recategoriseCommand,
  officerCommand('accept', ['受理'], 'accept', 'accept', 'accept', async () => ({ kind: 'accept' }), false),
  officerCommand('reply', ['回复', '答复'], 'reply', 'reply', 'reply', async (_c, text) => ({ kind: 'reply', text }), true, 'replyExample'),
  officerCommand('resolve', ['办结'], 'resolve', 'resolve', 'resolve', async (_c, text) => ({ kind: 'resolve', result: text }), true, 'resolveExample'),
  officerCommand('reject', ['驳回'], 'reject', 'reject', 'reject', async (_c, text) => ({ kind: 'reject', reason: text }), true, 'rejectExample'),
  transferCommand,
  officerCommand('escalate', ['升级'], 'escalate', 'escalate', 'escalate', async (_c, text) => ({ kind: 'escalate', reason: text }), false),
  officerCommand(
    'supervise',
    ['督办'],
    'supervise',
    'supervise',
    'supervise',
    async (ctx, text) => {
      // `督办 SQ-… [新期限] 说明`: a first word that reads as a time (周五前, 12月5日前, 3天内) is the new result deadline.
      const [first = '', ...rest] = text.split(/\s+/).filter(Boolean)
      const when = first ? parseWhen(first, ctx.now, ctx.settings.timeZone) : null
      if (when && 'at' in when && when.at) return { kind: 'supervise', note: rest.join(' '), resultDueAt: when.at }
      return { kind: 'supervise', note: text }
    },
    false,
  ),
  addCommand,
  contestCommand,
  todoCommand,
]
