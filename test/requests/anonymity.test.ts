import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redactPaths } from '../../src/app.js'
import type { InboundMessage } from '../../src/core/types.js'
import { Prisma } from '../../src/generated/sqlite/client.js'
import { FakeTarget, FakeTargetAdapter } from '../helpers/fake-target.js'
import { startTestService, type TestService } from '../helpers/service.js'

/**
 * An anonymous request's author is planted with every identifier they have (name, employee
 * number, a Feishu open_id); then every output an officer or administrator can see is swept for
 * them: chat notices and cards, 进度, 待办, the digest, escalations, dead letters and their alerts,
 * the outbox rows to anyone else, and the log.
 */
const AUTHOR = { employeeNo: 'D1003', name: '王芳', openId: 'ou_wangfang_7f3a', phone: '13912345678' }
const identifiers = [AUTHOR.employeeNo, AUTHOR.name, AUTHOR.openId, AUTHOR.phone]

/** Every row of every model (the Prisma client's model list), as JSON, by model. */
async function everyRow(): Promise<Map<string, string[]>> {
  const rows = new Map<string, string[]>()
  for (const model of Object.values(Prisma.ModelName)) {
    const delegate = (svc.db as unknown as Record<string, { findMany(): Promise<object[]> }>)[model[0]!.toLowerCase() + model.slice(1)]!
    rows.set(
      model,
      (await delegate.findMany()).map((r) => JSON.stringify(r)),
    )
  }
  return rows
}
/** The database as it was before the anonymous request was filed. */
let before = new Map<string, string[]>()
let authorId = 0

let svc: TestService
let fake: FakeTarget
const logLines: string[] = []
let number = ''

beforeAll(async () => {
  fake = await new FakeTarget({ perTarget: 5, perApp: 50, windowMs: 1000 }).start()
  const stream = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk))
      done()
    },
  })
  svc = await startTestService({
    adapters: [new FakeTargetAdapter('feishu', fake, {})],
    logger: { level: 'trace', stream, redact: { paths: redactPaths, censor: '[redacted]' } },
    env: { OUTBOX_MAX_ATTEMPTS: '2' },
  })
  // The author also has a Feishu account, and files from it.
  const author = await svc.db.person.update({ where: { employeeNo: AUTHOR.employeeNo }, data: { phone: AUTHOR.phone } })
  authorId = author.id
  await svc.db.platformIdentity.create({
    data: { platform: 'feishu', kind: 'open_id', externalId: AUTHOR.openId, personId: author.id, displayName: AUTHOR.name },
  })
  before = await everyRow()
  const msg: InboundMessage = {
    platform: 'feishu',
    eventId: 'ev_anon_1',
    chatId: null,
    sender: { ids: [{ kind: 'open_id', id: AUTHOR.openId }], name: AUTHOR.name },
    text: '匿名诉求 班长克扣加班费，每月少算十个小时',
    mentions: [],
    mentionsBot: false,
  }
  await svc.core.receiveAndProcess(msg)
  const request = await svc.db.workerRequest.findFirstOrThrow({ where: { anonymous: true } })
  number = request.number
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
  await fake.stop()
})

function expectClean(what: string, text: string): void {
  for (const id of identifiers) expect(text, `${what} reveals ${id}`).not.toContain(id)
}

async function waitForOutbox(): Promise<void> {
  const deadline = Date.now() + 10_000
  while ((await svc.db.outboxMessage.count({ where: { status: { in: ['pending', 'sending'] } } })) > 0 && Date.now() < deadline) {
    svc.outbox.wake()
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('an anonymous request', () => {
  it('is stored without its author; the author is kept apart', async () => {
    const request = await svc.db.workerRequest.findUniqueOrThrow({ where: { number }, include: { events: true } })
    expect(request.requesterId).toBeNull()
    expect(request.filedById).toBeNull()
    expect(request.events.every((e) => e.actorId === null)).toBe(true)
    const author = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: AUTHOR.employeeNo } })
    expect(await svc.db.requestAuthor.findUnique({ where: { requestId: request.id } })).toMatchObject({ personId: author.id })
  })

  it('acknowledges the author privately on their platform', async () => {
    await waitForOutbox()
    const ack = [...fake.shown.values()].find((m) => m.target === AUTHOR.openId)
    expect(ack?.text).toContain(`已收到您的诉求 ${number}`)
    expect(ack?.text).toContain('匿名诉求')
  })

  it('officers see it, act on it and never see who wrote it; the author still gets every update', async () => {
    const seen: string[] = []
    const say = async (from: string, words: string) => {
      const replies = await svc.say(from, 'dm', words)
      seen.push(...replies.filter((r) => r.to !== AUTHOR.employeeNo).map((r) => JSON.stringify(r)))
      return replies
    }
    await say('D2001', `进度 ${number}`)
    await say('D2001', '待办')
    await say('D2001', `回复 ${number} 已核实，正在和车间沟通`)
    await say('D2001', `转办 ${number} D3001 请车间处理`)
    await say('D3001', `升级 ${number} 涉及多个班组`)
    await say('D9001', `进度 ${number}`)
    await say('D9001', `督办 ${number}`)
    await say('D9001', `办结 ${number} 已补发加班费`)
    await svc.scheduler.runNow('requests:digest')
    await svc.scheduler.runNow('requests:supervised-summary')
    await waitForOutbox()

    // Everything the bot delivered to anyone but the author, in the playground and on Feishu.
    const webOut = await svc.db.webMessage.findMany({ where: { direction: 'out' } })
    for (const m of webOut.filter((m) => m.personNo !== AUTHOR.employeeNo)) expectClean(`web message #${m.id}`, `${m.text}${m.card ?? ''}`)
    for (const m of [...fake.shown.values()].filter((m) => m.target !== AUTHOR.openId)) expectClean('feishu message', m.text)
    for (const r of seen) expectClean('playground reply', r)
    expect(seen.join('\n')).toContain('匿名职工')
    // Escalated, it reaches the officers' group above as moved up, not as a new request, and still without words or name.
    const groupTexts = webOut.filter((m) => m.chatId === 'web-officers').map((m) => m.text)
    expect(groupTexts.some((x) => x.includes(`诉求 ${number}（`) && x.includes('已转到本级'))).toBe(true)

    // The author heard each step, on Feishu.
    const toAuthor = [...fake.shown.values()]
      .filter((m) => m.target === AUTHOR.openId)
      .map((m) => m.text)
      .join('\n')
    expect(toAuthor).toContain('已核实，正在和车间沟通')
    expect(toAuthor).toContain('已补发加班费')
  })

  it('stays anonymous when a message to the author fails: dead letters and alerts mask the address', async () => {
    // From now on the author's platform refuses every message to them; the author rates the
    // result 1 from Feishu, and the answer to them ends in the dead letters.
    fake.brokenTargets.add(AUTHOR.openId)
    const before = fake.requests.length
    await svc.core.receiveAndProcess({
      platform: 'feishu',
      eventId: 'ev_anon_rate',
      chatId: null,
      sender: { ids: [{ kind: 'open_id', id: AUTHOR.openId }] },
      text: `评价 ${number} 1 没有补齐`,
      mentions: [],
      mentionsBot: false,
    })
    const deadline = Date.now() + 10_000
    while ((await svc.db.outboxMessage.count({ where: { target: AUTHOR.openId, status: 'dead' } })) === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    expect(fake.requests.length).toBeGreaterThan(before)
    expect(await svc.db.outboxMessage.count({ where: { target: AUTHOR.openId, status: 'dead' } })).toBeGreaterThan(0)
    await waitForOutbox()
    const listing = (await svc.say('D9000', 'dm', '发送失败')).map((r) => r.text).join('\n')
    expect(listing).toContain('私聊对象（不显示）')
    expectClean('dead letter listing', listing)
    const alerts = await svc.db.webMessage.findMany({ where: { personNo: 'D9000', text: { contains: '发送失败' } } })
    expect(alerts.length).toBeGreaterThan(0)
    for (const a of alerts) expectClean('dead letter alert', a.text)
  })

  it('leaves no identifier of the author in any table but RequestAuthor, nor in any message to anyone else', async () => {
    await waitForOutbox()
    const needles = [...identifiers, `"personId":${authorId}`, `"requesterId":${authorId}`]
    const after = await everyRow()
    let scanned = 0
    for (const [model, rows] of after) {
      if (model === 'RequestAuthor') continue
      const untouched = new Set(before.get(model) ?? [])
      for (const json of rows) {
        // The organisation's own records (the person, their account) were there before the request.
        if (untouched.has(json)) continue
        const row = JSON.parse(json) as Record<string, unknown>
        // Messages to the author are addressed to the author: their address is the only trace, and it is theirs.
        if (model === 'OutboxMessage' && row.targetKind === 'user' && row.target === AUTHOR.openId) delete row.target
        for (const [column, value] of Object.entries(row)) {
          if (typeof value !== 'string') continue
          scanned++
          for (const needle of needles) expect(value, `${model}.${column} of ${json.slice(0, 120)} holds ${needle}`).not.toContain(needle)
        }
      }
    }
    expect(scanned).toBeGreaterThan(100)
    // The request itself, its timeline and the handled inbound events were among what was scanned.
    expect(after.get('InboundEvent')!.length).toBeGreaterThan(before.get('InboundEvent')!.length)
    const author = JSON.parse((after.get('RequestAuthor') ?? [])[0] ?? '{}') as { personId?: number }
    expect(author.personId).toBe(authorId)
  })

  it('never reaches the log', () => {
    expect(logLines.length).toBeGreaterThan(0)
    expectClean('log', logLines.join(''))
  })
})

describe('voter keys', () => {
  it('differ for one person from poll to poll, so a named poll cannot unmask an anonymous one', async () => {
    const numberOf = (replies: { text: string }[]) => /P-\d+/.exec(replies[0]?.text ?? '')?.[0] ?? ''
    const named = numberOf(await svc.say('D3001', 'dm', '发起投票 班车时间 | 七点 | 七点半 范围 一车间'))
    const anonymous = numberOf(await svc.say('D3001', 'dm', '发起投票 对班长是否满意 | 满意 | 不满意 匿名 范围 一车间'))
    const third = numberOf(await svc.say('D3001', 'dm', '发起投票 食堂加菜 | 要 | 不要 匿名 范围 一车间'))
    for (const n of [named, anonymous, third]) {
      expect(n).not.toBe('')
      await svc.say(AUTHOR.employeeNo, 'dm', `投票 ${n} 1`)
    }
    const keys = async (n: string) => {
      const poll = await svc.db.poll.findUniqueOrThrow({ where: { number: n } })
      return (await svc.db.pollVote.findMany({ where: { pollId: poll.id } })).map((v) => ({ key: v.voterKey, personId: v.personId }))
    }
    const [k1, k2, k3] = [await keys(named), await keys(anonymous), await keys(third)]
    expect(k1).toEqual([{ key: expect.any(String), personId: authorId }])
    expect(k2).toEqual([{ key: expect.any(String), personId: null }])
    expect(k3).toEqual([{ key: expect.any(String), personId: null }])
    // The named poll shows whose key is whose; that key must lead nowhere else.
    expect(new Set([k1[0]!.key, k2[0]!.key, k3[0]!.key]).size).toBe(3)
  })
})
