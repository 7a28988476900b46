import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db, type ObservedQuery } from '../../src/db/client.js'
import { directWrites } from '../../src/db/direct-writes.js'
import { holdBack, holdWrites, type RowWriter } from '../../src/db/held-writes.js'
import { messagesFor } from '../../src/messages/index.js'
import { event } from '../../src/requests/timeline.js'
import { createTestDatabaseUrl } from '../helpers/db.js'

// A request's timeline entries made while events are handled together are written as one insert
// when the batch ends; any other query of the timeline in the batch writes them first, so it reads
// them and what it adds directly comes after them.
let db: Db
let drop: () => Promise<void>
const queries: ObservedQuery[] = []
let request: Awaited<ReturnType<Db['workerRequest']['create']>>

beforeAll(async () => {
  const fresh = await createTestDatabaseUrl()
  drop = fresh.drop
  db = openDatabase(fresh.url, { observe: (q) => queries.push(q) })
  const unit = await db.unit.create({ data: { name: '一车间', path: '一车间', level: 'branch' } })
  const category = await db.requestCategory.create({
    data: { name: '时间线类', keywords: '', answerMinutes: 60, resultMinutes: 600, urgentAnswerMinutes: 30, urgentResultMinutes: 300 },
  })
  request = await db.workerRequest.create({
    data: { number: 'SQ-TL-1', categoryId: category.id, content: '时间线测试', anonymous: false, unitId: unit.id, levelUnitId: unit.id, sourcePlatform: 'web' },
  })
})
afterAll(async () => {
  await db.$disconnect()
  await drop()
})

const timeline = () => db.requestEvent.findMany({ where: { requestId: request.id }, orderBy: { id: 'asc' } })
const writes = (since: number) => queries.slice(since).filter((q) => q.model === 'RequestEvent' && q.operation.startsWith('create'))

describe("a request's timeline written together", () => {
  it('writes the entries of a batch as one insert, in the order they were made', async () => {
    const since = queries.length
    await db.$transaction((tx) =>
      holdWrites(async () => {
        const ctx = { tx, now: new Date(), t: messagesFor('zh-CN'), timeZone: 'Asia/Shanghai' }
        for (const kind of ['filed', 'accepted', 'replied']) await event(ctx, request, kind, null)
      }),
    )
    expect(writes(since).map((q) => q.operation)).toEqual(['createMany'])
    expect((await timeline()).map((e) => e.kind)).toEqual(['filed', 'accepted', 'replied'])
  })

  it('writes them first when the batch reads the timeline or adds to it directly', async () => {
    await db.requestEvent.deleteMany({ where: { requestId: request.id } })
    await db.$transaction((tx) =>
      holdWrites(async () => {
        const ctx = { tx, now: new Date(), t: messagesFor('zh-CN'), timeZone: 'Asia/Shanghai' }
        await event(ctx, request, 'filed', null)
        // A later event of the batch reads the timeline: the entry is there.
        expect(await tx.requestEvent.count({ where: { requestId: request.id } })).toBe(1)
        await event(ctx, request, 'accepted', null)
        // A step written directly (a recall) comes after the held one.
        await tx.requestEvent.create({ data: { requestId: request.id, at: new Date(), kind: 'recalled' } })
        await event(ctx, request, 'closed', null)
      }),
    )
    expect((await timeline()).map((e) => e.kind)).toEqual(['filed', 'accepted', 'recalled', 'closed'])
  })

  it('writes nothing when the batch fails', async () => {
    await db.requestEvent.deleteMany({ where: { requestId: request.id } })
    await expect(
      db.$transaction((tx) =>
        holdWrites(async () => {
          await event({ tx, now: new Date(), t: messagesFor('zh-CN'), timeZone: 'Asia/Shanghai' }, request, 'filed', null)
          throw new Error('the batch failed')
        }),
      ),
    ).rejects.toThrow('the batch failed')
    expect(await timeline()).toEqual([])
  })
})

// New requests held back too (on PostgreSQL a batch's requests are, their ids taken ahead:
// requests/file.ts): what refers to them must find them written.
describe('rows held back that others refer to', () => {
  type NewRequest = Omit<typeof request, 'id'> & { id: number }
  const newRequests: RowWriter<NewRequest> = {
    model: 'WorkerRequest',
    async write(tx, rows) {
      await tx.workerRequest.createMany({ data: rows })
    },
  }
  const newRequest = async (number: string): Promise<NewRequest> => {
    const last = await db.workerRequest.findFirstOrThrow({ orderBy: { id: 'desc' } })
    return { ...request, id: last.id + 100, number, content: `${number}的内容`, updatedAt: new Date() }
  }

  it('are written before a query of a model related to them: a step on a held request, a read including it', async () => {
    const fresh = await newRequest('SQ-TL-2')
    await db.$transaction((tx) =>
      holdWrites(async () => {
        holdBack(newRequests, tx, [fresh])
        // A step written directly refers to the held request (a foreign key): it is written first.
        await tx.requestEvent.create({ data: { requestId: fresh.id, at: new Date(), kind: 'recalled' } })
        expect(await tx.requestEvent.findMany({ where: { requestId: fresh.id }, include: { request: true } })).toMatchObject([
          { kind: 'recalled', request: { number: 'SQ-TL-2' } },
        ])
      }),
    )
    expect(await db.workerRequest.count({ where: { number: 'SQ-TL-2' } })).toBe(1)
  })

  it("are written before the timeline's held entries that refer to them, whichever was held first", async () => {
    const fresh = await newRequest('SQ-TL-3')
    // As a batch of events runs: the timeline's entries inserted by the driver (db/direct-writes.ts), past Prisma's client.
    await directWrites(() =>
      db.$transaction((tx) =>
        holdWrites(async () => {
          const ctx = { tx, now: new Date(), t: messagesFor('zh-CN'), timeZone: 'Asia/Shanghai' }
          // The batch's first event adds a step to an earlier request; a later one files a new request.
          await event(ctx, request, 'added', null)
          holdBack(newRequests, tx, [fresh])
          await event(ctx, { ...request, id: fresh.id }, 'filed', null)
        }),
      ),
    )
    expect((await db.requestEvent.findMany({ where: { requestId: fresh.id } })).map((e) => e.kind)).toEqual(['filed'])
  })
})
