import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/core/clock.js'
import { backoffMs, holdWrites, Outbox, type OutboxOptions } from '../../src/core/outbox.js'
import type { Delivery } from '../../src/core/types.js'
import { noMetrics, type Metrics } from '../../src/metrics/index.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'
import { FakeTarget, FakeTargetAdapter } from '../helpers/fake-target.js'

let tdb: TestDatabase
let fake: FakeTarget
const running: Outbox[] = []

beforeAll(async () => {
  tdb = await createTestDatabase()
})
afterAll(async () => {
  await tdb.drop()
})
afterEach(async () => {
  for (const o of running.splice(0)) await o.stop()
  await fake?.stop()
  await tdb.db.outboxMessage.deleteMany()
  await tdb.db.lease.deleteMany()
})

const limits = { perTarget: [{ count: 5, perMs: 1000 }], perPlatform: [{ count: 20, perMs: 1000 }] }

async function outbox(options: Partial<OutboxOptions> = {}, start = true): Promise<Outbox> {
  fake ??= new FakeTarget({ perTarget: 5, perApp: 20, windowMs: 1000 })
  if (!fake.url) await fake.start()
  const o = new Outbox(tdb.db, { clock: systemClock, maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 200, pollMs: 50, ...options })
  o.register(new FakeTargetAdapter('feishu', fake, limits))
  if (start) o.start()
  running.push(o)
  return o
}

function deliveries(n: number, target: string, prefix = target): Delivery[] {
  return Array.from({ length: n }, (_, i) => ({ key: `${prefix}:${i}`, platform: 'feishu' as const, targetKind: 'chat' as const, target, text: `消息 ${i}` }))
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

const allSent = (n: number) => async () => (await tdb.db.outboxMessage.count({ where: { status: 'sent' } })) === n

describe('outbox', () => {
  it('keeps to the per-chat and per-app limits the adapter declares, so the platform never has to refuse', async () => {
    fake = new FakeTarget({ perTarget: 5, perApp: 20, windowMs: 1000 })
    const o = await outbox()
    await tdb.db.$transaction(async (tx) => {
      for (const chat of ['oc_a', 'oc_b', 'oc_c', 'oc_d', 'oc_e']) await o.enqueue(tx, deliveries(12, chat))
    })
    await until(allSent(60))
    expect(fake.throttled()).toBe(0)
    const peak = fake.peakPerWindow()
    expect(peak.perTarget).toBeLessThanOrEqual(5)
    expect(peak.perApp).toBeLessThanOrEqual(20)
    expect(fake.shown.size).toBe(60)
  })

  it('delivers each chat its messages in the order they were written', async () => {
    fake = new FakeTarget({ perTarget: 5, perApp: 20, windowMs: 1000 })
    const o = await outbox()
    await tdb.db.$transaction((tx) => o.enqueue(tx, deliveries(8, 'oc_order')))
    await until(allSent(8))
    const order = fake.requests.filter((r) => r.status === 200).map((r) => r.key)
    expect(order).toEqual(deliveries(8, 'oc_order').map((d) => d.key))
  })

  it('retries a failing send with backoff until it goes through, once', async () => {
    fake = new FakeTarget({ perTarget: 5, perApp: 20, windowMs: 1000 })
    fake.failures.set('oc_x:0', 3)
    const o = await outbox()
    await tdb.db.$transaction((tx) => o.enqueue(tx, deliveries(1, 'oc_x')))
    await until(allSent(1))
    const row = await tdb.db.outboxMessage.findUniqueOrThrow({ where: { key: 'oc_x:0' } })
    expect(row.attempts).toBe(4)
    expect(fake.requests.filter((r) => r.key === 'oc_x:0').map((r) => r.status)).toEqual([500, 500, 500, 200])
    expect(fake.shown.size).toBe(1)
  })

  it('backs a throttled target off without using up attempts', async () => {
    fake = new FakeTarget({ perTarget: 5, perApp: 20, windowMs: 1000 })
    fake.throttles.set('oc_t', 2)
    const o = await outbox({ maxAttempts: 2 })
    await tdb.db.$transaction((tx) => o.enqueue(tx, deliveries(3, 'oc_t')))
    await until(allSent(3))
    const rows = await tdb.db.outboxMessage.findMany({ where: { target: 'oc_t' } })
    expect(rows.every((r) => r.status === 'sent')).toBe(true)
    expect(fake.shown.size).toBe(3)
  })

  it('moves a message that never goes through to the dead letters after the last attempt, and says so', async () => {
    fake = new FakeTarget({ perTarget: 5, perApp: 20, windowMs: 1000 })
    fake.broken.add('oc_dead:0')
    const dead: string[] = []
    const o = await outbox({ maxAttempts: 3, onDead: (row) => dead.push(row.key) })
    await tdb.db.$transaction((tx) => o.enqueue(tx, [...deliveries(1, 'oc_dead'), ...deliveries(1, 'oc_ok')]))
    await until(async () => (await tdb.db.outboxMessage.count({ where: { status: { in: ['sent', 'dead'] } } })) === 2)
    const row = await tdb.db.outboxMessage.findUniqueOrThrow({ where: { key: 'oc_dead:0' } })
    expect(row.status).toBe('dead')
    expect(row.lastError).toMatch(/HTTP 500/)
    expect(fake.requests.filter((r) => r.key === 'oc_dead:0')).toHaveLength(3)
    expect(dead).toEqual(['oc_dead:0'])
    expect(fake.shown.has('oc_ok:0')).toBe(true)
  })

  it('writes one row per idempotency key, however often it is enqueued', async () => {
    fake = new FakeTarget({ perTarget: 5, perApp: 20, windowMs: 1000 })
    const o = await outbox()
    await tdb.db.$transaction((tx) => o.enqueue(tx, deliveries(2, 'oc_i')))
    await tdb.db.$transaction((tx) => o.enqueue(tx, deliveries(2, 'oc_i')))
    await until(allSent(2))
    expect(await tdb.db.outboxMessage.count()).toBe(2)
    expect(fake.requests.filter((r) => r.status === 200)).toHaveLength(2)
  })

  it('writes one row per key for one delivery or many, and holds the rows of holdWrites until it returns (none if it throws)', async () => {
    fake = new FakeTarget({ perTarget: 5, perApp: 20, windowMs: 1000 })
    const o = await outbox({}, false)
    await tdb.db.$transaction(async (tx) => {
      await o.enqueue(tx, deliveries(1, 'oc_b'))
      await o.enqueue(tx, [{ ...deliveries(1, 'oc_b')[0]!, text: 'again' }])
      await holdWrites(async () => {
        await o.enqueue(tx, deliveries(3, 'oc_b'))
        await o.enqueue(tx, deliveries(2, 'oc_c'))
        await o.enqueue(tx, [{ ...deliveries(1, 'oc_c')[0]!, text: 'again' }])
        expect(await tx.outboxMessage.count()).toBe(1)
      })
      expect(await tx.outboxMessage.count()).toBe(5)
    })
    await expect(
      tdb.db.$transaction((tx) =>
        holdWrites(async () => {
          await o.enqueue(tx, deliveries(1, 'oc_d'))
          throw new Error('changed my mind')
        }),
      ),
    ).rejects.toThrow('changed my mind')
    const rows = await tdb.db.outboxMessage.findMany({ orderBy: { id: 'asc' } })
    expect(rows.map((r) => r.key)).toEqual(['oc_b:0', 'oc_b:1', 'oc_b:2', 'oc_c:0', 'oc_c:1'])
    expect(rows.map((r) => JSON.parse(r.payload).text)).toEqual(['消息 0', '消息 1', '消息 2', '消息 0', '消息 1'])
  })

  it('after a crash, a restarted instance delivers every pending row exactly once', async () => {
    fake = new FakeTarget({ perTarget: 5, perApp: 20, windowMs: 1000 })
    // The instance that "crashed": it wrote 10 rows, sent 3 of them, and died before marking
    // two of those sent (so they look claimed, with a stale lock) — the worst moment.
    const crashed = await outbox({ instanceId: 'crashed' }, false)
    await tdb.db.$transaction((tx) => crashed.enqueue(tx, deliveries(10, 'oc_r')))
    const adapter = crashed.adapter('feishu')!
    for (const i of [0, 1, 2]) await adapter.send(deliveries(10, 'oc_r')[i]!)
    const past = new Date(Date.now() - 1000)
    await tdb.db.outboxMessage.update({ where: { key: 'oc_r:0' }, data: { status: 'sent' } })
    await tdb.db.outboxMessage.updateMany({ where: { key: { in: ['oc_r:1', 'oc_r:2'] } }, data: { status: 'sending', lockedUntil: past, attempts: 1 } })
    await tdb.db.lease.create({ data: { key: 'outbox:feishu', holder: 'crashed', expiresAt: past } })

    await outbox({ instanceId: 'restarted' })
    await until(allSent(10))
    expect(fake.shown.size).toBe(10)
    // The two sends the crashed instance could not record were repeated with the same key, and
    // the platform showed them once.
    const perKey = new Map<string, number>()
    for (const r of fake.requests.filter((x) => x.status === 200)) perKey.set(r.key, (perKey.get(r.key) ?? 0) + 1)
    expect([...perKey.values()].reduce((a, b) => a + b, 0)).toBe(12)
    expect([...fake.shown.values()].map((m) => m.text).sort()).toEqual(
      deliveries(10, 'oc_r')
        .map((d) => d.text)
        .sort(),
    )
  })

  it('hands its sending over when stopped: the instance started next sends at once, not when the lease expires', async () => {
    fake = new FakeTarget({ perTarget: 5, perApp: 20, windowMs: 1000 })
    const old = await outbox({ instanceId: 'old', claimMs: 60_000 })
    await tdb.db.$transaction((tx) => old.enqueue(tx, deliveries(1, 'oc_before')))
    await until(allSent(1))
    await old.stop()
    expect(await tdb.db.lease.count({ where: { key: 'outbox:feishu' } })).toBe(0)

    const next = await outbox({ instanceId: 'next', claimMs: 60_000 })
    await tdb.db.$transaction((tx) => next.enqueue(tx, deliveries(3, 'oc_after')))
    // Well within the 60 s the old lease would have lasted.
    await until(allSent(4), 10_000)
    expect([...fake.shown.values()].map((m) => m.text).sort()).toEqual(['消息 0', '消息 0', '消息 1', '消息 2'])
  })

  it('two instances on one database: only the one holding the platform lease sends, each row once', async () => {
    fake = new FakeTarget({ perTarget: 5, perApp: 20, windowMs: 1000 })
    // A short lease, so the instance without it asks again every 2 s while the work goes on
    // (with the default minute it would ask again only after 15 s, after the test has ended).
    const sentBy: string[] = []
    const counting = (instance: string): Metrics => ({ ...noMetrics, sent: () => void sentBy.push(instance) })
    const a = await outbox({ instanceId: 'a', claimMs: 8000, metrics: counting('a') })
    await outbox({ instanceId: 'b', claimMs: 8000, metrics: counting('b') })
    // Work in waves for about five seconds: the other instance asks for the lease twice meanwhile.
    // (Only a holder stalled for 6 s would lose the lease rightly; that is not this machine's load.)
    const started = Date.now()
    let n = 0
    for (let wave = 0; Date.now() - started < 5000; wave++) {
      await tdb.db.$transaction((tx) => a.enqueue(tx, deliveries(4, `oc_wave${wave}`)))
      n += 4
      await until(allSent(n))
      await until(async () => Date.now() - started > (wave + 1) * 300)
    }
    expect(fake.requests.filter((r) => r.status === 200)).toHaveLength(n)
    expect(fake.throttled()).toBe(0)
    // Every send came from one instance: the lease was never taken over while its holder renewed it.
    expect(sentBy).toHaveLength(n)
    expect(new Set(sentBy).size, `sent by ${[...new Set(sentBy)]}`).toBe(1)
  })
})

describe('backoff', () => {
  it('grows exponentially with jitter and stays under the cap', () => {
    const low = () => 0
    const high = () => 0.999999
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1000, 60_000, low))).toEqual([500, 1000, 2000, 4000])
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1000, 60_000, high))).toEqual([1000, 2000, 4000, 8000])
    expect(backoffMs(30, 1000, 60_000, high)).toBe(60_000)
  })
})
