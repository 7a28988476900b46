/**
 * Timed and recurring announcements on a controllable clock: they fire when due and once,
 * can be edited, cancelled and paused before they fire, and fire once across instances.
 */
import { describe, expect, it } from 'vitest'
import { dueSlot } from '../../src/announcements/jobs.js'
import { scrape, waitUntil } from '../helpers/metrics.js'
import { DAY, HOUR, inChat, ManualClock, MINUTE, MONDAY_9AM, runJob, settle, start, testProvider, text, unlessBusy } from './helpers.js'

/** Monday 2 March 2026, 07:00 in Asia/Shanghai. */
const MONDAY_7AM = new Date('2026-03-01T23:00:00Z')
/** 07:50 that Monday. */
const MONDAY_0750 = new Date('2026-03-01T23:50:00Z')
const WEEK = 7 * DAY

describe('timed announcements', () => {
  it('fire at their time, once; before that they can be edited or cancelled', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    const created = text(await svc.say('D3001', 'dm', '发布公告 通知 职代会通知\n周三召开职代会，请代表准时参加。\n时间 明天9点'))
    expect(created).toContain('已创建公告 N-1《职代会通知》（通知）')
    expect(created).toContain('发送：定时 2026-03-03 09:00')
    await runJob(svc, clock, 'announcements:fire')
    expect(await inChat(svc, 'web-team-dg', '职代会通知')).toEqual([])

    // Moved to Wednesday 10:00 before it went out.
    expect(text(await svc.say('D3001', 'dm', '修改公告 N-1 时间 周三10:00'))).toContain('已修改公告 N-1《职代会通知》。发送：定时 2026-03-04 10:00')
    expect(text(await svc.say('D2001', 'dm', '修改公告 N-1 时间 周四10:00'))).toContain('不是您发布的')
    clock.set(new Date('2026-03-03T01:01:00Z')) // Tuesday 09:01: the old time
    await runJob(svc, clock, 'announcements:fire')
    expect(await inChat(svc, 'web-team-dg', '职代会通知')).toEqual([])

    clock.set(new Date('2026-03-04T02:00:00Z')) // Wednesday 10:00
    await runJob(svc, clock, 'announcements:fire')
    await runJob(svc, clock, 'announcements:fire')
    expect(await inChat(svc, 'web-team-dg', '职代会通知')).toHaveLength(1)
    expect(await inChat(svc, 'web-team-qg', '职代会通知')).toHaveLength(1)
    // Sent: it can no longer be cancelled or changed; once the outbox is done it is marked sent.
    expect(text(await svc.say('D3001', 'dm', '取消公告 N-1'))).toContain('已经发出，不能取消了')
    expect(text(await svc.say('D3001', 'dm', '修改公告 N-1 时间 周五10:00'))).toContain('已经发出，不能修改了')
    await runJob(svc, clock, 'announcements:fire')
    expect((await svc.db.announcement.findUniqueOrThrow({ where: { number: 'N-1' } })).status).toBe('sent')

    // Cancelled before its time: never sent.
    expect(text(await svc.say('D3001', 'dm', '发布公告 通知 停水\n时间 明天8点'))).toContain('N-2')
    expect(text(await svc.say('D3001', 'dm', '取消公告 N-2'))).toContain('已取消公告 N-2《停水》')
    expect(text(await svc.say('D3001', 'dm', '修改公告 N-2 时间 后天8点'))).toContain('已经取消了')
    clock.advance(2 * DAY)
    await runJob(svc, clock, 'announcements:fire')
    expect(await inChat(svc, 'web-team-dg', '停水')).toEqual([])
    const cancelled = await svc.db.announcement.findUniqueOrThrow({ where: { number: 'N-2' } })
    expect(cancelled.status).toBe('cancelled')
    expect(await svc.db.announcementDelivery.count({ where: { announcementId: cancelled.id } })).toBe(0)
  })

  it('can be edited to go out at once, and edits are checked like new ones', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    await svc.say('D3001', 'dm', '发布公告 安全 安全培训\n时间 周五14:00\n范围 电工班')
    expect(text(await svc.say('D3001', 'dm', '修改公告 N-1 范围 二车间'))).toContain('“二车间”不在您负责的范围')
    expect(text(await svc.say('D3001', 'dm', '修改公告 N-1 时间 周八'))).toContain('没看懂时间')
    expect(text(await svc.say('D3001', 'dm', '修改公告 N-1 地点 大礼堂'))).toContain('不是可以修改的选项')
    expect(text(await svc.say('D3001', 'dm', '修改公告 N-1\n标题 安全培训（改到大礼堂）\n正文\n地点：大礼堂\n请带笔记本'))).toContain(
      '已修改公告 N-1《安全培训（改到大礼堂）》',
    )
    expect(text(await svc.say('D3001', 'dm', '修改公告 N-1 时间 立即'))).toContain('并立即发往 1 个群')
    await settle(svc, clock)
    expect(await inChat(svc, 'web-team-dg', '安全培训')).toEqual(['【安全】安全培训（改到大礼堂）\n地点：大礼堂\n请带笔记本'])
  })
})

describe('recurring announcements', () => {
  it('post once per slot of the cron schedule, in GONGYOU_TIMEZONE; paused slots are skipped and not made up', async () => {
    const clock = new ManualClock(MONDAY_7AM)
    const svc = await start(clock)
    const created = text(await svc.say('D3001', 'dm', '发布公告 安全 班前安全提醒\n上岗前检查劳保用品，严禁违章作业。\n每周一 07:50'))
    expect(created).toContain('发送：每周一 07:50')
    expect(created).toContain('下次发送：2026-03-02 07:50')
    expect((await svc.db.announcement.findFirstOrThrow()).cron).toBe('50 7 * * 1')
    const posts = async () => (await inChat(svc, 'web-team-dg', '班前安全提醒')).length

    clock.set(new Date(MONDAY_0750.getTime() - MINUTE))
    await runJob(svc, clock, 'announcements:fire')
    expect(await posts()).toBe(0)
    clock.set(MONDAY_0750)
    await runJob(svc, clock, 'announcements:fire')
    clock.advance(5 * MINUTE)
    await runJob(svc, clock, 'announcements:fire')
    expect(await posts()).toBe(1)
    expect(await inChat(svc, 'web-team-qg', '班前安全提醒')).toHaveLength(1)
    expect(await inChat(svc, 'web-team-zp1', '班前安全提醒')).toHaveLength(0)

    // A run a little late (the instance was busy or down) still posts the slot it missed, once.
    clock.set(new Date(MONDAY_0750.getTime() + WEEK + 3 * HOUR))
    await runJob(svc, clock, 'announcements:fire')
    await runJob(svc, clock, 'announcements:fire')
    expect(await posts()).toBe(2)
    const firings = await svc.db.announcementDelivery.groupBy({ by: ['firing'], where: { target: 'web-team-dg' } })
    expect(firings.map((f) => f.firing).sort()).toEqual([MONDAY_0750.toISOString(), new Date(MONDAY_0750.getTime() + WEEK).toISOString()])

    // Paused over the third Monday: nothing; resumed after it: not made up; the fourth goes out.
    expect(text(await svc.say('D3001', 'dm', '暂停公告 N-1'))).toContain('已暂停公告 N-1')
    clock.set(new Date(MONDAY_0750.getTime() + 2 * WEEK))
    await runJob(svc, clock, 'announcements:fire')
    expect(await posts()).toBe(2)
    clock.advance(HOUR)
    expect(text(await svc.say('D3001', 'dm', '恢复公告 N-1'))).toContain('下次发送：2026-03-23 07:50')
    await runJob(svc, clock, 'announcements:fire')
    expect(await posts()).toBe(2)
    clock.set(new Date(MONDAY_0750.getTime() + 3 * WEEK))
    await runJob(svc, clock, 'announcements:fire')
    expect(await posts()).toBe(3)

    const progress = text(await svc.say('D3001', 'dm', '公告进度 N-1'))
    expect(progress).toContain('公告 N-1《班前安全提醒》（安全）· 定期发送中')
    expect(progress).toContain('已发送次数：3 次，最近一次 2026-03-23 07:50')
    expect(progress).toContain('共 2 个群：已发送 2，待发送 0，失败 0')
    // Not a one-off: pausing needs a recurring one; cancelling stops it.
    expect(text(await svc.say('D3001', 'dm', '取消公告 N-1'))).toContain('已取消公告 N-1')
    clock.advance(WEEK)
    await runJob(svc, clock, 'announcements:fire')
    expect(await posts()).toBe(3)
  })

  it('reads cron expressions and Chinese recurrences alike; a slot missed by more than a day is skipped', async () => {
    const clock = new ManualClock(MONDAY_7AM)
    const svc = await start(clock)
    expect(text(await svc.say('D3001', 'dm', '发布公告 安全 周报\n定时 cron 0 8 * * 1-5'))).toContain('发送：工作日 08:00')
    expect(text(await svc.say('D3001', 'dm', '发布公告 关爱 月度慰问\n每月1、15日 下午3点'))).toContain('发送：每月1、15日 15:00')
    expect(text(await svc.say('D3001', 'dm', '暂停公告 N-3'))).toContain('没有找到公告 N-3')
    const ann = await svc.db.announcement.findFirstOrThrow({ where: { number: 'N-1' } })
    // Down from Monday 07:00 to Wednesday 09:00: Monday's and Tuesday's slots are too old, Wednesday's is posted.
    const wednesday9 = new Date(MONDAY_7AM.getTime() + 2 * DAY + 2 * HOUR)
    expect(dueSlot(ann, 'Asia/Shanghai', wednesday9)).toEqual(new Date('2026-03-04T00:00:00Z'))
    clock.set(wednesday9)
    await runJob(svc, clock, 'announcements:fire')
    expect(await inChat(svc, 'web-team-dg', '周报')).toHaveLength(1)
    expect(await inChat(svc, 'web-team-dg', '月度慰问')).toHaveLength(0)
  })
})

describe('exactly once across instances', () => {
  it('two instances firing at the same moment post each slot to each group once', async () => {
    const clock = new ManualClock(MONDAY_7AM)
    const first = await start(clock)
    await first.say('D3001', 'dm', '发布公告 安全 班前安全提醒\n每周一 07:50')
    await first.say('D3001', 'dm', '发布公告 通知 职代会通知\n时间 今天8点')
    await first.say('D9000', 'dm', '发布公告 关爱 送温暖\n范围 全部\n时间 今天7:55')
    clock.set(new Date(MONDAY_0750.getTime() + 10 * MINUTE))
    // On PostgreSQL: two services (two connection pools) on one database. On SQLite, several
    // instances are not a supported deployment (PRODUCT.md: they run on PostgreSQL), and two
    // clients on one file fail each other's transactions with SQLITE_BUSY (libsql does not wait),
    // so there the runs go to ONE service, at once (its client serialises the transactions).
    const second = testProvider === 'postgresql' ? await start(clock, {}, { url: first.config.DATABASE_URL }) : first
    await Promise.all([
      first.scheduler.runNow('announcements:fire'),
      second.scheduler.runNow('announcements:fire'),
      first.scheduler.runNow('announcements:fire'),
      second.scheduler.runNow('announcements:fire'),
    ])
    await settle(first, clock)
    await Promise.all([first.scheduler.runNow('announcements:fire'), second.scheduler.runNow('announcements:fire')])
    await settle(first, clock)

    for (const chat of ['web-team-dg', 'web-team-qg']) {
      expect(await inChat(first, chat, '班前安全提醒')).toHaveLength(1)
      expect(await inChat(first, chat, '职代会通知')).toHaveLength(1)
    }
    for (const chat of ['web-team-dg', 'web-team-qg', 'web-team-zp1', 'web-team-zp2', 'web-officers'])
      expect(await inChat(first, chat, '送温暖')).toHaveLength(1)
    expect(await first.db.announcementDelivery.count()).toBe(2 + 2 + 5)
    expect(await first.db.outboxMessage.count({ where: { key: { startsWith: 'ann:' } } })).toBe(2 + 2 + 5)
  })

  it('the scheduler itself fires the job, once across two instances', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const everySecond = { 'announcements:fire': '* * * * * *' }
    const first = await start(clock, {}, { schedules: everySecond })
    const second = await start(clock, {}, { schedules: everySecond, url: first.config.DATABASE_URL })
    await first.say('D3001', 'dm', '发布公告 通知 职代会通知\n时间 今天10点')
    clock.set(new Date(MONDAY_9AM.getTime() + HOUR))
    await waitUntil('the announcement to go to both groups', async () => ((await unlessBusy(() => first.db.announcementDelivery.count())) ?? 0) >= 2)
    // A few more ticks on both instances change nothing: wait until two more slots are claimed, then stop both.
    const claimed = async () => (await unlessBusy(() => first.db.lease.count({ where: { key: { startsWith: 'cron:announcements:fire:' } } }))) ?? 0
    const seen = await claimed()
    await waitUntil('two more ticks', async () => (await claimed()) >= seen + 2)
    await Promise.all([first.scheduler.stop(), second.scheduler.stop()])
    await settle(first, clock)
    expect(await inChat(first, 'web-team-dg', '职代会通知')).toHaveLength(1)
    expect(await inChat(first, 'web-team-qg', '职代会通知')).toHaveLength(1)
    expect(await first.db.announcementDelivery.count()).toBe(2)
    // Each tick ran on one instance only: the runs the two instances counted add up to the slots claimed.
    const slots = await first.db.lease.count({ where: { key: { startsWith: 'cron:announcements:fire:' } } })
    expect(slots).toBeGreaterThanOrEqual(3)
    const runs = (await Promise.all([scrape(first), scrape(second)])).map((m) =>
      m('gongyou_scheduler_runs_total', { job: 'announcements:fire', outcome: 'ok' }),
    )
    expect(runs[0]! + runs[1]!, `runs per instance: ${runs}`).toBe(slots)
  })
})
