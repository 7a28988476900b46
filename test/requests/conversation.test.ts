import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type Reply, type TestService } from '../helpers/service.js'

let svc: TestService

beforeAll(async () => {
  svc = await startTestService()
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

const text = (replies: Reply[]) => replies.map((r) => r.text).join('\n')
const to = (replies: Reply[], employeeNo: string) => replies.filter((r) => r.to === employeeNo)
const numberIn = (s: string) => /SQ-\d{4}-\d{4}/.exec(s)?.[0] ?? ''

async function file(from: string, chat: string, words: string): Promise<{ number: string; replies: Reply[] }> {
  const replies = await svc.say(from, chat, words)
  const number = numberIn(replies[0]?.text ?? '')
  expect(number, `no request number in: ${text(replies)}`).not.toBe('')
  return { number, replies }
}

describe('filing', () => {
  it('a worker files in the team group; the team officer is told privately with a card to accept', async () => {
    const { number, replies } = await file('D1002', 'web-team-dg', '诉求 食堂晚班没有热饭')
    expect(number).toMatch(/^SQ-\d{4}-\d{4}$/)
    // A group is a public place: it hears the number, never the words; the acknowledgement comes privately.
    expect(replies[0]).toMatchObject({ chat: 'web-team-dg' })
    expect(replies[0]!.text).toContain(`已收到诉求 ${number}`)
    expect(
      replies
        .filter((r) => r.chat === 'web-team-dg')
        .map((r) => r.text)
        .join('\n'),
    ).not.toContain('没有热饭')
    expect(to(replies, 'D1002')[0]!.text).toMatch(/已收到您的诉求 SQ-.*（食堂餐饮）.*一车间\/电工班/s)
    const officer = to(replies, 'D2001')
    expect(officer).toHaveLength(1)
    expect(officer[0]!.text).toContain('张伟（D1002）')
    expect(officer[0]!.card?.buttons?.[0]).toEqual(expect.objectContaining({ label: '受理', action: { command: `受理 ${number}` } }))
    // The company's officers' group hears of it too.
    expect(replies.some((r) => r.chat === 'web-officers')).toBe(true)
  })

  it('numbers requests in sequence, unique', async () => {
    const a = await file('D1003', 'dm', '诉求 更衣室的柜子锁坏了')
    const b = await file('D1004', 'dm', '诉求 班车太早了')
    const seq = (n: string) => Number(n.slice(-4))
    expect(seq(b.number)).toBe(seq(a.number) + 1)
  })

  it('guesses the category, and the worker can correct it', async () => {
    const { number, replies } = await file('D1004', 'dm', '诉求 每天早上班车太挤')
    expect(replies[0]!.text).toContain('（通勤）')
    const changed = await svc.say('D1004', 'dm', `改类别 ${number} 食堂`)
    expect(text(changed)).toContain('类别改为“食堂餐饮”')
    expect(text(await svc.say('D1004', 'dm', `改类别 ${number} 火星`))).toMatch(/没有“火星”这个类别。可选：工资待遇、劳动保护/)
  })

  it('a safety hazard is urgent and must be answered within 30 minutes', async () => {
    const { replies } = await file('D1002', 'dm', '诉求 北门配电箱漏电，地上有水')
    expect(replies[0]!.text).toMatch(/（安全隐患，紧急）/)
    expect(to(replies, 'D2001')[0]!.text).toMatch(/^【紧急】新诉求/)
  })

  it('answers an empty request with the right form', async () => {
    expect(text(await svc.say('D1002', 'dm', '诉求'))).toBe('写法：诉求 内容\n例如：诉求 食堂晚班没有热饭')
  })

  it('routes by category: a specialist officer higher up takes a category the team officer does not handle', async () => {
    // 何平 (电工班) handles only 食堂餐饮 from now on; 工资待遇 from 电工班 goes up to 一车间's general officer.
    const heping = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D2001' } })
    const canteen = await svc.db.requestCategory.findUniqueOrThrow({ where: { name: '食堂餐饮' } })
    await svc.db.officerCategory.create({ data: { personId: heping.id, categoryId: canteen.id } })
    try {
      const wages = await file('D1002', 'dm', '诉求 上个月加班费少算了')
      expect(wages.replies[0]!.text).toContain('（工资待遇）')
      expect(to(wages.replies, 'D3001')).toHaveLength(1)
      expect(to(wages.replies, 'D2001')).toHaveLength(0)
      const canteenRequest = await file('D1002', 'dm', '诉求 食堂的菜太咸')
      expect(to(canteenRequest.replies, 'D2001')).toHaveLength(1)
    } finally {
      await svc.db.officerCategory.deleteMany({ where: { personId: heping.id } })
    }
  })
})

describe('an officer works a request to the end, and the worker rates it', () => {
  it('受理 → 回复 → 办结 → 评价, each step reaching the requester, kept on the timeline', async () => {
    const { number, replies } = await file('D1002', 'web-team-dg', '诉求 车间厕所的水龙头一直滴水')
    const button = to(replies, 'D2001')[0]!.card!.buttons![0]!.action.command

    const accepted = await svc.press('D2001', 'dm', button)
    expect(text(to(accepted, 'D2001'))).toContain(`已受理 ${number}`)
    expect(text(to(accepted, 'D1002'))).toContain(`您的诉求 ${number} 已由 何平 受理`)

    const replied = await svc.say('D2001', 'dm', `回复 ${number} 已报修，明天师傅来换`)
    expect(text(to(replied, 'D1002'))).toContain('何平 回复：已报修，明天师傅来换')

    const resolved = await svc.say('D2001', 'dm', `办结 ${number} 水龙头已更换`)
    const ask = to(resolved, 'D1002')[0]!
    expect(ask.text).toContain('处理结果：水龙头已更换')
    expect(ask.card?.buttons?.map((b) => b.action.command)).toContain(`评价 ${number} 5`)

    const rated = await svc.press('D1002', 'dm', `评价 ${number} 5`)
    expect(text(rated)).toContain(`诉求 ${number} 得分 5 分`)
    expect(text(to(rated, 'D2001'))).toContain('5 分')

    const progress = text(await svc.say('D1002', 'dm', `进度 ${number}`))
    expect(progress).toContain('状态：已评价')
    for (const step of ['张伟 提交了诉求', '何平 受理了诉求', '何平 回复：已报修', '何平 办结，处理结果：水龙头已更换', '张伟 评价 5 分'])
      expect(progress).toContain(step)
  })

  it('a low rating reopens the request one level up for review', async () => {
    const { number } = await file('D1003', 'dm', '诉求 车间太热了没有风扇')
    await svc.say('D2001', 'dm', `办结 ${number} 已反映`)
    const rated = await svc.say('D1003', 'dm', `评价 ${number} 2 根本没解决`)
    expect(text(rated)).toContain('已重新打开，交由 一车间 复核')
    expect(text(to(rated, 'D3001'))).toMatch(/申请由您复核。理由：评价 2 分，根本没解决/)
    // The officer below is told where it went, not that it is theirs to review.
    expect(text(to(rated, 'D2001'))).toContain(`诉求 ${number} 已升级到 一车间`)
    expect(text(to(rated, 'D2001'))).not.toContain('交您')
    const request = await svc.db.workerRequest.findUniqueOrThrow({ where: { number }, include: { events: true } })
    expect(request.status).toBe('new')
    expect(request.events.map((e) => e.kind)).toContain('reopened')
  })

  it('驳回 needs a reason and tells the requester why', async () => {
    const { number } = await file('D1004', 'dm', '诉求 想调到白班')
    expect(text(await svc.say('D2001', 'dm', `驳回 ${number}`))).toMatch(/^写法：驳回 诉求编号 理由/)
    const rejected = await svc.say('D2001', 'dm', `驳回 ${number} 调岗请找人事部门`)
    expect(text(to(rejected, 'D1004'))).toContain('理由：调岗请找人事部门')
  })

  it('转办 hands it to another officer; 升级 moves it up; 督办 marks it supervised', async () => {
    const { number } = await file('D1002', 'dm', '诉求 劳保鞋尺码不对')
    const transferred = await svc.say('D2001', 'dm', `转办 ${number} D3001 请车间统一换`)
    expect(text(to(transferred, 'D3001'))).toContain(`何平 把诉求 ${number} 转给您办理：请车间统一换`)
    expect(text(to(transferred, 'D1002'))).toContain('转给 梁秀英 办理')

    const second = await file('D1003', 'dm', '诉求 宿舍热水器坏了')
    const escalated = await svc.say('D2001', 'dm', `升级 ${second.number} 班组解决不了`)
    expect(text(escalated)).toContain(`已把 ${second.number} 升级到 一车间`)
    // Not a new request for the officer upstairs: what it is, why, what happened before, by when.
    const upstairs = to(escalated, 'D3001')
    expect(text(upstairs)).toMatch(/诉求 SQ-\S+ 从 一车间\/电工班 升级到您这里，原因：班组解决不了。\n类别：/)
    expect(text(upstairs)).toMatch(/提交，升级前待受理。\n请在 \S+ \S+ 前受理或回复/)
    expect(upstairs.map((r) => r.card?.title)).toEqual([`升级到您这里的诉求 ${second.number}`])
    expect(text(upstairs)).not.toContain('新诉求')
    expect(to(transferred, 'D3001').map((r) => r.card?.title)).toEqual([`转给您办理的诉求 ${number}`])
    expect(text(to(escalated, 'D1003'))).toContain('已升级到 一车间 办理')

    expect(text(await svc.say('D3001', 'dm', `督办 ${second.number}`))).toContain('列为督办事项')
    expect((await svc.db.workerRequest.findUniqueOrThrow({ where: { number: second.number } })).supervised).toBe(true)
  })

  it('待办 lists the officer’s own queue, oldest first, and only theirs', async () => {
    const queue = text(await svc.say('D2001', 'dm', '待办'))
    expect(queue).toMatch(/您的待办诉求共 \d+ 件/)
    expect(queue).toContain('食堂晚班没有热饭')
    expect(queue).not.toContain('宿舍热水器坏了') // moved up to 一车间
    expect(text(await svc.say('D2003', 'dm', '待办'))).toBe('您没有待办的诉求。')
  })
})

describe('on behalf of a worker', () => {
  it('a collector files for a worker of their grid, who is told', async () => {
    const replies = await svc.say('D1001', 'web-team-dg', '代报 @张伟 劳保 手套磨破了一个月没换')
    const number = numberIn(replies[0]!.text)
    // In the group: the number only; the collector gets the acknowledgement privately.
    expect(replies[0]!.text).toBe(`已收到诉求 ${number}，详情和进展私信发您。`)
    expect(text(replies.filter((r) => r.chat === 'web-team-dg'))).not.toContain('手套')
    expect(text(to(replies, 'D1001'))).toMatch(/已为 张伟 代报诉求 SQ-.*（劳动保护）/s)
    expect(text(to(replies, 'D1002'))).toContain(`网格员 李明 为您代报了诉求 ${number}`)
    // Updates reach the worker and the collector who filed it.
    const accepted = await svc.say('D2001', 'dm', `受理 ${number}`)
    expect(to(accepted, 'D1002')).toHaveLength(1)
    expect(to(accepted, 'D1001')).toHaveLength(1)
    // The grid spans 电工班 and 钳工班: a 钳工班 worker by employee number works too.
    expect(text(await svc.say('D1001', 'dm', '代报 D1006 车床防护罩松了'))).toContain('已为 杨帆 代报诉求')
    expect(text(await svc.say('D1001', 'dm', '网格诉求'))).toContain('手套磨破了')
  })

  it('refuses a worker outside the collector’s grid, and a worker filing for someone else', async () => {
    expect(text(await svc.say('D1001', 'dm', '代报 吴霞 食堂太远'))).toContain('吴霞 不在您负责的网格内')
    expect(text(await svc.say('D1002', 'dm', '代报 王芳 食堂太远'))).toContain('“代报”只有网格员、工会干部、管理员可以使用')
    expect(text(await svc.say('D1001', 'dm', '代报 查无此人 食堂太远'))).toContain('没有找到“查无此人”')
  })
})

describe('permissions', () => {
  it('a worker cannot act as an officer', async () => {
    const { number } = await file('D1002', 'dm', '诉求 工具间的灯坏了')
    expect(text(await svc.say('D1003', 'dm', `受理 ${number}`))).toContain('“受理”只有工会干部、管理员可以使用')
  })

  it('an officer cannot act outside their part of the organisation', async () => {
    const { number } = await file('D1002', 'dm', '诉求 休息室没有热水')
    expect(text(await svc.say('D2003', 'dm', `受理 ${number}`))).toBe(`诉求 ${number} 不在您负责的范围内。`)
    // The workshop officer above can.
    expect(text(await svc.say('D3001', 'dm', `受理 ${number}`))).toContain(`已受理 ${number}`)
  })

  it('a worker cannot see or rate someone else’s request', async () => {
    const { number } = await file('D1002', 'dm', '诉求 想申请困难补助')
    expect(text(await svc.say('D1004', 'dm', `进度 ${number}`))).toContain('不是您提交的')
    expect(text(await svc.say('D1004', 'dm', `评价 ${number} 1`))).toContain('不是您提交的')
    expect(text(await svc.say('D1002', 'dm', `进度 SQ-1999-0001`))).toContain('没有找到诉求 SQ-1999-0001')
  })

  it('我的诉求 lists the asker’s own requests', async () => {
    const mine = text(await svc.say('D1004', 'dm', '我的诉求'))
    expect(mine).toContain('班车太早了')
    expect(mine).not.toContain('食堂晚班没有热饭')
    expect(text(await svc.say('D1016', 'dm', '我的诉求'))).toContain('您还没有提交过诉求')
  })
})
