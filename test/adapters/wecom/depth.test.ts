import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Delivery } from '../../../src/core/types.js'
import { startTestService, type TestService } from '../../helpers/service.js'
import { wecomAppAdapterFactory } from '../../../adapters/wecom/index.js'
import { FakeWecom, shown } from './fake-wecom.js'
import { AGENT_ID, APP_SECRET, appEnv, appText, appXml, CORP_ID, postApp, settled } from './helpers.js'

// Platform depth on WeCom (the self-built app): people leaving, and cards that do not fit.
let fake: FakeWecom
let svc: TestService

beforeAll(async () => {
  fake = await new FakeWecom({ corpId: CORP_ID, secret: APP_SECRET, agentId: AGENT_ID }).start()
  svc = await startTestService({ env: appEnv(fake.url), adapterFactories: [wecomAppAdapterFactory] })
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
  await fake.stop()
})

async function say(userid: string, text: string): Promise<string> {
  const before = fake.sentTo(userid).length
  expect((await postApp(svc, appText(userid, text))).statusCode).toBe(200)
  await settled(svc)
  return fake.sentTo(userid).slice(before).map(shown).join('\n')
}

describe('a member deleted from WeCom (change_contact, delete_user)', () => {
  it('ends their binding; another kind of contact change does nothing', async () => {
    expect(await say('zhangwei', '绑定 D1002 张伟')).toContain('绑定成功')
    const change = (changeType: string) =>
      appXml({
        ToUserName: CORP_ID,
        FromUserName: 'sys',
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'event',
        Event: 'change_contact',
        ChangeType: changeType,
        UserID: 'zhangwei',
      })
    expect((await postApp(svc, change('update_user'))).statusCode).toBe(200)
    await settled(svc)
    expect(await svc.db.platformIdentity.count({ where: { platform: 'wecom', externalId: 'zhangwei' } })).toBe(1)

    expect((await postApp(svc, change('delete_user'))).statusCode).toBe(200)
    await settled(svc)
    expect(await svc.db.platformIdentity.count({ where: { platform: 'wecom', person: { employeeNo: 'D1002' } } })).toBe(0)
    expect(await say('zhangwei', '我的诉求')).toContain('您还没有绑定身份')
  })

  it('a delete_user without UserID is refused with 400', async () => {
    const res = await postApp(
      svc,
      appXml({
        ToUserName: CORP_ID,
        FromUserName: 'sys',
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'event',
        Event: 'change_contact',
        ChangeType: 'delete_user',
      }),
    )
    expect(res.statusCode).toBe(400)
  })
})

describe('template cards that do not fit', () => {
  const buttons = (n: number, command = (i: number) => `受理 SQ-2026-00${10 + i}`) =>
    Array.from({ length: n }, (_, i) => ({ label: `按钮${i + 1}`, action: { command: command(i) } }))

  async function sendOne(key: string, text: string, card: Delivery['card']): Promise<{ msgtype: string; shown: string }> {
    const before = fake.sends.length
    await svc.db.$transaction((tx) => svc.outbox.enqueue(tx, [{ key, platform: 'wecom', targetKind: 'user', target: 'heping', text, card }]))
    await settled(svc)
    const row = await svc.db.outboxMessage.findUniqueOrThrow({ where: { key } })
    expect(row.status, row.lastError ?? '').toBe('sent')
    // Measured before sending: WeCom never had to refuse a card (40058).
    expect(fake.sends.slice(before).map((s) => s.errcode)).toEqual([0])
    const ok = fake.sends.slice(before).filter((s) => s.errcode === 0)
    expect(ok).toHaveLength(1)
    return { msgtype: ok[0]!.body.msgtype, shown: shown(ok[0]!.body) }
  }

  it('a text over 500 characters is cut on the card, and says so', async () => {
    const long = '食堂晚班没有热饭，'.repeat(80) // 720 characters
    const r = await sendOne('wecom-depth:long-body', long, { title: '新诉求', body: long, buttons: buttons(2) })
    expect(r.msgtype).toBe('template_card')
    expect(r.shown).toContain('其余部分未显示')
    expect(r.shown).toContain('gy:受理 SQ-2026-0010')
  })

  it('a card with more buttons than WeCom shows goes as text that lists every command', async () => {
    const r = await sendOne('wecom-depth:seven', '请选择', { title: '选择', buttons: buttons(7) })
    expect(r.msgtype).toBe('text')
    for (let i = 0; i < 7; i++) expect(r.shown).toContain(`按钮${i + 1}：请发送“受理 SQ-2026-00${10 + i}”`)
  })

  it('a command too long for a button key is never cut: the card goes as text, over-long text cut before the commands', async () => {
    const longCommand = `回复 SQ-2026-0042 ${'已联系后勤，'.repeat(70)}`
    const text = '您的诉求有了新进展。'.repeat(100)
    const r = await sendOne('wecom-depth:long-key', text, { title: '回复', buttons: [{ label: '回复', action: { command: longCommand } }] })
    expect(r.msgtype).toBe('text')
    expect(Buffer.byteLength(r.shown)).toBeLessThanOrEqual(2048)
    expect(r.shown.endsWith(`回复：请发送“${longCommand}”`)).toBe(true)
    expect(r.shown).toContain('其余部分未显示')
  })
})
