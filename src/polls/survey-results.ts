/** A survey's results: per question and per unit of the respondents, with small groups' answers withheld. */
import { DEFAULT_MIN_GROUP, type UnitRow } from '../core/commands.js'
import type { Tx } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import { unitLabel } from '../organisation/scope.js'
import { targetUnits } from './service.js'
import { eligibleCounts, hiddenUnits, percentOf, pick, type PollResults } from './results.js'
import { questionsOf } from './survey.js'

export interface QuestionResult {
  position: number
  kind: 'choice' | 'scale' | 'text'
  prompt: string
  /** People who answered this question. */
  answered: number
  /** Scale questions: the mean score, one decimal; null when nobody answered. */
  average: number | null
  /** Choice questions: one entry per option; scale questions: one per score 5…1. Share of `answered`. */
  counts: { value: string; label: string; count: number; percent: number }[]
  /** Text questions: the answers, in no particular order (never with who wrote them). */
  texts: string[]
  /** True when the texts of an anonymous survey are withheld: fewer than PRIVACY_MIN_GROUP answered. */
  textsHidden?: boolean
}

export interface SurveyResults {
  poll: PollResults['poll']
  targets: string[]
  /** People who answered at least one question. */
  respondents: number
  /** People who answered every question. */
  completed: number
  eligible: number
  questions: QuestionResult[]
  /** Per unit of the respondents: participation, and each scale question's mean (null elsewhere). */
  units: { unitId: number | null; unit: string; eligible: number; respondents: number; hidden: boolean; averages: (number | null)[] }[]
}

const mean = (values: number[]): number | null => (values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10 : null)

/** Per-question and per-unit results of a survey (structured, for chat, dashboard, export and API). */
export async function surveyResults(tx: Tx, pollId: number, t: Messages, minGroup = DEFAULT_MIN_GROUP): Promise<SurveyResults> {
  const poll = await tx.poll.findUniqueOrThrow({ where: { id: pollId } })
  const [questions, answers, targets] = await Promise.all([
    questionsOf(tx, pollId),
    tx.surveyAnswer.findMany({
      where: { pollId },
      select: { questionId: true, respondentKey: true, unitId: true, answer: true },
      orderBy: { respondentKey: 'asc' },
    }),
    targetUnits(tx, pollId),
  ])
  const respondentUnit = new Map<string, number | null>()
  const perRespondent = new Map<string, number>()
  for (const a of answers) {
    if (!respondentUnit.has(a.respondentKey)) respondentUnit.set(a.respondentKey, a.unitId)
    perRespondent.set(a.respondentKey, (perRespondent.get(a.respondentKey) ?? 0) + 1)
  }
  const results: QuestionResult[] = questions.map((q) => {
    const mine = answers.filter((a) => a.questionId === q.id)
    const kind = q.kind as QuestionResult['kind']
    const base = {
      position: q.position,
      kind,
      prompt: q.prompt,
      answered: mine.length,
      average: null as number | null,
      counts: [] as QuestionResult['counts'],
      texts: [] as string[],
    }
    if (kind === 'scale') {
      const scores = mine.map((a) => Number(a.answer)).filter((n) => n >= 1 && n <= 5)
      base.average = mean(scores)
      base.counts = [5, 4, 3, 2, 1].map((n) => {
        const count = scores.filter((s) => s === n).length
        return { value: String(n), label: `${n} ${t.polls.scaleLabels[n - 1] ?? ''}`.trim(), count, percent: percentOf(count, mine.length) }
      })
    } else if (kind === 'choice') {
      base.counts = q.options.split('|').map((label, i) => {
        const count = mine.filter((a) => a.answer.split(',').includes(String(i + 1))).length
        return { value: String(i + 1), label, count, percent: percentOf(count, mine.length) }
      })
    } else if (poll.anonymous && mine.length < minGroup) {
      // Too few wrote for their words to stay anonymous (a teammate knows how each of them writes).
      return { ...base, textsHidden: true }
    } else {
      base.texts = mine.map((a) => a.answer)
    }
    return base
  })
  const eligibleByUnit = await eligibleCounts(tx, targets)
  const unitIds = [...new Set([...respondentUnit.values(), ...eligibleByUnit.keys()])]
  const unitRows: UnitRow[] = await tx.unit.findMany({ where: { id: { in: unitIds.filter((x): x is number => x !== null) } } })
  const keysOf = (unitId: number | null) => [...respondentUnit.entries()].filter(([, u]) => u === unitId).map(([k]) => k)
  const hidden = hiddenUnits(
    unitIds.map((id) => keysOf(id).length),
    minGroup,
  )
  const units = unitIds
    .map((unitId, i) => {
      const keys = keysOf(unitId)
      const row = unitRows.find((u) => u.id === unitId)
      return {
        unitId,
        unit: row ? unitLabel(row) : '',
        eligible: unitId === null ? 0 : (eligibleByUnit.get(unitId) ?? 0),
        respondents: keys.length,
        hidden: hidden.has(i),
        averages: questions.map((q) =>
          q.kind === 'scale' && !hidden.has(i)
            ? mean(answers.filter((a) => a.questionId === q.id && keys.includes(a.respondentKey)).map((a) => Number(a.answer)))
            : null,
        ),
      }
    })
    .sort((a, b) => a.unit.localeCompare(b.unit))
  return {
    poll: pick(poll),
    targets: targets.map(unitLabel),
    respondents: respondentUnit.size,
    completed: [...perRespondent.values()].filter((n) => n >= questions.length).length,
    eligible: [...eligibleByUnit.values()].reduce((a, b) => a + b, 0),
    questions: results,
    units,
  }
}
