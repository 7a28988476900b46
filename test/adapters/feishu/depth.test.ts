import { describe, expect, it } from 'vitest'
import type { Delivery } from '../../../src/core/types.js'
import { botMenuEvent, chatGoneEvent, messageEvent, messageRecalledEvent, userDeletedEvent, type Keys, type Person } from './events.js'
import { textOf, type ShownMessage } from './fake-feishu.js'
import { texts, useFeishu } from './kit.js'

// Platform depth on Feishu: the bot menu, long cards, threads, lifecycle events.
const keys: Keys = { appId: 'cli_d3e4f5a6b7c80910', encryptKey: 'depthEncryptKeyForTests', verificationToken: 'vtok-depth' }
const SECRET = 'depth-app-secret'

const feishu = useFeishu({ keys, secret: SECRET })
const { after, say, settle } = feishu

const zhang: Person = { open_id: 'ou_depth_zhangwei', union_id: 'on_depth_zhangwei' }

describe('the Feishu bot menu', () => {
  it('each menu key answers privately as the command it stands for', async () => {
    expect(texts(await say(zhang, '绑定 D1002 张伟'))).toContain('绑定成功')
    const help = await after(botMenuEvent(keys, { operator: zhang, eventKey: 'help' }))
    expect(help.map((m) => m.receive_id)).toEqual([zhang.open_id])
    expect(texts(help)).toContain('我的诉求')

    const file = await after(botMenuEvent(keys, { operator: zhang, eventKey: 'submit_request' }))
    expect(file.map((m) => m.receive_id)).toEqual([zhang.open_id])
    // How to file, with an example; nothing is filed.
    expect(texts(file)).toContain('诉求 食堂晚班没有热饭')
    expect(await feishu.svc.db.workerRequest.count()).toBe(0)

    expect(texts(await say(zhang, '诉求 更衣室的灯坏了'))).toContain('SQ-')
    const mine = await after(botMenuEvent(keys, { operator: zhang, eventKey: 'my_requests' }))
    expect(mine.map((m) => m.receive_id)).toEqual([zhang.open_id])
    expect(texts(mine)).toContain('更衣室的灯坏了')

    // A key the service does not know (a menu changed in the console) shows the help, not silence.
    expect(texts(await after(botMenuEvent(keys, { operator: zhang, eventKey: 'old_key_from_last_year' })))).toContain('我的诉求')
  })
})

describe('cards too long for Feishu', () => {
  const card = (body: string): Delivery['card'] => ({
    title: '新诉求 SQ-2026-0099',
    body,
    buttons: [
      { label: '受理', action: { command: '受理 SQ-2026-0099' }, style: 'primary' },
      { label: '转交', action: { command: '转交 SQ-2026-0099' } },
    ],
  })

  async function sendOne(key: string, body: string, text = body): Promise<ShownMessage[]> {
    const before = feishu.fake.messages.length
    await feishu.svc.db.$transaction((tx) =>
      feishu.svc.outbox.enqueue(tx, [{ key, platform: 'feishu', targetKind: 'user', target: zhang.open_id, text, card: card(body) }]),
    )
    await settle()
    const row = await feishu.svc.db.outboxMessage.findUniqueOrThrow({ where: { key } })
    expect(row.status, row.lastError ?? '').toBe('sent')
    return feishu.fake.messages.slice(before)
  }

  it('a card over 30 KB is sent as text that keeps its commands, not refused and not a dead letter', async () => {
    const long = '车间噪声超标，'.repeat(2000) // about 42 KB
    const shown = await sendOne('depth:long-card', long)
    expect(shown).toHaveLength(1)
    expect(shown[0]!.msg_type).toBe('text')
    const text = textOf(shown[0]!)
    expect(text).toContain('受理：请发送“受理 SQ-2026-0099”')
    expect(text).toContain('转交：请发送“转交 SQ-2026-0099”')
    expect(text).toContain('车间噪声超标')
    // Measured before sending: Feishu never had to refuse it.
    expect(feishu.fake.answered(230025)).toHaveLength(0)
  })

  it('text too long even for a text message is cut, the commands kept', async () => {
    const huge = '夜班补贴迟发。'.repeat(12_000) // about 250 KB
    const shown = await sendOne('depth:huge-card', huge)
    expect(shown[0]!.msg_type).toBe('text')
    const text = textOf(shown[0]!)
    expect(text).toContain('其余部分未显示')
    expect(text.endsWith('转交：请发送“转交 SQ-2026-0099”')).toBe(true)
  })

  it('when Feishu answers 230025 for a card the adapter measured as fitting, it is sent again as text', async () => {
    feishu.fake.contentLimits.interactive = 1500
    try {
      const shown = await sendOne('depth:refused-card', '更衣室柜子不够用，新员工没有柜子。'.repeat(40))
      expect(shown.map((m) => m.msg_type)).toEqual(['text'])
      expect(textOf(shown[0]!)).toContain('受理：请发送“受理 SQ-2026-0099”')
      expect(feishu.fake.answered(230025)).toHaveLength(1)
    } finally {
      feishu.fake.contentLimits.interactive = 30 * 1024
    }
  })

  it('a card within the limit is still a card', async () => {
    const shown = await sendOne('depth:short-card', '食堂晚班没有热饭')
    expect(shown.map((m) => m.msg_type)).toEqual(['interactive'])
  })
})

describe('threads in a Feishu topic group', () => {
  const TOPICS = 'oc_depth_topics_0001'
  const PLAIN = 'oc_depth_plain_0001'
  const botMention = () => ({ key: '@_user_1', id: { open_id: feishu.fake.botOpenId }, name: '工友' })

  /** A message in a group as Feishu delivers it (and knows it: replies can refer to it). */
  async function inGroup(
    chatId: string,
    text: string,
    o: { threadId?: string; recalled?: boolean } = {},
  ): Promise<{ messageId: string; shown: ShownMessage[] }> {
    const messageId = `om_in_depth_${Math.random().toString(36).slice(2)}`
    feishu.fake.peopleMessages.set(messageId, { chat_id: chatId, ...(o.recalled ? { recalled: true } : {}) })
    const shown = await after(
      messageEvent(keys, {
        from: zhang,
        chatId,
        chatType: 'group',
        text: `@_user_1 ${text}`,
        mentions: [botMention()],
        messageId,
        ...(o.threadId ? { threadId: o.threadId } : {}),
      }),
    )
    return { messageId, shown }
  }

  it('an answer to a message in a topic goes into its thread, as a reply to it', async () => {
    const { messageId, shown } = await inGroup(TOPICS, '帮助', { threadId: 'omt_depth_topic_1' })
    expect(shown).toHaveLength(1)
    expect(shown[0]!.receive_id).toBe(TOPICS)
    expect(shown[0]!.replyTo).toBe(messageId)
    expect(shown[0]!.inThread).toBe(true)
    expect(textOf(shown[0]!)).toContain('我的诉求')
  })

  it('in a group without topics the answer goes to the chat as before', async () => {
    const { shown } = await inGroup(PLAIN, '帮助')
    expect(shown).toHaveLength(1)
    expect(shown[0]!.receive_id).toBe(PLAIN)
    expect(shown[0]!.replyTo).toBeUndefined()
  })

  it('when the message was recalled before the answer, the answer goes to the chat instead of being lost', async () => {
    const { shown } = await inGroup(TOPICS, '帮助', { threadId: 'omt_depth_topic_2', recalled: true })
    expect(shown).toHaveLength(1)
    expect(shown[0]!.receive_id).toBe(TOPICS)
    expect(shown[0]!.replyTo).toBeUndefined()
    expect(feishu.fake.answered(230011)).toHaveLength(1)
  })
})

describe('lifecycle on Feishu', () => {
  const admin: Person = { open_id: 'ou_depth_hanmei' }
  const GROUP = 'oc_depth_team_0001'

  it('the bot removed from a bound group unbinds it and tells the administrators once; the chat disbanded later tells nobody again', async () => {
    expect(texts(await say(admin, '绑定 D9000 韩梅'))).toContain('绑定成功')
    const unit = await feishu.svc.db.unit.findFirstOrThrow({ where: { name: '电工班' } })
    await feishu.svc.db.chatGroup.create({ data: { platform: 'feishu', externalId: GROUP, name: '电工班工作群', unitId: unit.id } })

    const shown = await after(chatGoneEvent(keys, { kind: 'removed', chatId: GROUP, operator: zhang }))
    expect(shown.map((m) => m.receive_id)).toEqual([admin.open_id])
    expect(textOf(shown[0]!)).toContain('飞书群“电工班工作群”已将工友移出')
    expect(textOf(shown[0]!)).toContain('电工班')
    expect((await feishu.svc.db.chatGroup.findFirstOrThrow({ where: { externalId: GROUP } })).unitId).toBeNull()

    expect(await after(chatGoneEvent(keys, { kind: 'disbanded', chatId: GROUP, operator: zhang }))).toHaveLength(0)
    // Nothing is sent to the group it can no longer reach.
    expect(feishu.fake.shownTo(GROUP)).toHaveLength(0)
  })

  it('a chat disbanded while bound is unbound too', async () => {
    const unit = await feishu.svc.db.unit.findFirstOrThrow({ where: { name: '电工班' } })
    await feishu.svc.db.chatGroup.create({ data: { platform: 'feishu', externalId: 'oc_depth_gone_0002', name: '临时群', unitId: unit.id } })
    const shown = await after(chatGoneEvent(keys, { kind: 'disbanded', chatId: 'oc_depth_gone_0002', operator: zhang }))
    expect(shown.map((m) => m.receive_id)).toEqual([admin.open_id])
    expect(textOf(shown[0]!)).toContain('“临时群”已解散')
    expect((await feishu.svc.db.chatGroup.findFirstOrThrow({ where: { externalId: 'oc_depth_gone_0002' } })).unitId).toBeNull()
  })

  it('a recalled message that filed a request is recorded on its timeline; the request stays', async () => {
    const messageId = 'om_in_depth_recall_0001'
    const filed = await after(
      messageEvent(keys, { from: zhang, chatId: `oc_p2p_${zhang.open_id}`, chatType: 'p2p', text: '诉求 宿舍热水器坏了三天', messageId }),
    )
    const number = /SQ-\d{4}-\d{4}/.exec(texts(filed))![0]
    await after(messageRecalledEvent(keys, { messageId, chatId: `oc_p2p_${zhang.open_id}` }))
    const request = await feishu.svc.db.workerRequest.findUniqueOrThrow({ where: { number }, include: { events: true } })
    expect(request.status).toBe('new')
    expect(request.events.map((e) => e.kind)).toEqual(['filed', 'recalled'])
    expect(texts(await say(zhang, `进度 ${number}`))).toContain('原消息已撤回')
    // Another message's recall touches no request.
    await after(messageRecalledEvent(keys, { messageId: 'om_in_depth_other', chatId: `oc_p2p_${zhang.open_id}` }))
    expect(await feishu.svc.db.requestEvent.count({ where: { kind: 'recalled' } })).toBe(1)
  })

  it('a person deleted from the tenant (left the company) is no longer bound', async () => {
    expect(await feishu.svc.db.platformIdentity.count({ where: { platform: 'feishu', externalId: zhang.open_id } })).toBe(1)
    await after(userDeletedEvent(keys, { person: zhang, name: '张伟' }))
    expect(await feishu.svc.db.platformIdentity.count({ where: { platform: 'feishu', person: { employeeNo: 'D1002' } } })).toBe(0)
    expect(texts(await say(zhang, '我的诉求'))).toContain('您还没有绑定身份')
  })
})
