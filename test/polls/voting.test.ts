/**
 * Voting as people see it: by button or by text, single and multiple choice, changing a vote
 * (or not, when the creator said 不可改), who may vote, one vote per person whichever group or
 * platform it comes from, anonymity, and who sees the results.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import { exportSurveyXlsx } from '../../src/polls/export.js'
import type { TestService } from '../helpers/service.js'
import { FakeTarget, FakeTargetAdapter } from '../helpers/fake-target.js'
import { feishu, Services, settle, startPoll, text } from './helpers.js'

const services = new Services()
const clock = new ManualClock(new Date('2026-03-04T02:00:00Z')) // Wednesday 10:00 in Shanghai
let svc: TestService
let fake: FakeTarget

beforeAll(async () => {
  fake = await new FakeTarget({ perTarget: 50, perApp: 500, windowMs: 1000 }).start()
  svc = await services.start(clock, {}, undefined, { adapters: [new FakeTargetAdapter('feishu', fake, {})] })
})
afterAll(async () => {
  await services.stopAll()
  await fake.stop()
})

async function votes(number: string, on: TestService = svc) {
  const poll = await on.db.poll.findUniqueOrThrow({ where: { number } })
  return on.db.pollVote.findMany({ where: { pollId: poll.id }, orderBy: { id: 'asc' } })
}

/** Everything the bot has said in a playground group, oldest first. */
async function saidIn(chatId: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId }, orderBy: { id: 'asc' } })
  return rows.map((r) => r.text)
}

/** What the bot says in a group while `work` runs. */
async function saidDuring(chatId: string, work: () => Promise<unknown>): Promise<string[]> {
  const before = (await saidIn(chatId)).length
  await work()
  return (await saidIn(chatId)).slice(before)
}

async function personId(employeeNo: string, on: TestService = svc): Promise<number> {
  return (await on.db.person.findUniqueOrThrow({ where: { employeeNo } })).id
}

describe('single choice', () => {
  let number = ''
  beforeAll(async () => {
    ;({ number } = await startPoll(svc, 'D3001', 'dm', '发起投票 周末加班意愿 | 愿意 | 不愿意 | 看情况 范围 一车间 截止 周五18:00'))
  })

  it('a button press in the group is confirmed to the voter privately, with the choice; the group hears nothing', async () => {
    const said = await saidDuring('web-team-dg', async () => {
      const replies = await svc.press('D1002', 'web-team-dg', `投票 ${number} 2`)
      expect(replies).toEqual([{ chat: 'dm', to: 'D1002', text: `投票成功：${number}“周末加班意愿”→ 2. 不愿意。2026-03-06 18:00 截止前可以改票。` }])
    })
    expect(said).toEqual([])
    const rows = await votes(number)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ choices: '2', personId: await personId('D1002') })
  })

  it('a press refused (not eligible, unknown option) is answered privately too, and counts nothing', async () => {
    const zp1 = await saidDuring('web-team-zp1', async () => {
      expect(await svc.press('D1010', 'web-team-zp1', `投票 ${number} 1`)).toEqual([
        { chat: 'dm', to: 'D1010', text: `投票 ${number} 只面向 一车间 的职工，您不在范围内，不能投票。` },
      ])
    })
    const dg = await saidDuring('web-team-dg', async () => {
      // A forged or garbled button value, say.
      expect(await svc.press('D1005', 'web-team-dg', `投票 ${number} 7`)).toEqual([{ chat: 'dm', to: 'D1005', text: '没有选项“7”，请写 1 到 3 之间的编号。' }])
    })
    expect([...zp1, ...dg]).toEqual([])
    expect(await votes(number)).toHaveLength(1)
  })

  it('privately, the answer says what was chosen and until when it can change', async () => {
    const replies = await svc.say('D1003', 'dm', `投票 ${number} 1`)
    expect(text(replies)).toBe(`投票成功：${number}“周末加班意愿”→ 1. 愿意。2026-03-06 18:00 截止前可以改票。`)
  })

  it('a person may change their vote until the deadline, from another group too; still one vote', async () => {
    expect(text(await svc.say('D1002', 'web-team-qg', `投票 ${number} 3`))).toBe(`@张伟 已改票（${number}）。`)
    expect(text(await svc.say('D1002', 'dm', `投票 ${number} 看情况`))).toContain('您的投票没有变化')
    expect((await votes(number)).map((v) => [v.personId, v.choices])).toEqual([
      [await personId('D1002'), '3'],
      [await personId('D1003'), '1'],
    ])
  })

  it('refuses several choices, unknown options and a missing choice, clearly', async () => {
    expect(text(await svc.say('D1004', 'dm', `投票 ${number} 1,2`))).toBe(`投票 ${number} 是单选，只能选 1 项。`)
    expect(text(await svc.say('D1004', 'dm', `投票 ${number} 5`))).toBe('没有选项“5”，请写 1 到 3 之间的编号。')
    expect(text(await svc.say('D1004', 'dm', `投票 ${number} 随便`))).toBe('没有选项“随便”，请写 1 到 3 之间的编号。')
    expect(text(await svc.say('D1004', 'dm', `投票 ${number}`))).toBe(`请写上选项编号（1 到 3），例如：投票 ${number} 1`)
    expect(text(await svc.say('D1004', 'dm', '投票 P-99999 1'))).toContain('没有找到 P-99999')
    expect(text(await svc.say('D1004', 'dm', '投票'))).toMatch(/^写法：投票 投票编号 选项编号/)
    expect(await votes(number)).toHaveLength(2)
  })

  it('only people of the target units may vote; others are told why', async () => {
    expect(text(await svc.say('D1010', 'web-team-zp1', `投票 ${number} 1`))).toBe(`投票 ${number} 只面向 一车间 的职工，您不在范围内，不能投票。`)
    expect(await votes(number)).toHaveLength(2)
  })

  it('results: counts with a bar chart for everyone it is for; names per option only for the creator, and only privately', async () => {
    const forWorker = text(await svc.say('D1004', 'dm', `投票结果 ${number}`))
    expect(forWorker).toContain(`投票结果 ${number} 周末加班意愿（进行中，2026-03-06 18:00 截止）`)
    // Labels padded with full-width spaces to one width, then a full-width space and ten cells.
    expect(forWorker).toContain('\n愿意\u3000\u3000█████░░░░░ 1票 50%\n不愿意\u3000░░░░░░░░░░ 0票 0%\n看情况\u3000█████░░░░░ 1票 50%\n')
    expect(forWorker).toContain('共 2 人投票，应投 11 人，参与率 18%')
    // Two voters in 电工班, fewer than PRIVACY_MIN_GROUP (5): not shown by unit.
    expect(forWorker).toContain('各单位参与：\n一车间：0/1\n一车间/电工班：不足 5 人，不单独显示\n一车间/钳工班：0/5')
    expect(forWorker).not.toMatch(/张伟|王芳/)

    const forCreator = text(await svc.say('D3001', 'dm', `投票结果 ${number}`))
    expect(forCreator).toContain('1. 愿意：王芳')
    expect(forCreator).toContain('3. 看情况：张伟')

    const inGroup = await svc.say('D3001', 'web-team-dg', `投票结果 ${number}`)
    expect(
      inGroup
        .filter((r) => r.chat === 'web-team-dg')
        .map((r) => r.text)
        .join(),
    ).not.toMatch(/张伟|王芳/)
    expect(
      inGroup
        .filter((r) => r.to === 'D3001')
        .map((r) => r.text)
        .join(),
    ).toContain('3. 看情况：张伟')

    expect(text(await svc.say('D1010', 'dm', `投票结果 ${number}`))).toContain('只有发起人、投票范围内的职工和负责的干部可以查看')
  })
})

describe('multiple choice', () => {
  let number = ''
  beforeAll(async () => {
    ;({ number } = await startPoll(svc, 'D2001', 'web-team-dg', '发起投票 食堂换哪个菜：红烧肉、宫保鸡丁、鱼香肉丝、清蒸鱼 多选2'))
  })

  it('takes up to N by text, in any of the forms, and refuses more', async () => {
    expect(text(await svc.say('D1003', 'dm', `投票 ${number} 1,3`))).toContain('→ 1. 红烧肉、3. 鱼香肉丝')
    expect(text(await svc.say('D1003', 'dm', `投票 ${number} 2 4`))).toContain('已改票')
    expect(text(await svc.say('D1003', 'dm', `投票 ${number} 1、2、3`))).toBe('最多只能选 2 项，您选了 3 项。再点一次已选的选项可以取消。')
    expect((await votes(number)).map((v) => v.choices)).toEqual(['2,4'])
  })

  it('card buttons add an option, take it away when pressed again, and stop at the limit; each press is answered privately', async () => {
    const before = (await saidIn('web-team-dg')).length
    expect(await svc.press('D1004', 'web-team-dg', `投票 ${number} +1`)).toEqual([
      { chat: 'dm', to: 'D1004', text: expect.stringMatching(new RegExp(`^投票成功：${number}“食堂换哪个菜”→ 1\\. 红烧肉。`)) },
    ])
    expect(text(await svc.press('D1004', 'web-team-dg', `投票 ${number} +3`))).toMatch(
      new RegExp(`^已改票：${number}“食堂换哪个菜”→ 1\\. 红烧肉、3\\. 鱼香肉丝。`),
    )
    expect(await svc.press('D1004', 'web-team-dg', `投票 ${number} +2`)).toEqual([
      { chat: 'dm', to: 'D1004', text: '最多只能选 2 项，您选了 3 项。再点一次已选的选项可以取消。' },
    ])
    await svc.press('D1004', 'web-team-dg', `投票 ${number} +1`)
    const rows = await votes(number)
    expect(rows.find((v) => v.personId !== null && v.choices !== '2,4')?.choices).toBe('3')
    expect(await svc.press('D1004', 'web-team-dg', `投票 ${number} +3`)).toEqual([
      { chat: 'dm', to: 'D1004', text: `已撤回您在投票 ${number}“食堂换哪个菜”中的选择。` },
    ])
    expect(await votes(number)).toHaveLength(1)
    // The group heard nothing of the presses.
    expect((await saidIn('web-team-dg')).slice(before)).toEqual([])
  })
})

describe('不可改: a vote is final', () => {
  it('refuses a change, but not the same vote again', async () => {
    const { number } = await startPoll(svc, 'D2001', 'web-team-dg', '发起投票 班组聚餐时间 | 周五晚 | 周六中午 不可改 截止 明天18:00')
    // Typed in the group: answered in the group, with a mention and without the choice.
    expect(await svc.say('D1003', 'web-team-dg', `投票 ${number} 1`)).toEqual([{ chat: 'web-team-dg', text: `@王芳 已收到您的投票（${number}）。` }])
    expect(text(await svc.say('D1003', 'dm', `投票 ${number} 2`))).toBe(`您已经投过票了。投票 ${number} 设为投后不可改，不能更改。`)
    // The refusal of a change by button is private, and says it is final.
    expect(await svc.press('D1003', 'web-team-dg', `投票 ${number} 2`)).toEqual([
      { chat: 'dm', to: 'D1003', text: `您已经投过票了。投票 ${number} 设为投后不可改，不能更改。` },
    ])
    expect(text(await svc.say('D1003', 'dm', `投票 ${number} 1`))).toContain('您的投票没有变化')
    expect(await svc.press('D1003', 'web-team-dg', `投票 ${number} 1`)).toEqual([
      { chat: 'dm', to: 'D1003', text: `您的投票没有变化：${number}“班组聚餐时间”→ 1. 周五晚。这次投票投后不可改。` },
    ])
    expect((await votes(number)).map((v) => v.choices)).toEqual(['1'])
  })

  it('a press on the card of a closed poll is answered privately that it is closed', async () => {
    const { number } = await startPoll(svc, 'D2001', 'web-team-dg', '发起投票 班车时间 | 七点 | 七点半')
    await svc.press('D1003', 'web-team-dg', `投票 ${number} 1`)
    expect(text(await svc.say('D2001', 'web-team-dg', `结束投票 ${number}`))).toContain(`已结束 ${number}`)
    const said = await saidDuring('web-team-dg', async () => {
      expect(await svc.press('D1005', 'web-team-dg', `投票 ${number} 2`)).toEqual([
        { chat: 'dm', to: 'D1005', text: `投票 ${number} 已经截止，不能再投了。发送“投票结果 ${number}”查看结果。` },
      ])
    })
    expect(said).toEqual([])
    expect((await votes(number)).map((v) => v.choices)).toEqual(['1'])
  })
})

// On a real organisation (the sample roster; the playground off, its groups through the test chat): demo people are never bound on Feishu.
describe('one vote per person across groups and platforms', () => {
  let real: TestService
  beforeAll(async () => {
    real = await services.start(clock, { GONGYOU_PLAYGROUND: 'false' }, undefined, { adapters: [new FakeTargetAdapter('feishu', fake, {})] })
  })
  it('the same person voting from a web group, another web group, Feishu privately and a Feishu group has one vote', async () => {
    const { number } = await startPoll(real, 'D2001', 'web-team-dg', '发起投票 安全帽换新款 | 换 | 不换 | 无所谓')
    await real.core.receiveAndProcess(feishu('ou_zhangwei', '绑定 D1002 张伟'))
    expect((await real.db.platformIdentity.findMany({ where: { platform: 'feishu', externalId: 'ou_zhangwei' } })).length).toBe(1)

    await real.say('D1002', 'web-team-dg', `投票 ${number} 1`)
    await real.say('D1002', 'web-team-qg', `投票 ${number} 2`)
    await real.core.receiveAndProcess(feishu('ou_zhangwei', `投票 ${number} 3`))
    await real.core.receiveAndProcess(feishu('ou_zhangwei', `投票 ${number} 2`, 'oc_feishu_team', `投票 ${number} 2`))
    await settle(real, clock)

    const rows = await votes(number, real)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ choices: '2', personId: await personId('D1002', real) })
    // Feishu heard the answers privately, with the choice: the typed vote and the press in its group alike; the group heard nothing.
    const shown = [...fake.shown.values()]
    const privately = shown.filter((m) => m.target === 'ou_zhangwei').map((m) => m.text)
    expect(privately.filter((t) => t.includes(number))).toEqual([
      expect.stringContaining(`已改票：${number}“安全帽换新款”→ 3. 无所谓`),
      expect.stringContaining(`已改票：${number}“安全帽换新款”→ 2. 不换`),
    ])
    expect(shown.filter((m) => m.target === 'oc_feishu_team')).toEqual([])
  })
})

describe('anonymous polls', () => {
  it('keep no link from a vote to a person: no person id, an opaque key, no names with choices in any output', async () => {
    const { number } = await startPoll(svc, 'D3001', 'dm', '发起投票 对班长满意吗 | 满意甲 | 不满意乙 匿名 范围 一车间/电工班')
    const voters = { D1002: '满意甲', D1003: '不满意乙', D1004: '满意甲' }
    for (const [who, label] of Object.entries(voters)) await svc.say(who, who === 'D1003' ? 'dm' : 'web-team-dg', `投票 ${number} ${label}`)
    await svc.say('D1004', 'dm', `投票 ${number} 2`) // a change, still anonymous
    await settle(svc, clock)

    const rows = await votes(number)
    expect(rows).toHaveLength(3)
    const people = await svc.db.person.findMany({ where: { employeeNo: { in: Object.keys(voters) } }, include: { identities: true } })
    const plain = people.flatMap((p) => [String(p.id), p.employeeNo, p.name, `person:${p.id}`, ...p.identities.map((i) => i.externalId)])
    for (const row of rows) {
      expect(row.personId).toBeNull()
      expect(row.voterKey).toMatch(/^[0-9a-f]{64}$/)
      for (const id of plain) expect(row.voterKey).not.toBe(id)
      for (const id of plain) expect(row.voterKey.includes(id) && id.length > 3).toBe(false)
    }
    // The results, for the creator too, and every message anyone else received: no name beside a choice.
    const results = text(await svc.say('D3001', 'dm', `投票结果 ${number}`))
    expect(results).toContain('共 3 人投票')
    expect(results).not.toMatch(/张伟|王芳|刘洋|各选项投票人/)
    // The XLSX export of an anonymous poll: counts only, no sheet of voters, no name anywhere.
    const book = new ExcelJS.Workbook()
    await book.xlsx.load((await exportSurveyXlsx(svc.db, rows[0]!.pollId)) as unknown as ArrayBuffer)
    expect(book.worksheets.map((w) => w.name)).toEqual(['汇总', '按单位'])
    const cells: string[] = []
    book.eachSheet((sheet) => sheet.eachRow((row) => cells.push(JSON.stringify(row.values))))
    expect(cells.join()).toContain('满意甲')
    for (const p of people) expect(cells.join()).not.toContain(p.name)
    const outbox = await svc.db.outboxMessage.findMany()
    for (const row of outbox) {
      const payload = JSON.parse(row.payload) as { text: string }
      const names = people.filter((p) => payload.text.includes(p.name))
      if (names.length === 0) continue
      // A message naming a voter is either their own private answer or a group answer without the choice.
      const own = people.find((p) => p.employeeNo === row.target)
      if (row.targetKind === 'user' && own && names.every((p) => p.id === own.id)) continue
      expect(payload.text).not.toMatch(/满意甲|不满意乙/)
    }
  })
})
