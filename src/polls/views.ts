/**
 * How polls and surveys read in a chat window: posts, cards, results with text bar charts. Pure:
 * the callers read the database and hand the data in.
 */
import { DEFAULT_MIN_GROUP, type UnitRow } from '../core/commands.js'
import { formatLocal } from '../core/time/zone.js'
import type { Card, OutboundMessage, Recipient } from '../core/types.js'
import type { Messages } from '../messages/index.js'
import { unitLabel } from '../organisation/scope.js'
import type { PollContext, PollRow } from './service.js'
import type { PollResults } from './results.js'
import type { QuestionRow } from './survey.js'
import type { SurveyResults } from './survey-results.js'

const BAR_CELLS = 10
const CHART_LABEL_MAX = 12

/** `████████░░`: a share (0–100) as ten full-width cells. */
export function bar(percent: number, cells = BAR_CELLS): string {
  const full = Math.max(0, Math.min(cells, Math.round((percent * cells) / 100)))
  return '█'.repeat(full) + '░'.repeat(cells - full)
}

/** Columns a text takes in a chat window: CJK and full-width characters two, others one. */
export function displayWidth(text: string): number {
  let width = 0
  for (const c of text)
    width += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u.test(c) ? 2 : 1
  return width
}

function shorten(text: string, max: number): string {
  const chars = Array.from(text)
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text
}

/** Pads a label with full-width spaces (a half-width one for an odd column) to `width` columns. */
function pad(label: string, width: number): string {
  const missing = Math.max(0, width - displayWidth(label))
  return label + '\u3000'.repeat(Math.floor(missing / 2)) + (missing % 2 ? ' ' : '')
}

/** One line per option: label, bar, votes, share — aligned so it reads as a chart in a chat window. */
export function chart(t: Messages, rows: { label: string; count: number; percent: number }[]): string[] {
  const labels = rows.map((r) => shorten(r.label, CHART_LABEL_MAX))
  const width = Math.max(...labels.map(displayWidth), 0)
  return rows.map((r, i) => t.polls.chartLine(pad(labels[i]!, width), bar(r.percent), r.count, r.percent))
}

function rules(ctx: PollContext, poll: PollRow, targets: UnitRow[]): string {
  const { t } = ctx
  return [
    poll.maxChoices === 1 ? t.polls.rules.single : t.polls.rules.multiple(poll.maxChoices),
    poll.anonymous ? t.polls.rules.anonymous : t.polls.rules.named,
    ...(poll.allowChange ? [] : [t.polls.rules.final]),
    t.polls.rules.deadline(formatLocal(poll.deadline, ctx.timeZone)),
    ...(targets.length ? [t.polls.rules.scope(targets.map(unitLabel).join('、'))] : []),
  ].join(t.polls.rules.separator)
}

/** The post in the groups: the options, the rules, how to vote by text; a card with one button per option. */
export function pollPost(ctx: PollContext, poll: PollRow, options: { position: number; label: string }[], targets: UnitRow[]): { text: string; card: Card } {
  const { t } = ctx
  const multi = poll.maxChoices > 1
  const lines = options.map((o) => t.polls.optionLine(o.position, o.label))
  const how = multi ? t.polls.howToVoteMulti(poll.number, poll.maxChoices, poll.allowChange) : t.polls.howToVote(poll.number)
  const text = `${t.polls.postTitle(poll.number, poll.title)}\n${lines.join('\n')}\n${rules(ctx, poll, targets)}\n${how}`
  // A multiple-choice poll's buttons add an option (or take it away again); typed votes replace.
  const toggle = multi && poll.allowChange
  const card: Card = {
    title: t.polls.cardTitle(poll.number, poll.title),
    body: `${rules(ctx, poll, targets)}\n${how}`,
    buttons: options.map((o) => ({
      label: t.polls.optionLine(o.position, o.label),
      action: { command: `投票 ${poll.number} ${toggle ? '+' : ''}${o.position}` },
    })),
    tone: 'info',
  }
  return { text, card }
}

/** Results as text and card; names per option only when `names` is given (the creator of a named poll). */
export function resultsView(ctx: PollContext, r: PollResults, names?: Map<number, string[]>): { text: string; card: Card } {
  const { t } = ctx
  const closed = r.poll.status !== 'open'
  const state = closed ? t.polls.stateClosed : t.polls.stateOpen(formatLocal(r.poll.deadline, ctx.timeZone))
  const lines = chart(
    t,
    r.options.map((o) => ({ label: o.label, count: o.votes, percent: o.percent })),
  )
  const summary = t.polls.turnout(r.voters, r.eligible, Math.min(100, Math.round((r.voters * 100) / Math.max(1, r.eligible))))
  const units = r.units.filter((u) => u.eligible > 0 || u.voters > 0)
  const tooFew = t.privacy.tooFew(ctx.minGroup ?? DEFAULT_MIN_GROUP)
  const unitLines =
    units.length > 1
      ? [
          t.polls.byUnitTitle,
          ...units
            .slice(0, 12)
            .map((u) => (u.hidden ? `${u.unit || t.polls.noUnit}：${tooFew}` : t.polls.unitLine(u.unit || t.polls.noUnit, u.voters, u.eligible))),
        ]
      : []
  const nameLines = names ? [t.polls.namesTitle, ...r.options.map((o) => t.polls.namesLine(o.position, o.label, names.get(o.position) ?? []))] : []
  const body = [...lines, summary, ...unitLines, ...nameLines].join('\n')
  const title = t.polls.resultsTitle(r.poll.number, r.poll.title, state)
  return {
    text: `${title}\n${body}`,
    card: {
      title,
      body,
      fields: [
        { label: t.polls.fields.voters, value: `${r.voters}/${r.eligible}` },
        { label: t.polls.fields.state, value: state },
      ],
      tone: closed ? 'done' : 'info',
    },
  }
}

/**
 * At the close: the results to every group it was posted in (`groups`), and to its creator (with
 * `names` per option, for a named poll).
 */
export function pollClosedMessages(
  ctx: PollContext,
  poll: PollRow,
  results: PollResults,
  groups: Recipient[],
  names?: Map<number, string[]>,
): OutboundMessage[] {
  const forGroups = resultsView(ctx, results)
  const text = `${ctx.t.polls.closedPost(poll.number, poll.title)}\n${forGroups.text}`
  const out: OutboundMessage[] = groups.map((to) => ({ to, text, card: forGroups.card, notice: true }))
  const forCreator = resultsView(ctx, results, poll.anonymous ? undefined : names)
  out.push({
    to: { kind: 'person', personId: poll.creatorId },
    text: `${ctx.t.polls.closedPost(poll.number, poll.title)}\n${forCreator.text}`,
    card: forCreator.card,
    notice: true,
  })
  return out
}

// ---------------------------------------------------------------------------------------------
// Surveys

export function surveyPost(ctx: PollContext, poll: PollRow, questionCount: number, targets: UnitRow[]): { text: string; card: Card } {
  const { t } = ctx
  const about = t.polls.surveyAbout(questionCount, poll.anonymous, formatLocal(poll.deadline, ctx.timeZone), targets.map(unitLabel).join('、'))
  const how = t.polls.howToAnswer(poll.number)
  return {
    text: `${t.polls.surveyPostTitle(poll.number, poll.title)}\n${about}\n${how}`,
    card: {
      title: t.polls.surveyCardTitle(poll.number, poll.title),
      body: `${about}\n${how}`,
      buttons: [{ label: t.polls.buttons.start, action: { command: `填写问卷 ${poll.number}` }, style: 'primary' }],
      tone: 'info',
    },
  }
}

/** One question as the bot asks it: the prompt, how to answer; buttons for scales and single choices. */
export function questionMessage(ctx: PollContext, poll: PollRow, q: QuestionRow, total: number): { text: string; card?: Card } {
  const { t } = ctx
  const head = t.polls.questionTitle(poll.number, q.position, total, q.prompt)
  const answer = (value: string) => `回答 ${poll.number} ${q.position} ${value}`
  if (q.kind === 'scale') {
    const hint = t.polls.scaleHint
    return {
      text: `${head}\n${hint}`,
      // Buttons in score order, so a bare number on a platform that numbers them (Wechaty) means that score.
      card: {
        title: head,
        body: hint,
        buttons: [1, 2, 3, 4, 5].map((n) => ({ label: `${n} ${t.polls.scaleLabels[n - 1] ?? ''}`.trim(), action: { command: answer(String(n)) } })),
        tone: 'info',
      },
    }
  }
  if (q.kind === 'choice') {
    const options = q.options.split('|')
    const lines = options.map((o, i) => t.polls.optionLine(i + 1, o)).join('\n')
    const hint = q.maxChoices > 1 ? t.polls.choiceHintMulti(q.maxChoices) : t.polls.choiceHint
    const card: Card = { title: head, body: `${lines}\n${hint}`, tone: 'info' }
    if (q.maxChoices === 1) card.buttons = options.map((o, i) => ({ label: t.polls.optionLine(i + 1, o), action: { command: answer(String(i + 1)) } }))
    return { text: `${head}\n${lines}\n${hint}`, card }
  }
  // A card without buttons: platforms that number a card's buttons forget the previous question's.
  const hint = t.polls.textHint(poll.number, q.position)
  return { text: `${head}\n${hint}`, card: { title: head, body: hint, tone: 'info' } }
}

/** A survey's results in chat: per question (bars for choices and scales, a few of the texts), per unit. */
export function surveyResultsView(ctx: PollContext, r: SurveyResults): { text: string; card: Card } {
  const { t } = ctx
  const closed = r.poll.status !== 'open'
  const state = closed ? t.polls.stateClosed : t.polls.stateOpen(formatLocal(r.poll.deadline, ctx.timeZone))
  const parts: string[] = [
    t.polls.surveyTurnout(r.respondents, r.completed, r.eligible, Math.min(100, Math.round((r.respondents * 100) / Math.max(1, r.eligible)))),
  ]
  for (const q of r.questions) {
    if (q.kind === 'scale') parts.push(t.polls.scaleResult(q.position, q.prompt, q.average, q.answered), ...chart(t, q.counts))
    else if (q.kind === 'choice') parts.push(t.polls.choiceResult(q.position, q.prompt, q.answered), ...chart(t, q.counts))
    else if (q.textsHidden) parts.push(t.polls.textResult(q.position, q.prompt, q.answered), `· ${t.privacy.textsHidden(ctx.minGroup ?? DEFAULT_MIN_GROUP)}`)
    else parts.push(t.polls.textResult(q.position, q.prompt, q.texts.length), ...q.texts.slice(0, 5).map((x) => `· ${shorten(x, 60)}`))
  }
  const scaleQuestions = r.questions.filter((q) => q.kind === 'scale')
  const units = r.units.filter((u) => u.respondents > 0)
  if (units.length > 0 && scaleQuestions.length > 0) {
    parts.push(t.polls.byUnitScaleTitle(scaleQuestions.map((q) => q.position).join('/')))
    for (const u of units.slice(0, 12)) {
      if (u.hidden) {
        parts.push(`${u.unit || t.polls.noUnit}：${t.privacy.tooFew(ctx.minGroup ?? DEFAULT_MIN_GROUP)}`)
        continue
      }
      const averages = r.questions.flatMap((q, i) => (q.kind === 'scale' ? [u.averages[i] ?? null] : [])).map((a) => (a === null ? '-' : a.toFixed(1)))
      parts.push(t.polls.unitAverages(u.unit || t.polls.noUnit, u.respondents, u.eligible, averages.join(' / ')))
    }
  }
  const body = parts.join('\n')
  const title = t.polls.surveyResultsTitle(r.poll.number, r.poll.title, state)
  return { text: `${title}\n${body}`, card: { title, body, tone: closed ? 'done' : 'info' } }
}

/** At the close: a short note to every group it was posted in (`groups`), the results to its creator. */
export function surveyClosedMessages(ctx: PollContext, poll: PollRow, results: SurveyResults, groups: Recipient[]): OutboundMessage[] {
  const groupText = ctx.t.polls.surveyClosedPost(poll.number, poll.title, results.respondents, results.eligible)
  const out: OutboundMessage[] = groups.map((to) => ({ to, text: groupText, notice: true }))
  const view = surveyResultsView(ctx, results)
  out.push({ to: { kind: 'person', personId: poll.creatorId }, text: `${groupText}\n${view.text}`, card: view.card, notice: true })
  return out
}
