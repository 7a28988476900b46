import crypto from 'node:crypto'
import { encrypt } from '@wecom/crypto'
import { describe, expect, it } from 'vitest'
import { issueToken } from '../../../src/auth/tokens.js'
import { encryptBotFile, shown } from './fake-wecom.js'
import { AGENT_ID, appXml, BOT_AES, BOT_ID, BOT_TOKEN, botCallbackEnv, CORP_ID, nextId, numberIn, postApp, settled, signed, useWecom, waitFor } from './kit.js'

// Photos and files on requests through WeCom (issue #18): the self-built app's image messages
// (media/get by MediaId) and the intelligent bot's (an encrypted URL, decrypted with the bot's
// EncodingAESKey in callback mode), end to end to the dashboard's link.
const wecom = useWecom({ env: botCallbackEnv })
const { say } = wecom

const jpeg = (size = 3000) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(size - 4)])

/** An image message to the app, its media put in WeCom first. */
async function sendAppImage(userid: string, bytes: Buffer): Promise<string> {
  const mediaId = `media-${nextId()}`
  wecom.fake.media.set(mediaId, { bytes, mime: 'image/jpeg', name: 'photo.jpg' })
  const before = wecom.fake.sentTo(userid).length
  const xml = appXml({
    ToUserName: CORP_ID,
    FromUserName: userid,
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: 'image',
    PicUrl: `${wecom.fake.url}/not-used/${mediaId}`,
    MediaId: mediaId,
    MsgId: nextId(),
    AgentID: AGENT_ID,
  })
  expect((await postApp(wecom.svc, xml)).statusCode).toBe(200)
  await settled(wecom.svc)
  return wecom.fake.sentTo(userid).slice(before).map(shown).join('\n')
}

async function officerGet(url: string) {
  const officer = await wecom.svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D2001' } })
  return wecom.svc.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await issueToken(wecom.svc.db, officer.id)}` } })
}

describe('photos on requests through WeCom', () => {
  it('the app: an image right after a request is fetched by media/get and joins it; the dashboard serves it', async () => {
    expect(await say('zhangwei', '绑定 D1002 张伟')).toContain('绑定成功')
    const number = numberIn(await say('zhangwei', '诉求 车间东门的灯坏了'))
    const photo = jpeg()
    expect(await sendAppImage('zhangwei', photo)).toContain(`已把 1 个附件加入诉求 ${number}`)
    expect(wecom.fake.mediaGets.at(-1)).toMatchObject({ errcode: 0 })

    const detail = (await officerGet(`/api/v1/requests/${number}`)).json()
    expect(detail.attachments).toEqual([
      expect.objectContaining({ kind: 'image', mime: 'image/jpeg', name: 'photo.jpg', size: photo.length, uploader: '张伟' }),
    ])
    const res = await officerGet(detail.attachments[0].url)
    expect(res.headers['content-type']).toBe('image/jpeg')
    expect(res.rawPayload.equals(photo)).toBe(true)
  })

  it('the intelligent bot: a private image is downloaded from its URL and decrypted with the EncodingAESKey', async () => {
    const number = numberIn(await say('zhangwei', '诉求 更衣室柜门坏了'))
    const photo = jpeg(5000)
    wecom.fake.botFiles.set('img-1', encryptBotFile(photo, `${BOT_AES}=`))
    const payload = {
      msgid: nextId(),
      aibotid: BOT_ID,
      chattype: 'single',
      from: { userid: 'zhangwei' },
      msgtype: 'image',
      image: { url: `${wecom.fake.url}/aibot/media/img-1` },
    }
    const ciphertext = encrypt(BOT_AES, JSON.stringify(payload), '')
    const res = await wecom.svc.app.inject({ method: 'POST', url: `/webhooks/wecom/bot?${signed(BOT_TOKEN, ciphertext)}`, payload: { encrypt: ciphertext } })
    expect(res.statusCode).toBe(200)
    await settled(wecom.svc)
    const stored = await waitFor(wecom.svc, () => wecom.svc.db.attachment.findFirst({ where: { request: { number } } }), 'the bot image to be stored')
    expect(Buffer.from(stored.bytes).equals(photo)).toBe(true)
    expect(stored).toMatchObject({ mime: 'image/jpeg', platform: 'wecom' })
  })
})
