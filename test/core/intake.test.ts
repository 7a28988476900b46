import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Intake } from '../../src/core/intake.js'
import type { InboundMessage } from '../../src/core/types.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'

const message = (eventId: string, text = '诉求 食堂的汤太咸'): InboundMessage => ({
  platform: 'feishu',
  eventId,
  chatId: null,
  sender: { ids: [{ kind: 'open_id', id: 'ou_worker' }] },
  text,
  mentions: [],
  mentionsBot: false,
})

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  await t.drop()
})

describe('storing inbound events together (group commit)', () => {
  it('stores a burst of events arriving at once, each once, with redeliveries inside and across batches told apart', async () => {
    const intake = new Intake(t.db)
    // An event stored earlier, redelivered during the burst.
    const earlier = await intake.store(message('ev_earlier'))
    const burst = Array.from({ length: 300 }, (_, i) => message(`ev_burst_${i}`, `诉求 第${i}件`))
    const sent = [...burst, message('ev_earlier'), message('ev_burst_7'), message('ev_burst_299')]
    const results = await Promise.all(sent.map((m) => intake.store(m)))

    expect(earlier.duplicate).toBe(false)
    // The first copy of each new event is new; every other copy is a redelivery naming the same row.
    expect(results.slice(0, 300).every((r) => !r.duplicate)).toBe(true)
    expect(results.slice(300)).toEqual([
      { id: earlier.id, duplicate: true },
      { id: results[7]!.id, duplicate: true },
      { id: results[299]!.id, duplicate: true },
    ])
    const rows = await t.db.inboundEvent.findMany({ where: { eventId: { startsWith: 'ev_burst_' } }, orderBy: { id: 'asc' } })
    expect(rows).toHaveLength(300)
    expect(new Set(results.slice(0, 300).map((r) => r.id))).toEqual(new Set(rows.map((r) => r.id)))
    // Each row carries its own message, pending, in arrival order.
    expect(rows.map((r) => (JSON.parse(r.payload) as InboundMessage).text)).toEqual(burst.map((m) => m.text))
    expect(rows.every((r) => r.status === 'pending')).toBe(true)
  })

  it('stores the new events of a batch that also carries an event stored by someone else meanwhile', async () => {
    const intake = new Intake(t.db)
    // Stored behind this intake's back (another instance on the same database).
    const other = await t.db.inboundEvent.create({ data: { platform: 'feishu', eventId: 'ev_other', payload: JSON.stringify(message('ev_other')) } })
    const results = await Promise.all([message('ev_mix_1'), message('ev_other'), message('ev_mix_2')].map((m) => intake.store(m)))
    expect(results[1]).toEqual({ id: other.id, duplicate: true })
    expect(results[0]!.duplicate || results[2]!.duplicate).toBe(false)
    expect(await t.db.inboundEvent.count({ where: { eventId: { in: ['ev_mix_1', 'ev_mix_2', 'ev_other'] } } })).toBe(3)
  })

  it('fails every event of a batch the database refuses, so each platform is answered 5xx and delivers again', async () => {
    const intake = new Intake(t.db)
    // A payload that cannot be serialised stands for a write the database refuses.
    const cyclic = message('ev_cyclic') as InboundMessage & { self?: unknown }
    cyclic.self = cyclic
    const settled = await Promise.allSettled([intake.store(message('ev_fail_1')), intake.store(cyclic), intake.store(message('ev_fail_2'))])
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(await t.db.inboundEvent.count({ where: { eventId: { in: ['ev_fail_1', 'ev_cyclic', 'ev_fail_2'] } } })).toBe(0)
  })
})
