import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/client.js'
import { createSharedTestDatabase, testProvider } from '../helpers/db.js'

// Transactions as the service uses them (a batch of events, a claimed outbox message): what one
// writes is seen by everybody once it commits, nothing of a failed one stays, and a failed one
// leaves nothing open behind it. On SQLite a transaction runs on the client's own connection
// (src/db/sqlite-connection.ts): what follows it must not run inside it.
let a: Db
let b: Db
let drop: () => Promise<void>

// Two clients, as two instances of the service on one database.
beforeAll(async () => ({ a, b, drop } = await createSharedTestDatabase()))
afterAll(() => drop())

const seenByOther = async (key: string) => (await b.setting.findUnique({ where: { key } }))?.value ?? null

describe('transactions', () => {
  it('a committed one is seen by another client', async () => {
    await a.$transaction(async (tx) => {
      await tx.setting.create({ data: { key: 'committed', value: '1' } })
      await tx.setting.create({ data: { key: 'committed-too', value: '2' } })
    })
    expect(await seenByOther('committed')).toBe('1')
    expect(await seenByOther('committed-too')).toBe('2')
  })

  it('a failed one leaves nothing, and what its client writes next is seen at once', async () => {
    await expect(
      a.$transaction(async (tx) => {
        await tx.setting.create({ data: { key: 'inside-failed', value: 'x' } })
        throw new Error('the handler failed')
      }),
    ).rejects.toThrow('the handler failed')
    expect(await seenByOther('inside-failed')).toBeNull()
    // Not inside a transaction left open: another client sees it without anything committing it.
    await a.setting.create({ data: { key: 'after-failed', value: 'y' } })
    expect(await seenByOther('after-failed')).toBe('y')
  })

  it('a statement refused inside one (a unique key) fails it and leaves nothing open', async () => {
    await a.setting.create({ data: { key: 'taken', value: 'first' } })
    await expect(
      a.$transaction(async (tx) => {
        await tx.setting.create({ data: { key: 'before-refused', value: 'z' } })
        await tx.setting.create({ data: { key: 'taken', value: 'second' } })
      }),
    ).rejects.toThrow()
    expect(await seenByOther('before-refused')).toBeNull()
    expect(await seenByOther('taken')).toBe('first')
    await a.setting.update({ where: { key: 'taken' }, data: { value: 'changed' } })
    expect(await seenByOther('taken')).toBe('changed')
  })

  // A temporary table exists only on the connection that made it. PostgreSQL's pool hands out any
  // of its connections, so this one is SQLite's alone (and not registered on PostgreSQL); the
  // tests above hold on both.
  if (testProvider !== 'sqlite') return
  it('on SQLite, runs on the client’s own connection (no file opened again for each)', async () => {
    await a.$executeRawUnsafe('CREATE TEMP TABLE connection_mark (x INTEGER)')
    const inside = await a.$transaction((tx) => tx.$queryRawUnsafe<{ n: number }[]>('SELECT count(*) AS n FROM temp.connection_mark'))
    expect(Number(inside[0]!.n)).toBe(0)
    // And again after it, on the same connection.
    await a.$transaction(async (tx) => tx.setting.create({ data: { key: 'between', value: '1' } }))
    const after = await a.$queryRawUnsafe<{ n: number }[]>('SELECT count(*) AS n FROM temp.connection_mark')
    expect(Number(after[0]!.n)).toBe(0)
  })
})
