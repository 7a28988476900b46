import { encrypt } from '@wecom/crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkCardUpdate, openPassiveReply, shown } from './fake-wecom.js'
import { appText, BOT_AES, BOT_ID, BOT_TOKEN, botCallbackEnv, CORP_ID, nextId, numberIn, postApp, settled, signed, useWecom, waitFor } from './kit.js'

const wecom = useWecom({ env: botCallbackEnv })
const GROUP = 'wrkSFfCgAAxxGroup1'
// Both bound through the app first (the same userids are seen by the bot).
beforeAll(wecom.bindWorkerAndOfficer)

/** A group message to the bot as WeCom's callback carries it. */
function groupText(userid: string, content: string, o: { msgid?: string; responseUrl?: string; chatid?: string } = {}) {
  return {
    msgid: o.msgid ?? nextId(),
    aibotid: BOT_ID,
    chatid: o.chatid ?? GROUP,
    chattype: 'group',
    from: { userid },
    response_url: o.responseUrl ?? wecom.fake.responseUrl().url,
    msgtype: 'text',
    text: { content },
  }
}

/** A card button pressed in the group (template_card_event), as WeCom's callback carries it. */
function groupPress(userid: string, eventKey: string, o: { msgid?: string; responseUrl?: string; taskId: string }) {
  return {
    msgid: o.msgid ?? nextId(),
    create_time: Math.floor(Date.now() / 1000),
    aibotid: BOT_ID,
    chatid: GROUP,
    chattype: 'group',
    from: { userid },
    response_url: o.responseUrl ?? wecom.fake.responseUrl().url,
    msgtype: 'event',
    event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: eventKey, task_id: o.taskId } },
  }
}

/** Posts a bot callback: JSON {encrypt}, encrypted with @wecom/crypto with ReceiveId "" and signed. */
function postBot(payload: object, o: { receiveId?: string; token?: string; atMs?: number } = {}) {
  const ciphertext = encrypt(BOT_AES, JSON.stringify(payload), o.receiveId ?? '')
  return wecom.svc.app.inject({
    method: 'POST',
    url: `/webhooks/wecom/bot?${signed(o.token ?? BOT_TOKEN, ciphertext, '', o.atMs)}`,
    payload: { encrypt: ciphertext },
  })
}

/** Says something in the group and returns what the bot answered through that message's response_url. */
async function sayInGroup(userid: string, content: string): Promise<string> {
  const { url, code } = wecom.fake.responseUrl()
  const res = await postBot(groupText(userid, content, { responseUrl: url }))
  expect(res.statusCode).toBe(200)
  await settled(wecom.svc)
  const answers = wecom.fake.responses.filter((r) => r.code === code && r.errcode === 0)
  expect(answers).toHaveLength(1)
  return shown(answers[0]!.body)
}

describe('URL verification (GET /webhooks/wecom/bot)', () => {
  it('answers the decrypted echostr (ReceiveId "") and refuses forgeries', async () => {
    const echostr = encrypt(BOT_AES, 'bot-echo-1', '')
    const ok = await wecom.svc.app.inject({ method: 'GET', url: `/webhooks/wecom/bot?${signed(BOT_TOKEN, echostr)}&echostr=${encodeURIComponent(echostr)}` })
    expect(ok.statusCode).toBe(200)
    expect(ok.body).toBe('bot-echo-1')
    expect(
      (await wecom.svc.app.inject({ method: 'GET', url: `/webhooks/wecom/bot?${signed('wrong', echostr)}&echostr=${encodeURIComponent(echostr)}` })).statusCode,
    ).toBe(403)
    const withCorp = encrypt(BOT_AES, 'bot-echo-1', CORP_ID)
    expect(
      (await wecom.svc.app.inject({ method: 'GET', url: `/webhooks/wecom/bot?${signed(BOT_TOKEN, withCorp)}&echostr=${encodeURIComponent(withCorp)}` }))
        .statusCode,
    ).toBe(403)
  })
})

describe('receiving (POST /webhooks/wecom/bot)', () => {
  it('refuses forged signatures, another receiveid and another bot with 403; malformed with 400', async () => {
    const before = await wecom.svc.db.inboundEvent.count()
    expect((await postBot(groupText('zhangwei', '@工友 帮助'), { token: 'guess' })).statusCode).toBe(403)
    expect((await postBot(groupText('zhangwei', '@工友 帮助'), { receiveId: CORP_ID })).statusCode).toBe(403)
    expect((await postBot({ ...groupText('zhangwei', '@工友 帮助'), aibotid: 'aibSOMEONEELSE' })).statusCode).toBe(403)
    expect((await wecom.svc.app.inject({ method: 'POST', url: `/webhooks/wecom/bot?${signed(BOT_TOKEN, 'x')}`, payload: { nothing: 1 } })).statusCode).toBe(400)
    expect(
      (
        await wecom.svc.app.inject({
          method: 'POST',
          url: `/webhooks/wecom/bot?${signed(BOT_TOKEN, 'x')}`,
          headers: { 'content-type': 'application/json' },
          payload: '{"encrypt":',
        })
      ).statusCode,
    ).toBe(400)
    const notJson = encrypt(BOT_AES, '<xml/>', '')
    expect(
      (await wecom.svc.app.inject({ method: 'POST', url: `/webhooks/wecom/bot?${signed(BOT_TOKEN, notJson)}`, payload: { encrypt: notJson } })).statusCode,
    ).toBe(400)
    expect((await postBot({ msgid: 'm', chattype: 'group', from: { userid: 'u' }, msgtype: 'text', text: { content: 'no chatid' } })).statusCode).toBe(400)
    expect(await wecom.svc.db.inboundEvent.count()).toBe(before)
  })

  it('refuses a correctly signed callback whose timestamp is more than 5 minutes off (a replay) with 401, storing nothing', async () => {
    const before = await wecom.svc.db.inboundEvent.count()
    for (const atMs of [1000, Date.now() - 6 * 60 * 1000, Date.now() + 6 * 60 * 1000]) {
      const res = await postBot(groupText('zhangwei', '@工友 帮助'), { atMs })
      expect(res.statusCode, String(atMs)).toBe(401)
      expect(res.json().error.code).toBe('stale_request')
    }
    const echostr = encrypt(BOT_AES, 'bot-echo-old', '')
    const verify = await wecom.svc.app.inject({
      method: 'GET',
      url: `/webhooks/wecom/bot?${signed(BOT_TOKEN, echostr, '', 1000)}&echostr=${encodeURIComponent(echostr)}`,
    })
    expect(verify.statusCode).toBe(401)
    expect(verify.body).not.toContain('bot-echo-old')
    expect(await wecom.svc.db.inboundEvent.count()).toBe(before)
  })

  it('handles a redelivered callback (same msgid) once', async () => {
    const payload = groupText('zhangwei', '@工友 我的信息', { msgid: `dup-${nextId()}` })
    const before = await wecom.svc.db.inboundEvent.count({ where: { platform: 'wecom' } })
    for (let i = 0; i < 3; i++) expect((await postBot(payload)).statusCode).toBe(200)
    await settled(wecom.svc)
    expect(await wecom.svc.db.inboundEvent.count({ where: { platform: 'wecom' } })).toBe(before + 1)
    const code = new URL(payload.response_url).searchParams.get('response_code')
    expect(wecom.fake.responses.filter((r) => r.code === code)).toHaveLength(1)
  })
})

describe('a group conversation through the intelligent bot (callback mode)', () => {
  let number = ''

  it('@机器人 诉求 …: the worker is answered in the group through the response_url, the officer privately through the app', async () => {
    const officerBefore = wecom.fake.sentTo('heping').length
    const workerBefore = wecom.fake.sentTo('zhangwei').length
    const answer = await sayInGroup('zhangwei', '@工友 诉求 车间的空调坏了，太热')
    number = numberIn(answer)
    // The group hears the number only; the acknowledgement goes to the worker privately, through the app.
    expect(answer).toMatch(/已收到诉求 SQ-\d{4}-\d{4}/)
    expect(answer).not.toContain('空调')
    const ack = await waitFor(wecom.svc, () => wecom.fake.sentTo('zhangwei')[workerBefore], 'the acknowledgement, privately')
    expect(shown(ack)).toContain(`已收到您的诉求 ${number}`)
    const notice = await waitFor(wecom.svc, () => wecom.fake.sentTo('heping')[officerBefore], 'the officer notice')
    expect(notice.template_card.main_title.title).toBe(`新诉求 ${number}`)
    expect(notice.template_card.sub_title_text).toContain('车间的空调坏了')
    const request = await wecom.svc.db.workerRequest.findUniqueOrThrow({ where: { number } })
    expect(request).toMatchObject({ sourcePlatform: 'wecom', sourceChatId: GROUP })
    const chat = await wecom.svc.db.chatGroup.findUniqueOrThrow({ where: { platform_externalId: { platform: 'wecom', externalId: GROUP } } })
    expect(chat.unitId).toBeNull()
  })

  it('the officer accepts in the group; the worker is told privately', async () => {
    const workerBefore = wecom.fake.sentTo('zhangwei').length
    expect(await sayInGroup('heping', `@工友 受理 ${number}`)).toContain(`已受理 ${number}`)
    const told = await waitFor(wecom.svc, () => wecom.fake.sentTo('zhangwei')[workerBefore], 'the worker to be told')
    expect(shown(told)).toContain(`您的诉求 ${number} 已由 何平 受理`)
  })

  it('a card button pressed in the group (template_card_event) arrives as its command and is answered through its response_url', async () => {
    const officerBefore = wecom.fake.sentTo('heping').length
    const { url, code } = wecom.fake.responseUrl()
    const res = await postBot(groupPress('heping', `gy:进度 ${number}`, { responseUrl: url, taskId: 't1' }))
    expect(res.statusCode).toBe(200)
    await settled(wecom.svc)
    const answer = wecom.fake.responses.find((r) => r.code === code)
    // A request's progress is personal: the group hears that it was sent; it comes privately.
    expect(answer && shown(answer.body)).toContain('已私信发您')
    const progress = await waitFor(
      wecom.svc,
      () =>
        wecom.fake
          .sentTo('heping')
          .slice(officerBefore)
          .find((m) => shown(m).includes(`诉求 ${number}`)),
      'the progress, privately',
    )
    expect(shown(progress)).toContain(number)
  })

  it('answers someone who writes to the bot privately in that chat, not through the app', async () => {
    const { url, code } = wecom.fake.responseUrl()
    const appBefore = wecom.fake.sentTo('zhangwei').length
    const res = await postBot({
      msgid: nextId(),
      aibotid: BOT_ID,
      chattype: 'single',
      from: { userid: 'zhangwei' },
      response_url: url,
      msgtype: 'text',
      text: { content: '我的信息' },
    })
    expect(res.statusCode).toBe(200)
    await settled(wecom.svc)
    const answer = wecom.fake.responses.find((r) => r.code === code && r.errcode === 0)
    expect(answer && shown(answer.body)).toContain('张伟')
    expect(wecom.fake.sentTo('zhangwei')).toHaveLength(appBefore)
  })

  it('asks an unbound member to bind, in the group', async () => {
    expect(await sayInGroup('stranger', '@工友 我的信息')).toContain('请先发送：绑定 工号 姓名')
  })

  it('cannot post a notice into a group nobody has just spoken in: the message becomes a dead letter saying why', async () => {
    // 何平 makes the group his officers' group; a request filed privately then notifies it.
    expect(await sayInGroup('heping', '@工友 绑定干部群 一车间/电工班')).toContain('工会干部群')
    const ack = await postApp(wecom.svc, appText('zhangwei', '诉求 更衣室的灯不亮'))
    expect(ack.statusCode).toBe(200)
    await settled(wecom.svc)
    const dead = await waitFor(
      wecom.svc,
      () => wecom.svc.db.outboxMessage.findFirst({ where: { platform: 'wecom', targetKind: 'chat', target: GROUP, status: 'dead' } }),
      'the group notice to be refused',
    )
    expect(dead.lastError).toContain('response_url')
  })

  it('a pressed card is updated for the presser by the passive reply; pressing the same card again does nothing', async () => {
    const number = numberIn(await sayInGroup('zhangwei', '@工友 诉求 楼梯扶手松了'))
    const press = (msgid = nextId()) => groupPress('heping', `gy:受理 ${number}`, { msgid, taskId: 'gy_card2' })
    const res = await postBot(press())
    expect(res.statusCode).toBe(200)
    const update = openPassiveReply(res.body, BOT_TOKEN, BOT_AES)
    expect(checkCardUpdate(update, 'gy_card2')).toBe(0)
    expect(update.userids).toEqual(['heping'])
    expect(update.template_card.main_title.title).toBe(`已处理：受理 ${number}`)
    expect(JSON.stringify(update.template_card)).not.toContain('gy:受理')
    await settled(wecom.svc)

    const again = nextId()
    const second = await postBot(press(again))
    expect(second.statusCode).toBe(200)
    expect(second.body).toBe('')
    await settled(wecom.svc)
    expect(await wecom.svc.db.inboundEvent.count({ where: { platform: 'wecom', eventId: `bot:${again}` } })).toBe(0)
  })
})
