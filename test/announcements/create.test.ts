/**
 * Creating announcements: by the chat form and by the exported service function an admin API
 * calls; what reaches which groups; validation answered clearly; scope enforced.
 */
import { describe, expect, it } from 'vitest'
import { announcementInputSchema, announcementSettings, AnnouncementRefusal, createAnnouncement } from '../../src/announcements/index.js'
import { chatsWith, inChat, ManualClock, MONDAY_9AM, numberIn, settle, start, text } from './helpers.js'
import type { TestService } from '../helpers/service.js'

const TEAM_GROUPS = ['web-team-dg', 'web-team-qg', 'web-team-zp1', 'web-team-zp2']

async function publish(svc: TestService, who: string, form: string) {
  return svc.say(who, 'dm', form)
}

describe('creating an announcement by chat', () => {
  it('posts at once to every group bound under the target units, once each, with the body as written', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    const replies = await publish(
      svc,
      'D3001',
      [
        '发布公告 活动 周末篮球赛',
        '周六下午3点，厂体育馆，欢迎大家参加！',
        '时间：周六14:00 集合',
        '范围 一车间',
        '需要已阅',
        '链接 https://example.com/ball',
      ].join('\n'),
    )
    const answer = text(replies)
    expect(answer).toContain('已发布公告 N-1《周末篮球赛》（活动）')
    expect(answer).toContain('范围：一车间（2 个群）')
    expect(answer).toContain('需要已阅')
    await settle(svc, clock)

    // The workshop's two team groups, nothing else.
    expect(await chatsWith(svc, '【活动】周末篮球赛')).toEqual(['web-team-dg', 'web-team-qg'])
    const [post] = await inChat(svc, 'web-team-dg', '周末篮球赛')
    // A "时间：…" line with a colon is the notice's own text, not the sending time.
    expect(post).toBe('【活动】周末篮球赛\n周六下午3点，厂体育馆，欢迎大家参加！\n时间：周六14:00 集合\n链接：https://example.com/ball\n请回复“已阅 N-1”确认。')
    const card = JSON.parse((await svc.db.webMessage.findFirstOrThrow({ where: { chatId: 'web-team-qg', direction: 'out' } })).card ?? '{}') as {
      buttons?: { action: { command: string } }[]
    }
    expect(card.buttons?.map((b) => b.action.command)).toEqual(['已阅 N-1'])

    // One delivery row and one outbox row per group, under the announcement/firing/group key.
    const ann = await svc.db.announcement.findUniqueOrThrow({ where: { number: 'N-1' } })
    const deliveries = await svc.db.announcementDelivery.findMany({ where: { announcementId: ann.id }, orderBy: { target: 'asc' } })
    expect(deliveries.map((d) => d.outboxKey)).toEqual([`ann:${ann.id}:once:web:web-team-dg:0`, `ann:${ann.id}:once:web:web-team-qg:0`])
    expect(await svc.db.outboxMessage.count({ where: { key: { in: deliveries.map((d) => d.outboxKey) }, status: 'sent' } })).toBe(2)
    expect(ann).toMatchObject({ kind: 'activity', requireAck: true, scheduleKind: 'now', link: 'https://example.com/ball' })
  })

  it('answers every problem at once, clearly, and creates nothing', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    const answer = text(await publish(svc, 'D3001', ['发布公告 活动', '范围 二车间', '时间 周八18:00', '报名 名额abc', '链接 www.example.com'].join('\n')))
    expect(answer).toMatch(/^公告没有发布：/)
    expect(answer).toContain('“时间 周八18:00”：没看懂时间')
    expect(answer).toContain('“报名 名额abc”：报名的写法是')
    expect(answer).toContain('“链接 www.example.com”：请写完整的网址')
    expect(answer).toContain('请写上标题')
    expect(answer).toContain('“二车间”不在您负责的范围（一车间）内')
    expect(answer).toContain('发送“发布公告”查看完整写法')

    expect(text(await publish(svc, 'D3001', '发布公告 通知 停水\n明天上午停水\n时间 2026-03-01 08:00'))).toContain('已经过去了')
    expect(text(await publish(svc, 'D3001', '发布公告 安全 班前提醒\n每周一 07:50\n需要已阅'))).toContain('定期发送的公告不能要求已阅或报名')
    expect(text(await publish(svc, 'D3001', '发布公告 安全 班前提醒\n每周八 07:50'))).toContain('看不懂是哪几天')
    // A body line that merely starts like a recurrence stays in the body.
    expect(text(await publish(svc, 'D3001', '发布公告 通知 考勤\n每天8点前到岗签到。\n时间 明天8点'))).toContain('已创建公告 N-1《考勤》')
    expect((await svc.db.announcement.findUniqueOrThrow({ where: { number: 'N-1' } })).body).toBe('每天8点前到岗签到。')
    await svc.db.announcement.deleteMany()
    expect(text(await publish(svc, 'D3001', '发布公告 安全 班前提醒\n定时 cron 50 7 * *'))).toContain('cron 表达式应为 5 段')
    expect(text(await publish(svc, 'D3001', '发布公告 通知 会议\n范围 不存在车间'))).toContain('没有找到单位“不存在车间”')
    expect(text(await publish(svc, 'D3001', '发布公告 通知 会议\n所属活动 2030安康杯'))).toContain('没有名为“2030安康杯”的活动')
    expect(text(await publish(svc, 'D3001', '发布公告 活动 报名\n报名 名额30 截止 周一8:00'))).toContain('已经过去了')
    // The form, when asked for; workers may not post.
    expect(text(await publish(svc, 'D3001', '发布公告'))).toContain('发布公告的写法')
    expect(text(await publish(svc, 'D1002', '发布公告 通知 我也想发'))).toContain('只有工会干部、管理员可以使用')

    await settle(svc, clock)
    expect(await svc.db.announcement.count()).toBe(0)
    expect(await chatsWith(svc, '【')).toEqual([])
  })

  it('keeps officers to their part of the organisation; administrators may post to everyone', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    // 何平 answers for 电工班 only.
    expect(text(await publish(svc, 'D2001', '发布公告 通知 班组会\n范围 一车间'))).toContain('“一车间”不在您负责的范围（一车间/电工班）内')
    expect(text(await publish(svc, 'D2001', '发布公告 通知 班组会\n范围 全部'))).toContain('您负责的是“一车间/电工班”，不能发给全部单位')
    // Without 范围: the officer's own unit.
    expect(text(await publish(svc, 'D2001', '发布公告 通知 班组会\n周三下午开班组会'))).toContain('范围：一车间/电工班（1 个群）')
    // A unit named by its last segment; a unit inside another target adds nothing.
    expect(text(await publish(svc, 'D3001', '发布公告 安全 防暑降温\n范围 钳工班、一车间'))).toContain('范围：一车间（2 个群）')
    // The administrator: everyone (four team groups and the officers' group).
    expect(text(await publish(svc, 'D9000', '发布公告 关爱 送清凉\n范围 全部'))).toContain('范围：全部单位（5 个群）')
    await settle(svc, clock)
    expect(await chatsWith(svc, '班组会')).toEqual(['web-team-dg'])
    expect(await chatsWith(svc, '防暑降温')).toEqual(['web-team-dg', 'web-team-qg'])
    expect(await chatsWith(svc, '送清凉')).toEqual([...TEAM_GROUPS, 'web-officers'].sort())
  })

  it('lists exactly what each role may do', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    const worker = text(await svc.say('D1002', 'dm', '帮助'))
    for (const word of ['已阅 公告编号', '报名 公告编号', '取消报名', '隐患', '不要生日祝福']) expect(worker).toContain(word)
    for (const word of ['发布公告', '公告进度', '创建活动']) expect(worker).not.toContain(word)
    const officer = text(await svc.say('D3001', 'dm', '帮助'))
    for (const word of ['发布公告', '公告进度', '取消公告', '修改公告', '暂停公告', '创建活动']) expect(officer).toContain(word)
  })
})

describe('creating an announcement through the service function (admin API)', () => {
  async function context(svc: TestService, employeeNo: string, now: Date) {
    const actor = await svc.db.person.findUniqueOrThrow({ where: { employeeNo }, include: { unit: true } })
    return (tx: Parameters<Parameters<TestService['db']['$transaction']>[0]>[0]) => ({
      tx,
      now,
      t: svc.core.t,
      settings: announcementSettings(svc.config),
      deliver: (inner: typeof tx, messages: Parameters<TestService['core']['deliver']>[1], keyPrefix: string) =>
        svc.core.deliver(inner, messages, keyPrefix, undefined),
      actor,
    })
  }

  it('validates with the exported schema and refuses in words; creates and schedules valid input', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    const ctx = await context(svc, 'D3001', clock.now())

    expect(announcementInputSchema.safeParse({ title: '' }).success).toBe(false)
    const bad = { kind: 'party', title: '', targets: 'somewhere', schedule: { kind: 'at', at: 'not a date' }, capacity: 0 }
    const refusal = await svc.db.$transaction((tx) => createAnnouncement(ctx(tx), bad)).catch((e: unknown) => e)
    expect(refusal).toBeInstanceOf(AnnouncementRefusal)
    const message = (refusal as Error).message
    for (const part of ['类型应为', '请写上标题', '范围应为单位名称', '发送时间写得不对', '名额应为']) expect(message).toContain(part)

    const outOfScope = await svc.db.$transaction((tx) => createAnnouncement(ctx(tx), { title: '跨车间', targets: ['二车间'] })).catch((e: unknown) => e)
    expect((outOfScope as Error).message).toContain('“二车间”不在您负责的范围')

    const at = new Date(MONDAY_9AM.getTime() + 24 * 60 * 60 * 1000)
    const created = await svc.db.$transaction((tx) =>
      createAnnouncement(ctx(tx), {
        kind: 'safety',
        title: '安全生产月启动',
        body: '请各班组组织学习。',
        targets: ['一车间/钳工班'],
        schedule: { kind: 'at', at: at.toISOString() },
        requireAck: true,
        dueAt: new Date(at.getTime() + 3 * 24 * 60 * 60 * 1000),
      }),
    )
    expect(created.announcement).toMatchObject({
      number: 'N-1',
      kind: 'safety',
      status: 'scheduled',
      scheduleKind: 'at',
      scheduledAt: at,
      requireAck: true,
      maxReminders: 1,
    })
    expect(created.groups).toBe(0)
    expect(created.ack).toContain('定时 2026-03-03 09:00')
    expect(await svc.db.announcementTarget.count({ where: { announcementId: created.announcement.id } })).toBe(1)
    expect(await svc.db.announcementDelivery.count()).toBe(0)

    // Now: posted in the same transaction.
    const now = await svc.db.$transaction((tx) => createAnnouncement(ctx(tx), { title: '今晚停电检修', targets: ['电工班'] }))
    expect(now.groups).toBe(1)
    await settle(svc, clock)
    expect(await chatsWith(svc, '今晚停电检修')).toEqual(['web-team-dg'])
    expect(numberIn([{ chat: '', text: now.ack }])).toBe('N-2')
  })
})
