/**
 * The intent layer end to end, through the playground: a problem written plainly is offered and
 * filed with one tap (or a typed 是), the same complaint twice is asked about, `@工友诉求…` with no
 * space is answered in a group, an officer's number-first reply acts, `进度 42` finds this year's 42.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type Reply, type TestService } from '../../helpers/service.js'

let svc: TestService

beforeAll(async () => {
  svc = await startTestService()
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

const text = (replies: Reply[]) => replies.map((r) => r.text).join('\n')
const numberIn = (s: string) => /SQ-\d{4}-\d{4}/.exec(s)?.[0] ?? ''
const requests = () => svc.db.workerRequest.count()
const button = (replies: Reply[], label: string) => {
  const found = replies.flatMap((r) => r.card?.buttons ?? []).find((b) => b.label === label)
  expect(found, `no “${label}” button in: ${JSON.stringify(replies)}`).toBeDefined()
  return found!.action.command
}

describe('asking rather than guessing', () => {
  it('offers to file a plainly written problem, and one tap files the text already written', async () => {
    const before = await requests()
    const offered = await svc.say('D1003', 'dm', '食堂今天又没热饭了，夜班的人只能吃泡面')
    expect(await requests()).toBe(before)
    expect(offered).toHaveLength(1)
    expect(offered[0]!.card?.buttons?.map((b) => b.label)).toEqual(['提交诉求', '匿名提交', '不用了'])
    const filed = await svc.press('D1003', 'dm', button(offered, '提交诉求'))
    const number = numberIn(text(filed))
    expect(number).not.toBe('')
    const row = await svc.db.workerRequest.findUniqueOrThrow({ where: { number } })
    expect(row.content).toBe('食堂今天又没热饭了，夜班的人只能吃泡面')
    expect((await svc.db.requestCategory.findUniqueOrThrow({ where: { id: row.categoryId } })).name).toBe('食堂餐饮')
    // The offer is used up: pressing again files nothing more.
    expect(text(await svc.press('D1003', 'dm', button(offered, '提交诉求')))).toContain('过期')
    expect(await requests()).toBe(before + 1)
  })

  it('files anonymously from a private offer, and a typed 是 works where there are no buttons', async () => {
    const offered = await svc.say('D1004', 'dm', '车间里粉尘太大了，口罩一周才发一个')
    const anonymous = await svc.press('D1004', 'dm', button(offered, '匿名提交'))
    const number = numberIn(text(anonymous))
    expect((await svc.db.workerRequest.findUniqueOrThrow({ where: { number } })).anonymous).toBe(true)

    await svc.say('D1004', 'dm', '更衣室的淋浴喷头坏了三个')
    const typed = await svc.say('D1004', 'dm', '是')
    const second = numberIn(text(typed))
    expect(second).not.toBe('')
    expect((await svc.db.workerRequest.findUniqueOrThrow({ where: { number: second } })).content).toBe('更衣室的淋浴喷头坏了三个')
  })

  it('drops an offer when told 不用了', async () => {
    const before = await requests()
    const offered = await svc.say('D1006', 'dm', '宿舍六楼又停水了')
    expect(text(await svc.press('D1006', 'dm', button(offered, '不用了')))).toContain('不提交了')
    expect(text(await svc.say('D1006', 'dm', '是'))).not.toMatch(/SQ-/)
    expect(await requests()).toBe(before)
  })

  it('in a group, offers no anonymous filing and says to write privately', async () => {
    const offered = await svc.say('D1002', 'web-team-dg', '@工友 班车又晚点了，天天这样')
    expect(offered[0]!.card?.buttons?.map((b) => b.label)).toEqual(['提交诉求', '不用了'])
    expect(text(offered)).toContain('私聊')
  })

  it('files at once what says it wants filing, and answers small talk with how to file', async () => {
    const filed = await svc.say('D1007', 'dm', '我想投诉一下，澡堂热水八点就停了，夜班的人洗不上')
    expect(numberIn(text(filed))).not.toBe('')
    const hello = text(await svc.say('D1007', 'dm', '你好'))
    expect(hello).toContain('直接写下来发给我')
    expect(hello).not.toContain('没看懂')
    // 投诉 is not 投票: no did-you-mean of another meaning.
    expect(text(await svc.say('D1007', 'dm', '投诉'))).not.toContain('投票')
  })
})

describe('duplicates', () => {
  it('asks whether nearly the same complaint is the same matter instead of filing it again', async () => {
    const first = await svc.say('D1008', 'dm', '诉求 二号宿舍楼热水器坏了一个星期没人修')
    const number = numberIn(text(first))
    const before = await requests()
    const again = await svc.say('D1008', 'dm', '诉求 二号宿舍楼热水器坏了一个星期没人修！')
    expect(await requests()).toBe(before)
    expect(text(again)).toContain(number)
    expect(again.filter((r) => r.to && r.to !== 'D1008')).toEqual([])
    expect(text(await svc.press('D1008', 'dm', button(again, '是同一件')))).toContain(`已经在 ${number} 里了`)
    const third = await svc.say('D1008', 'dm', '二号宿舍楼热水器坏了一个星期没人修')
    // Through the offer too, and 是新问题 files it after all.
    const asked = await svc.press('D1008', 'dm', button(third, '提交诉求'))
    expect(await requests()).toBe(before)
    const fresh = await svc.press('D1008', 'dm', button(asked, '是新问题'))
    expect(numberIn(text(fresh))).not.toBe(number)
    expect(await requests()).toBe(before + 1)
  })

  it('asked in a group, does not repeat the earlier request filed privately', async () => {
    const first = await svc.say('D1003', 'dm', '诉求 最近压力很大晚上睡不着，想找人聊聊')
    const number = numberIn(text(first))
    const again = await svc.say('D1003', 'web-team-dg', '诉求 最近压力很大晚上睡不着想找人聊聊')
    const inGroup = again.filter((r) => r.chat === 'web-team-dg')
    expect(text(inGroup)).toContain(number)
    expect(JSON.stringify(inGroup)).not.toContain('睡不着')
  })
})

describe('in a group and for officers', () => {
  it('answers @工友诉求… written without a space', async () => {
    const replies = await svc.say('D1002', 'web-team-dg', '@工友诉求 电工班工具柜的锁坏了')
    const number = numberIn(text(replies))
    expect(number).not.toBe('')
    expect((await svc.db.workerRequest.findUniqueOrThrow({ where: { number } })).content).toBe('电工班工具柜的锁坏了')
  })

  it('answers a mistyped command word at the start of a group message', async () => {
    const replies = await svc.say('D1002', 'web-team-dg', '诉球 电工班的梯子断了一根横档')
    expect(replies).toHaveLength(1)
    expect(replies[0]!.text).toContain('电工班的梯子断了一根横档')
    expect(replies[0]!.card?.buttons?.[0]?.label).toBe('提交诉求')
  })

  it("acts on an officer's number-first reply, and finds 进度 42 as this year's 42", async () => {
    const filed = await svc.say('D1002', 'dm', '诉求 电工班值班室的空调漏水')
    const number = numberIn(text(filed))
    const resolved = await svc.say('D2001', 'dm', `${number} 已经修好了`)
    expect(text(resolved)).toContain(number)
    const row = await svc.db.workerRequest.findUniqueOrThrow({ where: { number } })
    expect(row.status).toBe('resolved')
    expect(row.result).toBe('已经修好了')
    const short = String(Number(number.slice(-4)))
    const progress = await svc.say('D1002', 'dm', `进度 ${short}`)
    expect(text(progress)).toContain(number)
  })
})
