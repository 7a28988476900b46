/**
 * The database lease that elects one instance to send for a platform (and to seed the demo): held
 * by one holder until it expires or is released, whichever client asks. The outbox's own test
 * (test/core/outbox.test.ts) shows what a lease that can be taken over would do to sending.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { releaseLease, tryAcquireLease } from '../../src/core/lease.js'
import { openDatabase, type Db } from '../../src/db/client.js'
import { createTestDatabase, testProvider, type TestDatabase } from '../helpers/db.js'

let tdb: TestDatabase
/** A second client on the same database: another instance. */
let other: Db

beforeAll(async () => {
  tdb = await createTestDatabase()
  other = openDatabase(tdb.url)
})
afterEach(async () => {
  await tdb.db.lease.deleteMany()
})
afterAll(async () => {
  await other?.$disconnect()
  await tdb?.drop()
})

const T0 = new Date('2026-03-02T01:00:00Z')
const at = (ms: number) => new Date(T0.getTime() + ms)

describe('a lease', () => {
  it('is held by one instance until it expires: the other is refused, the holder renews', async () => {
    expect(await tryAcquireLease(tdb.db, 'outbox:feishu', 'a', 10_000, at(0))).toBe(true)
    // Another instance, on its own client, while the lease runs: refused, and the holder is unchanged.
    expect(await tryAcquireLease(other, 'outbox:feishu', 'b', 10_000, at(1_000))).toBe(false)
    expect(await tryAcquireLease(other, 'outbox:feishu', 'b', 10_000, at(9_999))).toBe(false)
    expect((await tdb.db.lease.findUniqueOrThrow({ where: { key: 'outbox:feishu' } })).holder).toBe('a')
    // The holder renews it before it runs out…
    expect(await tryAcquireLease(tdb.db, 'outbox:feishu', 'a', 10_000, at(9_000))).toBe(true)
    // …so it is still refused past the first expiry.
    expect(await tryAcquireLease(other, 'outbox:feishu', 'b', 10_000, at(12_000))).toBe(false)
    // Once it has run out (nobody renewed it), the other takes it, and the first is refused.
    expect(await tryAcquireLease(other, 'outbox:feishu', 'b', 10_000, at(19_001))).toBe(true)
    expect(await tryAcquireLease(tdb.db, 'outbox:feishu', 'a', 10_000, at(19_002))).toBe(false)
    expect((await tdb.db.lease.findUniqueOrThrow({ where: { key: 'outbox:feishu' } })).holder).toBe('b')
  })

  it('is free at once when its holder releases it, and a release by another instance does nothing', async () => {
    expect(await tryAcquireLease(tdb.db, 'seed:demo', 'a', 60_000, at(0))).toBe(true)
    await releaseLease(other, 'seed:demo', 'b')
    expect(await tryAcquireLease(other, 'seed:demo', 'b', 60_000, at(1))).toBe(false)
    await releaseLease(tdb.db, 'seed:demo', 'a')
    expect(await tryAcquireLease(other, 'seed:demo', 'b', 60_000, at(2))).toBe(true)
  })

  it('goes to exactly one of several instances asking for it at once', async () => {
    // On PostgreSQL the askers run truly at once on two connection pools. On SQLite two clients on
    // one file fail each other's writes with SQLITE_BUSY (libsql does not wait; several instances
    // run on PostgreSQL), so there the same question comes in turn from the two clients, and then
    // at once through one client.
    for (let i = 0; i < 5; i++) {
      const key = `race:${i}`
      const ask = (db: Db, holder: string) => tryAcquireLease(db, key, holder, 10_000, at(0))
      const results =
        testProvider === 'postgresql'
          ? await Promise.all([ask(tdb.db, 'a'), ask(other, 'b'), ask(tdb.db, 'c'), ask(other, 'd')])
          : [await ask(tdb.db, 'a'), await ask(other, 'b'), ...(await Promise.all([ask(tdb.db, 'c'), ask(tdb.db, 'd')]))]
      expect(results.filter(Boolean), `lease ${key}: ${results}`).toHaveLength(1)
    }
  })
})
