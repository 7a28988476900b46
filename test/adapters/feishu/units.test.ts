import { describe, expect, it } from 'vitest'
import { feishuAdapterFactory, feishuLimits, feishuLimitsFor } from '../../../adapters/feishu/index.js'
import { feishuSettings } from '../../../adapters/feishu/config.js'
import { checkSignature, decryptEvent, openRef, sealRef } from '../../../adapters/feishu/crypto.js'
import { cardJson, renderDelivery, textContent, uuidFor } from '../../../adapters/feishu/render.js'
import { sdkLogger, toSendError } from '../../../adapters/feishu/sdk.js'
import { contentText, messageEvent, messageToInbound, resolveMentions } from '../../../adapters/feishu/translate.js'
import { ConfigError, loadConfig } from '../../../src/config.js'
import { PermanentSendError, ThrottledError } from '../../../src/core/types.js'
import { encrypt, messageEvent as buildMessage, signature } from './events.js'

const bot = { openId: 'ou_bot', name: '工友' }

describe('reading Feishu messages', () => {
  it('resolves mentions: the bot’s is removed and sets mentionsBot, others read as @name with their ids', () => {
    const r = resolveMentions(
      '@_user_1 诉求 @_user_2 和 @_user_10 说食堂没有热饭',
      [
        { key: '@_user_1', name: '工友', id: { open_id: 'ou_bot' } },
        { key: '@_user_2', name: '李明', id: { open_id: 'ou_li', union_id: 'on_li', user_id: 'li' } },
        { key: '@_user_10', name: '王芳', id: { open_id: 'ou_wang' } },
      ],
      bot,
    )
    expect(r.text).toBe('诉求 @李明 和 @王芳 说食堂没有热饭')
    expect(r.mentionsBot).toBe(true)
    expect(r.mentions).toEqual([
      {
        name: '李明',
        ids: [
          { kind: 'open_id', id: 'ou_li' },
          { kind: 'union_id', id: 'on_li' },
          { kind: 'user_id', id: 'li' },
        ],
      },
      { name: '王芳', ids: [{ kind: 'open_id', id: 'ou_wang' }] },
    ])
  })

  it('recognises the bot by name only while its open_id is unknown', () => {
    const mentions = [{ key: '@_user_1', name: '工友', id: { open_id: 'ou_other_bot' } }]
    expect(resolveMentions('@_user_1 帮助', mentions, bot).mentionsBot).toBe(false)
    expect(resolveMentions('@_user_1 帮助', mentions, { name: '工友' }).mentionsBot).toBe(true)
  })

  it('reads text and post content, and gives non-text messages no text', () => {
    expect(contentText('text', JSON.stringify({ text: '@_user_1 诉求 x' }))).toBe('@_user_1 诉求 x')
    const post = {
      title: '标题',
      content: [
        [
          { tag: 'at', user_id: '@_user_1', user_name: '工友' },
          { tag: 'text', text: ' 诉求 ' },
          { tag: 'a', text: '链接', href: 'https://x' },
        ],
        [{ tag: 'img', image_key: 'img_1' }],
        [{ tag: 'text', text: '第二段' }],
      ],
    }
    expect(contentText('post', JSON.stringify(post))).toBe('标题\n@_user_1 诉求 链接\n\n第二段')
    expect(contentText('post', JSON.stringify({ zh_cn: post }))).toContain('@_user_1 诉求 链接')
    expect(contentText('image', JSON.stringify({ image_key: 'img_1' }))).toBe('')
    expect(contentText('text', 'not json')).toBe('')
  })

  it('turns a group message into an InboundMessage keyed by message_id, sender open_id first', () => {
    const keys = { appId: 'cli_x', encryptKey: 'k', verificationToken: 't' }
    const raw = buildMessage(keys, {
      from: { open_id: 'ou_z', union_id: 'on_z', user_id: 'z' },
      chatId: 'oc_g',
      chatType: 'group',
      text: '@_user_1 进度',
      mentions: [{ key: '@_user_1', id: { open_id: 'ou_bot' }, name: '工友' }],
      messageId: 'om_1',
    })
    const flat = { ...raw.header, ...(raw.event as { message: Record<string, unknown> }) }
    const msg = messageToInbound(messageEvent.parse(flat), bot)
    expect(msg).toMatchObject({ platform: 'feishu', eventId: 'om_1', chatId: 'oc_g', text: '进度', mentionsBot: true, mentions: [] })
    expect(msg.sender.ids.map((i) => i.kind)).toEqual(['open_id', 'union_id', 'user_id'])
    const p2p = messageToInbound(messageEvent.parse({ ...flat, message: { ...flat.message, chat_type: 'p2p' } }), bot)
    expect(p2p.chatId).toBeNull()
  })
})

describe('the webhook’s crypto', () => {
  it('decrypts what the documented scheme encrypts, and checks signatures over the raw bytes', () => {
    const plain = JSON.stringify({ challenge: 'c', type: 'url_verification' })
    expect(decryptEvent(encrypt(plain, 'key-1'), 'key-1')).toBe(plain)
    // Under another key the padding is valid by chance about once in 256 tries (the IV is random),
    // and decryption gives bytes that are no event: the webhook's JSON.parse refuses them.
    expect(() => JSON.parse(decryptEvent(encrypt(plain, 'key-1'), 'key-2'))).toThrow()
    expect(() => decryptEvent('c2hvcnQ=', 'key-1')).toThrow()
    const body = Buffer.from('{"encrypt":"abc"}')
    const now = Date.now()
    const ts = String(Math.floor(now / 1000))
    const headers = { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n', 'x-lark-signature': signature(ts, 'n', 'key-1', body.toString()) }
    expect(checkSignature(headers, body, 'key-1', now)).toBe('ok')
    expect(checkSignature(headers, body, 'key-2', now)).toBe('bad')
    expect(checkSignature(headers, Buffer.from('{"encrypt": "abc"}'), 'key-1', now)).toBe('bad')
    expect(checkSignature(headers, body, 'key-1', now + 6 * 60 * 1000)).toBe('stale')
    expect(checkSignature({}, body, 'key-1', now)).toBe('missing')
    expect(checkSignature({ 'x-lark-signature': 'ab' }, body, 'key-1', now)).toBe('bad')
  })
})

describe('rendering for Feishu', () => {
  it('mentions people by their Feishu id in text, and never lets repeated text become markup', () => {
    expect(JSON.parse(textContent({ text: '请 @何平 处理', mentions: [{ name: '何平', userId: 'ou_he' }] })).text).toBe('请 <at user_id="ou_he">何平</at> 处理')
    expect(JSON.parse(textContent({ text: '新诉求', mentions: [{ name: '何平', userId: 'ou_he' }, { name: '无账号' }] })).text).toBe(
      '<at user_id="ou_he">何平</at> 新诉求',
    )
    expect(JSON.parse(textContent({ text: '内容：<at user_id="all"></at> 大家看' })).text).toBe('内容：＜at user_id="all">＜/at> 大家看')
  })

  it('renders cards with the tone’s colour, plain-text body and fields, and buttons that carry the command', () => {
    const card = {
      title: '新诉求 SQ-2026-0001',
      body: '内容：[点我](http://x) <at id=all></at>',
      fields: [
        { label: '类别', value: '食堂餐饮' },
        { label: '期限', value: '' },
      ],
      buttons: [{ label: '受理', action: { command: '受理 SQ-2026-0001' }, style: 'primary' as const }],
      tone: 'urgent' as const,
    }
    const json = cardJson(card, 'text', { to: 'user', ref: 'sealed-ref' })
    expect(json).toMatchObject({ config: { update_multi: true }, header: { title: { tag: 'plain_text', content: '新诉求 SQ-2026-0001' }, template: 'red' } })
    const elements = json.elements as Record<string, unknown>[]
    expect(elements[0]).toEqual({ tag: 'div', text: { tag: 'plain_text', content: card.body } })
    expect(elements[1]).toEqual({ tag: 'div', fields: [{ is_short: true, text: { tag: 'plain_text', content: '类别：食堂餐饮' } }] })
    expect(elements[2]).toEqual({
      tag: 'action',
      actions: [
        { tag: 'button', text: { tag: 'plain_text', content: '受理' }, type: 'primary', value: { command: '受理 SQ-2026-0001', to: 'user', k: 'sealed-ref' } },
      ],
    })
    for (const [tone, colour] of [
      ['info', 'blue'],
      ['attention', 'orange'],
      ['urgent', 'red'],
      ['done', 'green'],
    ] as const) {
      expect(cardJson({ title: 't', tone }, '', { to: 'chat' }).header).toMatchObject({ template: colour })
    }
    const done = cardJson(card, 'text', { to: 'user', ref: 'r', done: '已处理：受理' })
    expect(JSON.stringify(done)).toContain('"disabled":true')
    expect((done.elements as Record<string, unknown>[]).at(-1)).toEqual({ tag: 'note', elements: [{ tag: 'plain_text', content: '已处理：受理' }] })
    const withMentions = renderDelivery({
      key: 'k',
      platform: 'feishu',
      targetKind: 'chat',
      target: 'oc',
      text: 'x',
      card,
      mentions: [{ name: '何平', userId: 'ou_he' }, { name: '无账号' }, { name: '坏', userId: 'ou_x></at><at id=all' }],
    })
    expect(withMentions.msg_type).toBe('interactive')
    expect(JSON.parse(withMentions.content).elements[0]).toEqual({ tag: 'div', text: { tag: 'lark_md', content: '<at id=ou_he></at>' } })
  })

  it('seals the outbox key a private card’s buttons carry: unreadable, untamperable, bound to the app secret', () => {
    const key = 'in:feishu:om_anonymous_worker_msg:1'
    const sealed = sealRef(key, 'secret-1')
    expect(sealed).not.toContain('om_anonymous')
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('om_anonymous')
    expect(openRef(sealed, 'secret-1')).toBe(key)
    expect(openRef(sealed, 'secret-2')).toBeNull()
    const tampered = Buffer.from(sealed, 'base64url')
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1
    expect(openRef(tampered.toString('base64url'), 'secret-1')).toBeNull()
    expect(openRef('in:feishu:om_x:0', 'secret-1')).toBeNull()
  })

  it('derives the uuid from the outbox key: the key itself up to 50 characters, a stable hash beyond', () => {
    expect(uuidFor('in:feishu:om_1:0')).toBe('in:feishu:om_1:0')
    const long = `in:feishu:${'o'.repeat(60)}:3`
    expect(uuidFor(long)).toMatch(/^[0-9a-f]{32}$/)
    expect(uuidFor(long)).toBe(uuidFor(long))
    expect(uuidFor(long)).not.toBe(uuidFor(`${long}x`))
  })
})

describe('Feishu answers as outbox errors', () => {
  const axiosError = (status: number, code?: number) =>
    Object.assign(new Error(`Request failed with status code ${status}`), {
      isAxiosError: true,
      response: { status, data: code === undefined ? 'oops' : { code, msg: 'm' } },
    })
  it('maps 230020 to a throttle, business 4xx to permanent, and network/5xx to retryable', () => {
    expect(toSendError(axiosError(400, 230020))).toBeInstanceOf(ThrottledError)
    expect(toSendError(axiosError(429))).toBeInstanceOf(ThrottledError)
    expect(toSendError(axiosError(400, 230002))).toBeInstanceOf(PermanentSendError)
    expect(toSendError(axiosError(400, 230001))).toBeInstanceOf(PermanentSendError)
    for (const e of [
      axiosError(400, 99991663),
      axiosError(500),
      axiosError(503, 1000004),
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ]) {
      const mapped = toSendError(e)
      expect(mapped).not.toBeInstanceOf(PermanentSendError)
      expect(mapped).not.toBeInstanceOf(ThrottledError)
    }
  })

  it('logs SDK errors without the request body or headers', () => {
    const lines: string[] = []
    const log = { error: (_o: object, m: string) => lines.push(m) } as never
    const err = Object.assign(new Error('Request failed with status code 400'), {
      config: { data: '{"content":"工人的秘密诉求"}', headers: { Authorization: 'Bearer t-secret' } },
      response: { status: 400, data: { code: 230002, msg: 'bot not in chat' } },
    })
    sdkLogger(log).error([{ message: err.message, config: { data: err.config.data }, response: { data: err.response.data, status: 400 } }, err.response.data])
    expect(lines[0]).toContain('230002')
    expect(lines[0]).not.toContain('秘密')
    expect(lines[0]).not.toContain('t-secret')
  })
})

describe('configuration', () => {
  const base = { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718', FEISHU_APP_SECRET: 's' }
  it('is off without credentials; half of them stops start-up naming the missing one', () => {
    expect(feishuAdapterFactory.enabled(loadConfig({}))).toBe(false)
    expect(feishuAdapterFactory.enabled(loadConfig(base))).toBe(true)
    expect(feishuAdapterFactory.enabled(loadConfig({ FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718' }))).toBe(true)
    expect(() => feishuSettings(loadConfig({ FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718' }))).toThrow(/^Invalid configuration: FEISHU_APP_SECRET/)
  })

  it('needs FEISHU_ENCRYPT_KEY for webhooks and a proper app id for the long connection, naming the variable', () => {
    expect(() => feishuSettings(loadConfig(base))).toThrow(ConfigError)
    expect(() => feishuSettings(loadConfig(base))).toThrow(/^Invalid configuration: FEISHU_ENCRYPT_KEY/)
    expect(feishuSettings(loadConfig({ ...base, FEISHU_ENCRYPT_KEY: 'e', FEISHU_DOMAIN: 'https://open.larksuite.com/' }))).toMatchObject({
      mode: 'webhook',
      domain: 'https://open.larksuite.com',
    })
    expect(() => feishuSettings(loadConfig({ ...base, FEISHU_APP_ID: 'my-app', FEISHU_MODE: 'ws' }))).toThrow(/^Invalid configuration: FEISHU_APP_ID/)
    expect(feishuSettings(loadConfig({ ...base, FEISHU_MODE: 'ws' })).mode).toBe('ws')
    const message = (() => {
      try {
        feishuSettings(loadConfig(base))
      } catch (e) {
        return (e as Error).message
      }
    })()
    expect(message).not.toContain('\n')
  })

  it("keeps 5 a second per chat and the app quota of FEISHU_APP_RATE_LIMIT, Feishu's documented limits by default", () => {
    const withKey = { ...base, FEISHU_ENCRYPT_KEY: 'e' }
    expect(feishuLimitsFor(feishuSettings(loadConfig(withKey)))).toEqual(feishuLimits)
    expect(feishuLimitsFor(feishuSettings(loadConfig({ ...withKey, FEISHU_APP_RATE_LIMIT: '100/s,2000/min' })))).toEqual({
      perTarget: [{ count: 5, perMs: 1000 }],
      perPlatform: [
        { count: 100, perMs: 1000 },
        { count: 2000, perMs: 60_000 },
      ],
    })
  })
})
