import crypto from 'node:crypto'
import { encrypt } from '@wecom/crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { wecomAppAdapterFactory } from '../../../adapters/wecom/index.js'
import { issueToken } from '../../../src/auth/tokens.js'
import { startTestService, type TestService } from '../../helpers/service.js'
import { encryptBotFile, FakeWecom, shown } from './fake-wecom.js'
import {
  AGENT_ID,
  APP_SECRET,
  appEnv,
  appText,
  appXml,
  BOT_AES,
  BOT_ID,
  BOT_TOKEN,
  CORP_ID,
  nextId,
  numberIn,
  postApp,
  settled,
  signed,
  waitFor,
} from './helpers.js'

// Photos and files on requests through WeCom (issue #18): the self-built app's image messages
// (media/get by MediaId) and the intelligent bot's (an encrypted URL, decrypted with the bot's
// EncodingAESKey in callback mode), end to end to the dashboard's link.
let fake: FakeWecom
let svc: TestService

beforeAll(async () => {
  fake = await new FakeWecom({ corpId: CORP_ID, secret: APP_SECRET, agentId: AGENT_ID }).start()
  svc = await startTestService({
    env: { ...appEnv(fake.url), WECOM_BOT_ID: BOT_ID, WECOM_BOT_MODE: 'callback', WECOM_BOT_TOKEN: BOT_TOKEN, WECOM_BOT_ENCODING_AES_KEY: BOT_AES },
    adapterFactories: [wecomAppAdapterFactory],
  })
})
afterAll(async () => {
  await svc?.close()
  await svc?.dropDatabase()
  await fake?.stop()
})

const jpeg = (size = 3000) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(size - 4)])

async function say(userid: string, text: string): Promise<string> {
  const before = fake.sentTo(userid).length
  expect((await postApp(svc, appText(userid, text))).statusCode).toBe(200)
  await settled(svc)
  return fake.sentTo(userid).slice(before).map(shown).join('\n')
}

/** An image message to the app, its media put in WeCom first. */
async function sendAppImage(userid: string, bytes: Buffer): Promise<string> {
  const mediaId = `media-${nextId()}`
  fake.media.set(mediaId, { bytes, mime: 'image/jpeg', name: 'photo.jpg' })
  const before = fake.sentTo(userid).length
  const xml = appXml({
    ToUserName: CORP_ID,
    FromUserName: userid,
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: 'image',
    PicUrl: `${fake.url}/not-used/${mediaId}`,
    MediaId: mediaId,
    MsgId: nextId(),
    AgentID: AGENT_ID,
  })
  expect((await postApp(svc, xml)).statusCode).toBe(200)
  await settled(svc)
  return fake.sentTo(userid).slice(before).map(shown).join('\n')
}

async function officerGet(url: string) {
  const officer = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D2001' } })
  return svc.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await issueToken(svc.db, officer.id)}` } })
}

describe('photos on requests through WeCom', () => {
  it('the app: an image right after a request is fetched by media/get and joins it; the dashboard serves it', async () => {
    expect(await say('zhangwei', '绑定 D1002 张伟')).toContain('绑定成功')
    const number = numberIn(await say('zhangwei', '诉求 车间东门的灯坏了'))
    const photo = jpeg()
    expect(await sendAppImage('zhangwei', photo)).toContain(`已把 1 个附件加入诉求 ${number}`)
    expect(fake.mediaGets.at(-1)).toMatchObject({ errcode: 0 })

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
    fake.botFiles.set('img-1', encryptBotFile(photo, `${BOT_AES}=`))
    const payload = {
      msgid: nextId(),
      aibotid: BOT_ID,
      chattype: 'single',
      from: { userid: 'zhangwei' },
      msgtype: 'image',
      image: { url: `${fake.url}/aibot/media/img-1` },
    }
    const ciphertext = encrypt(BOT_AES, JSON.stringify(payload), '')
    const res = await svc.app.inject({ method: 'POST', url: `/webhooks/wecom/bot?${signed(BOT_TOKEN, ciphertext)}`, payload: { encrypt: ciphertext } })
    expect(res.statusCode).toBe(200)
    await settled(svc)
    const stored = await waitFor(svc, () => svc.db.attachment.findFirst({ where: { request: { number } } }), 'the bot image to be stored')
    expect(Buffer.from(stored.bytes).equals(photo)).toBe(true)
    expect(stored).toMatchObject({ mime: 'image/jpeg', platform: 'wecom' })
  })
})
