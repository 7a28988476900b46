import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/client.js'
import { takeNumber } from '../../src/db/counters.js'
import { holdWrites } from '../../src/db/held-writes.js'
import { createSharedTestDatabase, testProvider } from '../helpers/db.js'

// Numbers people use (SQ-2026-0042, P-17): unique and increasing whoever takes them. Two clients
// stand for two instances of the service on one database.
let a: Db
let b: Db
let drop: () => Promise<void>

// Two clients, as two instances of the service on one database.
beforeAll(async () => ({ a, b, drop } = await createSharedTestDatabase()))
afterAll(() => drop())

describe('numbers', () => {
  it('are unique and increasing, taken by two instances at once', async () => {
    const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => takeNumber(i % 2 ? a : b, 'together')))
    expect([...taken].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  if (testProvider === 'postgresql') {
    // A race only PostgreSQL can show in one process: on SQLite the other client's write would block
    // the process itself (libSQL waits synchronously for the file) until this transaction gave up.
    it('on PostgreSQL, another instance asking during a batch waits for it, and gets the number after its last', async () => {
      const first = await takeNumber(a, 'batch-race')
      let meanwhile!: () => void
      const theirs = new Promise<void>((r) => (meanwhile = r)).then(() => takeNumber(b, 'batch-race'))
      const mine = await a.$transaction((tx) =>
        holdWrites(async () => {
          const taken = [await takeNumber(tx, 'batch-race')]
          // The other instance asks now: the counter's row is this transaction's until it commits.
          meanwhile()
          for (let i = 0; i < 3; i++) taken.push(await takeNumber(tx, 'batch-race'))
          return taken
        }),
      )
      expect(mine).toEqual([1, 2, 3, 4].map((n) => first + n))
      expect(await theirs).toBe(first + 5)
    })
  }

  // Both databases: a transaction's counter row is its own until it commits (locked on PostgreSQL,
  // the file on SQLite), so a batch counts on from its first number and writes the last once.
  it('in a batch of events, counted on from the first number and written once before the commit', async () => {
    const first = await takeNumber(a, 'batch')
    const taken = await a.$transaction((tx) =>
      holdWrites(async () => {
        const mine: number[] = []
        for (let i = 0; i < 5; i++) mine.push(await takeNumber(tx, 'batch'))
        // Another counter between them, and a read of this one, see what the batch counted.
        expect(await takeNumber(tx, 'batch-other')).toBe(1)
        expect((await tx.counter.findUniqueOrThrow({ where: { name: 'batch' } })).value).toBe(first + 5)
        mine.push(await takeNumber(tx, 'batch'))
        return mine
      }),
    )
    expect(taken).toEqual([1, 2, 3, 4, 5, 6].map((n) => first + n))
    // The next batch, and another instance, go on after them.
    expect(await takeNumber(b, 'batch')).toBe(first + 7)
    expect(await a.$transaction((tx) => holdWrites(() => takeNumber(tx, 'batch')))).toBe(first + 8)
  })

  it('in a batch but outside a transaction, each number is taken from the database (nothing keeps the row)', async () => {
    const first = await takeNumber(a, 'batch-no-tx')
    // Another instance, which knows nothing of this batch (its number is asked from outside it).
    let meanwhile!: () => void
    const theirs = new Promise<void>((r) => (meanwhile = r)).then(() => takeNumber(b, 'batch-no-tx'))
    const taken = await holdWrites(async () => {
      const mine = [await takeNumber(a, 'batch-no-tx')]
      meanwhile()
      mine.push(await theirs)
      mine.push(await takeNumber(a, 'batch-no-tx'))
      return mine
    })
    expect(taken).toEqual([first + 1, first + 2, first + 3])
  })

  it('in a batch that fails, its numbers are given again', async () => {
    const first = await takeNumber(a, 'batch-failed')
    await expect(
      a.$transaction((tx) =>
        holdWrites(async () => {
          for (let i = 0; i < 3; i++) await takeNumber(tx, 'batch-failed')
          throw new Error('handling failed')
        }),
      ),
    ).rejects.toThrow('handling failed')
    expect(await takeNumber(b, 'batch-failed')).toBe(first + 1)
  })

  it('in a transaction that fails, its number is given again', async () => {
    const first = await takeNumber(a, 'in-transaction')
    await expect(
      a.$transaction(async (tx) => {
        expect(await takeNumber(tx, 'in-transaction')).toBe(first + 1)
        throw new Error('handling failed')
      }),
    ).rejects.toThrow('handling failed')
    expect(await takeNumber(b, 'in-transaction')).toBe(first + 1)
  })
})
