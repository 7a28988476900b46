import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db, type ObservedQuery } from '../../src/db/client.js'
import { holdBack, holdWrites, type RowWriter } from '../../src/db/held-writes.js'
import { answeringFirst, forgetReads, rememberedWork, withReadMemo } from '../../src/db/read-memo.js'
import { responsibleLevel } from '../../src/requests/routing.js'
import { createTestDatabaseUrl } from '../helpers/db.js'

// A batch of events asks the organisation's standing data once (read-memo.ts); what the batch
// itself writes is seen by its next event, and a rolled-back transaction leaves nothing behind.
let db: Db
let drop: () => Promise<void>
const queries: ObservedQuery[] = []
let unitId: number

beforeAll(async () => {
  const fresh = await createTestDatabaseUrl()
  drop = fresh.drop
  db = openDatabase(fresh.url, { observe: (q) => queries.push(q) })
  unitId = (await db.unit.create({ data: { name: '一车间', path: '一车间', level: 'branch' } })).id
})
afterAll(async () => {
  await db.$disconnect()
  await drop()
})

const asked = (model: string) => queries.filter((q) => q.model === model).length

describe('reads remembered within a batch', () => {
  it('asks a repeated read of standing data once, and hands out copies', async () => {
    const before = asked('Unit')
    await withReadMemo(async () => {
      const first = await db.unit.findUnique({ where: { id: unitId } })
      first!.name = '被调用者改掉的名字'
      const second = await db.unit.findUnique({ where: { id: unitId } })
      expect(second!.name).toBe('一车间')
      second!.name = '又被改掉'
      expect((await db.unit.findUnique({ where: { id: unitId } }))!.name).toBe('一车间')
    })
    expect(asked('Unit') - before).toBe(1)
  })

  it('asks again after a write to standing data, and sees the write', async () => {
    await withReadMemo(async () => {
      expect((await db.unit.findUnique({ where: { id: unitId } }))!.name).toBe('一车间')
      await db.unit.update({ where: { id: unitId }, data: { name: '一车间（新）' } })
      expect((await db.unit.findUnique({ where: { id: unitId } }))!.name).toBe('一车间（新）')
    })
    await db.unit.update({ where: { id: unitId }, data: { name: '一车间' } })
  })

  it('hands out copies of times too: a caller moving one moves nothing for the next', async () => {
    await withReadMemo(async () => {
      const first = await db.unit.findUnique({ where: { id: unitId } })
      const created = first!.createdAt.getTime()
      first!.createdAt.setTime(0)
      expect((await db.unit.findUnique({ where: { id: unitId } }))!.createdAt.getTime()).toBe(created)
    })
  })

  it("remembers work over standing data (a request's level) until a write to standing data, which it then sees", async () => {
    const category = await db.requestCategory.create({
      data: { name: '层级记忆类', keywords: '', answerMinutes: 60, resultMinutes: 600, urgentAnswerMinutes: 30, urgentResultMinutes: 300 },
    })
    await withReadMemo(async () => {
      expect(await responsibleLevel(db, unitId, category.id)).toBeNull()
      const before = queries.length
      expect(await responsibleLevel(db, unitId, category.id)).toBeNull()
      expect(queries.length - before).toBe(0)
      // An officer appointed in the batch: the next request's level is worked out again and has them.
      const officer = await db.person.create({ data: { employeeNo: 'RMO', name: '新干部', unitId, role: 'officer' } })
      const level = await responsibleLevel(db, unitId, category.id)
      expect(level?.officers.map((o) => o.id)).toEqual([officer.id])
      // Each answer is a copy: a caller emptying one empties nothing for the next.
      level!.officers.length = 0
      ;(await responsibleLevel(db, unitId, category.id))!.officers.length = 0
      expect((await responsibleLevel(db, unitId, category.id))?.officers).toHaveLength(1)
      const calls: number[] = []
      const work = () => rememberedWork('counted', 1, async () => calls.push(1))
      await work()
      await work()
      expect(calls).toHaveLength(1)
    })
    // Outside a batch, work is done each time.
    const before = queries.length
    await responsibleLevel(db, unitId, category.id)
    expect(queries.length).toBeGreaterThan(before)
    await db.person.updateMany({ where: { employeeNo: 'RMO' }, data: { active: false } })
  })

  it('never remembers other data, counts, or reads outside a batch', async () => {
    const before = queries.length
    await withReadMemo(async () => {
      for (let i = 0; i < 2; i++) {
        await db.workerRequest.findMany({ where: { status: 'open' } })
        await db.unit.findUnique({ where: { id: unitId }, include: { _count: { select: { people: true } } } })
      }
    })
    await db.unit.findUnique({ where: { id: unitId } })
    await db.unit.findUnique({ where: { id: unitId } })
    expect(queries.length - before).toBe(6)
  })

  it('forgets what a rolled-back transaction read', async () => {
    await withReadMemo(async () => {
      await db
        .$transaction(async (tx) => {
          await tx.unit.create({ data: { name: '不存在的班组', path: '一车间/不存在的班组', level: 'team', parentId: unitId } })
          expect(await tx.unit.findFirst({ where: { name: '不存在的班组' } })).not.toBeNull()
          throw new Error('rolled back')
        })
        .catch(() => forgetReads())
      expect(await db.unit.findFirst({ where: { name: '不存在的班组' } })).toBeNull()
    })
  })

  it('keeps a vote read until that vote is written, not until any vote is', async () => {
    const poll = await db.poll.create({ data: { number: 'P-900', title: '记忆测试', creatorId: 1, deadline: new Date(Date.now() + 86_400_000) } })
    const read = (voterKey: string) => ({ where: { pollId_voterKey: { pollId: poll.id, voterKey } }, select: { choices: true } })
    const vote = (voterKey: string, choices: string) =>
      db.pollVote.upsert({ where: read(voterKey).where, create: { pollId: poll.id, voterKey, choices }, update: { choices } })
    await withReadMemo(async () => {
      expect(await db.pollVote.findUnique(read('a'))).toBeNull()
      expect(await db.pollVote.findUnique(read('b'))).toBeNull()
      const before = asked('PollVote')
      await vote('a', '1')
      // b's answer stands (nobody wrote b); a's is asked again and shows the write.
      expect(await db.pollVote.findUnique(read('b'))).toBeNull()
      expect(await db.pollVote.findUnique(read('a'))).toEqual({ choices: '1' })
      expect(asked('PollVote') - before).toBe(2)
      // A write not by one row's key forgets every vote read.
      await db.pollVote.deleteMany({ where: { pollId: poll.id } })
      expect(await db.pollVote.findUnique(read('a'))).toBeNull()
    })
  })

  it('forgets, of the votes read, only those a createMany writes', async () => {
    const poll = await db.poll.create({ data: { number: 'P-901', title: '批量记忆', creatorId: 1, deadline: new Date(Date.now() + 86_400_000) } })
    const read = (voterKey: string) => ({ where: { pollId_voterKey: { pollId: poll.id, voterKey } }, select: { choices: true } })
    await withReadMemo(async () => {
      for (const k of ['c', 'd', 'e']) expect(await db.pollVote.findUnique(read(k))).toBeNull()
      await db.pollVote.createMany({ data: ['c', 'd'].map((voterKey) => ({ pollId: poll.id, voterKey, choices: '2' })) })
      const before = asked('PollVote')
      // e's answer stands; c and d are asked again and show the insert.
      expect(await db.pollVote.findUnique(read('e'))).toBeNull()
      expect(await db.pollVote.findUnique(read('c'))).toEqual({ choices: '2' })
      expect(await db.pollVote.findUnique(read('d'))).toEqual({ choices: '2' })
      expect(asked('PollVote') - before).toBe(2)
    })
  })

  it("keeps a person's requests read until a request of theirs (or one naming nobody) is written", async () => {
    const category = await db.requestCategory.create({
      data: { name: '记忆测试类', keywords: '', answerMinutes: 60, resultMinutes: 600, urgentAnswerMinutes: 30, urgentResultMinutes: 300 },
    })
    const [a, b] = await Promise.all(['RMA', 'RMB'].map((no) => db.person.create({ data: { employeeNo: no, name: no, unitId } })))
    let n = 0
    const file = (requesterId: number | null) =>
      db.workerRequest.create({
        data: {
          number: `SQ-RM-${++n}`,
          categoryId: category.id,
          content: '记忆测试',
          requesterId,
          anonymous: requesterId === null,
          unitId,
          levelUnitId: unitId,
          sourcePlatform: 'web',
        },
      })
    const mine = (personId: number) => db.workerRequest.findMany({ where: { requesterId: personId }, orderBy: { id: 'asc' } })
    await withReadMemo(async () => {
      expect(await mine(a!.id)).toHaveLength(0)
      const before = asked('WorkerRequest')
      await file(b!.id)
      expect(await mine(a!.id)).toHaveLength(0) // b's request: a's answer stands
      expect(asked('WorkerRequest') - before).toBe(1)
      const first = await file(a!.id)
      expect(await mine(a!.id)).toHaveLength(1) // a's own: asked again
      await file(null) // an anonymous request names nobody: everything is asked again
      const asking = asked('WorkerRequest')
      await mine(a!.id)
      expect(asked('WorkerRequest') - asking).toBe(1)
      await db.workerRequest.update({ where: { id: first.id }, data: { content: '改过' } })
      expect((await mine(a!.id))[0]!.content).toBe('改过')
      // A read that also matches requests a person filed for others names nobody: never remembered.
      const filedOrMine = () => db.workerRequest.findMany({ where: { OR: [{ requesterId: a!.id }, { filedById: a!.id }] } })
      const reading = asked('WorkerRequest')
      await filedOrMine()
      await filedOrMine()
      expect(asked('WorkerRequest') - reading).toBe(2)
    })
  })
})

// Handling answers a batch's remembered reads before they reach Prisma's client (its pipeline costs
// even a remembered read): the same answers as the client's hook, never a stale one.
describe("remembered reads answered before Prisma's client", () => {
  /** The client's unit reads, counted as they reach it. */
  function counted() {
    const reached = { count: 0 }
    const client = {
      unit: {
        findUnique: (args: Parameters<Db['unit']['findUnique']>[0]) => (reached.count++, db.unit.findUnique(args)),
        findMany: (args: Parameters<Db['unit']['findMany']>[0]) => (reached.count++, db.unit.findMany(args)),
        update: (args: Parameters<Db['unit']['update']>[0]) => db.unit.update(args),
      },
    }
    return { reached, client }
  }

  it('never hands a remembered read to the client, and hands out copies', async () => {
    const { reached, client } = counted()
    await withReadMemo(async () => {
      const tx = answeringFirst(client)
      const first = await tx.unit.findUnique({ where: { id: unitId } })
      expect(reached.count).toBe(1)
      first!.name = '被调用者改掉的名字'
      const second = await tx.unit.findUnique({ where: { id: unitId } })
      expect(second!.name).toBe('一车间')
      expect(reached.count).toBe(1)
    })
    // Outside a batch there is nothing to answer from: the client itself.
    expect(answeringFirst(client)).toBe(client)
  })

  it('passes writes to the client, and the next read sees them', async () => {
    await withReadMemo(async () => {
      const tx = answeringFirst(db)
      expect((await tx.unit.findUnique({ where: { id: unitId } }))!.name).toBe('一车间')
      await tx.unit.update({ where: { id: unitId }, data: { name: '一车间（改）' } })
      expect((await tx.unit.findUnique({ where: { id: unitId } }))!.name).toBe('一车间（改）')
    })
    await db.unit.update({ where: { id: unitId }, data: { name: '一车间' } })
  })

  it('hands a read to the client while rows of its model are held back, which writes them first', async () => {
    const { reached, client } = counted()
    const units: RowWriter<{ name: string; path: string; level: string }> = {
      model: 'Unit',
      write: async (tx, rows) => void (await tx.unit.createMany({ data: rows })),
    }
    const held = () => client.unit.findMany({ where: { path: { startsWith: '后补/' } } })
    await withReadMemo(() =>
      holdWrites(async () => {
        const tx = answeringFirst(client)
        const read = () => tx.unit.findMany({ where: { path: { startsWith: '后补/' } } })
        expect(await read()).toHaveLength(0)
        holdBack(units, db, [{ name: '后补班组', path: '后补/班组', level: 'team' }])
        expect(await read()).toHaveLength(1)
        expect(reached.count).toBe(2)
      }),
    )
    expect(await held()).toHaveLength(1)
  })
})
