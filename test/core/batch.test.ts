import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toInbound } from '../../adapters/web/index.js'
import { splitPostgresUrl, type ObservedQuery } from '../../src/db/client.js'
import type { InboundMessage } from '../../src/core/types.js'
import { fileRequest } from '../../src/requests/file.js'
import { testProvider } from '../helpers/db.js'
import { waitUntil } from '../helpers/metrics.js'
import { startTestService, type TestService } from '../helpers/service.js'

// Events accepted together are handled together: one claim and one transaction for the lot, and
// a failing event among them is handled again on its own, so it takes none of the others down.
let svc: TestService
const queries: ObservedQuery[] = []
/** Content whose request the database refuses to write (a trigger raises, as a failing disk would). */
const POISON = '这一件写不进去'

beforeAll(async () => {
  svc = await startTestService({
    // The test chat (a real roster), not the playground.
    env: { PUBLIC_URL: 'https://gongyou.example' },
    observe: (q) => queries.push(q),
  })
  // In the database itself: a batch writes its requests by the driver, not through Prisma's client.
  if (testProvider === 'sqlite') {
    await svc.db.$executeRawUnsafe(
      `CREATE TRIGGER poison BEFORE INSERT ON "WorkerRequest" WHEN NEW."content" = '${POISON}' BEGIN SELECT RAISE(ABORT, 'the disk is full'); END`,
    )
  } else {
    const { schema } = splitPostgresUrl(svc.config.DATABASE_URL)
    await svc.db.$executeRawUnsafe(
      `CREATE FUNCTION "${schema}".poison() RETURNS trigger AS $$ BEGIN IF NEW."content" = '${POISON}' THEN RAISE EXCEPTION 'the disk is full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    )
    await svc.db.$executeRawUnsafe(`CREATE TRIGGER poison BEFORE INSERT ON "${schema}"."WorkerRequest" FOR EACH ROW EXECUTE FUNCTION "${schema}".poison()`)
  }
  const workers = await svc.db.person.findMany({ where: { role: 'worker', active: true }, orderBy: { id: 'asc' }, take: 12 })
  for (const p of workers) {
    await svc.db.platformIdentity.create({ data: { platform: 'web', kind: 'test', externalId: p.employeeNo, personId: p.id, vouchedBy: 'directory' } })
  }
  people = workers
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

let people: { employeeNo: string; name: string }[] = []

function filing(i: number, content: string) {
  const p = people[i % people.length]!
  const msg = toInbound(`诉求 ${content}`, svc.core.t.botName, { from: p.employeeNo, name: p.name, chatId: null })
  msg.sender.ids = [{ kind: 'test', id: p.employeeNo }]
  return msg
}

const claims = () => queries.filter((q) => q.model === 'InboundEvent' && q.operation === 'updateManyAndReturn').length

/**
 * Stores the events, then handles them as one batch — what the runner does with events that
 * arrive together, here whatever the machine's load (the runner would start a batch after a lull).
 */
async function handleTogether(msgs: InboundMessage[]): Promise<number[]> {
  const ids: number[] = []
  for (const m of msgs) ids.push((await svc.core.receive(m)).id)
  await svc.core.processBatch(ids)
  return ids
}

async function acceptTogether(contents: string[]): Promise<number[]> {
  const received = await Promise.all(contents.map((c, i) => svc.core.accept(filing(i, c))))
  return received.map((r) => r.id)
}

describe('events accepted together', () => {
  it('are claimed and handled together, each filing its request once', async () => {
    const before = claims()
    const asked = queries.length
    const contents = people.map((_, i) => `第${i}号机床防护罩松动，批量测试`)
    const ids = await acceptTogether(contents)
    await waitUntil('the events to be handled', async () => (await svc.db.inboundEvent.count({ where: { id: { in: ids }, status: 'done' } })) === ids.length)
    await svc.core.drain()
    // One claim for the twelve (a worker takes the queue as it is; it never takes them one by one).
    expect(claims() - before).toBeLessThanOrEqual(2)
    // The senders' bindings read in one query, and each unit of their ladders once (read-memo.ts), not once an event.
    const reads = (model: string, operation: string) => queries.slice(asked).filter((q) => q.model === model && q.operation === operation).length
    expect(reads('PlatformIdentity', 'findUnique')).toBe(0)
    expect(reads('Unit', 'findUnique')).toBeLessThan(people.length)
    expect(reads('RequestCategory', 'findMany')).toBeLessThanOrEqual(2)
    const filed = await svc.db.workerRequest.findMany({ where: { content: { in: contents } } })
    expect(filed.map((r) => r.content).sort()).toEqual([...contents].sort())
    // Each has its timeline's first step, the batch's entries written by one insert per transaction.
    const steps = await svc.db.requestEvent.findMany({ where: { requestId: { in: filed.map((r) => r.id) } } })
    expect(steps.map((e) => e.kind)).toEqual(filed.map(() => 'filed'))
    expect(reads('RequestEvent', 'create')).toBe(0)
    const acks = await svc.db.outboxMessage.count({ where: { causeEventId: { in: ids } } })
    expect(acks).toBeGreaterThanOrEqual(ids.length)
  })

  it('a failing one is retried on its own, and the others are handled', async () => {
    const contents = people.map((_, i) => (i === 5 ? POISON : `第${i}号车间通风不好，批量测试二`))
    const ids = await acceptTogether(contents)
    const good = ids.filter((_, i) => i !== 5)
    await waitUntil(
      'the other events to be handled',
      async () => (await svc.db.inboundEvent.count({ where: { id: { in: good }, status: 'done' } })) === good.length,
    )
    await svc.core.drain()
    const bad = await svc.db.inboundEvent.findUniqueOrThrow({ where: { id: ids[5]! } })
    // Back in line with a backoff, its one attempt counted (the shared attempt is not counted twice).
    expect(bad.status).toBe('pending')
    expect(bad.attempts).toBe(1)
    expect(bad.error).toContain('the disk is full')
    const filed = await svc.db.workerRequest.findMany({ where: { content: { in: contents } } })
    expect(filed.map((r) => r.content).sort()).toEqual(contents.filter((c) => c !== POISON).sort())
  })

  it('votes pressed together: earlier votes read in one query, and a second press in the same batch sees the first', async () => {
    const officer = await svc.db.person.findFirstOrThrow({ where: { role: 'officer', active: true, unit: { parentId: null } } })
    const started = await svc.say(officer.employeeNo, 'dm', '发起投票 下月排班方案 | 四班三倒 | 三班两倒 | 维持现状')
    const number = /P-\d+/.exec(started.map((r) => r.text).join('\n'))?.[0]
    expect(number).toBeTruthy()
    const press = (i: number, option: number) => {
      const p = people[i]!
      const msg = toInbound('', svc.core.t.botName, { from: p.employeeNo, name: p.name, chatId: null, action: { command: `投票 ${number} ${option}` } })
      msg.sender.ids = [{ kind: 'test', id: p.employeeNo }]
      return msg
    }
    // Person 0 voted earlier; now everyone presses, and person 1 presses twice.
    await svc.core.receiveAndProcess(press(0, 3))
    const asked = queries.length
    const msgs = [...people.map((_, i) => press(i, (i % 3) + 1)), press(1, 3)]
    const ids = await handleTogether(msgs)
    await svc.core.drain()
    const reads = queries.slice(asked).filter((q) => q.model === 'PollVote' && q.operation === 'findUnique').length
    // Read ahead for the batch; person 1's second press reads again after the first one's write.
    expect(reads).toBeLessThanOrEqual(2)
    const poll = await svc.db.poll.findUniqueOrThrow({ where: { number: number! } })
    const votes = await svc.db.pollVote.findMany({ where: { pollId: poll.id } })
    expect(votes).toHaveLength(people.length)
    const byPerson = new Map(votes.map((v) => [v.personId, v.choices]))
    const all = await svc.db.person.findMany({ where: { employeeNo: { in: people.map((p) => p.employeeNo) } } })
    const idOf = (i: number) => all.find((p) => p.employeeNo === people[i]!.employeeNo)!.id
    expect(byPerson.get(idOf(1))).toBe('3')
    expect(byPerson.get(idOf(2))).toBe('3')
    // What each was told: person 0 changed an earlier vote, person 1's second press changed the first.
    const told = async (i: number) =>
      (await svc.db.outboxMessage.findMany({ where: { causeEventId: ids[i]! } })).map((r) => (JSON.parse(r.payload) as { text: string }).text).join('\n')
    expect(await told(0)).toContain('已改票')
    expect(await told(1)).toContain('投票成功')
    expect(await told(msgs.length - 1)).toContain('已改票')
    expect(await told(2)).toContain('投票成功')
  })

  it("presses in a group: each voter is answered privately, and the voters' identities are read once for the batch", async () => {
    const officer = await svc.db.person.findFirstOrThrow({ where: { role: 'officer', active: true, unit: { parentId: null } } })
    const started = await svc.say(officer.employeeNo, 'dm', '发起投票 食堂菜单 | 面食 | 米饭')
    const number = /P-\d+/.exec(started.map((r) => r.text).join('\n'))?.[0]
    expect(number).toBeTruthy()
    // A group the service knows already (its first message would record it, and a write to the organisation forgets what a batch read).
    await svc.db.chatGroup.create({ data: { platform: 'web', externalId: 'g-batch-votes', name: '一车间群' } })
    const msgs = people.map((p, i) => {
      const msg = toInbound('', svc.core.t.botName, {
        from: p.employeeNo,
        name: p.name,
        chatId: 'g-batch-votes',
        action: { command: `投票 ${number} ${(i % 2) + 1}` },
      })
      msg.sender.ids = [{ kind: 'test', id: p.employeeNo }]
      return msg
    })
    const asked = queries.length
    const ids = await handleTogether(msgs)
    await svc.core.drain()
    // Where to reach each voter privately: their identities, read ahead with their bindings (not once a voter).
    const perPerson = queries
      .slice(asked)
      .filter(
        (q) =>
          q.model === 'PlatformIdentity' && q.operation === 'findMany' && typeof (q.args as { where?: { personId?: unknown } }).where?.personId === 'number',
      )
    expect(perPerson.length).toBeLessThanOrEqual(1)
    const answers = await svc.db.outboxMessage.findMany({ where: { causeEventId: { in: ids } } })
    expect(answers).toHaveLength(people.length)
    expect(new Set(answers.map((a) => `${a.targetKind}:${a.target}`))).toEqual(new Set(people.map((p) => `user:${p.employeeNo}`)))
    for (const a of answers) expect((JSON.parse(a.payload) as { text: string }).text).toContain('投票成功')
  })

  it('first votes of a batch are written together, and the results asked in the same batch count them', async () => {
    const officer = await svc.db.person.findFirstOrThrow({ where: { role: 'officer', active: true, unit: { parentId: null } } })
    const started = await svc.say(officer.employeeNo, 'dm', '发起投票 年会地点 | 厂区礼堂 | 市里酒店')
    const number = /P-\d+/.exec(started.map((r) => r.text).join('\n'))?.[0]
    expect(number).toBeTruthy()
    const presses = people.map((p, i) => {
      const msg = toInbound('', svc.core.t.botName, { from: p.employeeNo, name: p.name, chatId: null, action: { command: `投票 ${number} ${(i % 2) + 1}` } })
      msg.sender.ids = [{ kind: 'test', id: p.employeeNo }]
      return msg
    })
    // The officer asks for the results last, in the same batch as the presses.
    const ask = toInbound(`投票结果 ${number}`, svc.core.t.botName, { from: officer.employeeNo, name: officer.name, chatId: null })
    ask.sender.ids = [{ kind: 'test', id: officer.employeeNo }]
    await svc.db.platformIdentity.upsert({
      where: { platform_kind_externalId: { platform: 'web', kind: 'test', externalId: officer.employeeNo } },
      create: { platform: 'web', kind: 'test', externalId: officer.employeeNo, personId: officer.id, vouchedBy: 'directory' },
      update: {},
    })
    const asked = queries.length
    const ids = await handleTogether([...presses, ask])
    await svc.core.drain()
    // No vote written on its own through Prisma's client: the batch holds them back and its driver
    // inserts them together (direct-writes.ts); the count below finds them all.
    const writes = (operation: string) => queries.slice(asked).filter((q) => q.model === 'PollVote' && q.operation === operation).length
    expect(writes('create') + writes('createMany')).toBe(0)
    const poll = await svc.db.poll.findUniqueOrThrow({ where: { number: number! } })
    expect(await svc.db.pollVote.count({ where: { pollId: poll.id } })).toBe(people.length)
    const answer = (await svc.db.outboxMessage.findMany({ where: { causeEventId: ids.at(-1)! } }))
      .map((r) => (JSON.parse(r.payload) as { text: string }).text)
      .join('\n')
    expect(answer).toContain(`共 ${people.length} 人投票`)
  })

  it("of one person's two presses, the later wins however they are handled (instances sharing the database)", async () => {
    const officer = await svc.db.person.findFirstOrThrow({ where: { role: 'officer', active: true, unit: { parentId: null } } })
    const started = await svc.say(officer.employeeNo, 'dm', '发起投票 端午节福利 | 粽子 | 购物卡')
    const number = /P-\d+/.exec(started.map((r) => r.text).join('\n'))?.[0]
    const p = people[0]!
    const press = (option: number, sentAt: string) => {
      const msg = toInbound('', svc.core.t.botName, { from: p.employeeNo, name: p.name, chatId: null, action: { command: `投票 ${number} ${option}` } })
      msg.sender.ids = [{ kind: 'test', id: p.employeeNo }]
      return { ...msg, sentAt }
    }
    const told = async (eventRowId: number) =>
      (await svc.db.outboxMessage.findMany({ where: { causeEventId: eventRowId } })).map((r) => (JSON.parse(r.payload) as { text: string }).text).join('\n')
    // The second press (购物卡) reaches this instance first; the first press (粽子) is handled after it.
    const t0 = Date.now() - 60_000
    const later = await svc.core.receiveAndProcess(press(2, new Date(t0 + 5000).toISOString()))
    const earlier = await svc.core.receiveAndProcess(press(1, new Date(t0 + 1000).toISOString()))
    const poll = await svc.db.poll.findUniqueOrThrow({ where: { number: number! } })
    const votes = await svc.db.pollVote.findMany({ where: { pollId: poll.id } })
    expect(votes.map((v) => v.choices)).toEqual(['2'])
    expect(await told(later.id)).toContain('投票成功')
    expect(await told(earlier.id)).toContain('您后来的选择已经记下，这次点击不再改变它：')
    expect(await told(earlier.id)).toContain('2. 购物卡')
  })

  it('filings together: the duplicate checks read once for the batch, and a repeat within the batch is still caught', async () => {
    const asked = queries.length
    const contents = people.map((_, i) => `第${i}号更衣室的柜子锁坏了，批量测试三`)
    // Person 0 writes the same thing twice in the same batch.
    await handleTogether([...contents, contents[0]!].map((c, i) => filing(i % people.length, c)))
    await svc.core.drain()
    const reads = (model: string) => queries.slice(asked).filter((q) => q.model === model && q.operation === 'findMany').length
    // One read of the senders' recent requests for the batch, one more after person 0's first filing.
    expect(reads('WorkerRequest')).toBeLessThanOrEqual(3)
    expect(reads('RequestAuthor')).toBeLessThanOrEqual(2)
    const filed = await svc.db.workerRequest.findMany({ where: { content: { in: contents } } })
    expect(filed.map((r) => r.content).sort()).toEqual([...contents].sort())
  })

  it('a filing answers with the request as stored (its insert returns only what the database fills in)', async () => {
    const requester = await svc.db.person.findFirstOrThrow({ where: { employeeNo: people[0]!.employeeNo }, include: { unit: true } })
    for (const anonymous of [false, true]) {
      const { request } = await svc.db.$transaction((tx) =>
        fileRequest(
          { tx, now: new Date(), t: svc.core.t, timeZone: 'Asia/Shanghai' },
          { requester, anonymous, content: `食堂的碗没洗干净（${anonymous ? '匿名' : '实名'}）`, source: { platform: 'web', chatId: null } },
        ),
      )
      expect(request).toEqual(await svc.db.workerRequest.findUniqueOrThrow({ where: { id: request.id } }))
    }
  })

  it('an event handled at once (the playground) that another worker claimed first is waited for, not answered with nothing', async () => {
    const { id } = await svc.core.receive(filing(0, '更衣室的柜子锁坏了'))
    // Another worker (the service's recovery, another instance) claims it before the caller does.
    await svc.db.inboundEvent.update({ where: { id }, data: { status: 'processing', lockedUntil: new Date(Date.now() + 60_000) } })
    const looks = () =>
      queries.filter((q) => q.model === 'InboundEvent' && q.operation === 'findUnique' && JSON.stringify(q.args).includes(`"id":${id}`)).length
    const before = looks()
    const handling = svc.core.handleNow(id)
    // The caller found it taken and is waiting; then that worker gives it up (it crashed): the caller takes it over.
    await waitUntil('the caller to look at the taken event', () => looks() > before)
    await svc.db.inboundEvent.update({ where: { id }, data: { lockedUntil: new Date(Date.now() - 1000) } })
    await handling
    expect((await svc.db.inboundEvent.findUniqueOrThrow({ where: { id } })).status).toBe('done')
    expect(await svc.db.workerRequest.count({ where: { content: '更衣室的柜子锁坏了' } })).toBe(1)
    expect(await svc.db.outboxMessage.count({ where: { causeEventId: id } })).toBeGreaterThan(0)
  })
})
