/**
 * Issue #17: a request is a conversation. The worker adds to it (补充), answers the officer's
 * question, contests a rejection or a result once (申请复核, or 1–2 stars), and hears when the
 * chair supervises it; the handling officer hears all of it privately. Through chat and the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type Reply, type TestService } from '../helpers/service.js'
import { call, tokenFor } from '../api/helpers.js'

let svc: TestService

beforeAll(async () => {
  svc = await startTestService()
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

const text = (replies: Reply[]) => replies.map((r) => r.text).join('\n')
const to = (replies: Reply[], employeeNo: string) => text(replies.filter((r) => r.to === employeeNo))
const numberIn = (s: string) => /SQ-\d{4}-\d{4}/.exec(s)?.[0] ?? ''

async function file(from: string, words: string, chat = 'dm'): Promise<string> {
  const replies = await svc.say(from, chat, words)
  const number = numberIn(text(replies))
  expect(number, `no request number in: ${text(replies)}`).not.toBe('')
  return number
}

describe('补充 and the officer’s question', () => {
  it('the worker adds to their request; the handling officer gets it privately and it is on the timeline', async () => {
    const n = await file('D1002', '诉求 食堂晚饭的菜经常是凉的')
    const replies = await svc.say('D1002', 'dm', `补充 ${n} 是三号窗口，七点以后`)
    expect(text(replies)).toContain(`已把补充内容记入诉求 ${n}`)
    expect(to(replies, 'D2001')).toBe(`诉求 ${n}：诉求人 张伟补充了内容：是三号窗口，七点以后`)
    const progress = text(await svc.say('D1002', 'dm', `进度 ${n}`))
    expect(progress).toMatch(/张伟 补充了内容：是三号窗口，七点以后/)
  })

  it('nobody else can add to it, and a malformed 补充 gets the usage', async () => {
    const n = await file('D1003', '诉求 更衣室柜子坏了')
    expect(text(await svc.say('D1004', 'dm', `补充 ${n} 我也是`))).toBe(`诉求 ${n} 不是您提交的，您不能查看或操作。`)
    expect(text(await svc.say('D1003', 'dm', '补充 没写编号'))).toContain('补充 诉求编号 内容')
  })

  it('an officer’s reply ending in a question is answered by the worker, threaded to the request and back to the officer who asked', async () => {
    const n = await file('D1004', '诉求 班车太挤了')
    const asked = await svc.say('D2001', 'dm', `回复 ${n} 是早班车还是晚班车？`)
    expect(text(asked)).toContain(`已把问题发给 ${n} 的诉求人`)
    expect(to(asked, 'D1004')).toContain(`问您：是早班车还是晚班车？\n请回复：补充 ${n} 您的回答`)
    const answered = await svc.say('D1004', 'dm', `补充 ${n} 早班车，7点那班`)
    expect(text(answered)).toContain('已把您的回答转给提问的干部')
    expect(to(answered, 'D2001')).toBe(`诉求 ${n}：诉求人 刘洋回答了您的问题：早班车，7点那班`)
    // The next word after an answer is an addition again.
    expect(to(await svc.say('D1004', 'dm', `补充 ${n} 周一最挤`), 'D2001')).toContain('补充了内容：周一最挤')
  })

  it('an anonymous author stays anonymous through additions and answers, in chat and in the API', async () => {
    const n = await file('D1003', '匿名诉求 班长经常克扣加班费')
    await svc.say('D2001', 'dm', `回复 ${n} 是哪个月的加班费？`)
    const answered = await svc.say('D1003', 'dm', `补充 ${n} 十月份的`)
    const officerText = to(answered, 'D2001')
    expect(officerText).toContain('匿名职工回答了您的问题：十月份的')
    expect(officerText).not.toMatch(/王芳|D1003/)
    const progress = text(await svc.say('D2001', 'dm', `进度 ${n}`))
    expect(progress).not.toMatch(/王芳|D1003/)
    expect(progress).toContain('回答了问题：十月份的')
    const res = await call(svc, { url: `/api/v1/requests/${n}`, token: await tokenFor(svc, 'D2001') })
    expect(res.statusCode).toBe(200)
    const step = res.json().timeline.find((e: { kind: string }) => e.kind === 'answered')
    expect(step).toMatchObject({ label: '回答了问题', actor: null, actorLabel: '匿名职工', text: '十月份的' })
    expect(JSON.stringify(res.json())).not.toMatch(/王芳|D1003/)
  })

  it('in a group, 补充 is answered privately and the group never sees the words', async () => {
    const n = await file('D1002', '诉求 食堂没有热水')
    const replies = await svc.say('D1002', 'web-team-dg', `补充 ${n} 二楼开水间`)
    expect(
      replies
        .filter((r) => r.chat === 'web-team-dg')
        .map((r) => r.text)
        .join('\n'),
    ).not.toContain('二楼开水间')
    expect(to(replies, 'D1002')).toContain(`已把补充内容记入诉求 ${n}`)
  })
})

describe('disagreement has a path', () => {
  it('a low rating of a rejected request contests it: it goes one level up with the reason, and the review is final', async () => {
    const n = await file('D1002', '诉求 劳保手套一个月只发一副')
    await svc.say('D2001', 'dm', `驳回 ${n} 按规定一月一副`)
    const contested = await svc.say('D1002', 'dm', `评价 ${n} 1 不该驳回`)
    expect(text(contested)).toContain(`诉求 ${n} 已交 一车间 复核，复核结果为最终结果`)
    expect(text(contested)).not.toContain('还没有办结')
    // The reviewer reads a review, not a new request: whose decision is contested, why, what it was.
    expect(to(contested, 'D3001')).toMatch(new RegExp(`^请复核诉求 ${n}：诉求人对 一车间/电工班 的处理（已驳回）有异议，申请由您复核。理由：不该驳回\n`))
    expect(to(contested, 'D3001')).toContain('原处理：按规定一月一副\n请在 ')
    expect(contested.filter((r) => r.to === 'D3001').map((r) => r.card?.title)).toEqual([`请复核诉求 ${n}`])
    expect(to(contested, 'D3001')).not.toContain('新诉求')
    expect(to(contested, 'D2001')).toContain(`诉求 ${n} 的诉求人申请复核，已交 一车间 复核`)
    const review = await svc.say('D3001', 'dm', `驳回 ${n} 经核实符合规定`)
    expect(to(review, 'D1002')).toContain('经复核仍不予受理（梁秀英）。理由：经核实符合规定\n这是复核结果，为最终结果。')
    expect(text(await svc.say('D1002', 'dm', `申请复核 ${n} 还是不服`))).toBe(`诉求 ${n} 已经复核过，复核结果为最终结果，不能再次申请。`)
    const progress = text(await svc.say('D1002', 'dm', `进度 ${n}`))
    expect(progress).toMatch(/张伟 申请复核，理由：不该驳回[\s\S]*重新打开，交 一车间 复核[\s\S]*梁秀英 驳回，理由：经核实符合规定/)
    // The API (and so the dashboard) has the same sentences.
    const api = (await call(svc, { url: `/api/v1/requests/${n}`, token: await tokenFor(svc, 'D3001') })).json()
    const sentences = (api.timeline as { sentence: string }[]).map((e) => e.sentence)
    expect(sentences).toEqual(expect.arrayContaining(['张伟 申请复核，理由：不该驳回', '梁秀英 驳回，理由：经核实符合规定']))
  })

  it('申请复核 works on a resolved request, needs a reason, and is refused while the request is open', async () => {
    const n = await file('D1003', '诉求 车间太热没有风扇')
    expect(text(await svc.say('D1003', 'dm', `申请复核 ${n} 太慢`))).toBe(`诉求 ${n} 目前待受理，只有已办结或已驳回的诉求可以申请复核。`)
    await svc.say('D2001', 'dm', `办结 ${n} 已装两台风扇`)
    expect(text(await svc.say('D1003', 'dm', `申请复核 ${n}`))).toContain('请写上申请复核的理由')
    const contested = await svc.say('D1003', 'dm', `申请复核 ${n} 风扇根本吹不到工位`)
    expect(text(contested)).toContain('已交 一车间 复核')
    expect(to(contested, 'D3001')).toContain('理由：风扇根本吹不到工位')
    // A rating of 3–5 on a rejected request has nothing to rate.
    const m = await file('D1004', '诉求 班车座位太少')
    await svc.say('D2001', 'dm', `驳回 ${m} 不归工会管`)
    expect(text(await svc.say('D1004', 'dm', `评价 ${m} 4`))).toContain('已被驳回，没有处理结果可评价')
  })
})

describe('督办 reaches people', () => {
  it('the handling officer gets the chair’s note and the new deadline privately; the worker hears it is supervised', async () => {
    const n = await file('D1002', '诉求 宿舍热水器坏了一周')
    await svc.say('D2001', 'dm', `受理 ${n}`)
    const replies = await svc.say('D9001', 'dm', `督办 ${n} 3天内 请本周内解决`)
    expect(text(replies)).toContain(`已将 ${n} 列为督办事项`)
    expect(to(replies, 'D2001')).toMatch(new RegExp(`^【督办】王建国 将您办理的诉求 ${n} 列为督办事项：请本周内解决\\n请在 \\S+ \\S+ 前办结。$`))
    expect(to(replies, 'D1002')).toBe(`您的诉求 ${n} 已列为工会督办事项，将优先办理。`)
  })

  it('through the API too, with a note and a deadline; a deadline in the past is a 400 in Chinese', async () => {
    const n = await file('D1003', '诉求 食堂窗口太少')
    const chair = await tokenFor(svc, 'D9001')
    const past = await call(svc, {
      method: 'POST',
      url: `/api/v1/requests/${n}/actions`,
      token: chair,
      payload: { action: 'supervise', text: '尽快', dueAt: '2000-01-01T00:00:00+08:00' },
    })
    expect(past.statusCode).toBe(400)
    expect(past.json().error.message).toBe('新的办结期限应在现在之后')
    const due = new Date(Date.now() + 3 * 86_400_000).toISOString()
    const res = await call(svc, {
      method: 'POST',
      url: `/api/v1/requests/${n}/actions`,
      token: chair,
      payload: { action: 'supervise', text: '请三天内答复', dueAt: due },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().request).toMatchObject({ supervised: true, resultDueAt: new Date(due).toISOString() })
    svc.outbox.wake()
    const officerDms = await waitForDm('D2001', `列为督办事项：请三天内答复`)
    expect(officerDms).toContain('前办结')
    await waitForDm('D1003', `您的诉求 ${n} 已列为工会督办事项`)
  })
})

async function waitForDm(employeeNo: string, fragment: string): Promise<string> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId: null, personNo: employeeNo }, orderBy: { id: 'asc' } })
    const hit = rows.map((r) => r.text).find((t) => t.includes(fragment))
    if (hit) return hit
    if (Date.now() > deadline) throw new Error(`timed out waiting for a DM to ${employeeNo} containing ${fragment}`)
    svc.outbox.wake()
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('collectors follow what they relay; words fit the reader', () => {
  it('a collector opens the progress of a non-anonymous request of their grid, never an anonymous one', async () => {
    const n = await file('D1002', '诉求 食堂菜价涨了')
    const progress = text(await svc.say('D1001', 'dm', `进度 ${n}`))
    expect(progress).toContain(`诉求 ${n}`)
    expect(progress).toContain('食堂菜价涨了')
    const anonymous = await file('D1003', '匿名诉求 食堂卫生差')
    expect(text(await svc.say('D1001', 'dm', `进度 ${anonymous}`))).toBe(`诉求 ${anonymous} 不是您提交的，您不能查看或操作。`)
    // Outside their grid: refused.
    const other = await file('D1010', '诉求 劳保鞋太硬')
    expect(text(await svc.say('D1001', 'dm', `进度 ${other}`))).toContain('不是您提交的')
  })

  it('a collector filing for a worker is told about the worker’s request, not “您的诉求”', async () => {
    const replies = await svc.say('D1001', 'dm', '代报 D1004 食堂的汤太咸')
    const ack = text(replies.filter((r) => !r.to || r.to === 'D1001'))
    expect(ack).toMatch(/已为 刘洋 代报诉求 SQ-\d{4}-\d{4}。\n刘洋的诉求 SQ-\d{4}-\d{4}（食堂餐饮）已转给/)
    expect(ack).not.toContain('已收到您的诉求')
    // Each step after reaches the worker as theirs and the collector as the request they filed for 刘洋.
    const n = numberIn(ack)
    const accepted = await svc.say('D2001', 'dm', `受理 ${n}`)
    expect(to(accepted, 'D1004')).toBe(`您的诉求 ${n} 已由 何平 受理，正在办理。`)
    expect(to(accepted, 'D1001')).toBe(`您为 刘洋 代报的诉求 ${n} 已由 何平 受理，正在办理。`)
    const resolved = await svc.say('D2001', 'dm', `办结 ${n} 已调淡`)
    expect(to(resolved, 'D1004')).toContain(`评价 ${n} 分数`)
    expect(to(resolved, 'D1001')).toBe(`您为 刘洋 代报的诉求 ${n} 已办结（何平）。处理结果：已调淡`)
  })

  it('待办 shows each deadline, overdue first', async () => {
    const todo = text(await svc.say('D2001', 'dm', '待办'))
    const lines = todo.split('\n').slice(1)
    expect(lines.length).toBeGreaterThan(1)
    const items = lines.filter((l) => l.startsWith('SQ-') || l.startsWith('⚠'))
    expect(items.length).toBeGreaterThan(1)
    for (const line of items) expect(line).toMatch(/（\d{4}-\d{2}-\d{2} \d{2}:\d{2} 前(答复|办结)）$/)
  })
})
