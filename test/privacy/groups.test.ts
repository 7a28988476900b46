/**
 * Issue #14, tried as a worker would in a team group (the playground, where an officer sits in
 * every team group): a group is a public place. Anonymous requests are not taken there, personal
 * views go privately, sensitive matters reach the officers' group only as number, category and
 * unit, and per-unit figures of polls and surveys about fewer than PRIVACY_MIN_GROUP people are
 * not shown. PRIVACY_MIN_GROUP is 6 here, so every demo team (five people) is "too small".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import type { Reply, TestService } from '../helpers/service.js'
import { Services, startPoll } from '../polls/helpers.js'

const services = new Services()
const clock = new ManualClock(new Date('2026-03-04T02:00:00Z')) // Wednesday 10:00 in Shanghai
let svc: TestService

beforeAll(async () => {
  svc = await services.start(clock, { PRIVACY_MIN_GROUP: '6' })
})
afterAll(() => services.stopAll())

const numberIn = (s: string) => /SQ-\d{4}-\d{4}/.exec(s)?.[0] ?? ''
/** What the bot said in group chats (anything not private). */
const inGroups = (replies: Reply[]) =>
  replies
    .filter((r) => r.chat !== 'dm')
    .map((r) => `${r.text}${r.card ? JSON.stringify(r.card) : ''}`)
    .join('\n')
const privately = (replies: Reply[], to: string) =>
  replies
    .filter((r) => r.chat === 'dm' && r.to === to)
    .map((r) => r.text)
    .join('\n')

async function filePrivately(from: string, words: string): Promise<string> {
  const replies = await svc.say(from, 'dm', words)
  const number = numberIn(replies[0]?.text ?? '')
  expect(number, replies.map((r) => r.text).join('\n')).not.toBe('')
  return number
}

describe('a group is a public place', () => {
  it('an anonymous request typed in a team group is not taken: nothing filed, the words not repeated, the asker told privately', async () => {
    const before = await svc.db.workerRequest.count()
    const replies = await svc.say('D1002', 'web-team-dg', '匿名诉求 班长克扣加班费，每月少算十个小时')
    expect(await svc.db.workerRequest.count()).toBe(before)
    expect(await svc.db.requestAuthor.count()).toBe(0)
    const group = inGroups(replies)
    expect(group).not.toContain('克扣')
    expect(group).not.toContain('SQ-')
    expect(group).not.toContain('干部看不到')
    expect(privately(replies, 'D1002')).toContain('匿名诉求请在与工友的私聊中提交')
    // Nothing of it reached any group later either.
    const posted = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId: { not: null } } })
    expect(posted.map((m) => m.text).join('\n')).not.toContain('克扣')
  })

  it('我的诉求 and 进度 asked in a group are answered privately; the group hears only that', async () => {
    const open = await filePrivately('D1002', '诉求 更衣室的柜子锁坏了')
    const anonymous = await filePrivately('D1002', '匿名诉求 夜班补贴少发了两个月')
    for (const words of ['我的诉求', `进度 ${anonymous}`]) {
      const replies = await svc.say('D1002', 'web-team-dg', words)
      expect(inGroups(replies), words).toBe('已私信发您。')
      expect(privately(replies, 'D1002'), words).toContain(anonymous)
    }
    const mine = privately(await svc.say('D1002', 'web-team-dg', '我的诉求'), 'D1002')
    expect(mine).toContain(open)
    expect(mine).toContain('夜班补贴')
  })

  it('网格诉求 and 待办 asked in a group are answered privately', async () => {
    const grid = await svc.say('D1001', 'web-team-dg', '网格诉求')
    expect(inGroups(grid)).toBe('已私信发您。')
    expect(privately(grid, 'D1001')).toContain('更衣室')
    const todo = await svc.say('D2001', 'web-officers', '待办')
    expect(inGroups(todo)).toBe('已私信发您。')
    expect(privately(todo, 'D2001')).toContain('更衣室')
  })

  it('a request filed in a group is acknowledged there by number only', async () => {
    const replies = await svc.say('D1004', 'web-team-dg', '诉求 家里孩子生病住院，生活很困难')
    const number = numberIn(replies[0]!.text)
    expect(replies[0]).toMatchObject({ chat: 'web-team-dg', text: `已收到诉求 ${number}，详情和进展私信发您。` })
    const team = replies
      .filter((r) => r.chat === 'web-team-dg')
      .map((r) => r.text)
      .join('\n')
    expect(team).not.toContain('住院')
    expect(team).not.toContain('困难帮扶')
    expect(privately(replies, 'D1004')).toContain(`已收到您的诉求 ${number}（困难帮扶）`)
  })
})

describe('sensitive matters', () => {
  it('reach the officers’ group as number, category and a unit big enough; the officer gets the details privately', async () => {
    const replies = await svc.say('D1008', 'dm', '诉求 最近压力很大，晚上总是失眠')
    const number = numberIn(replies[0]!.text)
    const group = replies.filter((r) => r.chat === 'web-officers')
    expect(group).toHaveLength(1)
    expect(group[0]!.text).toContain(number)
    expect(group[0]!.text).toContain('心理关怀')
    // 钳工班 has five people, fewer than six: the workshop is named instead.
    expect(group[0]!.text).toContain('一车间')
    expect(group[0]!.text).not.toContain('钳工班')
    for (const secret of ['黄丽', 'D1008', '失眠', '压力']) expect(inGroups(replies), secret).not.toContain(secret)
    expect(privately(replies, 'D2002')).toContain('诉求人：黄丽（D1008）')
    expect(privately(replies, 'D2002')).toContain('失眠')
  })

  it('an anonymous request is announced to the officers’ group the same way', async () => {
    const replies = await svc.say('D1003', 'dm', '匿名诉求 食堂的菜每天都是凉的')
    const group = replies
      .filter((r) => r.chat === 'web-officers')
      .map((r) => r.text)
      .join('\n')
    expect(group).toContain('食堂餐饮')
    expect(group).not.toContain('凉的')
  })

  it('a request corrected to a sensitive category is never again told in a group', async () => {
    const number = await filePrivately('D1003', '诉求 食堂饭菜太咸了，家里老人吃不了')
    const corrected = await svc.say('D1003', 'dm', `改类别 ${number} 困难帮扶`)
    expect(corrected.map((r) => r.text).join('\n')).toContain('困难帮扶')
    const escalated = await svc.say('D2001', 'dm', `升级 ${number} 需要车间出面`)
    expect(escalated.some((r) => r.chat === 'web-officers')).toBe(true)
    for (const secret of ['太咸', '王芳', 'D1003']) expect(inGroups([...corrected, ...escalated]), secret).not.toContain(secret)
  })

  it('administrators mark a category sensitive through the API', async () => {
    const { issueToken } = await import('../../src/auth/tokens.js')
    const admin = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })
    const token = await issueToken(svc.db, admin.id)
    const list = await svc.app.inject({ method: 'GET', url: '/api/v1/categories', headers: { authorization: `Bearer ${token}` } })
    const categories = list.json().categories as { id: number; name: string; sensitive: boolean }[]
    expect(
      categories
        .filter((c) => c.sensitive)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['困难帮扶', '心理关怀', '法律援助'].sort())
    const commute = categories.find((c) => c.name === '通勤')!
    const bad = await svc.app.inject({
      method: 'PATCH',
      url: `/api/v1/categories/${commute.id}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { sensitive: 'yes' },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.message).toMatch(/[\u4e00-\u9fa5]/)
    const patched = await svc.app.inject({
      method: 'PATCH',
      url: `/api/v1/categories/${commute.id}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { sensitive: true },
    })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ name: '通勤', sensitive: true })
    const replies = await svc.say('D1006', 'dm', '诉求 班车太早了，孩子没人送')
    const group = replies
      .filter((r) => r.chat === 'web-officers')
      .map((r) => r.text)
      .join('\n')
    expect(group).toContain('通勤')
    expect(group).not.toContain('孩子')
  })
})

describe('small numbers are not shown', () => {
  it('a survey answered by one person shows no per-unit means and no free text; the group is not told who takes part', async () => {
    const { number } = await startPoll(svc, 'D3001', 'dm', '发起问卷 班组满意度 范围 一车间\n您对班组管理满意吗？（评分）\n还有什么建议？（文字）')
    const pressed = await svc.press('D1002', 'web-team-dg', `填写问卷 ${number}`)
    expect(inGroups(pressed)).toBe('已私信发您。')
    await svc.say('D1002', 'dm', '1')
    await svc.say('D1002', 'dm', '班长王某天天骂人')
    const closed = await svc.say('D3001', 'dm', `结束问卷 ${number}`)
    const results = privately(closed, 'D3001')
    expect(results).toContain('1.0')
    expect(results).toContain('不足 6 人，不单独显示')
    expect(results).not.toContain('天天骂人')
    expect(results).toContain('回答不足 6 人，文字内容不显示')
  })

  it('a poll answered by one person shows no per-unit figures, and a vote in the group of an anonymous poll names nobody', async () => {
    const { number } = await startPoll(svc, 'D3001', 'dm', '发起投票 周末加班意愿 | 愿意 | 不愿意 匿名 范围 一车间')
    const voted = await svc.say('D1002', 'web-team-dg', `投票 ${number} 2`)
    expect(inGroups(voted)).toBe('已私信发您。')
    expect(privately(voted, 'D1002')).toContain('不愿意')
    const shown = (await svc.say('D3001', 'dm', `投票结果 ${number}`)).map((r) => r.text).join('\n')
    expect(shown).toContain('电工班：不足 6 人，不单独显示')
    const api = await resultsFromApi(number)
    const dg = api.units.find((u: { unit: string }) => u.unit === '一车间/电工班')
    expect(dg).toMatchObject({ hidden: true, options: [] })
  })
})

async function resultsFromApi(number: string) {
  const { issueToken } = await import('../../src/auth/tokens.js')
  const admin = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })
  const res = await svc.app.inject({
    method: 'GET',
    url: `/api/v1/polls/${number}`,
    headers: { authorization: `Bearer ${await issueToken(svc.db, admin.id)}` },
  })
  expect(res.statusCode).toBe(200)
  return res.json()
}

describe('which units are hidden', () => {
  it('hides units under the threshold, and one more when the hidden ones together could be worked out from the total', async () => {
    const { hiddenUnits } = await import('../../src/polls/results.js')
    expect([...hiddenUnits([6, 7, 0], 5)]).toEqual([])
    // 1 answer hidden in the first unit: total − 6 − 7 would give it away, so the smallest other (6) goes too.
    expect([...hiddenUnits([1, 6, 7], 5)].sort()).toEqual([0, 1])
    // Hidden together 2 + 3 = 5: enough, the others stay.
    expect([...hiddenUnits([2, 3, 8], 5)].sort()).toEqual([0, 1])
    expect([...hiddenUnits([1, 0, 0], 5)]).toEqual([0])
  })
})
