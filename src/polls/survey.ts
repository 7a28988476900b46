/**
 * Surveys (问卷): several questions — a choice, a 1–5 scale, a short text — answered in a private
 * conversation with the bot, one question at a time. Progress is the answers themselves
 * (SurveyAnswer rows, one per question and respondent), so a survey left half-way resumes at its
 * first unanswered question; which survey a person is answering right now is kept in the
 * Conversation table (per platform and person), so a plain private reply answers it.
 */
import { z } from 'zod'
import type { Asker, CommandContext } from '../core/commands.js'
import { conversationState, personSubject, stateSlot } from '../core/state.js'
import { CHINESE_DIGIT } from '../core/time/numerals.js'
import { formatLocal } from '../core/time/zone.js'
import { PLATFORMS, type Card, type OutboundMessage, type Platform } from '../core/types.js'
import type { Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import { unitLabel } from '../organisation/scope.js'
import { findPoll, MAX_OPTIONS, PollRefusal, refuse, targetUnits, voterKey, withinTargets, type PollContext, type PollRow } from './service.js'
import { checkOptions, createSurveySchema, prepare, sameLabel, type Created, type CreateSurveyInput, type QuestionInput } from './create.js'
import { questionMessage, surveyPost } from './views.js'

export type QuestionRow = Awaited<ReturnType<Tx['surveyQuestion']['findFirstOrThrow']>>

export const MAX_QUESTIONS = 30
export const MAX_PROMPT = 200
export const MAX_TEXT_ANSWER = 500

// ---------------------------------------------------------------------------------------------
// Templates

/** The built-in survey templates (their words live in the messages), found by any of their names. */
export function findTemplate(t: Messages, name: string): { title: string; questions: QuestionInput[] } | null {
  const key = name.normalize('NFKC').replace(/\s+/g, '')
  for (const template of Object.values(t.polls.templates)) {
    if (template.names.some((n) => n.normalize('NFKC').replace(/\s+/g, '').toLowerCase() === key.toLowerCase())) {
      return { title: template.title, questions: template.questions as QuestionInput[] }
    }
  }
  return null
}

export function templateNames(t: Messages): string[] {
  return Object.values(t.polls.templates).map((x) => x.names[0]!)
}

// ---------------------------------------------------------------------------------------------
// Creating

/**
 * Starts a survey: checked, numbered, stored with its questions, and posted to the target
 * groups with a button that starts it privately. Anonymous unless `anonymous: false`.
 */
export async function createSurvey(ctx: PollContext, rawInput: CreateSurveyInput): Promise<Created> {
  const { tx, t } = ctx
  const parsed = createSurveySchema.safeParse(rawInput)
  if (!parsed.success) refuse(t.polls.invalidInput(parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')))
  const input = parsed.data!
  const title = input.title.trim()
  if (!title) refuse(t.polls.needTitle)
  if (title.length > 100) refuse(t.polls.titleTooLong(100))
  if (input.questions.length === 0) refuse(t.polls.noQuestions(templateNames(t).join('、')))
  if (input.questions.length > MAX_QUESTIONS) refuse(t.polls.tooManyQuestions(MAX_QUESTIONS))
  const questions = input.questions.map((q, i) => {
    const prompt = q.prompt.trim()
    if (!prompt) refuse(t.polls.emptyQuestion(i + 1))
    if (prompt.length > MAX_PROMPT) refuse(t.polls.questionTooLong(i + 1, MAX_PROMPT))
    if (q.kind !== 'choice') return { position: i + 1, kind: q.kind, prompt, options: '', maxChoices: 1 }
    let options: string[] = []
    try {
      options = checkOptions(t, prompt, q.options ?? []).options
    } catch (error) {
      if (error instanceof PollRefusal) refuse(t.polls.inQuestion(i + 1, error.message))
      throw error
    }
    if (options.some((o) => o.includes('|'))) refuse(t.polls.inQuestion(i + 1, t.polls.optionHasBar))
    const maxChoices = Math.min(q.maxChoices ?? 1, MAX_OPTIONS)
    if (maxChoices > options.length) refuse(t.polls.inQuestion(i + 1, t.polls.maxAboveOptions(maxChoices, options.length)))
    return { position: i + 1, kind: q.kind, prompt, options: options.join('|'), maxChoices }
  })
  const { creator, targets, deadline, groups, number, targetRows } = await prepare(ctx, 'survey', input)
  const poll = await tx.poll.create({
    data: {
      number,
      kind: 'survey',
      title,
      creatorId: creator.id,
      anonymous: input.anonymous ?? true,
      allowChange: true,
      deadline: deadline.at,
      createdAt: ctx.now,
      questions: { create: questions },
      targets: { create: targetRows },
    },
  })
  const { text, card } = surveyPost(ctx, poll, questions.length, targets)
  const out: OutboundMessage[] = groups.map((g) => ({ to: { kind: 'chat', platform: g.platform as Platform, chatId: g.chatId }, text, card, notice: true }))
  const ack = t.polls.surveyCreated(
    number,
    title,
    questions.length,
    formatLocal(deadline.at, ctx.timeZone),
    deadline.defaulted,
    targets.map(unitLabel).join('、'),
    groups.length,
    poll.anonymous,
  )
  return { poll, ack, out, groups, targets }
}

// ---------------------------------------------------------------------------------------------
// The conversation state

const SurveyState = z.object({ pollId: z.number().int(), questionId: z.number().int() })
type SurveyState = z.infer<typeof SurveyState>
/** The survey a person is answering, on the platform they started it on (no expiry: it ends with the survey). */
const surveySlot = stateSlot('survey', SurveyState)

/** The survey a person is answering: on this platform's conversation first, else on another platform's. */
export async function activeSurvey(tx: Tx, platform: Platform, personId: number, now: Date): Promise<(SurveyState & { platform: Platform }) | null> {
  for (const p of [platform, ...PLATFORMS.filter((x) => x !== platform)]) {
    const survey = await conversationState.get(tx, surveySlot, { platform: p, subject: personSubject(personId) }, now)
    if (survey) return { ...survey, platform: p }
  }
  return null
}

/** Sets (or with null, ends) the survey part of a person's conversation, keeping whatever else it holds. */
export async function setActiveSurvey(tx: Tx, platform: Platform, personId: number, survey: SurveyState | null, now: Date): Promise<void> {
  const key = { platform, subject: personSubject(personId) }
  if (survey) await conversationState.set(tx, surveySlot, key, survey, null, now)
  else await conversationState.clear(tx, surveySlot, key, now)
}

// ---------------------------------------------------------------------------------------------
// Answering

export async function questionsOf(tx: Tx, pollId: number): Promise<QuestionRow[]> {
  return tx.surveyQuestion.findMany({ where: { pollId }, orderBy: { position: 'asc' } })
}

/** The first question this respondent has not answered, or null when all are. */
async function nextQuestion(tx: Tx, questions: QuestionRow[], key: string): Promise<QuestionRow | null> {
  const answered = new Set(
    (await tx.surveyAnswer.findMany({ where: { questionId: { in: questions.map((q) => q.id) }, respondentKey: key }, select: { questionId: true } })).map(
      (a) => a.questionId,
    ),
  )
  return questions.find((q) => !answered.has(q.id)) ?? null
}

async function openSurvey(ctx: PollContext, person: Asker, number: string): Promise<{ poll: PollRow; key: string; questions: QuestionRow[] }> {
  const { t } = ctx
  const poll = await findPoll(ctx, number)
  if (poll.kind !== 'survey') refuse(t.polls.notSurvey(poll.number))
  if (poll.status !== 'open' || poll.deadline.getTime() <= ctx.now.getTime()) refuse(t.polls.surveyClosed(poll.number))
  const targets = await targetUnits(ctx.tx, poll.id)
  if (!withinTargets(person.unit, targets)) refuse(t.polls.notEligibleSurvey(poll.number, targets.map(unitLabel).join('、')))
  return { poll, key: voterKey(ctx.secret, poll.id, person.id), questions: await questionsOf(ctx.tx, poll.id) }
}

export interface Asked {
  text: string
  card?: Card
  /** True when every question is answered (the conversation is over). */
  done: boolean
  poll: PollRow
}

/** `填写问卷 Q-3` / `继续问卷 Q-3`: asks the first unanswered question and remembers that it was asked. */
export async function startSurvey(ctx: PollContext, person: Asker, number: string, platform: Platform): Promise<Asked> {
  const { poll, key, questions } = await openSurvey(ctx, person, number)
  const next = await nextQuestion(ctx.tx, questions, key)
  if (!next) {
    const active = await activeSurvey(ctx.tx, platform, person.id, ctx.now)
    if (active?.pollId === poll.id) await setActiveSurvey(ctx.tx, active.platform, person.id, null, ctx.now)
    return { text: ctx.t.polls.surveyAlreadyDone(poll.number), done: true, poll }
  }
  await setActiveSurvey(ctx.tx, platform, person.id, { pollId: poll.id, questionId: next.id }, ctx.now)
  const answeredCount = questions.findIndex((q) => q.id === next.id)
  const intro =
    answeredCount > 0
      ? ctx.t.polls.surveyResume(poll.number, answeredCount, questions.length)
      : ctx.t.polls.surveyIntro(poll.number, poll.title, questions.length, poll.anonymous)
  const asked = questionMessage(ctx, poll, next, questions.length)
  return { text: `${intro}\n\n${asked.text}`, card: asked.card, done: false, poll }
}

/** Reads an answer to one question; a refusal says how to write it. */
export function readAnswer(t: Messages, question: QuestionRow, text: string): string {
  const written = text.trim()
  if (question.kind === 'scale') {
    const s = written
      .normalize('NFKC')
      .replace(/\s+/g, '')
      .replace(/(分|星|颗星)$/, '')
    const n = /^[1-5]$/.test(s) ? Number(s) : (CHINESE_DIGIT[s] ?? (t.polls.scaleLabels as readonly string[]).indexOf(s) + 1)
    if (!(n >= 1 && n <= 5)) refuse(t.polls.badScale)
    return String(n)
  }
  if (question.kind === 'choice') {
    const options = question.options.split('|')
    const parts = written
      .normalize('NFKC')
      .split(/[\s,;、，；]+/)
      .filter(Boolean)
    if (parts.length === 0) refuse(t.polls.badChoice(options.length))
    const picked: number[] = []
    for (const part of parts) {
      const n = /^\d+$/.test(part) ? Number(part) : options.findIndex((o) => sameLabel(o, part)) + 1
      if (!(n >= 1 && n <= options.length)) {
        // The whole reply may be one option's label with spaces in it.
        const whole = options.findIndex((o) => sameLabel(o, written)) + 1
        if (whole > 0) return String(whole)
        refuse(t.polls.badChoice(options.length))
      }
      if (!picked.includes(n)) picked.push(n)
    }
    if (picked.length > question.maxChoices)
      refuse(question.maxChoices === 1 ? t.polls.oneChoiceOnly : t.polls.tooManyChoices(question.maxChoices, picked.length))
    return picked.sort((a, b) => a - b).join(',')
  }
  if (!written) refuse(t.polls.emptyText)
  if (written.length > MAX_TEXT_ANSWER) refuse(t.polls.textTooLong(MAX_TEXT_ANSWER))
  return written
}

/**
 * Answers a question of a survey (the one asked last, or the one numbered), then asks the next
 * unanswered one, or thanks the person when all are answered. Answers may be changed until the
 * survey closes. Anonymous surveys keep no person id with the answers.
 */
export async function answerSurvey(ctx: PollContext, person: Asker, number: string, position: number | null, text: string, platform: Platform): Promise<Asked> {
  const { tx, t } = ctx
  let poll: PollRow
  let key: string
  let questions: QuestionRow[]
  try {
    ;({ poll, key, questions } = await openSurvey(ctx, person, number))
  } catch (error) {
    // A survey that closed (or vanished) while being answered: the conversation ends with it.
    const active = await activeSurvey(tx, platform, person.id, ctx.now)
    if (active) await setActiveSurvey(tx, active.platform, person.id, null, ctx.now)
    throw error
  }
  let question: QuestionRow | undefined
  if (position !== null) {
    question = questions.find((q) => q.position === position)
    if (!question) refuse(t.polls.noSuchQuestion(poll.number, questions.length))
  } else {
    const active = await activeSurvey(tx, platform, person.id, ctx.now)
    question = questions.find((q) => q.id === active?.questionId) ?? (await nextQuestion(tx, questions, key)) ?? undefined
    if (!question) return { text: t.polls.surveyAlreadyDone(poll.number), done: true, poll }
  }
  const answer = readAnswer(t, question!, text)
  const personId = poll.anonymous ? null : person.id
  await tx.surveyAnswer.upsert({
    where: { questionId_respondentKey: { questionId: question!.id, respondentKey: key } },
    create: { pollId: poll.id, questionId: question!.id, respondentKey: key, personId, unitId: person.unitId, answer, createdAt: ctx.now, updatedAt: ctx.now },
    update: { answer, personId, unitId: person.unitId, updatedAt: ctx.now },
  })
  const recorded = t.polls.answerRecorded(question!.position)
  const next = await nextQuestion(tx, questions, key)
  if (!next) {
    const active = await activeSurvey(tx, platform, person.id, ctx.now)
    if (active) await setActiveSurvey(tx, active.platform, person.id, null, ctx.now)
    return { text: `${recorded}\n${t.polls.surveyDone(poll.number, poll.title)}`, done: true, poll }
  }
  await setActiveSurvey(tx, platform, person.id, { pollId: poll.id, questionId: next.id }, ctx.now)
  const asked = questionMessage(ctx, poll, next, questions.length)
  return { text: `${recorded}\n\n${asked.text}`, card: asked.card, done: false, poll }
}

/**
 * The chat core's hook for a private message that is not a command: when the person is in the
 * middle of a survey, the message answers its current question.
 */
export function surveyConversation(secret: string): (ctx: CommandContext) => Promise<boolean> {
  return async (ctx) => {
    if (ctx.chat || !ctx.person) return false
    const active = await activeSurvey(ctx.tx, ctx.msg.platform, ctx.person.id, ctx.now)
    if (!active) return false
    const poll = await ctx.tx.poll.findUnique({ where: { id: active.pollId } })
    const pctx: PollContext = { tx: ctx.tx, now: ctx.now, t: ctx.t, timeZone: ctx.settings.timeZone, secret }
    try {
      if (!poll) {
        await setActiveSurvey(ctx.tx, active.platform, ctx.person.id, null, ctx.now)
        return false
      }
      const asked = await answerSurvey(pctx, ctx.person, poll.number, null, ctx.rawArgs, ctx.msg.platform)
      ctx.reply(asked.text, asked.card ? { card: asked.card } : undefined)
    } catch (error) {
      if (!(error instanceof PollRefusal)) throw error
      ctx.reply(error.message)
    }
    return true
  }
}
