/**
 * The set-up the WeCom tests share: the app's and the bot's keys, callbacks encrypted and signed as
 * WeCom does, waiting; and `useWecom`, a FakeWecom and a whole service pointed at it, started
 * before a file's tests and stopped after.
 */
import crypto from 'node:crypto'
import { encrypt, getSignature } from '@wecom/crypto'
import { afterAll, beforeAll, expect } from 'vitest'
import type { AdapterFactory } from '../../../adapters/index.js'
import { wecomAppAdapterFactory } from '../../../adapters/wecom/index.js'
import { startTestService, type TestService } from '../../helpers/service.js'
import { FakeWecom, shown } from './fake-wecom.js'

/** A random EncodingAESKey: 43 base64 characters (32 bytes once "=" is added). */
export function aesKey(): string {
  return crypto.randomBytes(32).toString('base64').replace(/=+$/, '')
}

export const CORP_ID = 'ww1234567890abcdef'
export const AGENT_ID = 1000002
export const APP_SECRET = 'app-secret-xyz'
export const APP_TOKEN = 'AppToken123'
export const APP_AES = aesKey()
export const BOT_ID = 'aibAAAA1111'
export const BOT_SECRET = 'bot-secret-abc'
export const BOT_TOKEN = 'BotToken456'
export const BOT_AES = aesKey()

export function appEnv(apiBase: string): Record<string, string> {
  return {
    WECOM_CORP_ID: CORP_ID,
    WECOM_AGENT_ID: String(AGENT_ID),
    WECOM_SECRET: APP_SECRET,
    WECOM_TOKEN: APP_TOKEN,
    WECOM_ENCODING_AES_KEY: APP_AES,
    WECOM_API_BASE: apiBase,
  }
}

/** The signed query of a callback over `ciphertext`, the way WeCom computes it (token, timestamp, nonce, ciphertext; sorted; sha1). */
export function signed(token: string, ciphertext: string, extra = '', atMs = Date.now()): string {
  const timestamp = String(Math.floor(atMs / 1000))
  const nonce = crypto.randomBytes(6).toString('hex')
  return `msg_signature=${getSignature(token, timestamp, nonce, ciphertext)}&timestamp=${timestamp}&nonce=${nonce}${extra}`
}

const cdata = (v: string) => `<![CDATA[${v}]]>`

/** The plaintext XML of an app callback. */
export function appXml(fields: Record<string, string | number>): string {
  return `<xml>${Object.entries(fields)
    .map(([k, v]) => `<${k}>${typeof v === 'number' ? v : cdata(v)}</${k}>`)
    .join('')}</xml>`
}

let seq = 0
export const nextId = () => `${Date.now()}${String(++seq).padStart(4, '0')}`

/** A text message from `userid` to the app, as WeCom posts it (encrypted with @wecom/crypto). */
export function appText(userid: string, content: string, msgId = nextId()): string {
  return appXml({
    ToUserName: CORP_ID,
    FromUserName: userid,
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: 'text',
    Content: content,
    MsgId: msgId,
    AgentID: AGENT_ID,
  })
}

/** A template card button press in the app. */
export function appClick(userid: string, eventKey: string, taskId = 'task'): string {
  return appXml({
    ToUserName: CORP_ID,
    FromUserName: userid,
    CreateTime: Math.floor(Date.now() / 1000) + ++seq,
    MsgType: 'event',
    Event: 'template_card_event',
    EventKey: eventKey,
    TaskId: taskId,
    CardType: 'button_interaction',
    ResponseCode: 'rc',
    AgentID: AGENT_ID,
  })
}

/** Posts a plaintext app callback, encrypted and signed as WeCom does. */
export async function postApp(svc: TestService, plain: string, o: { receiveId?: string; token?: string; aes?: string; atMs?: number } = {}) {
  const ciphertext = encrypt(o.aes ?? APP_AES, plain, o.receiveId ?? CORP_ID)
  const payload = `<xml><ToUserName>${cdata(CORP_ID)}</ToUserName><AgentID>${cdata(String(AGENT_ID))}</AgentID><Encrypt>${cdata(ciphertext)}</Encrypt></xml>`
  return svc.app.inject({
    method: 'POST',
    url: `/webhooks/wecom/app?${signed(o.token ?? APP_TOKEN, ciphertext, '', o.atMs)}`,
    headers: { 'content-type': 'text/xml' },
    payload,
  })
}

/** Waits (bounded) until `check` returns a truthy value, waking the outbox meanwhile. */
export async function waitFor<T>(svc: TestService, check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    svc.outbox.wake()
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Waits until every WeCom event is handled and no WeCom outbox row is due and unsent. */
export async function settled(svc: TestService, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    svc,
    async () =>
      (await svc.db.inboundEvent.count({ where: { platform: 'wecom', status: { in: ['pending', 'processing'] } } })) === 0 &&
      (await svc.db.outboxMessage.count({ where: { platform: 'wecom', status: { in: ['pending', 'sending'] }, nextAttemptAt: { lte: new Date() } } })) === 0,
    'WeCom events and sends to settle',
    timeoutMs,
  )
}

export const numberIn = (s: string) => /SQ-\d{4}-\d{4}/.exec(s)?.[0] ?? ''

/** The intelligent bot in callback mode, beside the app. */
export const botCallbackEnv: Record<string, string> = {
  WECOM_BOT_ID: BOT_ID,
  WECOM_BOT_MODE: 'callback',
  WECOM_BOT_TOKEN: BOT_TOKEN,
  WECOM_BOT_ENCODING_AES_KEY: BOT_AES,
}

export interface WecomKitOptions {
  /** More environment for the service (added to the app's), or a function giving it when the service starts. */
  env?: Record<string, string> | (() => Record<string, string>)
  /** The adapter factory (default: the production one). */
  adapterFactory?: AdapterFactory
}

/** A running FakeWecom (the app's API) and service, and the ways tests speak to the app. */
export class WecomKit {
  fake!: FakeWecom
  svc!: TestService

  constructor(readonly options: WecomKitOptions = {}) {}

  readonly start = async (): Promise<this> => {
    const { env, adapterFactory } = this.options
    this.fake = await new FakeWecom({ corpId: CORP_ID, secret: APP_SECRET, agentId: AGENT_ID }).start()
    const more = typeof env === 'function' ? env() : env
    this.svc = await startTestService({ env: { ...appEnv(this.fake.url), ...more }, adapterFactories: [adapterFactory ?? wecomAppAdapterFactory] })
    return this
  }

  readonly stop = async (): Promise<void> => {
    await this.svc?.close()
    await this.svc?.dropDatabase()
    await this.fake?.stop()
  }

  /** Says something to the app as `userid` (answered 200 with an empty body) and returns what the app then sent to `userid`. */
  readonly replies = async (userid: string, text: string): Promise<string[]> => {
    const before = this.fake.sentTo(userid).length
    const res = await postApp(this.svc, appText(userid, text))
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('')
    await settled(this.svc)
    return this.fake.sentTo(userid).slice(before).map(shown)
  }

  /** The same, the replies as one text. */
  readonly say = async (userid: string, text: string): Promise<string> => (await this.replies(userid, text)).join('\n')

  /** 张伟 (worker) and 何平 (officer) bound through the app, 何平's typed claim confirmed by the administrator (until then an officer acts as a worker). */
  readonly bindWorkerAndOfficer = async (): Promise<void> => {
    for (const [userid, words] of [
      ['zhangwei', '绑定 D1002 张伟'],
      ['heping', '绑定 D2001 何平'],
    ] as const)
      expect((await postApp(this.svc, appText(userid, words))).statusCode).toBe(200)
    await settled(this.svc)
    expect((await this.svc.say('D9000', 'dm', '确认绑定 D2001 企业微信')).map((r) => r.text).join('\n')).toContain('已确认 何平')
    await settled(this.svc)
  }
}

/** A FakeWecom and a service for the tests of this file: started before them, stopped after. */
export function useWecom(options: WecomKitOptions = {}): WecomKit {
  const kit = new WecomKit(options)
  beforeAll(kit.start)
  afterAll(kit.stop)
  return kit
}
