/**
 * Acknowledgements, sign-ups with capacity and waitlist, progress and reach, and reminders to
 * those who have not answered.
 */
import { describe, expect, it } from 'vitest'
import { recordReadCount } from '../../src/announcements/index.js'
import { DAY, HOUR, inChat, ManualClock, MINUTE, MONDAY_9AM, privateTo, recipientsOf, runJob, settle, start, text } from './helpers.js'
import type { TestService } from '../helpers/service.js'

/** 一车间's people but its officer 梁秀英 (D3001), who posts: 电工班 then 钳工班. */
const DG = ['D1001', 'D1002', 'D1003', 'D1004', 'D2001']
const QG = ['D1005', 'D1006', 'D1007', 'D1008', 'D2002']

async function status(svc: TestService, employeeNo: string, number = 'N-1'): Promise<string | undefined> {
  const person = await svc.db.person.findUniqueOrThrow({ where: { employeeNo } })
  const ann = await svc.db.announcement.findUniqueOrThrow({ where: { number } })
  return (
    await svc.db.announcementResponse.findUnique({ where: { announcementId_personId_kind: { announcementId: ann.id, personId: person.id, kind: 'signup' } } })
  )?.status
}

describe('acknowledgements and reach', () => {
  it('records 已阅 from a button or a typed command, and shows delivery, reads, acknowledgements by unit and who has not answered', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    await svc.say('D3001', 'dm', '发布公告 安全 安全生产月启动\n请认真学习安全操作规程。\n范围 一车间\n需要已阅\n截止 周五18:00')
    await settle(svc, clock)

    // A button press in the group is answered privately (the group need not hear every 已阅).
    const pressed = await svc.press('D1002', 'web-team-dg', '已阅 N-1')
    expect(pressed).toEqual([expect.objectContaining({ chat: 'dm', to: 'D1002', text: '已确认：您已阅读公告 N-1《安全生产月启动》。谢谢！' })])
    expect(text(await svc.press('D1002', 'web-team-dg', '已阅 N-1'))).toContain('您已经确认过公告 N-1')
    // `已阅` alone in a group means the latest announcement there asking for it.
    expect(text(await svc.say('D1006', 'web-team-qg', '已阅'))).toContain('已确认：您已阅读公告 N-1')
    // Not for 二车间.
    expect(text(await svc.say('D1010', 'dm', '已阅 N-1'))).toContain('不是发给您所在单位的')
    expect(text(await svc.say('D1002', 'dm', '已阅 N-99'))).toContain('没有找到公告 N-99')

    // The Feishu adapter reports read counts by outbox key or by its message id.
    const ann = await svc.db.announcement.findUniqueOrThrow({ where: { number: 'N-1' } })
    const dg = await svc.db.announcementDelivery.findFirstOrThrow({ where: { announcementId: ann.id, target: 'web-team-dg' } })
    expect(await recordReadCount(svc.db, dg.outboxKey, 4)).toBe(true)
    const qgRow = await svc.db.outboxMessage.findFirstOrThrow({ where: { key: { startsWith: `ann:${ann.id}:once:web:web-team-qg` } } })
    expect(await recordReadCount(svc.db, qgRow.platformMessageId!, 3)).toBe(true)
    expect(await recordReadCount(svc.db, 'no-such-message', 3)).toBe(false)

    const progress = text(await svc.say('D3001', 'dm', '公告进度 N-1'))
    expect(progress).toContain('公告 N-1《安全生产月启动》（安全）· 发送中')
    expect(progress).toContain('发送情况：共 2 个群：已发送 2，待发送 0，失败 0')
    expect(progress).toContain('已读：7 人（2 个群由平台上报）')
    expect(progress).toContain('· 电工班工作群（演示平台）：已发送，已读 4')
    expect(progress).toContain('已阅：2/10 人')
    expect(progress).toContain('· 一车间/电工班：1/5')
    expect(progress).toContain('· 一车间/钳工班：1/5')
    const missing = /未回复（8 人）：(.*)/.exec(progress)![1]!.split('、').sort()
    expect(missing).toEqual(['何平', '刘洋', '李明', '王芳', '陈静', '高峰', '赵磊', '黄丽'].sort())
    expect(progress).toContain('截止：2026-03-06 18:00；已提醒 0/1 次')

    // A team officer sees their own team's people only; officers elsewhere and workers see nothing.
    const team = text(await svc.say('D2001', 'dm', '公告进度 N-1'))
    expect(team).toContain('（以下只含您负责的 一车间/电工班 的人员）')
    expect(team).toContain('已阅：1/5 人')
    expect(team).not.toContain('陈静')
    expect(text(await svc.say('D2004', 'dm', '公告进度 N-1'))).toContain('不是您发布的')
    expect(text(await svc.say('D1002', 'dm', '公告进度 N-1'))).toContain('只有工会干部、管理员可以使用')

    // Once the outbox is done the fire job marks it sent; the list shows it.
    await runJob(svc, clock, 'announcements:fire')
    expect(text(await svc.say('D3001', 'dm', '公告列表'))).toContain('N-1【安全】安全生产月启动 · 已发送 · 立即')
    expect(text(await svc.say('D2004', 'dm', '公告列表'))).toContain('还没有您可以查看的公告')
  })
})

describe('sign-ups', () => {
  it('confirms up to the capacity, waitlists the rest, moves the first up when someone cancels and tells them', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    const created = text(await svc.say('D3001', 'dm', '发布公告 活动 周末篮球赛\n周六下午3点，厂体育馆。\n范围 一车间\n报名 名额2 截止 周四18:00'))
    expect(created).toContain('报名（名额 2 人，满员后候补），2026-03-05 18:00 截止')
    await settle(svc, clock)
    const [post] = await inChat(svc, 'web-team-dg', '周末篮球赛')
    expect(post).toContain('报名请回复“报名 N-1”（名额 2 人，满员后进入候补），2026-03-05 18:00 截止')

    expect(text(await svc.press('D1002', 'web-team-dg', '报名 N-1'))).toContain('报名成功：N-1《周末篮球赛》，您是第 1 位（名额 2 人）')
    expect(text(await svc.say('D1003', 'dm', '报名 N-1'))).toContain('您是第 2 位')
    expect(text(await svc.say('D1004', 'web-team-dg', '报名'))).toContain('名额已满，您在候补名单第 1 位')
    expect(text(await svc.say('D1005', 'dm', '报名 N-1'))).toContain('候补名单第 2 位')
    expect(text(await svc.say('D1002', 'dm', '报名 N-1'))).toContain('您已经报名了公告 N-1')
    expect(text(await svc.say('D1006', 'dm', '取消报名 N-1'))).toContain('您没有报名公告 N-1')

    // 王芳 cancels: 刘洋 moves up and is told; 陈静 is first on the waitlist now.
    expect(text(await svc.say('D1003', 'dm', '取消报名 N-1'))).toContain('已取消您对 N-1《周末篮球赛》的报名')
    await settle(svc, clock)
    expect(await privateTo(svc, 'D1004', '您已从候补转为正式报名 N-1')).toHaveLength(1)
    expect(await status(svc, 'D1004')).toBe('confirmed')
    expect(await status(svc, 'D1003')).toBe('cancelled')
    expect(text(await svc.say('D1005', 'dm', '报名 N-1'))).toContain('您已在公告 N-1 的候补名单上（第 1 位）')
    // A waitlisted person cancelling moves nobody.
    expect(text(await svc.say('D1005', 'dm', '取消报名 N-1'))).toContain('已取消')
    await settle(svc, clock)
    expect(await recipientsOf(svc, '转为正式报名')).toEqual(['D1004'])

    const progress = text(await svc.say('D3001', 'dm', '公告进度 N-1'))
    expect(progress).toContain('报名：2/2 人')
    expect(progress).toContain('报名名单：张伟、刘洋')
    expect(progress).toContain('未回复（8 人）')

    // Signing up again after cancelling goes to the back; after the deadline nobody can.
    expect(text(await svc.say('D1003', 'dm', '报名 N-1'))).toContain('候补名单第 1 位')
    clock.set(new Date('2026-03-05T10:01:00Z'))
    expect(text(await svc.say('D1007', 'dm', '报名 N-1'))).toContain('报名已于 2026-03-05 18:00 截止')
  })

  it('never confirms more than the capacity when many sign up at once', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    await svc.say('D3001', 'dm', '发布公告 活动 技能比武\n范围 一车间\n名额 3')
    const people = [...DG, ...QG]
    await Promise.all(people.map((p) => svc.say(p, 'dm', '报名 N-1')))
    const ann = await svc.db.announcement.findUniqueOrThrow({ where: { number: 'N-1' } })
    expect(await svc.db.announcementResponse.count({ where: { announcementId: ann.id, kind: 'signup', status: 'confirmed' } })).toBe(3)
    expect(await svc.db.announcementResponse.count({ where: { announcementId: ann.id, kind: 'signup', status: 'waitlisted' } })).toBe(people.length - 3)
  })
})

describe('reminders', () => {
  it('go to those who have not answered, in their group with a mention, spread before the deadline, never more than allowed', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    // Deadline three days on, two reminders: one after a day, one after two.
    await svc.say('D3001', 'dm', '发布公告 安全 安全承诺书\n请阅读并确认。\n范围 一车间\n需要已阅\n截止 周四9点\n提醒 2次')
    await svc.press('D1002', 'web-team-dg', '已阅 N-1')
    await svc.say('D1006', 'web-team-qg', '已阅')
    await settle(svc, clock)
    const reminders = async (chat: string) => inChat(svc, chat, '【提醒】')

    clock.advance(DAY - MINUTE)
    await runJob(svc, clock, 'announcements:remind')
    expect(await reminders('web-team-dg')).toEqual([])

    clock.advance(2 * MINUTE)
    await runJob(svc, clock, 'announcements:remind')
    await runJob(svc, clock, 'announcements:remind')
    const [dg] = await reminders('web-team-dg')
    expect(await reminders('web-team-dg')).toHaveLength(1)
    expect(dg).toBe('【提醒】何平、李明、王芳、刘洋：公告 N-1《安全承诺书》您还没有回复，请回复“已阅 N-1”（2026-03-05 09:00 截止）。')
    expect((await reminders('web-team-qg'))[0]).toContain('【提醒】高峰、陈静、赵磊、黄丽：')
    // The group message mentions them, for platforms that render mentions natively.
    const row = await svc.db.outboxMessage.findFirstOrThrow({ where: { key: { startsWith: 'ann:1:remind:1:web:web-team-dg' } } })
    expect((JSON.parse(row.payload) as { mentions: { name: string }[] }).mentions.map((m) => m.name)).toEqual(['何平', '李明', '王芳', '刘洋'])
    expect(await recipientsOf(svc, '【提醒】')).toEqual([])

    // 王芳 answers; the second round leaves her out.
    await svc.say('D1003', 'dm', '已阅 N-1')
    clock.advance(DAY)
    await runJob(svc, clock, 'announcements:remind')
    expect((await reminders('web-team-dg'))[1]).toContain('【提醒】何平、李明、刘洋：')
    // Two were allowed: no third, before or after the deadline.
    clock.advance(20 * HOUR)
    await runJob(svc, clock, 'announcements:remind')
    clock.advance(DAY)
    await runJob(svc, clock, 'announcements:remind')
    expect(await reminders('web-team-dg')).toHaveLength(2)
    expect(await reminders('web-team-qg')).toHaveLength(2)
    expect((await svc.db.announcement.findUniqueOrThrow({ where: { number: 'N-1' } })).remindersSent).toBe(2)
  })

  it('go privately where the platform cannot mention people, and a full sign-up chases nobody', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock, { ANNOUNCEMENT_MENTION_PLATFORMS: 'feishu' })
    await svc.say('D2001', 'dm', '发布公告 通知 班组学习\n需要已阅')
    await svc.say('D1002', 'dm', '已阅 N-1')
    await svc.say('D2001', 'dm', '发布公告 活动 拔河比赛\n报名 名额1')
    await svc.say('D1002', 'dm', '报名 N-2')
    // No deadline: the reminder comes a day after the post (ANNOUNCEMENT_REMIND_EVERY_HOURS), once (ANNOUNCEMENT_MAX_REMINDERS).
    clock.advance(DAY + MINUTE)
    await runJob(svc, clock, 'announcements:remind')
    clock.advance(DAY)
    await runJob(svc, clock, 'announcements:remind')
    expect(await recipientsOf(svc, '【提醒】公告 N-1《班组学习》')).toEqual(['D1001', 'D1003', 'D1004'])
    expect(await privateTo(svc, 'D1001', '【提醒】')).toEqual(['【提醒】公告 N-1《班组学习》您还没有回复，请回复“已阅 N-1”。'])
    expect(await inChat(svc, 'web-team-dg', '【提醒】')).toEqual([])
    expect(await recipientsOf(svc, '拔河比赛》您还没有回复')).toEqual([])
  })
})
