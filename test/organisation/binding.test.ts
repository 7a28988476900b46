/**
 * Nobody acts as somebody else: a staff role bound by a typed 工号 and 姓名 acts as a worker until
 * an administrator confirms it or the person redeems a one-time code; every new binding is told to
 * the person's other accounts and (staff) to the administrators; administrators list and undo.
 * Platforms are fake HTTP targets (feishu, wecom); the administrator speaks through the test chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import type { InboundMessage } from '../../src/core/types.js'
import { call, dmsTo, tokenFor, waitFor } from '../api/helpers.js'
import { FakeTarget, FakeTargetAdapter } from '../helpers/fake-target.js'
import { settle, startTestService, type TestService } from '../helpers/service.js'

let svc: TestService
let feishu: FakeTarget
let wecom: FakeTarget
const clock = new ManualClock(new Date())

beforeAll(async () => {
  feishu = await new FakeTarget({ perTarget: 50, perApp: 500, windowMs: 1000 }).start()
  wecom = await new FakeTarget({ perTarget: 50, perApp: 500, windowMs: 1000 }).start()
  // Real people (not the demo's, who can never be bound on a real platform): with PUBLIC_URL set the
  // playground is off and the test service imports the sample roster as a real one.
  svc = await startTestService({
    clock,
    env: { PUBLIC_URL: 'https://gongyou.example.com' },
    adapters: [new FakeTargetAdapter('feishu', feishu, {}), new FakeTargetAdapter('wecom', wecom, {})],
  })
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
  await feishu.stop()
  await wecom.stop()
})

let seq = 0
function from(platform: 'feishu' | 'wecom', id: string, text: string): InboundMessage {
  return {
    platform,
    eventId: `ev_bind_${++seq}`,
    chatId: null,
    sender: { ids: [{ kind: platform === 'feishu' ? 'open_id' : 'userid', id }] },
    text,
    mentions: [],
    mentionsBot: true,
  }
}

/** Sends as a platform user; answers everything shown to that user afterwards (every command is answered). */
async function say(platform: 'feishu' | 'wecom', id: string, text: string): Promise<string> {
  const fake = platform === 'feishu' ? feishu : wecom
  const before = fake.shown.size
  await svc.core.receiveAndProcess(from(platform, id, text))
  const answers = () =>
    [...fake.shown.values()]
      .slice(before)
      .filter((m) => m.target === id)
      .map((m) => m.text)
  const deadline = Date.now() + 10_000
  while (answers().length === 0) {
    if (Date.now() > deadline) throw new Error(`no answer to “${text}”`)
    svc.outbox.wake()
    await new Promise((r) => setTimeout(r, 20))
  }
  await settle(svc, clock)
  return answers().join('\n')
}

const adminSays = async (text: string) => (await svc.say('D9000', 'dm', text)).map((r) => r.text).join('\n')

describe('a claimed staff binding', () => {
  it('a worker claiming an officer’s number acts as a worker, and the administrators are told', async () => {
    const adminBefore = (await dmsTo(svc, 'D9000')).length
    const bound = await say('feishu', 'ou_impostor', '绑定 D2001 何平')
    expect(bound).toContain('绑定成功：何平')
    expect(bound).toContain('等待管理员确认')

    // The officer's queue and any officer command are refused: every command sees a worker.
    expect(await say('feishu', 'ou_impostor', '待办')).toContain('只有')
    expect(await say('feishu', 'ou_impostor', '我的信息')).toContain('待管理员确认')
    const help = await say('feishu', 'ou_impostor', '帮助')
    expect(help).toContain('等待管理员确认')
    expect(help).not.toContain('待办')

    const notices = await waitFor(
      'the administrator told',
      async () => (await dmsTo(svc, 'D9000')).slice(adminBefore).find((x) => x.includes('何平（D2001，工会干部）刚在飞书上用“工号+姓名”绑定')),
      svc,
    )
    expect(notices).toContain('如非本人，请解除绑定')
    const card = (await svc.db.webMessage.findMany({ where: { direction: 'out', personNo: 'D9000' }, orderBy: { id: 'desc' }, take: 5 }))
      .map((m) => m.card ?? '')
      .join('\n')
    expect(card).toContain('确认绑定 D2001 飞书')
    expect(card).toContain('解除绑定 D2001 飞书')
  })

  it('acts with its role once an administrator confirms, and is told', async () => {
    expect(await adminSays('确认绑定 D2001')).toContain('已确认 何平 在飞书上的绑定')
    await waitFor(
      'the confirmation told',
      async () => [...feishu.shown.values()].some((m) => m.target === 'ou_impostor' && m.text.includes('管理员已确认您在飞书上的身份')),
      svc,
    )
    const queue = await say('feishu', 'ou_impostor', '待办')
    expect(queue).not.toContain('只有')
    const row = await svc.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'ou_impostor' } })
    expect(row.vouchedBy).toBe('admin')
    expect(row.confirmedById).toBe((await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })).id)
    expect(await adminSays('确认绑定 D2001')).toContain('没有待确认的绑定')
  })

  it('a worker’s own claim needs no confirmation', async () => {
    const bound = await say('feishu', 'ou_zhangwei', '绑定 D1002 张伟')
    expect(bound).toContain('绑定成功：张伟')
    expect(bound).not.toContain('确认')
  })
})

describe('every new binding is told to the person’s other accounts', () => {
  it('binding on WeCom tells the Feishu account', async () => {
    const before = feishu.shown.size
    expect(await say('wecom', 'zhangwei', '绑定 D1002 张伟')).toContain('绑定成功')
    const told = await waitFor(
      'the Feishu account told',
      async () => {
        const shown = [...feishu.shown.values()]
          .slice(before)
          .filter((m) => m.target === 'ou_zhangwei')
          .map((m) => m.text)
        return shown.length ? shown : undefined
      },
      svc,
    )
    expect(told).toEqual([expect.stringContaining('你的工号 D1002（张伟）刚在企业微信上绑定。如非本人操作')])
  })
})

describe('one-time binding codes', () => {
  let code = ''
  it('are shown only privately to an administrator', async () => {
    expect(await adminSays('绑定码 D3001')).toMatch(/一次性绑定码：[A-Z2-9]{4}-[A-Z2-9]{4}/)
    const inGroup = (await svc.say('D9000', 'web-officers', '绑定码 D3001')).map((r) => r.text).join('\n')
    expect(inGroup).toContain('只能在私聊中生成')
    expect(inGroup).not.toMatch(/[A-Z2-9]{4}-[A-Z2-9]{4}/)
    code = /([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(await adminSays('绑定码 D3001'))![1]!
    // Only its hash is stored.
    const rows = await svc.db.bindingCode.findMany()
    expect(JSON.stringify(rows)).not.toContain(code.replace('-', ''))
    expect(JSON.stringify(rows)).not.toContain(code)
  })

  it('an impostor’s claim gives way to the code, which works once', async () => {
    expect(await say('feishu', 'ou_claimer', '绑定 D3001 梁秀英')).toContain('等待管理员确认')
    // Typed forgivingly: lower case, a word before it, no dash.
    const redeemed = await say('feishu', 'ou_liang', `绑定 D3001 梁秀英 验证码 ${code.toLowerCase().replace('-', '')}`)
    expect(redeemed).toContain('绑定码已核验')
    expect(await say('feishu', 'ou_liang', '待办')).not.toContain('只有')
    expect(await svc.db.platformIdentity.count({ where: { externalId: 'ou_claimer' } })).toBe(0)
    // Used: a second redemption fails.
    expect(await say('feishu', 'ou_again', `绑定 D3001 梁秀英 ${code}`)).toContain('绑定码不对、已过期或已用过')
  })

  it('a code expires after 24 hours', async () => {
    const fresh = /([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(await adminSays('绑定码 D9001'))![1]!
    clock.advance(25 * 3600_000)
    expect(await say('wecom', 'wangjianguo', `绑定 D9001 王建国 ${fresh}`)).toContain('绑定码不对、已过期或已用过')
    expect(await svc.db.platformIdentity.count({ where: { externalId: 'wangjianguo' } })).toBe(0)
  })
})

describe('administrators list and undo bindings', () => {
  it('in chat', async () => {
    await say('wecom', 'fake_limei', '绑定 D1001 李明')
    const pending = await adminSays('绑定列表 待确认')
    expect(pending).toContain('李明（D1001，网格员）企业微信')
    expect(pending).not.toContain('张伟')
    expect(await adminSays('绑定列表')).toContain('张伟（D1002，职工）')
    expect(await adminSays('解除绑定 D1001 企业微信')).toContain('已解除 李明 在企业微信上的绑定')
    expect(await svc.db.platformIdentity.count({ where: { externalId: 'fake_limei' } })).toBe(0)
    expect(await adminSays('解除绑定 D1001 火星')).toContain('不认识平台“火星”')
    // Not for others.
    expect(await say('feishu', 'ou_zhangwei', '绑定列表')).toContain('只有')
  })

  it('by API', async () => {
    await say('wecom', 'fake_limei2', '绑定 D1001 李明')
    const admin = await tokenFor(svc, 'D9000')
    const officer = await tokenFor(svc, 'D2001')
    const list = await call(svc, { url: '/api/v1/bindings?status=pending', token: admin })
    expect(list.statusCode).toBe(200)
    const items = list.json().items as { id: number; platform: string; person: { employeeNo: string }; pending: boolean; vouchedBy: string }[]
    expect(items.map((i) => [i.person.employeeNo, i.platform, i.vouchedBy])).toEqual([['D1001', 'wecom', 'claim']])

    expect((await call(svc, { url: '/api/v1/bindings', token: officer })).statusCode).toBe(403)
    const bad = await call(svc, { url: '/api/v1/bindings?status=maybe', token: admin })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.message).toContain('status')

    expect(await say('wecom', 'fake_limei2', '网格成员')).toContain('只有')
    const confirmed = await call(svc, { method: 'POST', url: `/api/v1/bindings/${items[0]!.id}/confirm`, token: admin })
    expect(confirmed.statusCode).toBe(200)
    expect(confirmed.json()).toMatchObject({ vouchedBy: 'admin', pending: false, confirmedBy: { name: '韩梅' } })
    expect(await say('wecom', 'fake_limei2', '网格成员')).not.toContain('只有')

    const removed = await call(svc, { method: 'DELETE', url: `/api/v1/bindings/${items[0]!.id}`, token: admin })
    expect(removed.json()).toEqual({ removed: 1 })
    expect(await say('wecom', 'fake_limei2', '我的信息')).toContain('还没有绑定')
    expect((await call(svc, { method: 'DELETE', url: `/api/v1/bindings/${items[0]!.id}`, token: admin })).statusCode).toBe(404)
  })
})
