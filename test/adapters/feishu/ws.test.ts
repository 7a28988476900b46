import { describe, expect, it } from 'vitest'
import type { FeishuAdapter } from '../../../adapters/feishu/index.js'
import { botAddedEvent, cardActionEvent, messageEvent, type Keys, type Person } from './events.js'
import { buttonsOf, textOf } from './fake-feishu.js'
import { useFeishu } from './kit.js'

/**
 * FEISHU_MODE=ws: the real SDK's WSClient against the fake's long connection (endpoint discovery,
 * then protobuf frames over a WebSocket). No webhook, no encryption: events arrive plain.
 */
const keys: Keys = { appId: 'cli_0a1b2c3d4e5f6a7b', encryptKey: '', verificationToken: 'vtok-ws' }
const SECRET = 'ws-app-secret'

const feishu = useFeishu({ keys, secret: SECRET, mode: 'ws' })
const { waitFor } = feishu

const zhang: Person = { open_id: 'ou_ws_zhangwei', union_id: 'on_ws_zhangwei' }
const he: Person = { open_id: 'ou_ws_heping', union_id: 'on_ws_heping' }

const readyz = async () =>
  (await feishu.svc.app.inject({ method: 'GET', url: '/readyz' })).json() as { ready: boolean; adapters: { feishu: { connected: boolean; detail?: string } } }

describe('long connection (FEISHU_MODE=ws)', () => {
  it('connects through the SDK’s WSClient and reports it on /readyz; no webhook route', async () => {
    await waitFor('the long connection', async () => (await readyz()).adapters.feishu.connected)
    expect(feishu.fake.wsConnects).toBe(1)
    expect((await readyz()).adapters.feishu.detail).toContain('long connection connected')
    expect(
      (await feishu.svc.app.inject({ method: 'POST', url: '/webhooks/feishu', payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode,
    ).toBe(404)
    // The same dispatcher object the webhook path would use is the one the WSClient was started with.
    const adapter = feishu.svc.outbox.adapter('feishu') as FeishuAdapter
    expect((adapter as unknown as { ws: { eventDispatcher: unknown } }).ws.eventDispatcher).toBe(adapter.dispatcher)
  })

  it('receives messages over it (binding an unknown sender), once per message', async () => {
    const event = messageEvent(keys, { from: zhang, chatId: 'oc_p2p_ws_zhang', chatType: 'p2p', text: '绑定 D1002 张伟' })
    const ack = await feishu.fake.pushEvent(event)
    expect(ack.code).toBe(200)
    const reply = await waitFor('the bind reply', () => feishu.fake.shownTo(zhang.open_id)[0])
    expect(textOf(reply)).toContain('绑定成功：张伟')
    // Redelivered over the connection: still one reply.
    expect((await feishu.fake.pushEvent(event)).code).toBe(200)
    await feishu.fake.pushEvent(messageEvent(keys, { from: he, chatId: 'oc_p2p_ws_he', chatType: 'p2p', text: '绑定 D2001 何平' }))
    await waitFor('the second bind reply', () => feishu.fake.shownTo(he.open_id)[0])
    // An officer bound by a typed number and name acts as a worker until an administrator confirms.
    expect((await feishu.svc.say('D9000', 'dm', '确认绑定 D2001 飞书')).map((r) => r.text).join('\n')).toContain('已确认 何平')
    expect(feishu.fake.shownTo(zhang.open_id)).toHaveLength(1)
  })

  it('receives card presses and bot-added events over it', async () => {
    await feishu.fake.pushEvent(messageEvent(keys, { from: zhang, chatId: 'oc_p2p_ws_zhang', chatType: 'p2p', text: '诉求 班车太早了' }))
    const card = await waitFor('the officer card', () => feishu.fake.shownTo(he.open_id).find((m) => m.msg_type === 'interactive'))
    const accept = buttonsOf(card.content).find((b) => b.label === '受理')!
    const ack = await feishu.fake.pushEvent(cardActionEvent(keys, { operator: he, value: accept.value, messageId: card.message_id, chatId: 'oc_p2p_ws_he' }))
    expect(ack).toMatchObject({ code: 200, data: { toast: { type: 'info', content: expect.stringContaining(accept.value.command) } } })
    await waitFor('the worker told', () => feishu.fake.shownTo(zhang.open_id).some((m) => textOf(m).includes('已由 何平 受理')))

    await feishu.fake.pushEvent(botAddedEvent(keys, { chatId: 'oc_ws_group', name: '装配一班群', operator: he }))
    await waitFor('the bind prompt', () => feishu.fake.shownTo('oc_ws_group').some((m) => textOf(m).includes('绑定班组')))
  })

  it('reconnects after the connection drops, and the reconnect shows in status()', async () => {
    feishu.fake.refuseWs = true
    feishu.fake.dropConnections()
    // While Feishu refuses, the adapter is not ready and says why.
    const down = await waitFor('readyz to show the outage', async () => {
      const r = await readyz()
      return !r.adapters.feishu.connected && r.adapters.feishu.detail?.includes('reconnecting') ? r : undefined
    })
    expect(down.ready).toBe(false)
    feishu.fake.refuseWs = false
    await waitFor('the reconnect', async () => (await readyz()).adapters.feishu.connected)
    expect(feishu.fake.wsConnects).toBe(2)
    expect((await readyz()).adapters.feishu.detail).toContain('1 reconnect(s)')

    const before = feishu.fake.shownTo(zhang.open_id).length
    expect((await feishu.fake.pushEvent(messageEvent(keys, { from: zhang, chatId: 'oc_p2p_ws_zhang', chatType: 'p2p', text: '我的信息' }))).code).toBe(200)
    await waitFor('a reply after the reconnect', () => feishu.fake.shownTo(zhang.open_id).length > before)
  })
})
