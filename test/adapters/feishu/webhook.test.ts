import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { feishuAdapterFactory } from '../../../adapters/feishu/index.js'
import type { AdapterDeps } from '../../../adapters/index.js'
import { loadConfig } from '../../../src/config.js'
import { systemClock } from '../../../src/core/clock.js'
import type { ChatCore } from '../../../src/core/chat-core.js'
import { botAddedEvent, cardActionEvent, messageEvent, request, signature, urlVerification, type Keys, type Mention, type Person } from './events.js'
import { buttonsOf, textOf } from './fake-feishu.js'
import { texts, to, useFeishu } from './kit.js'

const keys: Keys = { appId: 'cli_a1b2c3d4e5f60718', encryptKey: 'kZ3xEncryptKeyForTests', verificationToken: 'vtok-8a7b6c' }
const SECRET = 'app-secret-for-tests'

const feishu = useFeishu({ keys, secret: SECRET })
const { post, deliver, settle, waitFor, say } = feishu

// Demo people on Feishu: unknown to the service until they bind.
const zhang: Person = { open_id: 'ou_zhangwei_0001', union_id: 'on_zhangwei_0001', user_id: 'zhangwei' }
const he: Person = { open_id: 'ou_heping_0001', union_id: 'on_heping_0001', user_id: 'heping' }
const li: Person = { open_id: 'ou_liming_0001', union_id: 'on_liming_0001' }
const TEAM = 'oc_team_dg_0001'
const botMention = (): Mention => ({ key: '@_user_1', id: { open_id: feishu.fake.botOpenId, union_id: 'on_bot' }, name: '工友' })

describe('the webhook', () => {
  it('answers url_verification, plain and encrypted, and only with the right verification token', async () => {
    const plain = request(urlVerification(keys, 'chal-plain-1'), keys, { plain: true, unsigned: true })
    const res = await post(plain.payload, plain.headers)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ challenge: 'chal-plain-1' })

    const encrypted = request(urlVerification(keys, 'chal-enc-2'), keys, { unsigned: true })
    expect(JSON.parse(encrypted.payload)).toHaveProperty('encrypt')
    const res2 = await post(encrypted.payload, encrypted.headers)
    expect(res2.statusCode).toBe(200)
    expect(res2.json()).toEqual({ challenge: 'chal-enc-2' })

    const wrong = request(urlVerification(keys, 'chal-3', 'someone-else'), keys, { unsigned: true })
    expect((await post(wrong.payload, wrong.headers)).statusCode).toBe(401)
  })

  it('refuses a forged signature, a stale timestamp and an unsigned event with 401, storing nothing', async () => {
    const event = messageEvent(keys, { from: zhang, chatId: 'oc_p2p_x', chatType: 'p2p', text: '帮助' })
    const forged = request(event, keys, { forge: true })
    expect((await post(forged.payload, forged.headers)).statusCode).toBe(401)
    const stale = request(event, keys, { timestamp: Date.now() - 10 * 60 * 1000 })
    const staleRes = await post(stale.payload, stale.headers)
    expect(staleRes.statusCode).toBe(401)
    expect(staleRes.json().error.code).toBe('stale_request')
    const future = request(event, keys, { timestamp: Date.now() + 10 * 60 * 1000 })
    expect((await post(future.payload, future.headers)).statusCode).toBe(401)
    const unsigned = request(event, keys, { unsigned: true })
    expect((await post(unsigned.payload, unsigned.headers)).statusCode).toBe(401)
    // A body changed after signing no longer matches.
    const good = request(event, keys)
    expect((await post(good.payload.replace('"}', ' "}'), good.headers)).statusCode).toBe(401)
    // The right signature but the wrong verification token inside.
    const otherApp = request(messageEvent({ ...keys, verificationToken: 'other' }, { from: zhang, chatId: 'oc_p2p_x', chatType: 'p2p', text: '帮助' }), keys)
    expect((await post(otherApp.payload, otherApp.headers)).statusCode).toBe(401)
    expect(await feishu.svc.db.inboundEvent.count({ where: { platform: 'feishu' } })).toBe(0)
  })

  it('answers garbage with 400, never 500', async () => {
    // Garbage that carries a valid signature, so it is the body that is refused.
    const signed = (payload: string) => {
      const ts = String(Math.floor(Date.now() / 1000))
      return {
        'content-type': 'application/json',
        'x-lark-request-timestamp': ts,
        'x-lark-request-nonce': 'n1',
        'x-lark-signature': signature(ts, 'n1', keys.encryptKey, payload),
      }
    }
    for (const payload of ['{not json', '', '[1,2,3]', '"a string"', '{"encrypt": 42}', '{"encrypt": "bm90IGVuY3J5cHRlZA=="}', '{"encrypt": "%%%%"}']) {
      const res = await post(payload, signed(payload))
      expect(res.statusCode, `${payload} → ${res.body}`).toBe(400)
    }
    // Signed and decryptable, but not an event the adapter can read.
    const broken = {
      schema: '2.0',
      header: { event_id: 'ev_broken', event_type: 'im.message.receive_v1', token: keys.verificationToken },
      event: { sender: {}, message: { chat_id: 'oc_1' } },
    }
    const r = request(broken, keys)
    const res = await post(r.payload, r.headers)
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('invalid_event')
    // A content type Feishu never sends still gets a JSON answer, not a 415/500.
    const odd = await feishu.svc.app.inject({ method: 'POST', url: '/webhooks/feishu', headers: { 'content-type': 'text/plain' }, payload: 'hello' })
    expect(odd.statusCode).toBe(400)
  })

  it('answers 503 when the event cannot be stored, so Feishu delivers it again', async () => {
    const config = loadConfig({
      FEISHU_APP_ID: keys.appId,
      FEISHU_APP_SECRET: SECRET,
      FEISHU_ENCRYPT_KEY: keys.encryptKey,
      FEISHU_DOMAIN: feishu.fake.url,
      LOG_LEVEL: 'silent',
    })
    const app = Fastify({ logger: false })
    const core = { t: { botName: '工友' }, isForBot: () => true, accept: async () => Promise.reject(new Error('database is down')) } as unknown as ChatCore
    const adapter = await feishuAdapterFactory.create({ config, core, ports: null, clock: systemClock, log: app.log } as unknown as AdapterDeps)
    await app.register(async (scope) => adapter.routes!(scope))
    try {
      const r = request(messageEvent(keys, { from: zhang, chatId: 'oc_p2p_y', chatType: 'p2p', text: '帮助' }), keys)
      const res = await app.inject({ method: 'POST', url: '/webhooks/feishu', headers: r.headers, payload: r.payload })
      expect(res.statusCode).toBe(503)
    } finally {
      await adapter.stop?.()
      await app.close()
    }
  })
})

describe('a conversation on Feishu', () => {
  it('asks an unknown sender to bind, and binds people by open_id', async () => {
    const first = await say(zhang, '诉求 食堂晚班没有热饭')
    expect(texts(to(first, zhang.open_id))).toContain('您还没有绑定身份')
    expect(to(first, zhang.open_id)[0]!.receive_id_type).toBe('open_id')

    expect(texts(await say(zhang, '绑定 D1002 王五'))).toContain('工号和姓名对不上')
    expect(texts(await say(zhang, '绑定 D1002 张伟'))).toContain('绑定成功：张伟（一车间/电工班，职工）')
    expect(texts(await say(he, '绑定 D2001 何平'))).toContain('绑定成功：何平')
    expect(texts(await say(li, '绑定 D1001 李明'))).toContain('绑定成功：李明')
    // Staff bound by a typed number and name act as workers until an administrator confirms them.
    expect(texts(await say(he, '待办'))).toContain('只有')
    for (const no of ['D2001', 'D1001']) expect((await feishu.svc.say('D9000', 'dm', `确认绑定 ${no} 飞书`)).map((r) => r.text).join('\n')).toContain('已确认')
    await settle()
    const ids = await feishu.svc.db.platformIdentity.findMany({ where: { platform: 'feishu', person: { employeeNo: 'D1002' } }, orderBy: { id: 'asc' } })
    expect(ids.map((i) => [i.kind, i.externalId])).toEqual([
      ['open_id', zhang.open_id],
      ['union_id', zhang.union_id],
      ['user_id', zhang.user_id],
    ])
  })

  it('when added to a group, asks for 绑定班组; an officer binds the group by mentioning the bot', async () => {
    const before = feishu.fake.messages.length
    await deliver(botAddedEvent(keys, { chatId: TEAM, name: '电工班工作群', operator: he }))
    await settle()
    const prompt = to(feishu.fake.messages.slice(before), TEAM)
    expect(prompt).toHaveLength(1)
    expect(prompt[0]!.receive_id_type).toBe('chat_id')
    expect(textOf(prompt[0]!)).toContain('绑定班组 单位名称')
    expect((await feishu.svc.db.chatGroup.findFirstOrThrow({ where: { platform: 'feishu', externalId: TEAM } })).name).toBe('电工班工作群')

    const bound = await say(he, '@_user_1 绑定班组 一车间/电工班', { chatId: TEAM, mentions: [botMention()] })
    expect(texts(to(bound, TEAM))).toContain('已将本群“电工班工作群”绑定到“一车间/电工班”')
  })

  it('stays out of group chatter (not even stored), and answers a command word without a mention', async () => {
    const eventsBefore = await feishu.svc.db.inboundEvent.count()
    expect(await say(zhang, '今天食堂的饭不错', { chatId: TEAM })).toEqual([])
    // Another bot's message, even a command, is not for us.
    await deliver(messageEvent(keys, { from: { open_id: 'ou_other_bot' }, senderType: 'app', chatId: TEAM, chatType: 'group', text: '帮助' }))
    expect(await feishu.svc.db.inboundEvent.count()).toBe(eventsBefore)
    const mine = await say(zhang, '我的信息', { chatId: TEAM })
    expect(to(mine, TEAM)).toHaveLength(1)
    expect(to(mine, TEAM)[0]!.msg_type).toBe('interactive')
    expect(textOf(to(mine, TEAM)[0]!)).toContain('我的信息')
  })

  let groupRequest = ''
  it('a worker files in the group by mentioning the bot; the officer gets a private card by open_id', async () => {
    const mentions = [botMention(), { key: '@_user_2', id: li, name: '李明' }]
    const shown = await say(zhang, '@_user_1 诉求 @_user_2 说食堂晚班没有热饭', { chatId: TEAM, mentions })
    const inGroup = to(shown, TEAM)
    // The group hears the number only; the acknowledgement goes to the worker privately.
    expect(texts(inGroup)).toMatch(/已收到诉求 SQ-\d{4}-\d{4}，详情和进展私信发您/)
    expect(texts(inGroup)).not.toContain('热饭')
    groupRequest = /SQ-\d{4}-\d{4}/.exec(texts(inGroup))![0]
    expect(texts(to(shown, zhang.open_id))).toContain(`已收到您的诉求 ${groupRequest}（食堂餐饮）`)
    // The mention of the bot is gone from what was filed, the other one reads as @name.
    const filed = await feishu.svc.db.workerRequest.findUniqueOrThrow({ where: { number: groupRequest } })
    expect(filed.content).toBe('@李明 说食堂晚班没有热饭')

    const card = to(shown, he.open_id)
    expect(card).toHaveLength(1)
    expect(card[0]!.receive_id_type).toBe('open_id')
    expect(card[0]!.msg_type).toBe('interactive')
    expect(card[0]!.content.header).toMatchObject({ title: { tag: 'plain_text', content: expect.stringContaining(groupRequest) }, template: 'orange' })
    expect(card[0]!.content.config).toMatchObject({ update_multi: true })
    const buttons = buttonsOf(card[0]!.content)
    expect(buttons[0]).toMatchObject({ label: '受理', type: 'primary', value: { command: `受理 ${groupRequest}`, to: 'user', k: expect.any(String) } })
    // What the card carries names no inbound event (an anonymous requester's message id, say).
    expect(JSON.stringify(card[0]!.content)).not.toMatch(/in:feishu|om_in_/)
    // Every message carried a uuid of at most 50 characters.
    for (const m of shown) expect(m.uuid && m.uuid.length <= 50).toBe(true)
  })

  it('privately: the officer presses 受理 on the card; the worker hears of it and the card shows the result', async () => {
    const shown = await say(zhang, '诉求 更衣室的柜子锁坏了')
    const number = /SQ-\d{4}-\d{4}/.exec(texts(to(shown, zhang.open_id)))![0]
    const card = to(shown, he.open_id).find((m) => m.msg_type === 'interactive' && textOf(m).includes(number))!
    const accept = buttonsOf(card.content).find((b) => b.label === '受理')!

    const before = feishu.fake.messages.length
    const press = await deliver(cardActionEvent(keys, { operator: he, value: accept.value, messageId: card.message_id, chatId: 'oc_p2p_heping' }))
    expect(press.json()).toMatchObject({ toast: { type: 'info', content: expect.stringContaining(`受理 ${number}`) } })
    await settle()
    const after = feishu.fake.messages.slice(before)
    expect(texts(to(after, zhang.open_id))).toContain(`您的诉求 ${number} 已由 何平 受理`)
    expect(texts(to(after, he.open_id))).toContain(`已受理 ${number}`)
    expect(to(after, 'oc_p2p_heping')).toEqual([]) // answered privately by open_id, not into the p2p chat id

    // The card is updated in place: buttons disabled, the result under them.
    const patch = await waitFor('the card patch', () => feishu.fake.patches.find((p) => p.message_id === card.message_id))
    expect(buttonsOf(patch.content).every((b) => b.disabled === true)).toBe(true)
    expect(JSON.stringify(patch.content)).toContain(`已处理：受理 ${number} — 已受理 ${number}`)
    expect((await feishu.svc.db.workerRequest.findUniqueOrThrow({ where: { number } })).status).toBe('accepted')
  })

  it('handles a redelivered event once, and a message resent under a new event id once', async () => {
    const event = messageEvent(keys, { from: zhang, chatId: 'oc_p2p_zhang', chatType: 'p2p', text: '我的信息' })
    const before = feishu.fake.messages.length
    await deliver(event)
    await deliver(event)
    await deliver({ ...event, header: { ...event.header, event_id: 'ev_resent_with_new_id' } })
    await settle()
    expect(to(feishu.fake.messages.slice(before), zhang.open_id)).toHaveLength(1)
  })

  it('reads rich text (post) messages', async () => {
    const post = {
      title: '',
      content: [
        [
          { tag: 'at', user_id: '@_user_1', user_name: '工友' },
          { tag: 'text', text: ' 进度 ' },
          { tag: 'text', text: groupRequest },
        ],
      ],
    }
    const before = feishu.fake.messages.length
    await deliver(messageEvent(keys, { from: zhang, chatId: TEAM, chatType: 'group', post, mentions: [botMention()] }))
    await settle()
    // 进度 is personal: answered privately, the group hears only that.
    expect(texts(to(feishu.fake.messages.slice(before), TEAM))).toContain('已私信发您')
    expect(texts(to(feishu.fake.messages.slice(before), zhang.open_id))).toContain(groupRequest)
  })

  it('answers Feishu at once however slow the work behind it is', async () => {
    feishu.fake.delayMs = 1500
    try {
      const before = feishu.fake.messages.length
      await deliver(messageEvent(keys, { from: zhang, chatId: 'oc_p2p_zhang', chatType: 'p2p', text: '帮助' }))
      // Answered while the reply is still on its way to Feishu.
      expect(feishu.fake.messages.length).toBe(before)
      await waitFor('the slow reply', () => feishu.fake.messages.length > before)
    } finally {
      feishu.fake.delayMs = 0
    }
  })
})

describe('a poll in a Feishu group', () => {
  it('a press on the group card is confirmed to the voter privately; the group hears nothing, its card stays as it is', async () => {
    const started = await say(he, '发起投票 班组聚餐时间 | 周五晚 | 周六中午', { chatId: TEAM })
    expect(texts(to(started, TEAM))).toMatch(/已发起投票 P-\d+“班组聚餐时间”/)
    const card = to(started, TEAM).find((m) => m.msg_type === 'interactive')!
    const number = /P-\d+/.exec(textOf(card))![0]
    const buttons = buttonsOf(card.content)
    expect(buttons.map((b) => b.value)).toEqual([
      { command: `投票 ${number} 1`, to: 'chat' },
      { command: `投票 ${number} 2`, to: 'chat' },
    ])

    const before = feishu.fake.messages.length
    const press = cardActionEvent(keys, { operator: zhang, value: buttons[1]!.value, messageId: card.message_id, chatId: TEAM })
    expect((await deliver(press)).json()).toEqual({ toast: { type: 'info', content: `已收到：投票 ${number} 2` } })
    await deliver(press) // redelivered by Feishu: answered again, counted once
    await settle()
    const after = feishu.fake.messages.slice(before)
    expect(after.map((m) => [m.receive_id, m.receive_id_type, textOf(m)])).toEqual([
      [zhang.open_id, 'open_id', expect.stringMatching(new RegExp(`^投票成功：${number}“班组聚餐时间”→ 2\\. 周六中午。`))],
    ])
    expect(feishu.fake.patches.filter((p) => p.message_id === card.message_id)).toEqual([])

    // Pressing the other option changes the vote, privately again.
    const again = feishu.fake.messages.length
    await deliver(cardActionEvent(keys, { operator: zhang, value: buttons[0]!.value, messageId: card.message_id, chatId: TEAM }))
    await settle()
    expect(feishu.fake.messages.slice(again).map((m) => [m.receive_id, textOf(m)])).toEqual([
      [zhang.open_id, expect.stringMatching(new RegExp(`^已改票：${number}“班组聚餐时间”→ 1\\. 周五晚。`))],
    ])
    const poll = await feishu.svc.db.poll.findUniqueOrThrow({ where: { number } })
    expect((await feishu.svc.db.pollVote.findMany({ where: { pollId: poll.id } })).map((v) => v.choices)).toEqual(['1'])

    // Typed in the group, a vote is still answered in the group (with a mention, without the choice).
    const typed = await say(li, `投票 ${number} 2`, { chatId: TEAM })
    expect(typed.map((m) => [m.receive_id, textOf(m)])).toEqual([[TEAM, expect.stringContaining(`已收到您的投票（${number}）`)]])

    // After the close, a press is refused privately.
    await say(he, `结束投票 ${number}`, { chatId: TEAM })
    const late = feishu.fake.messages.length
    await deliver(cardActionEvent(keys, { operator: zhang, value: buttons[1]!.value, messageId: card.message_id, chatId: TEAM }))
    await settle()
    expect(feishu.fake.messages.slice(late).map((m) => [m.receive_id, textOf(m)])).toEqual([
      [zhang.open_id, `投票 ${number} 已经截止，不能再投了。发送“投票结果 ${number}”查看结果。`],
    ])
  })
})

describe('sending under Feishu’s limits', () => {
  it('a burst to one chat never goes over 5 a second at Feishu, and Feishu never has to say 230020', async () => {
    await settle()
    const before = feishu.fake.messages.length
    const throttledBefore = feishu.fake.answered(230020).length
    for (let i = 0; i < 12; i++) await deliver(messageEvent(keys, { from: zhang, chatId: TEAM, chatType: 'group', text: '我的信息' }))
    await settle(20_000)
    expect(to(feishu.fake.messages.slice(before), TEAM)).toHaveLength(12)
    expect(feishu.fake.answered(230020).length).toBe(throttledBefore)
    expect(feishu.fake.peakPerWindow().perTarget).toBeLessThanOrEqual(5)
  })

  it('recovers from a 230020 answer without losing or doubling the message', async () => {
    feishu.fake.throttleNext.set(TEAM, 1)
    const before = feishu.fake.messages.length
    const throttledBefore = feishu.fake.answered(230020, TEAM).length
    await deliver(messageEvent(keys, { from: zhang, chatId: TEAM, chatType: 'group', text: '@_user_1 我的信息', mentions: [botMention()] }))
    await waitFor('the throttled reply', () => to(feishu.fake.messages.slice(before), TEAM).length === 1)
    await settle()
    expect(feishu.fake.answered(230020, TEAM).length).toBe(throttledBefore + 1)
    expect(to(feishu.fake.messages.slice(before), TEAM)).toHaveLength(1)
    expect(await feishu.svc.db.outboxMessage.count({ where: { platform: 'feishu', status: 'dead' } })).toBe(0)
  })

  it('recovers from 99991663 (invalid token) by dropping the cached token and retrying once', async () => {
    await say(zhang, '帮助') // a token is fetched and cached
    feishu.fake.revokeTokens()
    const issued = feishu.fake.tokensIssued
    const invalidBefore = feishu.fake.answered(99991663).length
    const shown = await say(zhang, '我的信息')
    expect(to(shown, zhang.open_id)).toHaveLength(1)
    expect(feishu.fake.answered(99991663).length).toBe(invalidBefore + 1)
    expect(feishu.fake.tokensIssued).toBe(issued + 1)
    const row = await feishu.svc.db.outboxMessage.findFirstOrThrow({ where: { platform: 'feishu', target: zhang.open_id }, orderBy: { id: 'desc' } })
    expect(row).toMatchObject({ status: 'sent', attempts: 1 })
  })

  it('a chat the bot is no longer in is a dead letter at once, not retried', async () => {
    const gone = 'oc_left_0001'
    feishu.fake.chatsWithoutBot.add(gone)
    await deliver(messageEvent(keys, { from: zhang, chatId: gone, chatType: 'group', text: '@_user_1 帮助', mentions: [botMention()] }))
    await settle()
    const row = await feishu.svc.db.outboxMessage.findFirstOrThrow({ where: { platform: 'feishu', target: gone } })
    expect(row.status).toBe('dead')
    expect(row.lastError).toContain('230002')
    expect(feishu.fake.answered(230002, gone)).toHaveLength(1)
  })

  it('shows a retried send once: the uuid is the outbox key (hashed when longer than 50)', async () => {
    const adapter = feishu.svc.outbox.adapter('feishu')!
    const long = `in:feishu:om_${'x'.repeat(60)}:0`
    const delivery = { key: long, platform: 'feishu' as const, targetKind: 'user' as const, target: zhang.open_id, text: '重复发送测试' }
    const a = await adapter.send(delivery)
    const b = await adapter.send(delivery)
    expect(a.platformMessageId).toBeTruthy()
    expect(b.platformMessageId).toBe(a.platformMessageId)
    const shown = feishu.fake.messages.filter((m) => m.content.text === '重复发送测试')
    expect(shown).toHaveLength(1)
    expect(shown[0]!.uuid).toMatch(/^[0-9a-f]{32}$/)
  })

  it('reports the adapter ready', async () => {
    const res = await feishu.svc.app.inject({ method: 'GET', url: '/readyz' })
    expect(res.json().adapters.feishu).toMatchObject({ connected: true })
  })
})
