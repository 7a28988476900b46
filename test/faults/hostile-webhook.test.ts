/**
 * Hostile bodies at POST /webhooks/feishu: garbage, oversize, wrong types, deep nesting, forged
 * and stale signatures, replays. Each gets a 4xx (never a 500) and the service keeps working.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encrypt, messageEvent, request, signature } from '../adapters/feishu/events.js'
import { useFeishu } from '../adapters/feishu/kit.js'
import { keys, messageIdOf, SECRET, stranger, waitFor } from './kit.js'

const feishu = useFeishu({ keys, secret: SECRET })

/** Posts a body as it is (a string or raw bytes) to the webhook. */
const post = (payload: string | Buffer, headers: Record<string, string>) => feishu.svc.app.inject({ method: 'POST', url: '/webhooks/feishu', headers, payload })

/** Headers carrying a valid signature for exactly this body. */
function signed(payload: string | Buffer, o: { timestamp?: number } = {}): Record<string, string> {
  const ts = String(Math.floor((o.timestamp ?? Date.now()) / 1000))
  const nonce = `n-${Math.random().toString(36).slice(2)}`
  // The signature is over the raw bytes; a Buffer body is signed as its latin1 string would be wrong, so sign utf8 text only.
  return {
    'content-type': 'application/json',
    'x-lark-request-timestamp': ts,
    'x-lark-request-nonce': nonce,
    'x-lark-signature': signature(ts, nonce, keys.encryptKey, payload.toString()),
  }
}

/** Delivers a valid event from a fresh stranger and checks it is processed: stored once, answered once. */
async function stillWorks(): Promise<void> {
  const who = stranger('alive')
  const ev = messageEvent(keys, { from: who, chatId: `oc_p2p_${who.open_id}`, chatType: 'p2p', text: '帮助' })
  const r = request(ev, keys)
  const res = await post(r.payload, r.headers)
  expect(res.statusCode, res.body).toBe(200)
  await waitFor('the reply to the valid event', () => feishu.fake.shownTo(who.open_id).length > 0, 20_000, feishu.svc)
  const ready = await feishu.svc.app.inject({ method: 'GET', url: '/readyz' })
  expect(ready.statusCode).toBe(200)
}

function expect4xx(res: { statusCode: number; body: string }, what: string): void {
  expect(res.statusCode, `${what} → ${res.statusCode} ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400)
  expect(res.statusCode, `${what} → ${res.statusCode} ${res.body.slice(0, 200)}`).toBeLessThan(500)
}

describe('hostile webhook bodies', () => {
  it('answers garbage and wrongly typed JSON with 4xx, signed or not', async () => {
    const bodies = [
      '',
      ' ',
      '{',
      '}{',
      'null',
      'true',
      '0',
      '-1e999999',
      '"x"',
      '[]',
      '[1,2,3]',
      '[{"encrypt":"x"}]',
      '{"encrypt": 5}',
      '{"encrypt": null}',
      '{"encrypt": ["a"]}',
      '{"encrypt": {"a":1}}',
      '{"encrypt": ""}',
      '{"encrypt": "AAAA"}',
      `{"encrypt": "${'A'.repeat(4096)}"}`,
      '{"header": null, "event": null}',
      '{"header": [], "event": 5, "schema": "2.0"}',
      '{"header": {"event_type": 5, "token": "vtok-fault"}, "schema": "2.0"}',
      `{"header": {"event_id": "x", "event_type": "im.message.receive_v1", "token": "${keys.verificationToken}"}, "event": "not an object", "schema": "2.0"}`,
      `{"header": {"event_id": "x", "event_type": "im.message.receive_v1", "token": "${keys.verificationToken}"}, "event": {"sender": null, "message": []}, "schema": "2.0"}`,
      `{"header": {"event_id": "x", "event_type": "card.action.trigger", "token": "${keys.verificationToken}"}, "event": {"operator": 5}, "schema": "2.0"}`,
      `{"header": {"event_id": "x", "event_type": "im.chat.member.bot.added_v1", "token": "${keys.verificationToken}"}, "event": {}, "schema": "2.0"}`,
      '{"type": "url_verification", "challenge": 5, "token": "vtok-fault"}',
      '{"type": "url_verification", "challenge": {"a": 1}, "token": "vtok-fault"}',
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}',
      '\u0000\u0001\u0002',
      '\uFEFF{}',
      '{"a":"\\ud800"}',
    ]
    for (const payload of bodies) {
      // Signed: a well-formed envelope of an event type the adapter does not handle is acknowledged
      // (200 {}) as Feishu expects; anything else is a 4xx. Never a 5xx.
      const res = await post(payload, signed(payload))
      expect(res.statusCode, `signed ${JSON.stringify(payload.slice(0, 60))} → ${res.body.slice(0, 200)}`).toBeLessThan(500)
      if (res.statusCode === 200) expect(res.json()).toEqual({})
      expect4xx(await post(payload, { 'content-type': 'application/json' }), `unsigned ${JSON.stringify(payload.slice(0, 60))}`)
      expect4xx(await post(payload, { 'content-type': 'text/plain' }), `text/plain ${JSON.stringify(payload.slice(0, 60))}`)
    }
    // The wrong types named in the brief: exactly 400.
    for (const payload of ['{"encrypt": 5}', '[]', '[{"encrypt":"x"}]', 'null', '"x"', '{"encrypt": null}', '{not json']) {
      expect((await post(payload, signed(payload))).statusCode, payload).toBe(400)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    // Raw bytes that are not UTF-8.
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28])
    expect4xx(await post(bytes, { 'content-type': 'application/octet-stream' }), 'invalid utf-8')
    expect(await feishu.svc.db.inboundEvent.count({ where: { platform: 'feishu' } })).toBe(0)
    await stillWorks()
  })

  it('answers a body over the limit with 413', async () => {
    const huge = JSON.stringify({ encrypt: 'A'.repeat(2 * 1024 * 1024) })
    const res = await post(huge, signed(huge))
    expect(res.statusCode).toBe(413)
    const res2 = await post(huge, { 'content-type': 'text/plain' })
    expect(res2.statusCode).toBe(413)
    await stillWorks()
  })

  it('answers 10,000 levels of nesting (arrays and objects) with 4xx', async () => {
    const depth = 10_000
    const arrays = '['.repeat(depth) + ']'.repeat(depth)
    const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
    const inEvent = `{"schema":"2.0","header":{"event_id":"deep","event_type":"im.message.receive_v1","token":"${keys.verificationToken}"},"event":${objects}}`
    const unclosed = '{"a":'.repeat(depth * 10)
    for (const [what, payload] of [
      ['arrays', arrays],
      ['objects', objects],
      ['in an event', inEvent],
      ['unclosed', unclosed],
    ] as const) {
      expect4xx(await post(payload, signed(payload)), `nested ${what}`)
    }
    // The same nesting inside an encrypted event.
    const deepPlain = inEvent.replace('"deep"', '"deep2"')
    const deepPayload = JSON.stringify({ encrypt: encrypt(deepPlain, keys.encryptKey) })
    expect4xx(await post(deepPayload, signed(deepPayload)), 'nested, encrypted')
    await stillWorks()
  })

  it('refuses forged, stale, future and tampered signatures with 401, storing nothing', async () => {
    const before = await feishu.svc.db.inboundEvent.count()
    const who = stranger('forger')
    const ev = messageEvent(keys, { from: who, chatId: `oc_p2p_${who.open_id}`, chatType: 'p2p', text: '帮助' })
    const forged = request(ev, keys, { forge: true })
    expect((await post(forged.payload, forged.headers)).statusCode).toBe(401)
    const stale = request(ev, keys, { timestamp: Date.now() - 10 * 60_000 })
    expect((await post(stale.payload, stale.headers)).statusCode).toBe(401)
    const future = request(ev, keys, { timestamp: Date.now() + 10 * 60_000 })
    expect((await post(future.payload, future.headers)).statusCode).toBe(401)
    const good = request(ev, keys)
    for (const headers of [
      { ...good.headers, 'x-lark-signature': '' },
      { ...good.headers, 'x-lark-signature': 'zz'.repeat(32) },
      { ...good.headers, 'x-lark-signature': `${good.headers['x-lark-signature']!.toUpperCase()}00` },
      { ...good.headers, 'x-lark-signature': good.headers['x-lark-signature']!.slice(0, 10) },
      { ...good.headers, 'x-lark-request-timestamp': 'not-a-number' },
      { ...good.headers, 'x-lark-request-timestamp': '' },
      { ...good.headers, 'x-lark-request-timestamp': '99999999999999999999999' },
      { ...good.headers, 'x-lark-request-nonce': 'other' },
    ]) {
      const res = await post(good.payload, headers)
      expect(res.statusCode, JSON.stringify(headers)).toBe(401)
    }
    expect(await feishu.svc.db.inboundEvent.count()).toBe(before)
    expect(feishu.fake.shownTo(who.open_id)).toHaveLength(0)
    await stillWorks()
  })

  it('processes a replayed body once; a replay after the window is refused as stale', async () => {
    const who = stranger('replay')
    const ev = messageEvent(keys, { from: who, chatId: `oc_p2p_${who.open_id}`, chatType: 'p2p', text: '帮助' })
    const r = request(ev, keys)
    const first = await post(r.payload, r.headers)
    expect(first.statusCode).toBe(200)
    const again = await post(r.payload, r.headers)
    expect(again.statusCode).toBeLessThan(500)
    // The same event re-encrypted and re-signed (as Feishu's redelivery is) is still one event.
    const redelivered = request(ev, keys)
    expect((await post(redelivered.payload, redelivered.headers)).statusCode).toBe(200)
    await feishu.settle()
    expect(await feishu.svc.db.inboundEvent.count({ where: { platform: 'feishu', eventId: messageIdOf(ev) } })).toBe(1)
    expect(feishu.fake.shownTo(who.open_id)).toHaveLength(1)
    // The same event signed long ago.
    const old = request(ev, keys, { timestamp: Date.now() - 6 * 60_000 })
    const res = await post(old.payload, old.headers)
    expect(res.statusCode).toBe(401)
    expect(res.json().error.code).toBe('stale_request')
  })

  it('property: any body with valid-looking (or valid) signature headers gets a status below 500', async () => {
    const before = await feishu.svc.db.inboundEvent.count()
    const body = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.json({ maxDepth: 4 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ encrypt: v })),
      fc
        .jsonValue({ maxDepth: 3 })
        .map((v) =>
          JSON.stringify({ schema: '2.0', header: { event_id: 'prop', event_type: 'im.message.receive_v1', token: keys.verificationToken }, event: v }),
        ),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ type: 'url_verification', challenge: v, token: keys.verificationToken })),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
    )
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.boolean(),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded'),
        async (payload, sign, type) => {
          const headers: Record<string, string> = sign
            ? { ...signed(payload), 'content-type': type }
            : {
                'content-type': type,
                'x-lark-request-timestamp': String(Math.floor(Date.now() / 1000)),
                'x-lark-request-nonce': 'n',
                'x-lark-signature': 'a'.repeat(64),
              }
          const res = await post(payload, headers)
          expect(res.statusCode, `${JSON.stringify(payload).slice(0, 200)} → ${res.body.slice(0, 200)}`).toBeLessThan(500)
        },
      ),
      { numRuns: 300 },
    )
    // Nothing random was stored as an event of a person (a url_verification echo stores nothing either).
    expect(await feishu.svc.db.inboundEvent.count()).toBe(before)
    await stillWorks()
  })
})
