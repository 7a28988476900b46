/**
 * Two service instances on one database, Feishu events alternated between them (and some
 * delivered again to the other one, as Feishu may): each event is stored and processed once, each
 * person answered once, and each outbox row accepted by Feishu once.
 *
 * On SQLite the two instances share one file (two libSQL connections); it is stable there too, as
 * every claim is one conditional write, so the same test runs on both providers.
 *
 * Only the instance holding the Feishu sending lease sends (a minute, renewed every 15 s); that the
 * other cannot take it over is shown with short leases in test/core/outbox.test.ts and test/core/lease.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { feishuAdapterFactory } from '../../adapters/feishu/index.js'
import { messageEvent, request } from '../adapters/feishu/events.js'
import { FakeFeishu } from '../adapters/feishu/fake-feishu.js'
import { scrape } from '../helpers/metrics.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { feishuEnv, keys, messageIdOf, SECRET, settle, stranger } from './kit.js'

let fake: FakeFeishu
let a: TestService
let b: TestService

beforeAll(async () => {
  fake = await new FakeFeishu(keys.appId, SECRET).start()
  a = await startTestService({ env: feishuEnv(fake), adapterFactories: [feishuAdapterFactory] })
  b = await startTestService({ url: a.config.DATABASE_URL, env: feishuEnv(fake), adapterFactories: [feishuAdapterFactory] })
})
afterAll(async () => {
  await b?.close()
  await a?.close()
  await a?.dropDatabase()
  await fake?.stop()
})

describe('two instances on one database', () => {
  it('processes each event once and sends each reply once', { timeout: 60_000 }, async () => {
    const people = Array.from({ length: 40 }, (_, i) => stranger(`two${i}`))
    const events = people.map((p) => messageEvent(keys, { from: p, chatId: `oc_p2p_${p.open_id}`, chatType: 'p2p', text: '帮助' }))
    const instances = [a, b]
    // Round-robin, in concurrent waves of ten; every third event is delivered again to the other instance.
    for (let wave = 0; wave < events.length; wave += 10) {
      await Promise.all(
        events.slice(wave, wave + 10).flatMap((ev, j) => {
          const i = wave + j
          const deliveries = [instances[i % 2]!]
          if (i % 3 === 0) deliveries.push(instances[(i + 1) % 2]!)
          return deliveries.map(async (svc) => {
            const r = request(ev, keys)
            const res = await svc.app.inject({ method: 'POST', url: '/webhooks/feishu', headers: r.headers, payload: r.payload })
            expect(res.statusCode, res.body).toBe(200)
          })
        }),
      )
    }
    // Every event handled and every row sent: nothing is claimed or claimable, so nothing more can arrive.
    await settle(a, 30_000)
    await settle(b, 30_000)

    for (const [i, ev] of events.entries()) {
      const rows = await a.db.inboundEvent.findMany({ where: { platform: 'feishu', eventId: messageIdOf(ev) } })
      expect(
        rows.map((r) => r.status),
        `event ${i}`,
      ).toEqual(['done'])
      expect(fake.shownTo(people[i]!.open_id), `replies to ${i}`).toHaveLength(1)
    }
    const rows = await a.db.outboxMessage.findMany({ where: { platform: 'feishu' } })
    expect(rows.length).toBe(events.length)
    expect(rows.every((r) => r.status === 'sent')).toBe(true)
    // Feishu accepted each uuid once: no row was sent by both instances.
    const accepted = new Map<string, number>()
    for (const c of fake.calls)
      if (c.status === 200 && c.method === 'POST' && c.path === '/open-apis/im/v1/messages' && c.uuid) accepted.set(c.uuid, (accepted.get(c.uuid) ?? 0) + 1)
    expect(accepted.size).toBe(events.length)
    expect([...accepted.values()].every((n) => n === 1)).toBe(true)
    // Both instances handled events, but only the holder of the Feishu lease sent: per-instance counts from /metrics.
    const metrics = await Promise.all([scrape(a), scrape(b)])
    const sent = metrics.map((m) => m('gongyou_outbox_sent_total', { platform: 'feishu' }))
    const handled = metrics.map((m) => m('gongyou_events_handled_total', { platform: 'feishu' }))
    expect(handled[0]! + handled[1]!).toBe(events.length)
    expect(
      sent.sort((x, y) => x - y),
      `sent per instance: ${sent}`,
    ).toEqual([0, events.length])
  })
})
