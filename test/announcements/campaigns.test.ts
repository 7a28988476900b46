/**
 * Campaigns (安康杯…): creation, announcements filed under one, hazard reports tagged with the
 * running safety campaign; and the built-in birthday greetings with their opt-out.
 */
import { describe, expect, it } from 'vitest'
import { ManualClock, MONDAY_9AM, privateTo, recipientsOf, runJob, settle, start, text } from './helpers.js'

describe('campaigns and hazard reports', () => {
  it('groups announcements under a campaign and files hazard reports as urgent 安全隐患 requests tagged with it', async () => {
    const clock = new ManualClock(MONDAY_9AM)
    const svc = await start(clock)
    // No campaign running yet: the hazard is still an urgent request, just not tagged.
    const early = text(await svc.say('D1003', 'web-team-dg', '隐患 钳工班砂轮机防护罩松动'))
    expect(early).toMatch(/已收到您的诉求 SQ-2026-\d{4}（安全隐患，紧急）/)
    expect(early).not.toContain('已计入')

    expect(text(await svc.say('D9000', 'dm', '创建活动 2026安康杯 安全 2026-03-01 至 2026-12-31'))).toContain(
      '已创建活动“2026安康杯”（安全，2026-03-01 至 2026-12-31）',
    )
    expect(text(await svc.say('D9000', 'dm', '创建活动 2026安康杯 安全'))).toContain('已经有名为“2026安康杯”的活动了')
    expect(text(await svc.say('D9000', 'dm', '创建活动 夏送清凉 关爱 2026-07-01 至 2026-06-01'))).toContain('结束日期不能早于开始日期')
    expect(text(await svc.say('D9000', 'dm', '创建活动 冬送温暖 关爱 2026-02-30 至 2026-03-31'))).toContain('日期“2026-02-30”不对')
    expect(text(await svc.say('D1002', 'dm', '创建活动 我的活动'))).toContain('只有工会干部、管理员可以使用')

    expect(text(await svc.say('D3001', 'dm', '发布公告 安全 安康杯知识竞赛\n范围 一车间\n所属活动 2026安康杯'))).toContain('所属活动：2026安康杯')
    const campaign = await svc.db.campaign.findUniqueOrThrow({ where: { name: '2026安康杯' } })
    expect((await svc.db.announcement.findUniqueOrThrow({ where: { number: 'N-1' } })).campaignId).toBe(campaign.id)

    const replies = await svc.say('D1002', 'web-team-dg', '隐患 配电箱门关不上，电线外露')
    const answer = text(replies)
    expect(answer).toMatch(/已收到您的诉求 (SQ-2026-\d{4})（安全隐患，紧急）/)
    expect(answer).toContain('已计入“2026安康杯”隐患排查')
    expect(answer).toContain('可以接着私聊发现场照片')
    const number = /SQ-2026-\d{4}/.exec(answer)![0]
    const request = await svc.db.workerRequest.findUniqueOrThrow({ where: { number } })
    const category = await svc.db.requestCategory.findUniqueOrThrow({ where: { id: request.categoryId } })
    expect(category.name).toBe('安全隐患')
    expect(request).toMatchObject({ urgent: true, campaignId: campaign.id, content: '配电箱门关不上，电线外露', status: 'new' })
    // The team's officer hears of it at once (urgent: never held by quiet hours).
    await settle(svc, clock)
    expect(await privateTo(svc, 'D2001', `【紧急】新诉求 ${number}（安全隐患）`)).toHaveLength(1)
    expect(text(await svc.say('D1002', 'dm', '隐患'))).toContain('写法：隐患 位置和情况')

    const list = text(await svc.say('D9000', 'dm', '活动列表'))
    expect(list).toContain('2026安康杯（安全） 2026-03-01 至 2026-12-31：公告 1 条，隐患上报 1 件')

    // After the campaign's last day a hazard is no longer counted in it.
    clock.set(new Date('2026-12-31T16:00:00Z')) // 1 January 2027, 00:00 local
    expect(text(await svc.say('D1002', 'dm', '隐患 消防通道堆放杂物'))).not.toContain('已计入')
  })
})

describe('birthday greetings', () => {
  async function setBirthdays(svc: Awaited<ReturnType<typeof start>>, days: Record<string, string>) {
    for (const [employeeNo, birthday] of Object.entries(days)) await svc.db.person.update({ where: { employeeNo }, data: { birthday } })
  }

  it('greets privately on the day, once a year per person, not those who opted out', async () => {
    const clock = new ManualClock(MONDAY_9AM) // 2 March 2026
    const svc = await start(clock)
    await setBirthdays(svc, { D1002: '03-02', D1003: '03-02', D1004: '03-03' })
    expect(text(await svc.say('D1003', 'dm', '不要生日祝福'))).toContain('以后不再给您发生日祝福')

    await runJob(svc, clock, 'announcements:birthdays')
    await runJob(svc, clock, 'announcements:birthdays')
    expect(await recipientsOf(svc, '祝您生日快乐')).toEqual(['D1002'])
    expect((await privateTo(svc, 'D1002', '祝您生日快乐'))[0]).toMatch(/^张伟，祝您生日快乐！/)

    // Opting in again the same day: greeted, once.
    expect(text(await svc.say('D1003', 'dm', '恢复生日祝福'))).toContain('生日那天工会会给您送上祝福')
    await runJob(svc, clock, 'announcements:birthdays')
    await runJob(svc, clock, 'announcements:birthdays')
    expect(await recipientsOf(svc, '祝您生日快乐')).toEqual(['D1002', 'D1003'])

    // The next day, 刘洋; a year on, 张伟 and 王芳 again.
    clock.set(new Date('2026-03-03T01:00:00Z'))
    await runJob(svc, clock, 'announcements:birthdays')
    expect(await recipientsOf(svc, '祝您生日快乐')).toEqual(['D1002', 'D1003', 'D1004'])
    clock.set(new Date('2027-03-02T01:00:00Z'))
    await runJob(svc, clock, 'announcements:birthdays')
    expect(await recipientsOf(svc, '祝您生日快乐')).toEqual(['D1002', 'D1002', 'D1003', 'D1003', 'D1004'])
  })

  it('reads the day in GONGYOU_TIMEZONE and greets 29 February birthdays on the 28th in other years', async () => {
    // 1 March 2027, 07:30 in Shanghai is still 28 February in UTC.
    const clock = new ManualClock(new Date('2027-02-28T23:30:00Z'))
    const svc = await start(clock)
    await setBirthdays(svc, { D1005: '02-29', D1006: '02-28', D1007: '03-01' })
    await runJob(svc, clock, 'announcements:birthdays')
    expect(await recipientsOf(svc, '祝您生日快乐')).toEqual(['D1007'])
    clock.set(new Date('2027-02-28T01:00:00Z'))
    await runJob(svc, clock, 'announcements:birthdays')
    expect(await recipientsOf(svc, '祝您生日快乐')).toEqual(['D1005', 'D1006', 'D1007'])
  })
})
