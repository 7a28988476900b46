/**
 * Deadlines of polls as people notice them: a reminder to those who have not voted (never to
 * voters), the automatic close with the results posted exactly once — also with two instances.
 * Time is a ManualClock; the real schedule is pushed out of reach (NO_CRON) except where a test
 * checks that the scheduler really fires.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import { reminderTimes } from '../../src/polls/jobs.js'
import { testProvider } from '../helpers/db.js'
import { waitUntil } from '../helpers/metrics.js'
import { HOUR, inChat, MINUTE, privateTo, recipientsOf, runJob, Services, settle, startPoll, text, unlessBusy } from './helpers.js'

const services = new Services()
afterEach(() => services.stopAll())

/** Wednesday 2026-03-04 10:00 in Shanghai; 周五18:00 is 56 hours later. */
const WED_10 = new Date('2026-03-04T02:00:00Z')
const FRI_18 = new Date('2026-03-06T10:00:00Z')

async function mentionsIn(svc: Awaited<ReturnType<Services['start']>>, chatId: string, part: string): Promise<string[][]> {
  const rows = await svc.db.outboxMessage.findMany({ where: { target: chatId }, orderBy: { id: 'asc' } })
  return rows
    .map((r) => JSON.parse(r.payload) as { text: string; mentions?: { name: string }[] })
    .filter((p) => p.text.includes(part))
    .map((p) => (p.mentions ?? []).map((m) => m.name))
}

describe('reminder times', () => {
  it('the first when 80% of the time has passed or 2 hours before, whichever is first (2 hours before only past half-way)', () => {
    const at = (h: number) => new Date(WED_10.getTime() + h * HOUR)
    expect(reminderTimes(WED_10, at(56), 1)).toEqual([at(56 * 0.8)])
    expect(reminderTimes(WED_10, at(8), 1)).toEqual([at(6)]) // 2 hours before beats 80% (6.4 h)
    expect(reminderTimes(WED_10, at(1), 1)).toEqual([at(0.8)])
    expect(reminderTimes(WED_10, at(3), 1)).toEqual([at(2.4)]) // 2 h before would be 1 h, before half-way: 80%
    expect(reminderTimes(WED_10, at(10), 2)).toEqual([at(8), at(9)])
    expect(reminderTimes(WED_10, at(10), 0)).toEqual([])
  })
})

describe('reminders', () => {
  it('a named poll: once, in the team group, mentioning exactly those who have not voted', async () => {
    const clock = new ManualClock(WED_10)
    const svc = await services.start(clock)
    const { number } = await startPoll(svc, 'D2001', 'web-team-dg', '发起投票 周末加班意愿 | 愿意 | 不愿意 | 看情况 截止 周五18:00')
    await svc.say('D1002', 'web-team-dg', `投票 ${number} 1`)
    await svc.say('D1003', 'dm', `投票 ${number} 2`)

    // Before 80% of the time (Friday 06:48): nothing.
    clock.set(new Date(WED_10.getTime() + 0.8 * 56 * HOUR - MINUTE))
    await runJob(svc, clock, 'polls:remind')
    expect(await inChat(svc, 'web-team-dg', '投票提醒')).toEqual([])

    clock.advance(2 * MINUTE)
    await runJob(svc, clock, 'polls:remind')
    const reminders = await inChat(svc, 'web-team-dg', '【投票提醒】')
    expect(reminders).toHaveLength(1)
    expect(reminders[0]).toContain(`${number}“周末加班意愿”将于 2026-03-06 18:00 截止，以下同事还没投票：@何平 @李明 @刘洋`)
    expect(reminders[0]).not.toMatch(/张伟|王芳/)
    expect(await mentionsIn(svc, 'web-team-dg', '【投票提醒】')).toEqual([['何平', '李明', '刘洋']])
    // Nobody privately: the group reaches them all. Voters hear nothing.
    expect(await recipientsOf(svc, '投票提醒')).toEqual([])

    // At most POLL_MAX_REMINDERS (1): not again.
    await runJob(svc, clock, 'polls:remind')
    clock.advance(5 * HOUR)
    await runJob(svc, clock, 'polls:remind')
    expect(await inChat(svc, 'web-team-dg', '【投票提醒】')).toHaveLength(1)
    expect((await svc.db.poll.findUniqueOrThrow({ where: { number } })).remindersSent).toBe(1)
  })

  it('an anonymous poll: privately, to non-voters only; the group is nudged without names', async () => {
    const clock = new ManualClock(WED_10)
    const svc = await services.start(clock, { POLL_MAX_REMINDERS: '2' })
    const { number } = await startPoll(svc, 'D3001', 'dm', '发起投票 对食堂满意吗 | 满意 | 不满意 匿名 范围 一车间/电工班 截止 明天10:00')
    await svc.say('D1002', 'web-team-dg', `投票 ${number} 1`)
    await svc.say('D1003', 'web-team-dg', `投票 ${number} 2`)

    // 24 hours, two reminders: the first at 80% (19.2 h, before 2 hours ahead), the second half-way from there (21.6 h).
    clock.set(new Date(WED_10.getTime() + 20 * HOUR))
    await runJob(svc, clock, 'polls:remind')
    expect(await recipientsOf(svc, '【投票提醒】')).toEqual(['D1001', 'D1004', 'D2001'])
    expect(await privateTo(svc, 'D1004', `【投票提醒】${number}“对食堂满意吗”将于 2026-03-05 10:00 截止，您还没有投票`)).toHaveLength(1)
    const nudge = await inChat(svc, 'web-team-dg', '【投票提醒】')
    expect(nudge).toEqual([`【投票提醒】${number}“对食堂满意吗”将于 2026-03-05 10:00 截止，本群还有 3 位同事没投票，已私聊提醒。`])
    expect(await mentionsIn(svc, 'web-team-dg', '【投票提醒】')).toEqual([[]])

    // The second (of 2) reminders, after one more person voted: only the two left.
    await svc.say('D1004', 'dm', `投票 ${number} 1`)
    clock.set(new Date(WED_10.getTime() + 22 * HOUR))
    await runJob(svc, clock, 'polls:remind')
    expect(await recipientsOf(svc, '【投票提醒】')).toEqual(['D1001', 'D1001', 'D1004', 'D2001', 'D2001'])
    expect(await inChat(svc, 'web-team-dg', '【投票提醒】')).toHaveLength(2)
  })
})

describe('closing at the deadline', () => {
  it('closes the poll and posts the results to its groups once, with names only to the creator', async () => {
    const clock = new ManualClock(WED_10)
    const svc = await services.start(clock)
    const { number } = await startPoll(svc, 'D3001', 'dm', '发起投票 周末加班意愿 | 愿意 | 不愿意 | 看情况 范围 一车间 截止 周五18:00')
    for (const [who, choice] of [
      ['D1002', 1],
      ['D1003', 1],
      ['D1006', 2],
      ['D1007', 3],
    ] as const)
      await svc.say(who, 'dm', `投票 ${number} ${choice}`)

    clock.set(new Date(FRI_18.getTime() - MINUTE))
    await runJob(svc, clock, 'polls:close')
    expect((await svc.db.poll.findUniqueOrThrow({ where: { number } })).status).toBe('open')

    clock.set(new Date(FRI_18.getTime() + MINUTE))
    await runJob(svc, clock, 'polls:close')
    await runJob(svc, clock, 'polls:close')
    const poll = await svc.db.poll.findUniqueOrThrow({ where: { number } })
    expect(poll.status).toBe('closed')
    expect(poll.closedAt?.toISOString()).toBe(clock.now().toISOString())
    for (const chat of ['web-team-dg', 'web-team-qg']) {
      const posted = await inChat(svc, chat, `【投票结束】${number}`)
      expect(posted).toHaveLength(1)
      expect(posted[0]).toContain('愿意\u3000\u3000█████░░░░░ 2票 50%')
      expect(posted[0]).toContain('不愿意\u3000███░░░░░░░ 1票 25%')
      expect(posted[0]).toContain('共 4 人投票，应投 11 人')
      expect(posted[0]).not.toMatch(/张伟|王芳|杨帆|赵磊/)
    }
    const toCreator = await privateTo(svc, 'D3001', `【投票结束】${number}`)
    expect(toCreator).toHaveLength(1)
    expect(toCreator[0]).toContain('1. 愿意：张伟、王芳')
    // A card with the same goes with it.
    const card = await svc.db.webMessage.findFirstOrThrow({ where: { chatId: 'web-team-dg', text: { contains: `【投票结束】${number}` } } })
    expect(JSON.parse(card.card!)).toMatchObject({ title: `投票结果 ${number} 周末加班意愿（已截止）`, tone: 'done' })

    expect(text(await svc.say('D1004', 'dm', `投票 ${number} 1`))).toBe(`投票 ${number} 已经截止，不能再投了。发送“投票结果 ${number}”查看结果。`)
    expect(text(await svc.say('D1004', 'dm', `投票结果 ${number}`))).toContain('（已截止）')
  })

  it('结束投票: the creator closes it early; nobody else but an officer over it or an administrator', async () => {
    const clock = new ManualClock(WED_10)
    const svc = await services.start(clock)
    const { number } = await startPoll(svc, 'D2001', 'web-team-dg', '发起投票 班组聚餐 | 周五 | 周六')
    expect(text(await svc.say('D2002', 'dm', `结束投票 ${number}`))).toContain(`只有发起人、负责的工会干部或管理员可以结束 ${number}`)
    const closed = await svc.say('D2001', 'web-team-dg', `结束投票 ${number}`)
    expect(text(closed)).toContain(`已结束 ${number}，结果已发到各群。`)
    expect(closed.filter((r) => r.chat === 'web-team-dg' && r.text.startsWith('【投票结束】'))).toHaveLength(1)
    expect(text(await svc.say('D9000', 'dm', `结束投票 ${number}`))).toBe(`${number} 已经结束了。`)
    await runJob(svc, clock, 'polls:close')
    expect(await inChat(svc, 'web-team-dg', `【投票结束】${number}`)).toHaveLength(1)
  })

  it('two instances closing at the same moment post the results once', async () => {
    const clock = new ManualClock(WED_10)
    const first = await services.start(clock)
    const { number } = await startPoll(first, 'D3001', 'dm', '发起投票 周末加班意愿 | 愿意 | 不愿意 范围 一车间 截止 周五18:00')
    await first.say('D1002', 'dm', `投票 ${number} 1`)
    clock.set(new Date(FRI_18.getTime() + MINUTE))
    // On PostgreSQL: two services (two connection pools) on one database. On SQLite, several
    // instances are not a supported deployment (PRODUCT.md: they run on PostgreSQL), and two
    // clients on one file fail each other's transactions with SQLITE_BUSY (libsql does not wait),
    // so there the runs go to ONE service, at once (its client serialises the transactions).
    const second = testProvider === 'postgresql' ? await services.start(clock, {}, first.config.DATABASE_URL) : first
    await Promise.all([
      first.scheduler.runNow('polls:close'),
      second.scheduler.runNow('polls:close'),
      first.scheduler.runNow('polls:close'),
      second.scheduler.runNow('polls:close'),
    ])
    await settle(first, clock)
    await Promise.all([first.scheduler.runNow('polls:close'), second.scheduler.runNow('polls:close')])
    await settle(first, clock)

    const poll = await first.db.poll.findUniqueOrThrow({ where: { number } })
    expect(poll.status).toBe('closed')
    expect(await inChat(first, 'web-team-dg', `【投票结束】${number}`)).toHaveLength(1)
    expect(await inChat(first, 'web-team-qg', `【投票结束】${number}`)).toHaveLength(1)
    expect(await privateTo(first, 'D3001', `【投票结束】${number}`)).toHaveLength(1)
    expect(await first.db.outboxMessage.count({ where: { key: { startsWith: `job:poll-close:${poll.id}:` } } })).toBe(3)
  })

  it('the scheduler really fires the close', async () => {
    const clock = new ManualClock(WED_10)
    const svc = await services.start(clock, {}, undefined, { schedules: { 'polls:remind': '* * * * * *', 'polls:close': '* * * * * *' } })
    expect(svc.scheduler.jobNames()).toEqual(expect.arrayContaining(['polls:remind', 'polls:close']))
    const { number } = await startPoll(svc, 'D2001', 'web-team-dg', '发起投票 班组聚餐 | 周五 | 周六 截止 1小时后')
    clock.advance(HOUR + MINUTE)
    await waitUntil('the poll to close', async () => (await unlessBusy(() => svc.db.poll.findUniqueOrThrow({ where: { number } })))?.status === 'closed')
    await svc.scheduler.stop()
    await settle(svc, clock)
    expect((await svc.db.poll.findUniqueOrThrow({ where: { number } })).status).toBe('closed')
    expect(await inChat(svc, 'web-team-dg', `【投票结束】${number}`)).toHaveLength(1)
  })
})
