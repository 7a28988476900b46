import { describe, expect, it } from 'vitest'
import type { Delivery } from '../../../src/core/types.js'
import { shown } from './fake-wecom.js'
import { appXml, CORP_ID, postApp, settled, useWecom } from './kit.js'

// Platform depth on WeCom (the self-built app): people leaving, and cards that do not fit.
const wecom = useWecom()
const { say } = wecom

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
    expect((await postApp(wecom.svc, change('update_user'))).statusCode).toBe(200)
    await settled(wecom.svc)
    expect(await wecom.svc.db.platformIdentity.count({ where: { platform: 'wecom', externalId: 'zhangwei' } })).toBe(1)

    expect((await postApp(wecom.svc, change('delete_user'))).statusCode).toBe(200)
    await settled(wecom.svc)
    expect(await wecom.svc.db.platformIdentity.count({ where: { platform: 'wecom', person: { employeeNo: 'D1002' } } })).toBe(0)
    expect(await say('zhangwei', '我的诉求')).toContain('您还没有绑定身份')
  })

  it('a delete_user without UserID is refused with 400', async () => {
    const res = await postApp(
      wecom.svc,
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
    const before = wecom.fake.sends.length
    await wecom.svc.db.$transaction((tx) => wecom.svc.outbox.enqueue(tx, [{ key, platform: 'wecom', targetKind: 'user', target: 'heping', text, card }]))
    await settled(wecom.svc)
    const row = await wecom.svc.db.outboxMessage.findUniqueOrThrow({ where: { key } })
    expect(row.status, row.lastError ?? '').toBe('sent')
    // Measured before sending: WeCom never had to refuse a card (40058).
    expect(wecom.fake.sends.slice(before).map((s) => s.errcode)).toEqual([0])
    const ok = wecom.fake.sends.slice(before).filter((s) => s.errcode === 0)
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
