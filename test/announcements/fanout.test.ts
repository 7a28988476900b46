/**
 * A fan-out to 500 groups on two fake platforms that throttle like Feishu (5/s per chat, 50/s
 * per app) and WeCom group robots (20/min per chat): every limit kept, and every group shown the
 * announcement exactly once even though the instance sending it stops half-way and another
 * takes over. (At 50/s the Feishu half alone takes five seconds: the one slow test here.)
 */
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/client.js'
import { FakeTarget, FakeTargetAdapter } from '../helpers/fake-target.js'
import { forget, ManualClock, MINUTE, MONDAY_9AM, sleep, start, text } from './helpers.js'

const GROUPS_PER_PLATFORM = 250
const feishuLimits = { perTarget: [{ count: 5, perMs: 1000 }], perPlatform: [{ count: 50, perMs: 1000 }] }
const wecomLimits = { perTarget: [{ count: 20, perMs: 60_000 }], perPlatform: [{ count: 600, perMs: 60_000 }] }

let fakes: FakeTarget[] = []
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.stop()
})

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

/** How many times the platform accepted each key. */
function acceptedPerKey(fake: FakeTarget): Map<string, number> {
  const counts = new Map<string, number>()
  for (const r of fake.requests) if (r.status === 200) counts.set(r.key, (counts.get(r.key) ?? 0) + 1)
  return counts
}

describe('fan-out to 500 groups', () => {
  it('keeps every platform limit and shows each group the post exactly once across a restart mid-way', { timeout: 120_000 }, async () => {
    const feishu = await new FakeTarget({ perTarget: 5, perApp: 50, windowMs: 1000 }).start()
    const wecom = await new FakeTarget({ perTarget: 20, perApp: 600, windowMs: 60_000 }).start()
    fakes = [feishu, wecom]
    const adapters = () => [new FakeTargetAdapter('feishu', feishu, feishuLimits), new FakeTargetAdapter('wecom', wecom, wecomLimits)]
    // The first instance stops sending the moment it is told to (as a process does when it is
    // killed), rather than finishing the pass it is in while it shuts down.
    let stopped = false
    const stopping = (adapter: FakeTargetAdapter): FakeTargetAdapter =>
      Object.assign(Object.create(adapter) as FakeTargetAdapter, {
        send: (d: Parameters<FakeTargetAdapter['send']>[0]) => (stopped ? Promise.reject(new Error('instance stopping')) : adapter.send(d)),
      })
    const clock = new ManualClock(MONDAY_9AM)
    const first = await start(clock, {}, { adapters: adapters().map(stopping) })

    // 500 groups, half on each platform, bound to the demo's teams and workshops.
    const units = await first.db.unit.findMany({ where: { path: { not: '' } }, orderBy: { id: 'asc' } })
    const groups = Array.from({ length: 2 * GROUPS_PER_PLATFORM }, (_, i) => ({
      platform: i < GROUPS_PER_PLATFORM ? 'feishu' : 'wecom',
      externalId: i < GROUPS_PER_PLATFORM ? `oc_group_${i}` : `wr_group_${i}`,
      name: `第${i + 1}班组群`,
      unitId: units[i % units.length]!.id,
    }))
    await first.db.chatGroup.createMany({ data: groups })

    const answer = text(await first.say('D9000', 'dm', '发布公告 通知 全员安全大会\n周五下午2点在大礼堂召开全员安全大会。\n范围 全部'))
    expect(answer).toContain('范围：全部单位（505 个群）')
    const ann = await first.db.announcement.findUniqueOrThrow({ where: { number: 'N-1' } })
    const keyOf = (platform: string, chatId: string) => `ann:${ann.id}:once:${platform}:${chatId}:0`

    // Stop the instance half-way through the Feishu groups (they go at 50 a second).
    await until(async () => feishu.shown.size >= 60, 30_000, 'the first Feishu sends')
    stopped = true
    forget(first)
    await first.close()
    const look = openDatabase(first.config.DATABASE_URL)
    const sentBeforeRestart = await look.outboxMessage.count({ where: { key: { startsWith: `ann:${ann.id}:` }, status: 'sent' } })
    await look.$disconnect()
    expect(sentBeforeRestart).toBeGreaterThan(0)
    expect(sentBeforeRestart).toBeLessThan(505)

    // Another instance comes up on the same database: once the stopped one's send lease has run
    // out, it sends what is left. (The rate window is let pass first: a limiter lives in memory.)
    await until(async () => feishu.windowClear(), 5_000, "the Feishu fake's rate window to pass")
    clock.advance(MINUTE + 1000)
    const next = await start(clock, {}, { url: first.config.DATABASE_URL, adapters: adapters() })
    await until(
      async () => (await next.db.outboxMessage.count({ where: { key: { startsWith: `ann:${ann.id}:` }, status: 'sent' } })) === 505,
      60_000,
      'every group to be sent',
    )

    for (const fake of [feishu, wecom]) {
      expect(fake.throttled()).toBe(0)
      expect(fake.shown.size).toBe(GROUPS_PER_PLATFORM)
      // Exactly once: no key was accepted twice, the stop and the restart notwithstanding.
      expect([...acceptedPerKey(fake).values()].every((n) => n === 1)).toBe(true)
    }
    expect(feishu.peakPerWindow()).toEqual(expect.objectContaining({ perTarget: 1 }))
    expect(feishu.peakPerWindow().perApp).toBeLessThanOrEqual(50)
    expect(wecom.peakPerWindow().perTarget).toBeLessThanOrEqual(20)
    expect(wecom.peakPerWindow().perApp).toBeLessThanOrEqual(600)
    for (const g of groups) expect((g.platform === 'feishu' ? feishu : wecom).shown.get(keyOf(g.platform, g.externalId))?.target).toBe(g.externalId)
    expect(await next.db.announcementDelivery.count({ where: { announcementId: ann.id } })).toBe(505)
    for (const chat of ['web-team-dg', 'web-team-qg', 'web-team-zp1', 'web-team-zp2', 'web-officers']) {
      expect(await next.db.webMessage.count({ where: { chatId: chat, text: { contains: '全员安全大会' } } })).toBe(1)
    }
    const progress = text(await next.say('D9000', 'dm', '公告进度 N-1'))
    expect(progress).toContain('共 505 个群：已发送 505，待发送 0，失败 0')
  })
})
