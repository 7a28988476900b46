/**
 * Feishu failing: HTTP 500s, throttling (230020), an answer slower than the adapter's HTTP timeout
 * (15 s in production; 4 s here, set through createFeishuAdapterFactory, so the slow test takes
 * seconds rather than a quarter of a minute), and a target that never works. Retries with backoff
 * lose nothing and show nothing twice; after OUTBOX_MAX_ATTEMPTS a message goes to the dead
 * letters and the administrators (D9000, in the playground) are told.
 */
import { describe, expect, it } from 'vitest'
import { createFeishuAdapterFactory } from '../../adapters/feishu/index.js'
import { messageEvent, type Person } from '../adapters/feishu/events.js'
import { useFeishu } from '../adapters/feishu/kit.js'
import { keys, SECRET, sleep, stranger, waitFor } from './kit.js'

const MAX_ATTEMPTS = 4
/** receive_id → how many more message creates answer HTTP 500. */
const fail500 = new Map<string, number>()
/** receive_ids that always answer HTTP 500. */
const alwaysFail = new Set<string>()
/** receive_id → how many more message creates are held this long before being handled. */
const holdNext = new Map<string, number>()
/** The adapter's HTTP timeout here, and how long a held request is held: longer, so the adapter gives up on it. */
const TIMEOUT_MS = 4_000
const HOLD_MS = TIMEOUT_MS + 1_000

const feishu = useFeishu({
  keys,
  secret: SECRET,
  env: { OUTBOX_MAX_ATTEMPTS: String(MAX_ATTEMPTS) },
  adapterFactory: createFeishuAdapterFactory({ timeoutMs: TIMEOUT_MS }),
  prepare: (fake) =>
    fake.app.addHook('preHandler', async (req, reply) => {
      if (req.method !== 'POST' || !req.url.startsWith('/open-apis/im/v1/messages')) return
      const id = (req.body as { receive_id?: string } | undefined)?.receive_id ?? ''
      const calls = (code: number) =>
        fake.calls.push({ method: 'POST', path: '/open-apis/im/v1/messages', status: code, code: -1, at: Date.now(), receiveId: id })
      if (alwaysFail.has(id) || (fail500.get(id) ?? 0) > 0) {
        fail500.set(id, (fail500.get(id) ?? 1) - 1)
        calls(500)
        return reply.code(500).send('<html>Internal Server Error</html>')
      }
      if ((holdNext.get(id) ?? 0) > 0) {
        holdNext.set(id, holdNext.get(id)! - 1)
        await sleep(HOLD_MS)
      }
    }),
})

async function say(p: Person): Promise<void> {
  await feishu.deliver(messageEvent(keys, { from: p, chatId: `oc_p2p_${p.open_id}`, chatType: 'p2p', text: '帮助' }))
}
const failures = (id: string, status: number) => feishu.fake.calls.filter((c) => c.receiveId === id && c.status === status).length

describe('Feishu failing', () => {
  it('retries HTTP 500s and throttles (230020) until the message is shown, once', { timeout: 40_000 }, async () => {
    const p500 = stranger('p500')
    const pThrottled = stranger('throttled')
    const pBoth = stranger('both')
    fail500.set(p500.open_id, 2)
    feishu.fake.throttleNext.set(pThrottled.open_id, 2)
    fail500.set(pBoth.open_id, 1)
    feishu.fake.throttleNext.set(pBoth.open_id, 1)
    await Promise.all([say(p500), say(pThrottled), say(pBoth)])
    for (const p of [p500, pThrottled, pBoth]) await waitFor(`a reply to ${p.open_id}`, () => feishu.fake.shownTo(p.open_id).length > 0, 30_000, feishu.svc)
    await feishu.settle()
    for (const p of [p500, pThrottled, pBoth]) expect(feishu.fake.shownTo(p.open_id)).toHaveLength(1)
    expect(failures(p500.open_id, 500)).toBe(2)
    expect(feishu.fake.answered(230020, pThrottled.open_id)).toHaveLength(2)
    const rows = await feishu.svc.db.outboxMessage.findMany({ where: { target: { in: [p500.open_id, pThrottled.open_id, pBoth.open_id] } } })
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent'])
    expect(rows.find((r) => r.target === p500.open_id)!.attempts).toBe(3)
  })

  it('retries an answer slower than the HTTP timeout; the late original and the retry show one message', { timeout: 50_000 }, async () => {
    const slow = stranger('slow')
    holdNext.set(slow.open_id, 1)
    await say(slow)
    await waitFor('the retry after the timeout', () => feishu.fake.shownTo(slow.open_id).length > 0, 45_000, feishu.svc)
    // The held request itself completes too (it reaches the fake's handler after the hold): same uuid, no second message.
    await waitFor(
      'the held request to finish',
      () => feishu.fake.calls.filter((c) => c.receiveId === slow.open_id && c.status === 200).length >= 2,
      10_000,
      feishu.svc,
    )
    expect(feishu.fake.shownTo(slow.open_id)).toHaveLength(1)
    const row = await feishu.svc.db.outboxMessage.findFirstOrThrow({ where: { target: slow.open_id } })
    expect(row.status).toBe('sent')
    expect(row.attempts).toBe(2)
  })

  it(`moves a message to the dead letters after ${MAX_ATTEMPTS} attempts and tells the administrator once`, { timeout: 40_000 }, async () => {
    const dead = stranger('dead')
    alwaysFail.add(dead.open_id)
    const alertsBefore = await feishu.svc.db.webMessage.count({
      where: { direction: 'out', chatId: null, personNo: 'D9000', text: { contains: '发送失败已放弃' } },
    })
    await say(dead)
    const row = await waitFor(
      'the dead letter',
      async () => {
        const r = await feishu.svc.db.outboxMessage.findFirst({ where: { target: dead.open_id } })
        return r?.status === 'dead' ? r : undefined
      },
      30_000,
      feishu.svc,
    )
    expect(row.attempts).toBe(MAX_ATTEMPTS)
    expect(row.lastError).toMatch(/500/)
    expect(failures(dead.open_id, 500)).toBe(MAX_ATTEMPTS)
    expect(feishu.fake.shownTo(dead.open_id)).toHaveLength(0)
    const alerts = await waitFor(
      'the alert to D9000',
      async () => {
        const rows = await feishu.svc.db.webMessage.findMany({
          where: { direction: 'out', chatId: null, personNo: 'D9000', text: { contains: '发送失败已放弃' } },
        })
        return rows.length > alertsBefore ? rows : undefined
      },
      20_000,
      feishu.svc,
    )
    expect(alerts).toHaveLength(alertsBefore + 1)
    expect(alerts.at(-1)!.text).toContain('feishu')
    // Other people are still answered.
    const fine = stranger('after-dead')
    await say(fine)
    await waitFor('a reply after the dead letter', () => feishu.fake.shownTo(fine.open_id).length === 1, 20_000, feishu.svc)
    // Settled again (the outbox has sent something newer since), and the dead letter was not tried again.
    expect(failures(dead.open_id, 500)).toBe(MAX_ATTEMPTS)
    expect((await feishu.svc.db.outboxMessage.findFirstOrThrow({ where: { target: dead.open_id } })).status).toBe('dead')
  })
})
