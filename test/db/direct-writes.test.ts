import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isUniqueViolation, type Db } from '../../src/db/client.js'
import { directWrites, insertRows, type SqlValue } from '../../src/db/direct-writes.js'
import { withReadMemo } from '../../src/db/read-memo.js'
import { claimRow, deliveryOf, recordSent } from '../../src/core/outbox-store.js'
import { createTestDatabase, testProvider, type TestDatabase } from '../helpers/db.js'

// The rows a batch of events writes together go to the database by the driver, on the batch's
// transaction connection (direct-writes.ts): what they write must be what Prisma's createMany writes —
// the same values read back, times compared and ordered the same way (SQLite keeps times as text,
// where the form decides the order) — and only ever in that transaction.
let t: TestDatabase
let db: Db

beforeAll(async () => {
  t = await createTestDatabase()
  db = t.db
})
afterAll(() => t.drop())

const at = new Date('2026-03-04T05:06:07.089Z')
const outboxRow = (key: string, nextAttemptAt: Date) => ({
  key,
  platform: 'feishu',
  targetKind: 'user',
  target: `ou_${key}`,
  payload: JSON.stringify({ text: `给${key}的消息` }),
  causeEventId: null,
  nextAttemptAt,
  createdAt: at,
})
/** Inserts as a batch of events does: in a transaction run by `directWrites`. */
const insert = <R extends { [K in keyof R]: SqlValue }>(table: string, rows: R[], options?: Parameters<typeof insertRows>[3]) =>
  directWrites(() => db.$transaction((tx) => insertRows(tx, table, rows, options)))
const withoutId = <R extends { id: number }>({ id: _id, ...rest }: R) => rest

describe('rows inserted by one raw statement', () => {
  it('read back as the rows Prisma writes: texts, numbers, nulls, times and booleans alike', async () => {
    await db.outboxMessage.createMany({ data: [outboxRow('p1', at)] })
    await insert('OutboxMessage', [outboxRow('r1', at)])
    const [prisma, raw] = await db.outboxMessage.findMany({ where: { key: { in: ['p1', 'r1'] } }, orderBy: { key: 'asc' } })
    expect(withoutId(raw!)).toEqual({ ...withoutId(prisma!), key: 'r1', target: 'ou_r1', payload: JSON.stringify({ text: '给r1的消息' }) })
    expect(raw).toMatchObject({ status: 'pending', attempts: 0, lockedUntil: null, nextAttemptAt: at })

    const category = {
      keywords: '',
      answerMinutes: 60,
      resultMinutes: 600,
      urgentAnswerMinutes: 30,
      urgentResultMinutes: 300,
      urgentByDefault: true,
      sensitive: false,
      createdAt: at,
    }
    await db.requestCategory.createMany({ data: [{ name: '经Prisma', ...category }] })
    await insert('RequestCategory', [{ name: '经语句', ...category }])
    const [byPrisma, byStatement] = await db.requestCategory.findMany({ where: { name: { in: ['经Prisma', '经语句'] } }, orderBy: { id: 'asc' } })
    expect(byStatement).toMatchObject({ urgentByDefault: true, sensitive: false, active: true })
    expect(withoutId({ ...byStatement!, name: '' })).toEqual(withoutId({ ...byPrisma!, name: '' }))
  })

  it('writes times that compare and order with the times Prisma writes', async () => {
    const earlier = new Date(at.getTime() - 1)
    const later = new Date(at.getTime() + 1)
    await db.outboxMessage.createMany({ data: [outboxRow('order-p-mid', at)] })
    await insert('OutboxMessage', [outboxRow('order-r-early', earlier), outboxRow('order-r-late', later)])
    const keys = async (where: object) =>
      (await db.outboxMessage.findMany({ where: { key: { startsWith: 'order-' }, ...where }, orderBy: { nextAttemptAt: 'asc' } })).map((r) => r.key)
    expect(await keys({})).toEqual(['order-r-early', 'order-p-mid', 'order-r-late'])
    expect(await keys({ nextAttemptAt: { lte: at } })).toEqual(['order-r-early', 'order-p-mid'])
    expect(await keys({ nextAttemptAt: { gte: later } })).toEqual(['order-r-late'])
    expect(await keys({ nextAttemptAt: at })).toEqual(['order-p-mid'])
    await insert('OutboxMessage', [outboxRow('order-r-same', at)])
    expect(await keys({ nextAttemptAt: at })).toEqual(['order-p-mid', 'order-r-same'].sort())
  })

  it('writes in the batch’s transaction: rolled back with it', async () => {
    await expect(
      directWrites(() =>
        db.$transaction(async (tx) => {
          expect(await insertRows(tx, 'OutboxMessage', [outboxRow('rolled-back', at)])).toEqual([])
          expect(await tx.outboxMessage.count({ where: { key: 'rolled-back' } })).toBe(1)
          throw new Error('the batch failed')
        }),
      ),
    ).rejects.toThrow('the batch failed')
    expect(await db.outboxMessage.count({ where: { key: 'rolled-back' } })).toBe(0)
  })

  it('writes nothing outside such a transaction (the caller writes through Prisma)', async () => {
    const row = [outboxRow('elsewhere', at)]
    // A transaction not run by directWrites; the client itself inside one.
    expect(await db.$transaction((tx) => insertRows(tx, 'OutboxMessage', row))).toBeUndefined()
    expect(await directWrites(() => db.$transaction(() => insertRows(db, 'OutboxMessage', row)))).toBeUndefined()
    // Work the batch started that goes on after its transaction ended (a promise it left behind).
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    let afterwards: ReturnType<typeof insertRows> | undefined
    await directWrites(() =>
      db.$transaction(async (tx) => {
        afterwards = gate.then(() => insertRows(tx, 'OutboxMessage', row))
      }),
    )
    release()
    expect(await afterwards).toBeUndefined()
    expect(await db.outboxMessage.count({ where: { key: 'elsewhere' } })).toBe(0)
  })

  // Only PostgreSQL has more than one connection: another transaction begun inside the batch's
  // (on another connection, committed on its own) must not become where the batch's rows go.
  if (testProvider === 'postgresql')
    it('keeps to the batch’s own connection when another transaction begins inside it', async () => {
      await expect(
        directWrites(() =>
          db.$transaction(async (tx) => {
            await db.$transaction((other) => other.unit.count())
            await insertRows(tx, 'OutboxMessage', [outboxRow('own-connection', at)])
            throw new Error('the batch failed')
          }),
        ),
      ).rejects.toThrow('the batch failed')
      expect(await db.outboxMessage.count({ where: { key: 'own-connection' } })).toBe(0)
    })

  it('leaves out a row whose key is there already when asked to; otherwise fails as a unique violation', async () => {
    await insert('OutboxMessage', [outboxRow('dup', at)])
    await insert('OutboxMessage', [outboxRow('dup', later()), outboxRow('dup-new', at)], { skipDuplicates: true })
    expect((await db.outboxMessage.findUniqueOrThrow({ where: { key: 'dup' } })).nextAttemptAt).toEqual(at)
    expect(await db.outboxMessage.count({ where: { key: 'dup-new' } })).toBe(1)
    const error = await insert('OutboxMessage', [outboxRow('dup', at)]).catch((e: unknown) => e)
    expect(isUniqueViolation(error)).toBe(true)
  })

  it('answers the columns asked of each row written, in order', async () => {
    const returned = await insert('OutboxMessage', [outboxRow('ret-1', at), outboxRow('ret-2', at)], { returning: ['id', 'key', 'status', 'attempts'] })
    const stored = await db.outboxMessage.findMany({ where: { key: { startsWith: 'ret-' } }, orderBy: { id: 'asc' } })
    expect(returned).toEqual(stored.map((r) => ({ id: r.id, key: r.key, status: 'pending', attempts: 0 })))
  })

  it("is seen by the batch's next read of what it wrote: a person's requests, remembered, are read again", async () => {
    const unit = await db.unit.create({ data: { name: '写入车间', path: '写入车间', level: 'branch' } })
    const category = await db.requestCategory.create({
      data: { name: '写入类', keywords: '', answerMinutes: 60, resultMinutes: 600, urgentAnswerMinutes: 30, urgentResultMinutes: 300 },
    })
    const person = await db.person.create({ data: { employeeNo: 'IR1', name: '写入者', unitId: unit.id } })
    const request = (number: string) => ({
      number,
      categoryId: category.id,
      content: '同一批的第二件诉求要看见第一件',
      requesterId: person.id,
      unitId: unit.id,
      levelUnitId: unit.id,
      sourcePlatform: 'web',
      createdAt: at,
      updatedAt: at,
    })
    await withReadMemo(() =>
      directWrites(() =>
        db.$transaction(async (tx) => {
          const mine = () => tx.workerRequest.findMany({ where: { requesterId: person.id }, select: { number: true } })
          expect(await mine()).toEqual([])
          await insertRows(tx, 'WorkerRequest', [request('SQ-IR-1')])
          expect(await mine()).toEqual([{ number: 'SQ-IR-1' }])
        }),
      ),
    )
  })

  it('writes more rows than one statement binds, all of them', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => outboxRow(`many-${String(i).padStart(3, '0')}`, at))
    await insert('OutboxMessage', rows)
    const keys = (await db.outboxMessage.findMany({ where: { key: { startsWith: 'many-' } }, orderBy: { key: 'asc' } })).map((r) => r.key)
    expect(keys).toEqual(rows.map((r) => r.key))
  })

  it('refuses rows of different columns, or a value left undefined, writing none of them', async () => {
    const odd = { ...outboxRow('odd', at), lastError: 'x' }
    await expect(insert('OutboxMessage', [outboxRow('even', at), odd])).rejects.toThrow(/in that order/)
    await expect(insert('OutboxMessage', [{ ...outboxRow('undef', at), target: undefined as unknown as string }])).rejects.toThrow(
      /OutboxMessage\.target is undefined/,
    )
    expect(await db.outboxMessage.count({ where: { key: { in: ['even', 'odd', 'undef'] } } })).toBe(0)
  })
})

function later(): Date {
  return new Date(at.getTime() + 60_000)
}

// Statements beside any transaction, on PostgreSQL by the driver on the pool and on SQLite through
// Prisma: an outbox row's claim for sending and its record of being sent, both as the outbox's
// pump runs them.
describe('an outbox row claimed and recorded beside transactions', () => {
  it('is claimed only once due, by one claimer while its lock lasts, and again after', async () => {
    const now = new Date()
    const [due, held] = await Promise.all(
      ['claim-due', 'claim-held'].map((key, i) =>
        db.outboxMessage.create({ data: { ...outboxRow(key, i === 0 ? now : new Date(now.getTime() + 60_000)), createdAt: now } }),
      ),
    )
    // Backed off until later (a throttle or a failed send): not sent before then.
    expect(await claimRow(db, held!.id, now, 60_000)).toBeNull()
    const claimed = await claimRow(db, due!.id, now, 60_000)
    expect(claimed).toMatchObject({ id: due!.id, key: 'claim-due', target: 'ou_claim-due', attempts: 1 })
    expect(deliveryOf(claimed!)).toMatchObject({ key: 'claim-due', targetKind: 'user', text: '给claim-due的消息' })
    // Another instance asking meanwhile finds it held.
    expect(await claimRow(db, due!.id, now, 60_000)).toBeNull()
    // A claim that ran out (its instance died mid-send) is taken up again, its attempt counted.
    expect(await claimRow(db, due!.id, new Date(now.getTime() + 61_000), 60_000)).toMatchObject({ attempts: 2 })
    const sentAt = new Date(now.getTime() + 62_000)
    await recordSent(db, due!.id, sentAt, 'om_sent')
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id: due!.id } })).toMatchObject({
      status: 'sent',
      sentAt,
      lockedUntil: null,
      platformMessageId: 'om_sent',
    })
    // Sent: never claimed again.
    expect(await claimRow(db, due!.id, new Date(now.getTime() + 200_000), 60_000)).toBeNull()
  })
})
