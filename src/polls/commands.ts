import { allRoles, commandBuilder, guarded, replyPrivately, staffRoles, textAfterFirst, type CommandContext, type CommandDefinition } from '../core/commands.js'
import { formatLocal } from '../core/time/zone.js'
import { parsePollLine, parseQuestionLine, type PollLine } from './grammar.js'
import { closePoll } from './closing.js'
import { findPoll, MAX_OPTIONS, normalisePollNumber, PollRefusal, refuse, type PollContext } from './service.js'
import { createPoll } from './create.js'
import { castVote, prefetchVotes } from './voting.js'
import { mayClose, maySeeResults, pollResults, votersByOption } from './results.js'
import { answerSurvey, createSurvey, findTemplate, startSurvey, templateNames } from './survey.js'
import { surveyResults } from './survey-results.js'
import { resultsView, surveyResultsView } from './views.js'

export interface PollCommandOptions {
  /** The voter-key secret (voteSecret). */
  secret: string
}

/** The poll and survey commands; `secret` makes voter keys (see voteSecret). */
export function pollCommands(options: PollCommandOptions): CommandDefinition[] {
  const pollContext = (ctx: CommandContext): PollContext => ({
    tx: ctx.tx,
    now: ctx.now,
    t: ctx.t,
    timeZone: ctx.settings.timeZone,
    secret: options.secret,
    ...(ctx.settings.minGroup !== undefined ? { minGroup: ctx.settings.minGroup } : {}),
  })
  const source = (ctx: CommandContext) => ({ platform: ctx.msg.platform, chatId: ctx.msg.chatId })
  const me = (ctx: CommandContext) => [{ personId: ctx.person!.id, name: ctx.person!.name }]

  const command = commandBuilder('polls')
  /** How far a platform's time may be from the service's before a vote's press time is taken from the service instead. */
  const PLATFORM_CLOCK_SKEW_MS = 10 * 60_000

  const usage = (ctx: CommandContext, self: CommandDefinition) => ctx.reply(ctx.t.usage(self.usage(ctx.t), self.example?.(ctx.t)))

  /** `发起投票 标题 | 选项 | 选项 [匿名] [多选N] [不可改] [截止 时间] [范围 单位]` */
  const startPoll = command(
    'startPoll',
    ['发起投票', '新建投票', '发起表决'],
    ['poll'],
    ['collector', 'officer', 'admin'],
    'start',
    'start',
    async (ctx, self) => {
      if (!ctx.rawArgs.trim()) return usage(ctx, self)
      const parsed = parsePollLine(ctx.rawArgs, ctx.t)
      if (!parsed.ok) return ctx.reply(`${parsed.error}\n${ctx.t.usage(self.usage(ctx.t), self.example?.(ctx.t))}`)
      const line: PollLine = parsed.value
      const maxChoices = line.maxChoices === 'all' ? Math.max(1, Math.min(line.options.length, MAX_OPTIONS)) : line.maxChoices
      const { ack, out } = await createPoll(pollContext(ctx), {
        creatorId: ctx.person!.id,
        title: line.title,
        options: line.options,
        ...(maxChoices !== undefined ? { maxChoices } : {}),
        ...(line.anonymous !== undefined ? { anonymous: line.anonymous } : {}),
        ...(line.allowChange !== undefined ? { allowChange: line.allowChange } : {}),
        ...(line.deadline !== undefined ? { deadline: line.deadline } : {}),
        ...(line.units ? { units: line.units } : {}),
        source: source(ctx),
      })
      ctx.reply(ack)
      out.forEach(ctx.send)
    },
    'startExample',
  )

  /**
   * `投票 P-17 2`, `投票 P-17 1,3`, `投票 P-17 1 3`, `投票 P-17 愿意`; card buttons of multiple-choice polls send `+2`.
   *
   * A vote typed in a group is answered in the group (with a mention, never the choice). A card
   * button pressed in a group is answered privately, refusals included: a poll sent to a whole
   * company draws thousands of presses within minutes, and one group answer each would flood the
   * group for a quarter of an hour (Feishu takes 5 messages a second per chat).
   */
  const vote = command(
    'vote',
    ['投票'],
    ['vote'],
    allRoles,
    'vote',
    'vote',
    async (ctx, self) => {
      if (!ctx.chat || !ctx.msg.action) return castAndAnswer(ctx, self, false)
      const voter = ctx.person!
      const privately: CommandContext = {
        ...ctx,
        reply: (text, extra) => ctx.send({ to: { kind: 'person', personId: voter.id }, text, ...(extra?.card ? { card: extra.card } : {}) }),
      }
      return guarded(privately, () => castAndAnswer(privately, self, true))
    },
    'voteExample',
  )

  /** Records the vote and answers it: in the group (mentioning the voter), or privately with the choice. */
  async function castAndAnswer(ctx: CommandContext, self: CommandDefinition, privately: boolean): Promise<void> {
    const number = normalisePollNumber(ctx.tokens[0], 'P')
    if (!number) return usage(ctx, self)
    const written = ctx.tokens.slice(1)
    if (written.length === 0) {
      const poll = await findPoll(pollContext(ctx), number)
      return ctx.reply(ctx.t.polls.noChoice(poll.number, await ctx.tx.pollOption.count({ where: { pollId: poll.id } })))
    }
    const toggle = written.every((w) => /^\+\d+$/.test(w))
    const numeric = written.every((w) => /^\+?\d+$/.test(w))
    // Labels may be written instead of numbers; one label may contain spaces.
    const choices = numeric ? written.map((w) => Number(w.replace('+', ''))) : written.length > 1 ? [textAfterFirst(ctx)] : written
    const pctx = pollContext(ctx)
    // When the person pressed or wrote it, by the platform: of two presses, the later one wins.
    // A platform time far from the service's clock (a skewed clock, a replay) is not trusted.
    const sent = ctx.msg.sentAt ? new Date(ctx.msg.sentAt) : null
    const at = sent && Math.abs(sent.getTime() - ctx.now.getTime()) <= PLATFORM_CLOCK_SKEW_MS ? sent : undefined
    let result
    try {
      result = await castVote(pctx, ctx.person!, { number, choices, toggle, at })
    } catch (error) {
      // `投票 P-1 红烧肉 鱼`: several labels, tried one by one when the whole text is not one.
      if (!(error instanceof PollRefusal) || numeric || written.length === 1) throw error
      result = await castVote(pctx, ctx.person!, { number, choices: written, at })
    }
    const { poll, choices: chosen, outcome } = result
    const deadline = formatLocal(poll.deadline, ctx.settings.timeZone)
    const answer = ctx.t.polls.voted(
      poll.number,
      poll.title,
      chosen.map((c) => ctx.t.polls.optionLine(c.position, c.label)).join('、'),
      outcome,
      poll.allowChange,
      deadline,
    )
    // An anonymous poll: the group is not told who has voted (a card button pressed there is seen by nobody else).
    if (ctx.chat && !privately && poll.anonymous) return replyPrivately(ctx, answer)
    if (ctx.chat && !privately) ctx.reply(ctx.t.polls.votedInGroup(ctx.person!.name, poll.number, outcome), { mentions: me(ctx) })
    else
      ctx.reply(
        ctx.t.polls.voted(
          poll.number,
          poll.title,
          chosen.map((c) => ctx.t.polls.optionLine(c.position, c.label)).join('、'),
          outcome,
          poll.allowChange,
          deadline,
        ),
      )
  }

  /** `投票结果 P-17` (or `问卷结果 Q-3`): counts for everyone it is for; names only for the creator of a named poll, and only privately. */
  const results = command(
    'pollResults',
    ['投票结果', '问卷结果', '查看投票'],
    ['results'],
    allRoles,
    'results',
    'results',
    async (ctx, self) => {
      const word = ctx.word.startsWith('问卷') ? 'Q' : 'P'
      const number = normalisePollNumber(ctx.tokens[0], word)
      if (!number) return usage(ctx, self)
      const pctx = pollContext(ctx)
      const poll = await findPoll(pctx, number)
      const viewer = ctx.person!
      if (!(await maySeeResults(pctx, viewer, poll)))
        refuse(poll.kind === 'poll' ? ctx.t.polls.resultsNotForYou(poll.number) : ctx.t.polls.surveyResultsNotForYou(poll.number))
      if (poll.kind === 'survey') {
        const view = surveyResultsView(pctx, await surveyResults(ctx.tx, poll.id, ctx.t, pctx.minGroup))
        return replyPrivately(ctx, view.text, { card: view.card })
      }
      const counts = await pollResults(ctx.tx, poll.id, pctx.minGroup)
      const withNames = !poll.anonymous && viewer.id === poll.creatorId
      const names = withNames ? await votersByOption(ctx.tx, poll) : undefined
      if (ctx.chat) {
        const view = resultsView(pctx, counts)
        ctx.reply(view.text, { card: view.card })
        if (names) {
          const full = resultsView(pctx, counts, names)
          ctx.send({ to: { kind: 'person', personId: viewer.id }, text: full.text, card: full.card })
        }
        return
      }
      const view = resultsView(pctx, counts, names)
      ctx.reply(view.text, { card: view.card })
    },
    'resultsExample',
  )

  /** `结束投票 P-17`: the creator (or an officer over all its units, or an administrator) closes it now. */
  const close = command(
    'closePoll',
    ['结束投票', '结束问卷', '关闭投票'],
    ['closepoll'],
    ['collector', 'officer', 'admin'],
    'close',
    'close',
    async (ctx, self) => {
      const number = normalisePollNumber(ctx.tokens[0], ctx.word.endsWith('问卷') ? 'Q' : 'P')
      if (!number) return usage(ctx, self)
      const pctx = pollContext(ctx)
      const poll = await findPoll(pctx, number)
      if (!(await mayClose(pctx, ctx.person!, poll))) refuse(ctx.t.polls.mayNotClose(poll.number))
      const closed = await closePoll(pctx, poll.id)
      if (!closed) refuse(ctx.t.polls.alreadyClosed(poll.number))
      ctx.reply(ctx.t.polls.closedAck(poll.number))
      closed!.out.forEach(ctx.send)
    },
  )

  /**
   * `发起问卷 职工满意度 截止 月底` (a template), or a heading line followed by one question per
   * line (`问题 | 选项 | 选项`, `问题（评分）`, `问题（文字）`).
   */
  const startSurveyCommand = command(
    'startSurvey',
    ['发起问卷', '发起调查', '新建问卷'],
    ['survey'],
    staffRoles,
    'survey',
    'survey',
    async (ctx, self) => {
      if (!ctx.rawArgs.trim()) return usage(ctx, self)
      const [heading = '', ...rest] = ctx.rawArgs.split('\n')
      const parsed = parsePollLine(heading, ctx.t, false)
      if (!parsed.ok) return ctx.reply(`${parsed.error}\n${ctx.t.usage(self.usage(ctx.t), self.example?.(ctx.t))}`)
      const line = parsed.value
      const written = rest.map(parseQuestionLine).filter((q) => q !== null)
      const template = written.length === 0 ? findTemplate(ctx.t, line.title) : null
      if (written.length === 0 && !template) refuse(ctx.t.polls.noQuestions(templateNames(ctx.t).join('、')))
      const { ack, out } = await createSurvey(pollContext(ctx), {
        creatorId: ctx.person!.id,
        title: template?.title ?? line.title,
        questions: template?.questions ?? written,
        ...(line.anonymous !== undefined ? { anonymous: line.anonymous } : {}),
        ...(line.deadline !== undefined ? { deadline: line.deadline } : {}),
        ...(line.units ? { units: line.units } : {}),
        source: source(ctx),
      })
      ctx.reply(ack)
      out.forEach(ctx.send)
    },
    'surveyExample',
  )

  /** `填写问卷 Q-3` / `继续问卷 Q-3`: asks the next unanswered question privately. */
  const fill = command(
    'fillSurvey',
    ['填写问卷', '继续问卷', '参加问卷', '开始问卷'],
    ['fill'],
    allRoles,
    'fill',
    'fill',
    async (ctx, self) => {
      const number = normalisePollNumber(ctx.tokens[0], 'Q')
      if (!number) return usage(ctx, self)
      const asked = await startSurvey(pollContext(ctx), ctx.person!, number, ctx.msg.platform)
      // In a group the questions go privately, and the group hears only that something was sent —
      // not who is taking part, nor whether they have already answered.
      await replyPrivately(ctx, asked.text, asked.card ? { card: asked.card } : undefined)
    },
    'fillExample',
  )

  /** `回答 Q-3 2 5`: answers question 2 (what the question cards' buttons send); a plain private reply answers the current one. */
  const answer = command(
    'answerSurvey',
    ['回答', '答题'],
    ['answer'],
    allRoles,
    'answer',
    'answer',
    async (ctx, self) => {
      const number = normalisePollNumber(ctx.tokens[0], 'Q')
      const position = Number(ctx.tokens[1]?.replace(/^第|题$/g, ''))
      const text = textAfterFirst({ rawArgs: textAfterFirst(ctx) })
      if (!number || !Number.isInteger(position) || position < 1 || !text) return usage(ctx, self)
      if (ctx.chat) return ctx.reply(ctx.t.polls.answerPrivately(number))
      const asked = await answerSurvey(pollContext(ctx), ctx.person!, number, position, text, ctx.msg.platform)
      ctx.reply(asked.text, asked.card ? { card: asked.card } : undefined)
    },
    'answerExample',
  )

  // A burst of presses on one poll: the voters' earlier votes read in one query.
  vote.prefetch = (db, calls) =>
    prefetchVotes(
      db,
      options.secret,
      calls.flatMap((c) => {
        const number = normalisePollNumber(c.tokens[0], 'P')
        return number ? [{ number, personId: c.person.id }] : []
      }),
    )
  return [startPoll, vote, results, close, startSurveyCommand, fill, answer]
}
