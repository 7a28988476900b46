/**
 * Starting a poll by chat: the one-line grammar (pure), and what the bot answers to valid and
 * invalid commands — the poll posted as a card to the right groups, mistakes answered clearly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import { formatLocal } from '../../src/core/time/zone.js'
import { zhCN } from '../../src/messages/zh-CN.js'
import { parsePollLine, parseQuestionLine } from '../../src/polls/grammar.js'
import type { TestService } from '../helpers/service.js'
import { HOUR, numberIn, Services, startPoll, text } from './helpers.js'

const t = zhCN
const ok = (line: string) => {
  const r = parsePollLine(line, t)
  if (!r.ok) throw new Error(`refused "${line}": ${r.error}`)
  return r.value
}
const refused = (line: string) => {
  const r = parsePollLine(line, t)
  if (r.ok) throw new Error(`"${line}" was accepted as ${JSON.stringify(r.value)}`)
  return r.error
}

describe('the poll grammar', () => {
  it('reads title, options and flags in the form of the issue', () => {
    expect(ok('周末加班意愿 | 愿意 | 不愿意 | 看情况 匿名 截止 周五18:00')).toEqual({
      title: '周末加班意愿',
      options: ['愿意', '不愿意', '看情况'],
      anonymous: true,
      deadline: '周五18:00',
    })
  })

  it('takes full-width bars, 、 lists, and a colon or question mark ending the title', () => {
    expect(ok('周末加班意愿｜愿意｜不愿意')).toMatchObject({ title: '周末加班意愿', options: ['愿意', '不愿意'] })
    expect(ok('食堂换哪个菜：红烧肉、宫保鸡丁、鱼香肉丝')).toMatchObject({ title: '食堂换哪个菜', options: ['红烧肉', '宫保鸡丁', '鱼香肉丝'] })
    expect(ok('周末愿意加班吗？愿意、不愿意')).toMatchObject({ title: '周末愿意加班吗？', options: ['愿意', '不愿意'] })
    expect(ok('食堂换哪个菜 红烧肉、宫保鸡丁 多选')).toMatchObject({ title: '食堂换哪个菜', options: ['红烧肉', '宫保鸡丁'], maxChoices: 'all' })
    expect(ok('换菜 | 红烧肉、宫保鸡丁、鱼香肉丝')).toMatchObject({ title: '换菜', options: ['红烧肉', '宫保鸡丁', '鱼香肉丝'] })
  })

  it('understands the ways of saying multiple choice, final votes, named or anonymous', () => {
    expect(ok('活动 | 甲 | 乙 | 丙 多选2').maxChoices).toBe(2)
    expect(ok('活动 | 甲 | 乙 | 丙 最多选2项').maxChoices).toBe(2)
    expect(ok('活动 | 甲 | 乙 | 丙 最多选两项').maxChoices).toBe(2)
    expect(ok('活动 | 甲 | 乙 | 丙 可选2项').maxChoices).toBe(2)
    expect(ok('活动 | 甲 | 乙 | 丙 多选').maxChoices).toBe('all')
    expect(ok('活动 | 甲 | 乙 不可改').allowChange).toBe(false)
    expect(ok('活动 | 甲 | 乙 实名').anonymous).toBe(false)
    expect(ok('匿名 多选 活动 | 甲 | 乙')).toMatchObject({ title: '活动', anonymous: true, maxChoices: 'all' })
    expect(ok('活动 匿名 | 甲 | 乙')).toMatchObject({ title: '活动', anonymous: true })
  })

  it('reads a deadline with spaces and units after 范围, in any order, also in a segment of their own', () => {
    expect(ok('活动 | 甲 | 乙 截止 下周一 9点 范围 一车间、二车间')).toMatchObject({ deadline: '下周一 9点', units: ['一车间', '二车间'] })
    expect(ok('活动 | 甲 | 乙 范围一车间 截止周五')).toMatchObject({ deadline: '周五', units: ['一车间'] })
    expect(ok('活动 | 甲 | 乙 | 匿名 截止 3天后')).toMatchObject({ options: ['甲', '乙'], anonymous: true, deadline: '3天后' })
  })

  it('answers mistakes clearly', () => {
    expect(refused('周末加班意愿')).toBe('请用 | 或 、 把标题和各个选项分开。')
    expect(refused('| 愿意 | 不愿意')).toBe('请在选项前写上投票标题。')
    expect(refused('活动 | 甲 | 乙 匿名 吧')).toContain('没看懂选项后面的“吧”')
    expect(refused('活动 | 甲 | 乙 截止')).toContain('“截止”后面请写时间')
    expect(refused('活动 | 甲 | 乙 范围')).toContain('“范围”后面请写单位')
  })

  it('reads survey question lines', () => {
    expect(parseQuestionLine('1. 食堂满意吗（评分）')).toEqual({ kind: 'scale', prompt: '食堂满意吗' })
    expect(parseQuestionLine('最想要的活动 | 文体 | 培训 | 疗休养')).toEqual({ kind: 'choice', prompt: '最想要的活动', options: ['文体', '培训', '疗休养'] })
    expect(parseQuestionLine('最想要的活动（多选2） | 文体 | 培训 | 疗休养')).toMatchObject({ kind: 'choice', maxChoices: 2 })
    expect(parseQuestionLine('3、其他建议')).toEqual({ kind: 'text', prompt: '其他建议' })
    expect(parseQuestionLine('  ')).toBeNull()
  })
})

describe('starting a poll in chat', () => {
  const services = new Services()
  const clock = new ManualClock(new Date('2026-03-04T02:00:00Z')) // Wednesday 10:00 in Shanghai
  let svc: TestService

  beforeAll(async () => {
    svc = await services.start(clock)
  })
  afterAll(() => services.stopAll())

  it('an officer starts one in the team group: posted as a card with one button per option, with how to vote by text', async () => {
    const { number, replies } = await startPoll(svc, 'D2001', 'web-team-dg', '发起投票 周末加班意愿 | 愿意 | 不愿意 | 看情况 匿名 截止 周五18:00')
    expect(number).toMatch(/^P-\d+$/)
    expect(replies[0]!.text).toContain(`已发起投票 ${number}“周末加班意愿”，范围：一车间/电工班，已发到 1 个群`)
    expect(replies[0]!.text).toContain('截止 2026-03-06 18:00')
    const post = replies.filter((r) => r.card)
    expect(post.map((r) => r.chat)).toEqual(['web-team-dg'])
    expect(post[0]!.text).toContain(`【投票】${number} 周末加班意愿\n1. 愿意\n2. 不愿意\n3. 看情况`)
    expect(post[0]!.text).toContain('匿名')
    expect(post[0]!.text).toContain(`投票 ${number} 1`)
    expect(post[0]!.card!.buttons!.map((b) => [b.label, b.action.command])).toEqual([
      ['1. 愿意', `投票 ${number} 1`],
      ['2. 不愿意', `投票 ${number} 2`],
      ['3. 看情况', `投票 ${number} 3`],
    ])
    const poll = await svc.db.poll.findUniqueOrThrow({ where: { number }, include: { options: true, targets: true } })
    expect(poll).toMatchObject({ kind: 'poll', anonymous: true, allowChange: true, maxChoices: 1, status: 'open' })
    expect(formatLocal(poll.deadline, 'Asia/Shanghai')).toBe('2026-03-06 18:00')
  })

  it('numbers polls in sequence', async () => {
    const a = await startPoll(svc, 'D2001', 'dm', '发起投票 甲乙 | 甲 | 乙')
    const b = await startPoll(svc, 'D2001', 'dm', '发起投票 丙丁 | 丙 | 丁')
    expect(Number(b.number.slice(2))).toBe(Number(a.number.slice(2)) + 1)
  })

  it('范围 a workshop posts to every team group under it; privately without 范围 it is the creator’s unit', async () => {
    const { replies } = await startPoll(svc, 'D3001', 'dm', '发起投票 班车时间 | 7点 | 7点半 范围 一车间 截止 明天12:00')
    expect(
      replies
        .filter((r) => r.card)
        .map((r) => r.chat)
        .sort(),
    ).toEqual(['web-team-dg', 'web-team-qg'])
    const own = await startPoll(svc, 'D2003', 'dm', '发起投票 班前会 | 8点 | 8点半')
    expect(own.replies[0]!.text).toContain('范围：二车间/装配一班，已发到 1 个群')
    expect(own.replies.filter((r) => r.card).map((r) => r.chat)).toEqual(['web-team-zp1'])
  })

  it('without a deadline it closes in 24 hours, and says so', async () => {
    const { number, replies } = await startPoll(svc, 'D2001', 'web-team-dg', '发起投票 劳保鞋款式 | 黑色 | 棕色')
    expect(replies[0]!.text).toContain('默认 24 小时后截止')
    const poll = await svc.db.poll.findUniqueOrThrow({ where: { number } })
    expect(poll.deadline.getTime() - clock.now().getTime()).toBe(24 * HOUR)
  })

  it('multiple choice: buttons add or take away an option, and the post says how to pick several', async () => {
    const { number, replies } = await startPoll(svc, 'D2001', 'web-team-dg', '发起投票 食堂换哪个菜：红烧肉、宫保鸡丁、鱼香肉丝、清蒸鱼 多选2')
    const post = replies.find((r) => r.card)!
    expect(post.text).toContain('多选（最多 2 项）')
    expect(post.text).toContain(`投票 ${number} 1,2`)
    expect(post.card!.buttons!.map((b) => b.action.command)).toEqual([1, 2, 3, 4].map((n) => `投票 ${number} +${n}`))
    expect((await svc.db.poll.findUniqueOrThrow({ where: { number } })).maxChoices).toBe(2)
  })

  it.each([
    ['发起投票 周末加班意愿 | 愿意', '至少要有 2 个选项'],
    ['发起投票 周末加班意愿 | 愿意 | 不愿意 | 愿意', '第 1 个和第 3 个选项重复了（“愿意”）'],
    ['发起投票 周末加班意愿 | 愿意 | 不愿意 | 愿 意', '重复了'],
    ['发起投票 选哪个 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11', '选项最多 10 个，您写了 11 个'],
    ['发起投票 周末加班意愿 | 愿意 || 不愿意', '有一个选项是空的'],
    ['发起投票 周末加班意愿 | 愿意 | 不愿意 多选3', '只有 2 个选项，不能“多选3”'],
    ['发起投票 周末加班意愿 | 愿意 | 不愿意 截止 周八', '截止时间：没看懂时间“周八”'],
    ['发起投票 周末加班意愿 | 愿意 | 不愿意 截止 本周一', '已经过去了'],
    ['发起投票 周末加班意愿 | 愿意 | 不愿意 截止 2分钟后', '截止时间太近了'],
    ['发起投票 周末加班意愿 | 愿意 | 不愿意 截止 100天后', '截止时间太远了'],
    ['发起投票 周末加班意愿 | 愿意 | 不愿意 范围 火星车间', '没有找到单位“火星车间”'],
    ['发起投票 周末加班意愿 | 愿意 | 不愿意 范围 二车间', '“二车间”不在您负责的范围内'],
    ['发起投票 周末加班意愿 愿意 不愿意', '请用 | 或 、 把标题和各个选项分开'],
    ['发起投票', '写法：发起投票 标题 | 选项1 | 选项2'],
  ])('%s → %s', async (words, answer) => {
    const before = await svc.db.poll.count()
    expect(text(await svc.say('D2001', 'web-team-dg', words))).toContain(answer)
    expect(await svc.db.poll.count()).toBe(before)
  })

  it('a grammar mistake is answered with the form and an example', async () => {
    expect(text(await svc.say('D2001', 'dm', '发起投票 周末加班意愿'))).toBe(
      '请用 | 或 、 把标题和各个选项分开。\n写法：发起投票 标题 | 选项1 | 选项2 …… [匿名] [多选/多选2] [不可改] [截止 时间] [范围 单位]\n例如：发起投票 周末加班意愿 | 愿意 | 不愿意 | 看情况 匿名 截止 周五18:00',
    )
  })

  it('who may start one: not a worker; a collector only for their grid’s teams', async () => {
    expect(text(await svc.say('D1002', 'web-team-dg', '发起投票 周末 | 去 | 不去'))).toContain('“发起投票”只有网格员、工会干部、管理员可以使用')
    const mine = await svc.say('D1001', 'web-team-dg', '发起投票 班组聚餐 | 周五 | 周六')
    expect(numberIn(mine[0]!.text)).not.toBe('')
    expect(text(await svc.say('D1001', 'web-team-zp1', '发起投票 班组聚餐 | 周五 | 周六'))).toContain(
      '网格员只能在自己网格的班组发起投票，“二车间/装配一班”不在您的网格内',
    )
    expect(text(await svc.say('D1001', 'dm', '发起投票 车间聚餐 | 周五 | 周六 范围 一车间'))).toContain('“一车间”不在您的网格内')
  })
})
