import type ExcelJS from 'exceljs'
import type { Db } from '../db/client.js'
import { DEFAULT_MIN_GROUP } from '../core/commands.js'
import { zhCN, type Messages } from '../messages/zh-CN.js'
import { pollResults, votersByOption } from './results.js'
import { surveyResults } from './survey-results.js'

/**
 * A survey's (or a poll's) results as an XLSX workbook: a summary sheet (every question with its
 * counts or mean), a per-unit sheet (participation and means), and the answers one row per
 * respondent — in an order that says nothing about who answered when, and with names only for a
 * named survey. Anonymous surveys never include a name, a person id or a voter key.
 */
export async function exportSurveyXlsx(db: Db, pollId: number, t: Messages = zhCN, minGroup = DEFAULT_MIN_GROUP): Promise<Buffer> {
  const x = t.polls.export
  const poll = await db.poll.findUniqueOrThrow({ where: { id: pollId } })
  const book = new (await import('exceljs')).default.Workbook()
  book.creator = t.botName
  const bold = (row: ExcelJS.Row) => {
    row.font = { bold: true }
  }

  if (poll.kind === 'poll') {
    const r = await pollResults(db, pollId, minGroup)
    const summary = book.addWorksheet(x.summarySheet)
    summary.columns = [{ width: 10 }, { width: 40 }, { width: 10 }, { width: 10 }]
    summary.addRow([x.title, `${poll.number} ${poll.title}`])
    summary.addRow([x.voters, r.voters, x.eligible, r.eligible])
    bold(summary.addRow([x.option, x.label, x.count, x.percent]))
    for (const o of r.options) summary.addRow([o.position, o.label, o.votes, o.percent / 100]).getCell(4).numFmt = '0%'
    const units = book.addWorksheet(x.unitSheet)
    bold(units.addRow([x.unit, x.eligible, x.voters, ...r.options.map((o) => `${o.position}. ${o.label}`)]))
    for (const u of r.units)
      units.addRow([u.unit || x.noUnit, u.eligible, u.voters, ...(u.hidden ? [t.privacy.tooFew(minGroup)] : u.options.map((o) => o.votes))])
    if (!poll.anonymous) {
      const names = await votersByOption(db, poll)
      const sheet = book.addWorksheet(x.namesSheet)
      bold(sheet.addRow([x.option, x.label, x.names]))
      for (const o of r.options) sheet.addRow([o.position, o.label, (names.get(o.position) ?? []).join('、')])
    }
    return Buffer.from(await book.xlsx.writeBuffer())
  }

  const r = await surveyResults(db, pollId, t, minGroup)
  const questions = await db.surveyQuestion.findMany({ where: { pollId }, orderBy: { position: 'asc' } })
  const summary = book.addWorksheet(x.summarySheet)
  summary.columns = [{ width: 8 }, { width: 40 }, { width: 10 }, { width: 12 }, { width: 10 }, { width: 24 }, { width: 10 }, { width: 10 }]
  summary.addRow([x.title, `${poll.number} ${poll.title}`])
  summary.addRow([x.respondents, r.respondents, x.completed, r.completed, x.eligible, r.eligible])
  bold(summary.addRow([x.question, x.prompt, x.kind, x.answered, x.average, x.label, x.count, x.percent]))
  for (const q of r.questions) {
    summary.addRow([q.position, q.prompt, x.kinds[q.kind], q.answered, q.average ?? ''])
    for (const c of q.counts) summary.addRow(['', '', '', '', '', c.label, c.count, c.percent / 100]).getCell(8).numFmt = '0%'
    if (q.kind === 'text') summary.addRow(['', '', '', '', '', x.textsSeeSheet])
  }

  const units = book.addWorksheet(x.unitSheet)
  const scale = r.questions.map((q, i) => ({ q, i })).filter(({ q }) => q.kind === 'scale')
  bold(units.addRow([x.unit, x.eligible, x.respondents, ...scale.map(({ q }) => x.averageOf(q.position))]))
  for (const u of r.units)
    units.addRow([u.unit || x.noUnit, u.eligible, u.respondents, ...(u.hidden ? [t.privacy.tooFew(minGroup)] : scale.map(({ i }) => u.averages[i] ?? ''))])
  // An anonymous survey's rows name no unit where that unit's answers are not shown, and no words where too few wrote.
  const hiddenUnitIds = new Set(r.units.filter((u) => u.hidden).map((u) => u.unitId))
  const hiddenTexts = new Set(r.questions.filter((q) => q.textsHidden).map((q) => q.position))

  // One row per respondent, sorted by the opaque voter key (not by time), the key itself not shown.
  const answers = await db.surveyAnswer.findMany({ where: { pollId }, orderBy: [{ respondentKey: 'asc' }, { questionId: 'asc' }] })
  const unitNames = new Map(
    (await db.unit.findMany({ where: { id: { in: [...new Set(answers.map((a) => a.unitId).filter((u): u is number => u !== null))] } } })).map((u) => [
      u.id,
      u.path === '' ? u.name : u.path,
    ]),
  )
  const people = poll.anonymous
    ? new Map<number, string>()
    : new Map(
        (await db.person.findMany({ where: { id: { in: [...new Set(answers.map((a) => a.personId).filter((p): p is number => p !== null))] } } })).map((p) => [
          p.id,
          `${p.name}（${p.employeeNo}）`,
        ]),
      )
  const sheet = book.addWorksheet(x.answersSheet)
  bold(sheet.addRow([x.index, x.unit, ...(poll.anonymous ? [] : [x.name]), ...questions.map((q) => `${q.position}. ${q.prompt}`)]))
  const byRespondent = new Map<string, typeof answers>()
  for (const a of answers) byRespondent.set(a.respondentKey, [...(byRespondent.get(a.respondentKey) ?? []), a])
  let index = 0
  for (const rows of byRespondent.values()) {
    const first = rows[0]!
    const cells = questions.map((q) => {
      const a = rows.find((row) => row.questionId === q.id)
      if (!a) return ''
      if (q.kind === 'scale') return Number(a.answer)
      if (q.kind === 'choice') {
        const options = q.options.split('|')
        return a.answer
          .split(',')
          .map((n) => options[Number(n) - 1] ?? n)
          .join('、')
      }
      return poll.anonymous && hiddenTexts.has(q.position) ? '' : a.answer
    })
    const name = poll.anonymous ? [] : [first.personId !== null ? (people.get(first.personId) ?? '') : '']
    const unit = first.unitId === null || (poll.anonymous && hiddenUnitIds.has(first.unitId)) ? '' : (unitNames.get(first.unitId) ?? '')
    sheet.addRow([++index, unit, ...name, ...cells])
  }
  return Buffer.from(await book.xlsx.writeBuffer())
}
