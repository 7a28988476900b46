/**
 * Keep only what is needed: an inbound event keeps its whole payload only until it is handled
 * (recovery needs it until then); the contents of sent messages are dropped RETENTION_DAYS after
 * they were sent, by a scheduled job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import type { InboundMessage } from '../../src/core/types.js'
import type { TestService } from '../helpers/service.js'
import { runJob, Services } from '../polls/helpers.js'

const services = new Services()
const clock = new ManualClock(new Date('2026-03-04T02:00:00Z'))
let svc: TestService
const DAY = 24 * 60 * 60 * 1000

beforeAll(async () => {
  svc = await services.start(clock, { RETENTION_DAYS: '30', RETENTION_CRON: '0 0 1 1 *' })
})
afterAll(() => services.stopAll())

/** A private message from 刘洋 (D1004), as the web adapter stores it. */
const privateMessage = (eventId: string, text: string): InboundMessage => ({
  platform: 'web',
  eventId,
  chatId: null,
  sender: { ids: [{ kind: 'employeeNo', id: 'D1004' }], name: '刘洋' },
  text,
  mentions: [],
  mentionsBot: false,
})

describe('inbound events', () => {
  it('keep their payload until handled, then only platform, id and times', async () => {
    const msg = privateMessage('ev_retention_1', '诉求 家里老人住院了，想申请困难补助')
    const { id } = await svc.core.receive(msg)
    // Not handled yet (a crash now must lose nothing): the whole message is there.
    const waiting = await svc.db.inboundEvent.findUniqueOrThrow({ where: { id } })
    expect(waiting.payload).toContain('住院')
    // What is kept afterwards is written on arrival, and it holds no name, no words and no platform id.
    expect(waiting.trace).toBeTruthy()
    for (const gone of ['住院', '刘洋', 'D1004']) expect(waiting.trace).not.toContain(gone)
    expect(await svc.core.process(id)).toBe(true)
    const done = await svc.db.inboundEvent.findUniqueOrThrow({ where: { id } })
    expect(done).toMatchObject({ platform: 'web', eventId: 'ev_retention_1', status: 'done' })
    expect(done.receivedAt).toBeInstanceOf(Date)
    expect(done.processedAt).toBeInstanceOf(Date)
    for (const gone of ['住院', '刘洋', 'D1004']) expect(`${done.payload}${done.trace}`).not.toContain(gone)
    // A redelivery is still recognised and not handled again.
    const requests = await svc.db.workerRequest.count()
    expect((await svc.core.receiveAndProcess(msg)).duplicate).toBe(true)
    expect(await svc.db.workerRequest.count()).toBe(requests)
  })

  it('stored before traces were written on arrival, get theirs when handled', async () => {
    const msg = privateMessage('ev_retention_legacy', '诉求 宿舍热水器坏了')
    const { id } = await svc.db.inboundEvent.create({ data: { platform: 'web', eventId: msg.eventId, payload: JSON.stringify(msg) } })
    expect(await svc.core.process(id)).toBe(true)
    const done = await svc.db.inboundEvent.findUniqueOrThrow({ where: { id } })
    expect(done.payload).not.toContain('热水器')
    expect(JSON.parse(done.trace!)).toMatchObject({ reduced: true, private: true })
  })

  it('keep none of what the playground said once handled', async () => {
    await svc.say('D1002', 'web-team-dg', '诉求 更衣室的灯坏了')
    const rows = await svc.db.inboundEvent.findMany({ where: { status: 'done' } })
    expect(rows.length).toBeGreaterThan(1)
    for (const row of rows) {
      expect(row.payload).not.toContain('更衣室')
      expect(row.payload).not.toContain('D1002')
    }
  })
})

describe('sent messages', () => {
  it('lose their contents RETENTION_DAYS after they were sent; newer ones keep theirs', async () => {
    const old = await svc.db.outboxMessage.findMany({ where: { status: 'sent' } })
    expect(old.length).toBeGreaterThan(0)
    expect(old.some((r) => r.payload.includes('更衣室'))).toBe(true)

    clock.set(new Date(clock.now().getTime() + 29 * DAY))
    await runJob(svc, clock, 'privacy:retention')
    // Not yet 30 days: every content is still there.
    for (const r of await svc.db.outboxMessage.findMany({ where: { id: { in: old.map((o) => o.id) } } }))
      expect(r.payload).toBe(old.find((o) => o.id === r.id)!.payload)

    clock.set(new Date(clock.now().getTime() + 2 * DAY))
    const fresh = await svc.say('D1003', 'dm', '诉求 班车太早了')
    expect(fresh.length).toBeGreaterThan(0)
    await runJob(svc, clock, 'privacy:retention')
    const after = await svc.db.outboxMessage.findMany({ where: { status: 'sent' } })
    for (const r of after.filter((r) => old.some((o) => o.id === r.id))) expect(r.payload).toBe('{}')
    const recent = after.filter((r) => !old.some((o) => o.id === r.id))
    expect(recent.some((r) => r.payload.includes('班车太早了'))).toBe(true)
    // The rows themselves stay: their keys keep a late retry from sending twice.
    expect(after.length).toBe(old.length + recent.length)
  })
})
