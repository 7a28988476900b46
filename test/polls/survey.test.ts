/**
 * Surveys: started from the built-in 职工满意度 template, answered privately one question at a
 * time, resumed after an interruption, reminded, closed, and exported to XLSX — anonymous ones
 * without a name anywhere.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import { exportSurveyXlsx } from '../../src/polls/export.js'
import type { TestService } from '../helpers/service.js'
import { inChat, privateTo, recipientsOf, runJob, Services, startPoll, text } from './helpers.js'

const services = new Services()
const clock = new ManualClock(new Date('2026-03-04T02:00:00Z')) // Wednesday 10:00 in Shanghai
let svc: TestService
let number = ''

beforeAll(async () => {
  // This file is about how results read with a handful of people; that small numbers are not
  // shown by unit (PRIVACY_MIN_GROUP, 5 by default) is test/privacy/groups.test.ts's business.
  svc = await services.start(clock, { PRIVACY_MIN_GROUP: '1' })
  ;({ number } = await startPoll(svc, 'D3001', 'dm', '发起问卷 职工满意度 截止 月底'))
})
afterAll(() => services.stopAll())

async function pollId(n = number): Promise<number> {
  return (await svc.db.poll.findUniqueOrThrow({ where: { number: n } })).id
}

async function load(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook()
  await book.xlsx.load(buffer as unknown as ArrayBuffer)
  return book
}

function cells(sheet: ExcelJS.Worksheet): string[][] {
  const rows: string[][] = []
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))))
  return rows
}

describe('a satisfaction survey from the template', () => {
  it('is created with six questions, anonymous, and posted to the groups with a button to start', async () => {
    const poll = await svc.db.poll.findUniqueOrThrow({ where: { number }, include: { questions: { orderBy: { position: 'asc' } } } })
    expect(number).toMatch(/^Q-\d+$/)
    expect(poll).toMatchObject({ kind: 'survey', title: '职工满意度调查', anonymous: true })
    expect(poll.questions.map((q) => q.kind)).toEqual(['scale', 'scale', 'scale', 'choice', 'choice', 'text'])
    const post = await svc.db.webMessage.findFirstOrThrow({ where: { chatId: 'web-team-dg', text: { contains: `【问卷】${number}` } } })
    expect(post.text).toContain('共 6 题，匿名填写（不记录姓名），2026-03-31 18:00 截止')
    expect(JSON.parse(post.card!).buttons).toEqual([expect.objectContaining({ action: { command: `填写问卷 ${number}` } })])
    expect(await inChat(svc, 'web-team-qg', `【问卷】${number}`)).toHaveLength(1)
  })

  it('answered privately, one question at a time, resumed after an unrelated command', async () => {
    // The button in the group: the first question comes privately; the group only hears that something was sent, not to whom.
    const pressed = await svc.press('D1002', 'web-team-dg', `填写问卷 ${number}`)
    expect(pressed.find((r) => r.chat === 'web-team-dg')!.text).toBe('已私信发您。')
    expect(
      pressed
        .filter((r) => r.chat === 'web-team-dg')
        .map((r) => r.text)
        .join('\n'),
    ).not.toContain('张伟')
    const first = pressed.find((r) => r.to === 'D1002')!
    expect(first.text).toContain(`问卷 ${number} 第 1/6 题：您对本季度工会工作的总体满意度？`)
    expect(first.card!.buttons!.map((b) => b.action.command)).toEqual([1, 2, 3, 4, 5].map((n) => `回答 ${number} 1 ${n}`))

    expect(text(await svc.say('D1002', 'dm', '4'))).toContain(`已记下第 1 题的回答。\n\n问卷 ${number} 第 2/6 题：您对职工食堂的满意度？`)
    expect(text(await svc.say('D1002', 'dm', '五'))).toContain('第 3/6 题')

    // Something else in between: answered as usual, the survey waits.
    expect(text(await svc.say('D1002', 'dm', '帮助'))).toContain('工友可以帮您做这些事')
    expect(text(await svc.say('D1002', 'dm', '我的诉求'))).toContain('您还没有提交过诉求')
    // A plain reply still answers the question asked last…
    expect(text(await svc.say('D1002', 'dm', '很好'))).toBe('请回复 1 到 5 的数字（5 很满意，1 很不满意）。')
    // …and 继续问卷 asks it again.
    const resumed = text(await svc.say('D1002', 'dm', `继续问卷 ${number}`))
    expect(resumed).toContain(`接着填写问卷 ${number}：已答 2/6 题。`)
    expect(resumed).toContain('第 3/6 题：您对作业现场安全防护的满意度？')

    expect(text(await svc.say('D1002', 'dm', '3分'))).toContain('第 4/6 题：您最希望工会多组织哪类活动？\n1. 文体活动')
    expect(text(await svc.say('D1002', 'dm', '1 2'))).toBe('这题只能选 1 项，请只回复一个编号。')
    expect(text(await svc.say('D1002', 'dm', '培训学习'))).toContain('第 5/6 题')
    expect(text(await svc.say('D1002', 'dm', '9'))).toBe('请回复 1 到 6 之间的选项编号。')
    expect(text(await svc.press('D1002', 'dm', `回答 ${number} 5 1`))).toContain('第 6/6 题：您对工会工作还有什么意见或建议？')
    expect(text(await svc.say('D1002', 'dm', '食堂晚班希望有热汤'))).toBe(`已记下第 6 题的回答。\n问卷 ${number}“职工满意度调查”全部答完了，感谢您的参与！`)

    // Done: a plain message is an ordinary unknown one again; starting again says it is done.
    expect(text(await svc.say('D1002', 'dm', '你好'))).toContain('您好，我是工友')
    expect(text(await svc.say('D1002', 'dm', `填写问卷 ${number}`))).toContain(`您已经填完问卷 ${number} 了`)
    // An answer may still be changed before the deadline.
    expect(text(await svc.say('D1002', 'dm', `回答 ${number} 1 5`))).toContain('已记下第 1 题的回答')
  })

  it('keeps no person with the answers of an anonymous survey', async () => {
    await svc.say('D1003', 'dm', `填写问卷 ${number}`)
    for (const answer of ['2', '2', '4', '1', '食堂餐饮', '无']) await svc.say('D1003', 'dm', answer)
    await svc.say('D1006', 'dm', `填写问卷 ${number}`)
    for (const answer of ['3', '4']) await svc.say('D1006', 'dm', answer)
    const answers = await svc.db.surveyAnswer.findMany({ where: { pollId: await pollId() } })
    expect(answers).toHaveLength(6 + 6 + 2)
    const people = await svc.db.person.findMany({ where: { employeeNo: { in: ['D1002', 'D1003', 'D1006'] } } })
    for (const a of answers) {
      expect(a.personId).toBeNull()
      expect(a.respondentKey).toMatch(/^[0-9a-f]{64}$/)
      for (const p of people) expect([String(p.id), p.employeeNo, p.name, `person:${p.id}`]).not.toContain(a.respondentKey)
    }
  })

  it('refuses those it is not for, and answers given in a group', async () => {
    expect(text(await svc.say('D1010', 'dm', `填写问卷 ${number}`))).toBe(`问卷 ${number} 只面向 一车间 的职工，您不在范围内。`)
    expect(text(await svc.say('D1004', 'web-team-dg', `回答 ${number} 1 5`))).toContain('问卷请在私聊中回答')
    expect(text(await svc.say('D1004', 'dm', `投票 ${number} 1`))).toContain(`${number} 是问卷`)
  })

  it('results per question and per unit, for the creator and officers only', async () => {
    const results = text(await svc.say('D3001', 'dm', `问卷结果 ${number}`))
    expect(results).toContain('共 3 人参与（2 人答完），应参与 11 人')
    expect(results).toContain('1. 您对本季度工会工作的总体满意度？ 平均 3.3 分（3 人回答）') // 5, 2, 3
    expect(results).toContain('2. 您对职工食堂的满意度？ 平均 3.7 分（3 人回答）') // 5, 2, 4
    expect(results).toMatch(/\n培训学习[\u3000 ]+█{5}░{5} 1票 50%\n/)
    expect(results).toContain('食堂晚班希望有热汤')
    expect(results).toContain('一车间/电工班：2/5 人，3.5 / 3.5 / 3.5')
    expect(results).toContain('一车间/钳工班：1/5 人，3.0 / 4.0 / -')
    expect(results).not.toMatch(/张伟|王芳|杨帆/)
    expect(text(await svc.say('D1002', 'dm', `问卷结果 ${number}`))).toContain('只有发起人和负责的工会干部可以查看')
  })

  it('reminds privately those who have not finished, never those who have', async () => {
    clock.set(new Date('2026-03-27T02:00:00Z')) // past 80% of the time to 31 March 18:00 (26 March 06:48)
    await runJob(svc, clock, 'polls:remind')
    const reminded = await recipientsOf(svc, '【问卷提醒】')
    expect(reminded).toContain('D1006') // answered two of six
    expect(reminded).toContain('D1004')
    expect(reminded).not.toContain('D1002')
    expect(reminded).not.toContain('D1003')
    expect(await privateTo(svc, 'D1006', `私聊发送“继续问卷 ${number}”接着填`)).toHaveLength(1)
    expect((await inChat(svc, 'web-team-dg', '【问卷提醒】'))[0]).toContain('本群还有 3 位同事没填完')
  })

  it('exports to XLSX: summary, per unit and the answers, with no name in an anonymous survey', async () => {
    const book = await load(await exportSurveyXlsx(svc.db, await pollId(), undefined, svc.config.PRIVACY_MIN_GROUP))
    expect(book.worksheets.map((s) => s.name)).toEqual(['汇总', '按单位', '回答明细'])
    const summary = cells(book.getWorksheet('汇总')!)
    expect(summary[1]).toEqual(['参与人数', '3', '答完人数', '2', '应参与人数', '11'])
    expect(summary.find((r) => r[0] === '1')).toEqual(['1', '您对本季度工会工作的总体满意度？', '评分（1-5）', '3', '3.3'])
    expect(summary.some((r) => r[5] === '培训学习' && r[6] === '1')).toBe(true)
    const units = cells(book.getWorksheet('按单位')!)
    expect(units[0]).toEqual(['单位', '应参与人数', '参与人数', '第 1 题平均分', '第 2 题平均分', '第 3 题平均分'])
    expect(units).toContainEqual(['一车间/电工班', '5', '2', '3.5', '3.5', '3.5'])
    const answers = cells(book.getWorksheet('回答明细')!)
    expect(answers[0]!.slice(0, 3)).toEqual(['序号', '单位', '1. 您对本季度工会工作的总体满意度？'])
    expect(answers).toHaveLength(4)
    expect(answers.map((r) => r.at(-1))).toContain('食堂晚班希望有热汤')
    const everything = JSON.stringify(book.worksheets.map(cells))
    const people = await svc.db.person.findMany()
    for (const p of people) {
      expect(everything).not.toContain(p.name)
      expect(everything).not.toContain(p.employeeNo)
    }
    const keys = (await svc.db.surveyAnswer.findMany({ where: { pollId: await pollId() } })).map((a) => a.respondentKey)
    for (const k of keys) expect(everything).not.toContain(k)
  })

  it('closes at the deadline, thanks the groups, gives the creator the results, and stops the conversation', async () => {
    await svc.say('D1007', 'dm', `填写问卷 ${number}`)
    clock.set(new Date('2026-03-31T10:01:00Z'))
    await runJob(svc, clock, 'polls:close')
    expect(await inChat(svc, 'web-team-dg', `【问卷结束】${number}“职工满意度调查”已截止，共 3 人参与（应参与 11 人）`)).toHaveLength(1)
    expect(await privateTo(svc, 'D3001', `问卷结果 ${number} 职工满意度调查（已截止）`)).toHaveLength(1)
    expect(text(await svc.say('D1007', 'dm', '4'))).toBe(`问卷 ${number} 已经截止，不能再填写了。`)
    expect(text(await svc.say('D1007', 'dm', '4'))).toContain('没看懂“4”')
  })
})

describe('a survey written question by question, named', () => {
  it('takes one question per line, and its export names the respondents', async () => {
    clock.set(new Date('2026-04-01T02:00:00Z'))
    const { number: n, replies } = await startPoll(
      svc,
      'D2001',
      'web-team-dg',
      '发起问卷 班组团建 实名 截止 3天后\n1. 去哪里 | 爬山 | 农家乐 | 看电影\n2. 上次团建满意吗（评分）\n3. 其他想法（文字）',
    )
    expect(replies[0]!.text).toContain(`已发起问卷 ${n}“班组团建”（3 题，实名）`)
    await svc.say('D1004', 'dm', `填写问卷 ${n}`)
    for (const answer of ['农家乐', '4', '希望周末去']) await svc.say('D1004', 'dm', answer)
    const rows = await svc.db.surveyAnswer.findMany({ where: { pollId: await pollId(n) } })
    const liuyang = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D1004' } })
    expect(rows.map((r) => r.personId)).toEqual([liuyang.id, liuyang.id, liuyang.id])
    const book = await load(await exportSurveyXlsx(svc.db, await pollId(n), undefined, svc.config.PRIVACY_MIN_GROUP))
    const answers = cells(book.getWorksheet('回答明细')!)
    expect(answers[0]!.slice(0, 3)).toEqual(['序号', '单位', '姓名'])
    expect(answers[1]).toEqual(['1', '一车间/电工班', '刘洋（D1004）', '农家乐', '4', '希望周末去'])
  })

  it('without a template or questions, says how to write one', async () => {
    expect(text(await svc.say('D2001', 'dm', '发起问卷 随便问问'))).toContain('问卷还没有题目。可以用模板（职工满意度）')
    expect(text(await svc.say('D1002', 'dm', '发起问卷 职工满意度'))).toContain('“发起问卷”只有工会干部、管理员可以使用')
  })
})
