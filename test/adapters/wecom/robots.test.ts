import { beforeAll, describe, expect, it } from 'vitest'
import { issueToken } from '../../../src/auth/tokens.js'
import type { OutboundMessage } from '../../../src/core/types.js'
import type { TestService } from '../../helpers/service.js'
import { createWecomAdapterFactory } from '../../../adapters/wecom/index.js'
import { useWecom, waitFor } from './kit.js'

const FLOOD = '5f8c1d2e-aaaa-4bbb-8ccc-000000000001'
const OFFICERS = '5f8c1d2e-aaaa-4bbb-8ccc-000000000002'
/** A third robot, written to after the flood to see the outbox go past the held messages. */
const PROBE = '5f8c1d2e-aaaa-4bbb-8ccc-000000000003'

/** Posts `count` announcements to a robot-bound chat, as the core would (outbox rows in one transaction). */
async function announce(svc: TestService, key: string, count: number, prefix: string): Promise<void> {
  const messages: OutboundMessage[] = Array.from({ length: count }, (_, i) => ({
    to: { kind: 'chat', platform: 'wecom', chatId: `robot:${key}` },
    text: `公告 ${i + 1}`,
  }))
  await svc.db.$transaction((tx) => svc.core.deliver(tx, messages, prefix, undefined))
}

describe("group robots at WeCom's real limit (20 a minute per robot)", () => {
  const wecom = useWecom()
  let admin = ''
  let worker = ''

  beforeAll(async () => {
    const { fake, svc } = wecom
    fake.robotKeys.add(FLOOD).add(OFFICERS).add(PROBE)
    const people = await svc.db.person.findMany({ where: { employeeNo: { in: ['D9000', 'D1002'] } } })
    admin = await issueToken(svc.db, people.find((p) => p.employeeNo === 'D9000')!.id, { label: 'test' })
    worker = await issueToken(svc.db, people.find((p) => p.employeeNo === 'D1002')!.id, { label: 'test' })
  })

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string | null, payload?: object) =>
    wecom.svc.app.inject({ method, url, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}), ...(payload ? { payload } : {}) })

  it('administrators bind a robot to a unit by its webhook URL; keys are never shown whole', async () => {
    expect((await api('POST', '/api/v1/wecom/robots', null, { webhook: FLOOD, name: 'x', unit: '' })).statusCode).toBe(401)
    expect((await api('POST', '/api/v1/wecom/robots', worker, { webhook: FLOOD, name: 'x', unit: '' })).statusCode).toBe(403)
    expect((await api('POST', '/api/v1/wecom/robots', admin, { webhook: 'https://example.com/hook', name: 'x', unit: '' })).statusCode).toBe(400)
    expect((await api('POST', '/api/v1/wecom/robots', admin, { name: 'x', unit: '' })).statusCode).toBe(400)
    expect((await api('POST', '/api/v1/wecom/robots', admin, { webhook: FLOOD, name: 'x', unit: '火星车间' })).statusCode).toBe(404)

    const flood = await api('POST', '/api/v1/wecom/robots', admin, {
      webhook: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${FLOOD}`,
      name: '装配一班公告群',
      unit: '二车间/装配一班',
    })
    expect(flood.statusCode).toBe(201)
    expect(flood.json().robot).toMatchObject({ name: '装配一班公告群', unit: '二车间/装配一班', purpose: 'team' })
    const officers = await api('POST', '/api/v1/wecom/robots', admin, { webhook: OFFICERS, name: '电工班干部群', unit: '一车间/电工班', purpose: 'officers' })
    expect(officers.statusCode).toBe(201)
    const list = await api('GET', '/api/v1/wecom/robots', admin)
    expect(list.json().robots).toHaveLength(2)
    expect(list.body).not.toContain(FLOOD)
    expect(list.body).not.toContain(OFFICERS)
    // Nor in the list of groups every officer sees, nor in a binding's answer.
    const officer = await issueToken(wecom.svc.db, (await wecom.svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D3001' } })).id, { label: 'test' })
    for (const token of [admin, officer]) {
      const groups = await api('GET', '/api/v1/chat-groups', token)
      expect(groups.statusCode).toBe(200)
      const robots = (groups.json().groups as { externalId: string; name: string }[]).filter((g) => g.externalId.startsWith('robot:'))
      expect(robots.length).toBeGreaterThan(0)
      expect(groups.body).not.toContain(OFFICERS)
      expect(groups.body).not.toContain(FLOOD)
      expect(robots.map((g) => g.externalId)).toContain('robot:5f8c****0002')
    }
    const officersGroup = await wecom.svc.db.chatGroup.findUniqueOrThrow({
      where: { platform_externalId: { platform: 'wecom', externalId: `robot:${OFFICERS}` } },
    })
    const rebound = await wecom.svc.app.inject({
      method: 'PUT',
      url: `/api/v1/chat-groups/${officersGroup.id}/binding`,
      headers: { authorization: `Bearer ${officer}` },
      payload: { unitId: officersGroup.unitId, purpose: 'officers' },
    })
    expect(rebound.statusCode).toBe(200)
    expect(rebound.body).not.toContain(OFFICERS)

    const chat = await wecom.svc.db.chatGroup.findUniqueOrThrow({
      where: { platform_externalId: { platform: 'wecom', externalId: `robot:${OFFICERS}` } },
      include: { unit: true },
    })
    expect(chat).toMatchObject({ purpose: 'officers', unit: { path: '一车间/电工班' } })

    const temp = await api('POST', '/api/v1/wecom/robots', admin, { webhook: 'abcdefgh-1234', name: '临时', unit: '' })
    const id = temp.json().robot.id as number
    expect((await api('DELETE', `/api/v1/wecom/robots/${id}`, admin)).statusCode).toBe(204)
    expect((await api('DELETE', `/api/v1/wecom/robots/${id}`, admin)).statusCode).toBe(404)
  })

  it('are part of the admin API: listed in /docs, invalid bodies answered in its error shape', async () => {
    const docs = (await wecom.svc.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> }
    expect(Object.keys(docs.paths['/api/v1/wecom/robots'] ?? {}).sort()).toEqual(['get', 'post'])
    expect(Object.keys(docs.paths['/api/v1/wecom/robots/{id}'] ?? {})).toEqual(['delete'])
    const invalid = await api('POST', '/api/v1/wecom/robots', admin, { name: 'x', unit: '' })
    expect(invalid.json().error).toMatchObject({ code: 'invalid_request' })
    expect(invalid.json().error.message).toContain('webhook')
  })

  it('sends 20 of 25 announcements at once and holds the rest: WeCom never has to refuse', async () => {
    await announce(wecom.svc, FLOOD, 25, 'test:flood')
    await waitFor(wecom.svc, () => wecom.fake.robotCalls.filter((c) => c.key === FLOOD).length >= 20, '20 announcements to go out')
    // Settle, then re-check: a message to another robot, written after the flood, goes out only
    // after the outbox has gone through the five held rows (it takes due rows oldest first, passing
    // over a target whose window is full) — and still it has sent none of them.
    await announce(wecom.svc, PROBE, 1, 'test:probe')
    await waitFor(wecom.svc, () => wecom.fake.robotCalls.some((c) => c.key === PROBE && c.errcode === 0), 'the message to another robot')
    const calls = wecom.fake.robotCalls.filter((c) => c.key === FLOOD)
    expect(calls).toHaveLength(20)
    expect(calls.every((c) => c.errcode === 0)).toBe(true)
    expect(calls.map((c) => c.body.text.content)).toEqual(Array.from({ length: 20 }, (_, i) => `公告 ${i + 1}`))
    expect(wecom.fake.peakRobotWindow(FLOOD, 60_000)).toBeLessThanOrEqual(20)
    const rows = await wecom.svc.db.outboxMessage.findMany({ where: { platform: 'wecom', target: `robot:${FLOOD}` }, orderBy: { id: 'asc' } })
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(20)
    const held = rows.filter((r) => r.status === 'pending')
    expect(held).toHaveLength(5)
    // Held by the limit, not failed: never attempted, no error.
    expect(held.every((r) => r.attempts === 0 && r.lastError === null)).toBe(true)
  })

  it("a new request notifies the officers' group bound to a robot, as text", async () => {
    const replies = await wecom.svc.say('D1002', 'dm', '诉求 电工班的梯子坏了一条腿')
    const number = /SQ-\d{4}-\d{4}/.exec(replies[0]!.text)![0]
    const call = await waitFor(wecom.svc, () => wecom.fake.robotCalls.find((c) => c.key === OFFICERS && c.errcode === 0), 'the robot notice')
    expect(call.body.msgtype).toBe('text')
    expect(call.body.text.content).toContain(`新诉求 ${number}`)
    expect(call.body.text.content).toContain('电工班的梯子坏了一条腿')
  })

  it('mentions people by userid in text, sends long texts as markdown (cut at 4096 bytes), and gives up on an unknown key', async () => {
    const wangfang = await wecom.svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D1003' } })
    await wecom.svc.db.platformIdentity.create({ data: { platform: 'wecom', kind: 'userid', externalId: 'wangfang', personId: wangfang.id } })
    const to = { kind: 'chat' as const, platform: 'wecom' as const, chatId: `robot:${OFFICERS}` }
    await wecom.svc.db.$transaction((tx) =>
      wecom.svc.core.deliver(
        tx,
        [
          { to, text: '请王芳查收劳保用品', mentions: [{ personId: wangfang.id, name: '王芳' }] },
          { to, text: '通'.repeat(1000) },
          { to, text: '知'.repeat(2000) },
          { to: { kind: 'chat', platform: 'wecom', chatId: 'robot:unknown-key-0001' }, text: '无人接收' },
        ],
        'test:render',
        undefined,
      ),
    )
    const calls = await waitFor(
      wecom.svc,
      () => {
        const c = wecom.fake.robotCalls.filter((x) => x.key === OFFICERS && x.errcode === 0 && x.body.msgtype !== undefined).slice(-3)
        return c.length === 3 && c[0]!.body.text?.content === '请王芳查收劳保用品' ? c : null
      },
      'the three messages',
    )
    expect(calls[0]!.body.text.mentioned_list).toEqual(['wangfang'])
    expect(calls[1]!.body.msgtype).toBe('markdown')
    expect(calls[1]!.body.markdown.content).toBe('通'.repeat(1000))
    expect(calls[2]!.body.msgtype).toBe('markdown')
    expect(Buffer.byteLength(calls[2]!.body.markdown.content)).toBeLessThanOrEqual(4096)
    const dead = await waitFor(
      wecom.svc,
      () => wecom.svc.db.outboxMessage.findFirst({ where: { target: 'robot:unknown-key-0001', status: 'dead' } }),
      'the unknown robot to be given up',
    )
    expect(dead.lastError).toContain('93000')
  })
})

describe('group robots with the minute shortened (fake and adapter alike) to see the held messages go out', () => {
  const WINDOW = 1500
  const wecom = useWecom({ adapterFactory: createWecomAdapterFactory({ minuteMs: WINDOW }) })

  beforeAll(async () => {
    wecom.fake.robotKeys.add(FLOOD)
    wecom.fake.robotWindowMs = WINDOW
    await wecom.svc.db.chatGroup.create({ data: { platform: 'wecom', externalId: `robot:${FLOOD}`, name: '公告群' } })
  })

  it('delivers all 25, never more than 20 in any window, never refused', async () => {
    await announce(wecom.svc, FLOOD, 25, 'test:scaled')
    await waitFor(
      wecom.svc,
      async () => (await wecom.svc.db.outboxMessage.count({ where: { target: `robot:${FLOOD}`, status: 'sent' } })) === 25,
      'all 25 to be sent',
      15_000,
    )
    const calls = wecom.fake.robotCalls.filter((c) => c.key === FLOOD)
    expect(calls).toHaveLength(25)
    expect(calls.every((c) => c.errcode === 0)).toBe(true)
    expect(wecom.fake.peakRobotWindow(FLOOD, WINDOW)).toBeLessThanOrEqual(20)
    expect(calls.map((c) => c.body.text.content)).toEqual(Array.from({ length: 25 }, (_, i) => `公告 ${i + 1}`))
  })
})
