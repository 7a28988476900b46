import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InboundMessage } from '../../src/core/types.js'
import { FakeTarget, FakeTargetAdapter } from '../helpers/fake-target.js'
import { waitUntil } from '../helpers/metrics.js'
import { startTestService, type TestService } from '../helpers/service.js'

let svc: TestService
let fake: FakeTarget

beforeAll(async () => {
  fake = await new FakeTarget({ perTarget: 5, perApp: 50, windowMs: 1000 }).start()
  svc = await startTestService({ adapters: [new FakeTargetAdapter('feishu', fake, { perTarget: [{ count: 5, perMs: 1000 }] })] })
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
  await fake.stop()
})

const texts = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n')

let seq = 0
function feishu(openId: string, text: string, chatId: string | null = null, eventId = `ev_${++seq}`): InboundMessage {
  return { platform: 'feishu', eventId, chatId, sender: { ids: [{ kind: 'open_id', id: openId }] }, text, mentions: [], mentionsBot: chatId === null }
}

/** What the fake Feishu showed to a user or chat since the given count of shown messages. */
async function shownTo(target: string, before: number, on: TestService = svc): Promise<string[]> {
  const deadline = Date.now() + 10_000
  for (;;) {
    await on.outbox.wake()
    const pending = await on.db.outboxMessage.count({ where: { status: { in: ['pending', 'sending'] }, platform: 'feishu' } })
    if (pending === 0 || Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 20))
  }
  return [...fake.shown.values()]
    .slice(before)
    .filter((m) => m.target === target)
    .map((m) => m.text)
}

describe('help', () => {
  it('lists exactly what each role may do', async () => {
    const worker = texts(await svc.say('D1002', 'dm', '帮助'))
    const collector = texts(await svc.say('D1001', 'dm', '/帮助'))
    const officer = texts(await svc.say('D2001', 'dm', 'help'))
    const admin = texts(await svc.say('D9000', 'dm', '帮助'))
    expect(worker).toContain('职工')
    expect(worker).toContain('我的信息')
    expect(worker).not.toContain('网格成员')
    expect(worker).not.toContain('绑定班组')
    expect(worker).not.toContain('绑定 工号 姓名') // already bound
    expect(collector).toContain('网格员')
    expect(collector).toContain('网格成员')
    expect(collector).not.toContain('绑定班组')
    expect(officer).toContain('工会干部')
    expect(officer).toContain('绑定班组')
    expect(officer).not.toContain('发送失败')
    expect(admin).toContain('发送失败')
    expect(new Set([worker, collector, officer, admin]).size).toBe(4)
  })
})

describe('in a group', () => {
  it('stays quiet for ordinary chat and answers a command word or a mention', async () => {
    expect(await svc.say('D1002', 'web-team-dg', '今天食堂的饭不错')).toEqual([])
    const byWord = await svc.say('D1002', 'web-team-dg', '我的信息')
    expect(byWord).toHaveLength(1)
    expect(byWord[0]!.chat).toBe('web-team-dg')
    expect(byWord[0]!.text).toContain('张伟')
    expect(byWord[0]!.card?.title).toBe('我的信息')
    // Mentioned, it never stays silent: small talk gets a friendly answer and how to file.
    const byMention = await svc.say('D1002', 'web-team-dg', '@工友 在吗')
    expect(texts(byMention)).toContain('您好，我是工友')
    expect(texts(await svc.say('D1002', 'web-team-dg', '@工友 明天几点集合'))).toContain('没看懂')
  })

  it('suggests the right command for a typo, with its form', async () => {
    const replies = await svc.say('D2001', 'web-team-dg', '@工友 绑丁班组 电工班')
    expect(texts(replies)).toMatch(/是不是想用“绑定班组”.*绑定班组 单位名称或路径/s)
  })

  it('lets an officer bind a group within their part of the organisation only', async () => {
    expect(texts(await svc.say('D2001', 'web-team-zp1', '绑定班组 二车间/装配一班'))).toContain('不在您负责的范围内')
    expect(texts(await svc.say('D3001', 'web-team-qg', '绑定班组 钳工班'))).toContain('已将本群“钳工班工作群”绑定到“一车间/钳工班”')
    const chat = await svc.db.chatGroup.findFirstOrThrow({ where: { externalId: 'web-team-qg' }, include: { unit: true } })
    expect(chat.unit?.path).toBe('一车间/钳工班')
  })

  it('tells a worker who tries an officer command who may use it', async () => {
    expect(texts(await svc.say('D1002', 'web-team-dg', '绑定班组 电工班'))).toMatch(/只有工会干部、管理员可以使用/)
  })

  it('answers an argument mistake with the right form', async () => {
    expect(texts(await svc.say('D3001', 'web-team-dg', '绑定班组'))).toMatch(/写法：绑定班组 单位名称或路径\n例如：绑定班组 一车间\/电工班/)
  })
})

describe('grid collector', () => {
  it('sees the people of their grid, which spans two teams', async () => {
    const reply = texts(await svc.say('D1001', 'dm', '网格成员'))
    expect(reply).toContain('一车间网格')
    expect(reply).toContain('张伟')
    expect(reply).toContain('杨帆') // 钳工班, same grid
    expect(reply).not.toContain('吴霞') // 装配一班, another grid
  })
})

// On a real organisation (the sample roster, the playground off): demo people are never bound on a platform.
describe('binding a platform identity', () => {
  let real: TestService
  beforeAll(async () => {
    real = await startTestService({
      env: { GONGYOU_PLAYGROUND: 'false' },
      adapters: [new FakeTargetAdapter('feishu', fake, { perTarget: [{ count: 5, perMs: 1000 }] })],
    })
  })
  afterAll(async () => {
    await real.close()
    await real.dropDatabase()
  })

  it('asks an unknown sender to bind, refuses a wrong name, binds the right one', async () => {
    let before = fake.shown.size
    await real.core.receiveAndProcess(feishu('ou_new', '我的信息'))
    expect(await shownTo('ou_new', before, real)).toEqual([expect.stringContaining('绑定 工号 姓名')])

    before = fake.shown.size
    await real.core.receiveAndProcess(feishu('ou_new', '帮助'))
    const help = (await shownTo('ou_new', before, real)).join('\n')
    expect(help).toContain('未绑定用户')
    expect(help).toContain('绑定 工号 姓名')
    expect(help).not.toContain('我的信息')

    before = fake.shown.size
    await real.core.receiveAndProcess(feishu('ou_new', '绑定 D1003 张三'))
    expect(await shownTo('ou_new', before, real)).toEqual([expect.stringContaining('工号和姓名对不上')])

    before = fake.shown.size
    await real.core.receiveAndProcess(feishu('ou_new', '绑定 D1003 王芳'))
    expect(await shownTo('ou_new', before, real)).toEqual([expect.stringContaining('绑定成功：王芳（一车间/电工班，职工）')])

    before = fake.shown.size
    await real.core.receiveAndProcess(feishu('ou_new', '我的信息'))
    expect((await shownTo('ou_new', before, real)).join()).toMatch(/王芳[\s\S]*feishu/)
  })

  it('refuses a second account for the same person', async () => {
    const before = fake.shown.size
    await real.core.receiveAndProcess(feishu('ou_other', '绑定 D1003 王芳'))
    expect(await shownTo('ou_other', before, real)).toEqual([expect.stringContaining('已被另一个账号绑定')])
  })

  it('stops guessing after five wrong attempts', async () => {
    const start = fake.shown.size
    for (let i = 0; i < 5; i++) await real.core.receiveAndProcess(feishu('ou_guess', `绑定 D10${10 + i} 某人`))
    expect(await shownTo('ou_guess', start, real)).toHaveLength(5)
    const before = fake.shown.size
    await real.core.receiveAndProcess(feishu('ou_guess', '绑定 D1004 刘洋'))
    expect(await shownTo('ou_guess', before, real)).toEqual([expect.stringContaining('尝试次数太多')])
  })
})

describe('inbound events', () => {
  it('handles a redelivered event once', async () => {
    const before = fake.shown.size
    const msg = feishu('ou_new', '我的信息', null, 'ev_redelivered')
    const first = await svc.core.receiveAndProcess(msg)
    const second = await svc.core.receiveAndProcess(msg)
    expect(first.duplicate).toBe(false)
    expect(second.duplicate).toBe(true)
    expect(await shownTo('ou_new', before)).toHaveLength(1)
    expect(await svc.db.inboundEvent.count({ where: { eventId: 'ev_redelivered' } })).toBe(1)
  })
})

describe('dead letters', () => {
  it('tell the administrators when a message can never be delivered', async () => {
    // A chat that the fake platform answers 404 for: permanent failure.
    fake.app.log.level = 'silent'
    const before = await svc.db.webMessage.count({ where: { personNo: 'D9000' } })
    await svc.db.$transaction((tx) => svc.outbox.enqueue(tx, [{ key: 'lost:1', platform: 'feishu', targetKind: 'chat', target: 'oc_gone', text: 'x' }]))
    fake.broken.add('lost:1')
    await waitUntil('the alert to the administrator', async () => (await svc.db.webMessage.count({ where: { personNo: 'D9000' } })) > before)
    const alert = await svc.db.webMessage.findFirstOrThrow({ where: { personNo: 'D9000' }, orderBy: { id: 'desc' } })
    expect(alert.text).toContain('发送失败')
    expect(alert.text).toContain('oc_gone')
    expect(texts(await svc.say('D9000', 'dm', '发送失败'))).toContain('oc_gone')
    expect(texts(await svc.say('D1002', 'dm', '发送失败'))).toContain('只有管理员可以使用')
  })
})

describe('playground API', () => {
  it('lists people and chats', async () => {
    const people = (await svc.app.inject({ url: '/playground/api/people' })).json().people as { employeeNo: string; role: string; unit: string }[]
    expect(people).toContainEqual(expect.objectContaining({ employeeNo: 'D1002', name: '张伟', role: 'worker', unit: '一车间/电工班' }))
    const chats = (await svc.app.inject({ url: '/playground/api/chats' })).json().chats
    expect(chats).toContainEqual({ id: 'web-team-dg', name: '电工班工作群', unit: '一车间/电工班' })
  })

  it('treats a card button press as the command it carries', async () => {
    const replies = await svc.press('D1002', 'dm', '我的信息')
    expect(replies).toEqual([expect.objectContaining({ chat: 'dm', to: 'D1002', card: expect.objectContaining({ title: '我的信息' }) })])
    const history = (await svc.app.inject({ url: '/playground/api/history?from=D1002&chat=dm' })).json().messages as { text: string }[]
    expect(history.some((m) => m.text === '[按钮] 我的信息')).toBe(true)
  })

  it('answers bad input with a Chinese message, not a stack trace', async () => {
    const missing = await svc.app.inject({ method: 'POST', url: '/playground/api/messages', payload: { chat: 'dm', text: 'hi' } })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().error.message).toContain('from')
    const nobody = await svc.app.inject({ method: 'POST', url: '/playground/api/messages', payload: { from: 'X404', chat: 'dm', text: 'hi' } })
    expect(nobody.statusCode).toBe(404)
    expect(nobody.json().error.message).toContain('没有工号为“X404”的人员')
    const garbage = await svc.app.inject({
      method: 'POST',
      url: '/playground/api/messages',
      headers: { 'content-type': 'application/json' },
      payload: '{"from":',
    })
    expect(garbage.statusCode).toBe(400)
    expect(garbage.json().error.message).toBe('请求体不是有效的 JSON')
    expect(garbage.body).not.toMatch(/at .*\.ts:\d+/)
  })

  it('shows the conversation in history, script-looking text stored as typed', async () => {
    await svc.say('D1004', 'dm', '<script>alert(1)</script>')
    const history = (await svc.app.inject({ url: '/playground/api/history?from=D1004&chat=dm' })).json().messages as { direction: string; text: string }[]
    expect(history[0]).toMatchObject({ direction: 'in', text: '<script>alert(1)</script>' })
    expect(history[1]!.direction).toBe('out')
  })

  it('reports readiness with the database and adapters', async () => {
    const ready = await svc.app.inject({ url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toMatchObject({ ready: true, database: true, adapters: { web: { connected: true }, feishu: { connected: true } } })
    expect((await svc.app.inject({ url: '/healthz' })).statusCode).toBe(200)
  })
})
