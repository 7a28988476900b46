import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWecomAdapterFactory } from '../../../adapters/wecom/index.js'
import { FakeBotSocket, shown } from './fake-wecom.js'
import { appText, BOT_ID, BOT_SECRET, nextId, numberIn, postApp, settled, useWecom, waitFor } from './kit.js'

/**
 * The intelligent bot's long connection, through the real @wecom/aibot-node-sdk WSClient pointed
 * (WECOM_BOT_WS_URL) at a local fake of WeCom's endpoint that speaks the SDK's JSON frames.
 */
let socket: FakeBotSocket
const GROUP = 'wrkSFfCgAAwsGroup'

beforeAll(async () => {
  socket = await new FakeBotSocket({ botId: BOT_ID, secret: BOT_SECRET }).start()
})
// Registered before the service's: after hooks run in reverse, so the socket stops once the service has.
afterAll(() => socket?.stop())
const wecom = useWecom({
  env: () => ({ WECOM_BOT_ID: BOT_ID, WECOM_BOT_SECRET: BOT_SECRET, WECOM_BOT_MODE: 'ws', WECOM_BOT_WS_URL: socket.url }),
  adapterFactory: createWecomAdapterFactory({ connectionCheckMs: 100 }),
})
beforeAll(wecom.bindWorkerAndOfficer)

function frame(cmd: 'aibot_msg_callback' | 'aibot_event_callback', body: object) {
  return { cmd, headers: { req_id: `req-${nextId()}` }, body }
}
const groupText = (userid: string, content: string, msgid = nextId()) =>
  frame('aibot_msg_callback', { msgid, aibotid: BOT_ID, chatid: GROUP, chattype: 'group', from: { userid }, msgtype: 'text', text: { content } })

/** An event in the group (a card button pressed) as the long connection carries it. */
const groupEvent = (userid: string, event: object, msgid = nextId()) =>
  frame('aibot_event_callback', { msgid, create_time: 1, aibotid: BOT_ID, chatid: GROUP, chattype: 'group', from: { userid }, msgtype: 'event', event })

/** Pushes a frame and returns what the bot then sent to the group. */
async function inGroup(f: object): Promise<string[]> {
  const before = socket.sendsTo(GROUP).length
  expect(socket.push(f)).toBe(1)
  await waitFor(
    wecom.svc,
    async () =>
      (await wecom.svc.db.inboundEvent.count({ where: { platform: 'wecom', status: { in: ['pending', 'processing'] } } })) === 0 &&
      socket.sendsTo(GROUP).length > before,
    'the bot to answer in the group',
  )
  await settled(wecom.svc)
  return socket.sendsTo(GROUP).slice(before).map(shown)
}

describe('the intelligent bot over its long connection', () => {
  it('connects (on the instance that sends for WeCom) and authenticates with the bot id and secret', async () => {
    await waitFor(wecom.svc, () => socket.authenticated > 0, 'the SDK to authenticate')
    expect(socket.received[0]).toMatchObject({ cmd: 'aibot_subscribe', body: { bot_id: BOT_ID, secret: BOT_SECRET } })
    const ready = await wecom.svc.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.json().adapters.wecom).toMatchObject({ connected: true })
  })

  it('@机器人 诉求 … in a group: answered in the group with aibot_send_msg, the officer told through the app', async () => {
    const officerBefore = wecom.fake.sentTo('heping').length
    const [answer] = await inGroup(groupText('zhangwei', '@工友 诉求 仓库门口的灯坏了'))
    // The group hears the number only (the acknowledgement goes privately).
    expect(answer).toMatch(/已收到诉求 SQ-\d{4}-\d{4}/)
    expect(answer).not.toContain('灯坏了')
    expect(socket.sendsTo(GROUP).at(-1)).toMatchObject({ chatid: GROUP, msgtype: 'markdown' })
    const number = numberIn(answer!)
    const notice = await waitFor(wecom.svc, () => wecom.fake.sentTo('heping')[officerBefore], 'the officer notice')
    expect(notice.template_card.main_title.title).toBe(`新诉求 ${number}`)

    // A card button pressed in the group comes back as an event frame carrying the command.
    const [progress] = await inGroup(groupEvent('heping', { eventtype: 'template_card_event', event_key: `gy:进度 ${number}` }))
    // A request's progress is personal: the group hears that it was sent; it comes privately, through the app.
    expect(progress).toContain('已私信发您')
    await waitFor(
      wecom.svc,
      () =>
        wecom.fake
          .sentTo('heping')
          .slice(officerBefore)
          .find((m) => JSON.stringify(m).includes(`诉求 ${number}`) && !JSON.stringify(m).includes('新诉求')),
      'the progress, privately',
    )
  })

  it('handles a redelivered frame (same msgid) once', async () => {
    const f = groupText('zhangwei', '@工友 我的信息', `ws-dup-${nextId()}`)
    const before = socket.sendsTo(GROUP).length
    socket.push(f)
    socket.push({ ...f, headers: { req_id: 'another' } })
    await inGroup(f)
    expect(socket.sendsTo(GROUP).length - before).toBe(1)
  })

  it('posts notices into a group unprompted (here: a new request for the officers group bound there)', async () => {
    expect((await inGroup(groupText('heping', '@工友 绑定干部群 一车间/电工班'))).join('\n')).toContain('工会干部群')
    const before = socket.sendsTo(GROUP).length
    expect((await postApp(wecom.svc, appText('zhangwei', '诉求 工具柜的锁坏了'))).statusCode).toBe(200)
    const notice = await waitFor(wecom.svc, () => socket.sendsTo(GROUP)[before], 'the notice in the officers group')
    expect(notice.msgtype).toBe('template_card')
    expect(notice.template_card.main_title.title).toMatch(/^新诉求 SQ-/)
    expect(notice.template_card.button_list[0].key).toMatch(/^gy:受理 SQ-/)
  })

  it('a pressed card is updated for the presser (aibot_respond_update_msg); pressing the same card again does nothing', async () => {
    const card = [...socket.sendsTo(GROUP)].reverse().find((b) => b.msgtype === 'template_card')!.template_card
    const key: string = card.button_list[0].key
    const command = key.slice('gy:'.length)
    const press = (msgid = nextId()) =>
      groupEvent(
        'heping',
        { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: key, task_id: card.task_id } },
        msgid,
      )
    const [answer] = await inGroup(press())
    expect(answer).toContain('已受理')
    const update = await waitFor(wecom.svc, () => socket.cardUpdates.find((u) => u.taskId === card.task_id), 'the card update')
    // Only the presser's card changes (a group card is shared), and it says what was done.
    expect(update.userids).toEqual(['heping'])
    expect(update.card.main_title.title).toBe(`已处理：${command}`)
    expect(update.card.sub_title_text).toContain('已受理')
    expect(socket.refusedUpdates).toEqual([])
    // The presser's card has no button carrying the command any more; the others' still has.
    expect(JSON.stringify(socket.cardSeenBy(card.task_id, 'heping'))).not.toContain(key)
    expect(JSON.stringify(socket.cardSeenBy(card.task_id, 'zhangwei'))).toContain(key)

    // The same card pressed again (an old client, another device): nothing happens twice.
    const again = nextId()
    const sendsBefore = socket.sendsTo(GROUP).length
    expect(socket.push(press(again))).toBe(1)
    // Settled by a later message being answered; then nothing of the second press is there.
    expect((await inGroup(groupText('zhangwei', '@工友 我的信息'))).join('\n')).toContain('张伟')
    expect(await wecom.svc.db.inboundEvent.count({ where: { platform: 'wecom', eventId: `bot:${again}` } })).toBe(0)
    expect(socket.sendsTo(GROUP).length - sendsBefore).toBe(1)
    expect(socket.cardUpdates.filter((u) => u.taskId === card.task_id)).toHaveLength(1)
  })
})
