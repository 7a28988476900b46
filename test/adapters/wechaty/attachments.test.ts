import crypto from 'node:crypto'
import { FileBox } from 'file-box'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import type { AdapterFactory } from '../../../adapters/index.js'
import { createWechatyAdapter, type WechatyAdapter } from '../../../adapters/wechaty/index.js'
import { issueToken } from '../../../src/auth/tokens.js'
import { startTestService, type TestService } from '../../helpers/service.js'

// Photos on requests through WeChat (issue #18), on wechaty-puppet-mock: a person sends an image
// privately right after a request; the adapter takes it with message.toFileBox(); it joins the request
// and the dashboard serves it.
let svc: TestService
let adapter: WechatyAdapter
let mocker: mock.Mocker
let me: mock.ContactMock
let zhangwei: mock.ContactMock
const said: string[] = []

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await probe()
    if (found !== undefined && found !== false) return found
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the bot said:\n${said.join('\n')}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
const heard = (pattern: string, from: number) => until(`“${pattern}”`, () => said.slice(from).find((t) => t.includes(pattern)))

beforeAll(async () => {
  mocker = new mock.Mocker()
  const puppet = new PuppetMock({ mocker })
  const factory: AdapterFactory = {
    platform: 'wechaty',
    enabled: (config) => Boolean(config.WECHATY_PUPPET),
    create: (deps) => (adapter = createWechatyAdapter(deps, { puppet, showQr: () => {} })),
  }
  svc = await startTestService({
    env: { WECHATY_PUPPET: 'wechaty-puppet-mock', WECHATY_PACE_MS: '0', WECHATY_JITTER_MS: '0', WECHATY_MS_PER_CHAR: '0' },
    adapterFactories: [factory],
  })
  await adapter.start()
  me = mocker.createContact({ name: '工友' })
  zhangwei = mocker.createContact({ name: '张伟' })
  ;(zhangwei as unknown as { on(e: 'message', l: (m: mock.MessageMock) => void): unknown }).on('message', (m) => {
    if (m.talker().id === me.id) said.push(m.text() ?? '')
  })
  mocker.login(me)
  await until('the login', () => (adapter.status().connected ? true : undefined))
})
afterAll(async () => {
  await svc?.close()
  await svc?.dropDatabase()
})

describe('photos on requests through WeChat', () => {
  it('an image sent privately right after a request joins it, fetched with toFileBox', async () => {
    let mark = said.length
    zhangwei.say('绑定 D1002 张伟').to(me)
    await heard('绑定成功', mark)
    mark = said.length
    zhangwei.say('诉求 宿舍热水器坏了').to(me)
    const number = /SQ-\d{4}-\d{4}/.exec(await heard('SQ-', mark))![0]

    const photo = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(1500)])
    mark = said.length
    zhangwei.say(FileBox.fromBase64(photo.toString('base64'), 'hot-water.png')).to(me)
    expect(await heard(`已把 1 个附件加入诉求 ${number}`, mark)).toBeTruthy()

    const officer = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D2001' } })
    const headers = { authorization: `Bearer ${await issueToken(svc.db, officer.id)}` }
    const detail = (await svc.app.inject({ method: 'GET', url: `/api/v1/requests/${number}`, headers })).json()
    expect(detail.attachments).toEqual([expect.objectContaining({ kind: 'image', name: 'hot-water.png', size: photo.length, uploader: '张伟' })])
    const res = await svc.app.inject({ method: 'GET', url: detail.attachments[0].url, headers })
    expect(res.headers['content-type']).toBe('image/png')
    expect(res.rawPayload.equals(photo)).toBe(true)
  })
})
