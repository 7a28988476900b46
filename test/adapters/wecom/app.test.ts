import { encrypt } from '@wecom/crypto'
import { describe, expect, it, vi } from 'vitest'
import { shown } from './fake-wecom.js'
import { AGENT_ID, APP_AES, APP_TOKEN, appClick, appText, appXml, CORP_ID, nextId, numberIn, postApp, settled, signed, useWecom, waitFor } from './kit.js'

const wecom = useWecom()
/** Says something to the app as `userid` and returns what the app then sent to `userid`. */
const say = wecom.replies

const events = () => wecom.svc.db.inboundEvent.count({ where: { platform: 'wecom' } })

describe('URL verification (GET /webhooks/wecom/app)', () => {
  it('answers the decrypted echostr when the signature and CorpID are right', async () => {
    const echostr = encrypt(APP_AES, 'echo-7f3a91', CORP_ID)
    const res = await wecom.svc.app.inject({ method: 'GET', url: `/webhooks/wecom/app?${signed(APP_TOKEN, echostr)}&echostr=${encodeURIComponent(echostr)}` })
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('echo-7f3a91')
  })

  it('refuses a forged signature, an echostr for another CorpID, and a request without echostr', async () => {
    const echostr = encrypt(APP_AES, 'echo', CORP_ID)
    const forged = await wecom.svc.app.inject({
      method: 'GET',
      url: `/webhooks/wecom/app?${signed('not-the-token', echostr)}&echostr=${encodeURIComponent(echostr)}`,
    })
    expect(forged.statusCode).toBe(403)
    expect(forged.body).not.toContain('echo')
    const other = encrypt(APP_AES, 'echo', 'wwOTHERCORP')
    expect(
      (await wecom.svc.app.inject({ method: 'GET', url: `/webhooks/wecom/app?${signed(APP_TOKEN, other)}&echostr=${encodeURIComponent(other)}` })).statusCode,
    ).toBe(403)
    expect((await wecom.svc.app.inject({ method: 'GET', url: `/webhooks/wecom/app?${signed(APP_TOKEN, echostr)}` })).statusCode).toBe(400)
  })
})

describe('receiving (POST /webhooks/wecom/app)', () => {
  it('refuses a forged signature with 403 and stores nothing', async () => {
    const before = await events()
    const res = await postApp(wecom.svc, appText('mallory', '绑定 D1002 张伟'), { token: 'guessed-token' })
    expect(res.statusCode).toBe(403)
    expect(await events()).toBe(before)
  })

  it('refuses a correctly signed callback whose timestamp is more than 5 minutes off (a replay) with 401, storing nothing', async () => {
    const before = await events()
    for (const atMs of [1000, Date.now() - 6 * 60 * 1000, Date.now() + 6 * 60 * 1000]) {
      const res = await postApp(wecom.svc, appText('mallory', '帮助'), { atMs })
      expect(res.statusCode, String(atMs)).toBe(401)
      expect(res.json().error.code).toBe('stale_request')
      expect(res.json().error.message).toContain('5 分钟')
    }
    const echostr = encrypt(APP_AES, 'echo-old', CORP_ID)
    const verify = await wecom.svc.app.inject({
      method: 'GET',
      url: `/webhooks/wecom/app?${signed(APP_TOKEN, echostr, '', 1000)}&echostr=${encodeURIComponent(echostr)}`,
    })
    expect(verify.statusCode).toBe(401)
    expect(verify.body).not.toContain('echo-old')
    expect(await events()).toBe(before)
    // Within the window it is taken.
    expect((await postApp(wecom.svc, appText('mallory', '帮助'), { atMs: Date.now() - 60 * 1000 })).statusCode).toBe(200)
  })

  it('refuses a message encrypted for another CorpID with 403', async () => {
    const before = await events()
    const res = await postApp(wecom.svc, appText('mallory', '帮助'), { receiveId: 'wwOTHERCORP' })
    expect(res.statusCode).toBe(403)
    expect(await events()).toBe(before)
  })

  it('answers 400, never 500, to malformed callbacks', async () => {
    const post = (url: string, payload: string) => wecom.svc.app.inject({ method: 'POST', url, headers: { 'content-type': 'text/xml' }, payload })
    const cipher = encrypt(APP_AES, appText('u1', 'hi'), CORP_ID)
    expect((await post(`/webhooks/wecom/app?${signed(APP_TOKEN, cipher)}`, 'not xml at all')).statusCode).toBe(400)
    expect((await post(`/webhooks/wecom/app?${signed(APP_TOKEN, cipher)}`, '<xml><ToUserName>x</ToUserName></xml>')).statusCode).toBe(400)
    expect((await post('/webhooks/wecom/app', `<xml><Encrypt><![CDATA[${cipher}]]></Encrypt></xml>`)).statusCode).toBe(400)
    // Correctly signed, but not something that decrypts.
    expect(
      (await post(`/webhooks/wecom/app?${signed(APP_TOKEN, 'AAAAAAAAAAAAAAAAAAAAAA==')}`, '<xml><Encrypt><![CDATA[AAAAAAAAAAAAAAAAAAAAAA==]]></Encrypt></xml>'))
        .statusCode,
    ).toBe(400)
    // Decrypts, but is not a WeCom message.
    expect((await postApp(wecom.svc, 'hello')).statusCode).toBe(400)
    expect((await postApp(wecom.svc, appXml({ ToUserName: CORP_ID, MsgType: 'text', Content: 'no sender' }))).statusCode).toBe(400)
    expect(
      (
        await wecom.svc.app.inject({
          method: 'POST',
          url: `/webhooks/wecom/app?${signed(APP_TOKEN, cipher)}`,
          headers: { 'content-type': 'application/json' },
          payload: '{"x":',
        })
      ).statusCode,
    ).toBe(400)
  })

  it('answers 200 to what it does not act on (an image without a MediaId) and stores nothing', async () => {
    const before = await events()
    const res = await postApp(
      wecom.svc,
      appXml({ ToUserName: CORP_ID, FromUserName: 'u1', CreateTime: 1, MsgType: 'image', PicUrl: 'http://x', MsgId: nextId(), AgentID: AGENT_ID }),
    )
    expect(res.statusCode).toBe(200)
    expect(await events()).toBe(before)
  })

  it('answers 503 when the event cannot be stored (so WeCom retries), and takes the retry', async () => {
    const plain = appText('retry-user', '帮助')
    const spy = vi.spyOn(wecom.svc.core, 'accept').mockRejectedValueOnce(new Error('database is down'))
    try {
      const res = await postApp(wecom.svc, plain)
      expect(res.statusCode).toBe(503)
    } finally {
      spy.mockRestore()
    }
    const again = await postApp(wecom.svc, plain)
    expect(again.statusCode).toBe(200)
    await settled(wecom.svc)
    expect(wecom.fake.sentTo('retry-user')).toHaveLength(1)
  })

  it('handles a redelivered message (same MsgId) once', async () => {
    const plain = appText('redelivery-user', '帮助', nextId())
    const before = await events()
    for (let i = 0; i < 3; i++) expect((await postApp(wecom.svc, plain)).statusCode).toBe(200)
    await settled(wecom.svc)
    expect(await events()).toBe(before + 1)
    expect(wecom.fake.sentTo('redelivery-user')).toHaveLength(1)
    expect(shown(wecom.fake.sentTo('redelivery-user')[0]!)).toContain('绑定 工号 姓名')
  })
})

describe('a private conversation through the app', () => {
  let number = ''

  it('binds a worker and an officer by their userids', async () => {
    expect((await say('zhangwei', '我的信息')).join('\n')).toContain('请先发送：绑定 工号 姓名')
    expect((await say('zhangwei', '绑定 D1002 张伟')).join('\n')).toContain('绑定成功：张伟（一车间/电工班，职工）')
    const officer = (await say('heping', '绑定 D2001 何平')).join('\n')
    expect(officer).toContain('绑定成功：何平')
    // An officer's number and name typed in chat vouch for nothing: a worker until an administrator confirms.
    expect(officer).toContain('等待管理员确认')
    expect((await say('heping', '待办')).join('\n')).toContain('只有')
    expect((await wecom.svc.say('D9000', 'dm', '确认绑定 D2001 企业微信')).map((r) => r.text).join('\n')).toContain('已确认 何平')
    await settled(wecom.svc)
    const identity = await wecom.svc.db.platformIdentity.findFirstOrThrow({ where: { platform: 'wecom', externalId: 'zhangwei' }, include: { person: true } })
    expect(identity).toMatchObject({ kind: 'userid', person: { employeeNo: 'D1002' } })
  })

  it('a worker files a request; the officer gets a card by userid through message/send', async () => {
    const officerBefore = wecom.fake.sentTo('heping').length
    const ack = (await say('zhangwei', '诉求 食堂的饭菜太咸了')).join('\n')
    number = numberIn(ack)
    expect(ack).toMatch(/已收到您的诉求 SQ-\d{4}-\d{4}（食堂餐饮）/)
    const toOfficer = await waitFor(wecom.svc, () => wecom.fake.sentTo('heping')[officerBefore], 'the officer notice')
    expect(toOfficer).toMatchObject({ touser: 'heping', agentid: AGENT_ID, msgtype: 'template_card', enable_duplicate_check: 1 })
    const card = toOfficer.template_card
    expect(card.card_type).toBe('button_interaction')
    expect(card.main_title.title).toBe(`新诉求 ${number}`)
    expect(card.sub_title_text).toContain('食堂的饭菜太咸了')
    expect(card.task_id).toMatch(/^[A-Za-z0-9_@-]{1,128}$/)
    expect(card.button_list).toContainEqual(expect.objectContaining({ text: '受理', key: `gy:受理 ${number}` }))
  })

  it('the officer answers 受理 from the app, and the worker is told', async () => {
    const workerBefore = wecom.fake.sentTo('zhangwei').length
    expect((await say('heping', `受理 ${number}`)).join('\n')).toContain(`已受理 ${number}`)
    const told = await waitFor(wecom.svc, () => wecom.fake.sentTo('zhangwei')[workerBefore], 'the worker to be told')
    expect(shown(told)).toContain(`您的诉求 ${number} 已由 何平 受理`)
    const request = await wecom.svc.db.workerRequest.findUniqueOrThrow({ where: { number } })
    expect(request.status).toBe('accepted')
  })

  it('a card button pressed in the app arrives as the command it carries', async () => {
    const before = wecom.fake.sentTo('heping').length
    const res = await postApp(wecom.svc, appClick('heping', `gy:进度 ${number}`))
    expect(res.statusCode).toBe(200)
    await settled(wecom.svc)
    const progress = wecom.fake.sentTo('heping').slice(before).map(shown).join('\n')
    expect(progress).toContain(`诉求 ${number}`)
    expect(progress).toContain('处理中')
    // A key that is not one of ours is ignored.
    expect((await postApp(wecom.svc, appClick('heping', 'someone-elses-key'))).statusCode).toBe(200)
  })
})

describe('sending', () => {
  it('fetches the access token once and reuses it; an expired token is fetched again and the send retried once', async () => {
    expect(wecom.fake.tokenFetches).toBe(1)
    wecom.fake.expireTokens()
    const replies = await say('token-user', '帮助')
    expect(replies).toHaveLength(1)
    expect(wecom.fake.tokenFetches).toBe(2)
    expect(wecom.fake.sends.filter((s) => s.body.touser === 'token-user').map((s) => s.errcode)).toEqual([42001, 0])
  })

  it('holds a message back when WeCom says 45009 (too many), without using up an attempt', async () => {
    wecom.fake.throttleSends = 1
    await postApp(wecom.svc, appText('busy-user', '帮助'))
    await waitFor(wecom.svc, () => wecom.fake.sends.some((s) => s.body.touser === 'busy-user' && s.errcode === 45009), 'the throttled send')
    const row = await waitFor(
      wecom.svc,
      () => wecom.svc.db.outboxMessage.findFirst({ where: { platform: 'wecom', target: 'busy-user', status: 'pending', lastError: { contains: '45009' } } }),
      'the row to be held',
    )
    expect(row.attempts).toBe(0)
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 30_000)
  })
})
