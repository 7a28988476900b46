/**
 * Read-only endpoints for polls, announcements and campaigns: unit scope applies (an officer of
 * 一车间 never sees 二车间's polls), and results are counts only, never who voted what.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { call, tokenFor } from './helpers.js'

let svc: TestService
let ws1: string
let ws2: string
let admin: string
let p1 = ''
let p2 = ''

async function startPoll(from: string, words: string): Promise<string> {
  const replies = await svc.say(from, 'dm', words)
  const number = /P-\d+/.exec(replies.map((r) => r.text).join('\n'))?.[0]
  if (!number) throw new Error(`no poll number in ${JSON.stringify(replies)}`)
  return number
}

beforeAll(async () => {
  svc = await startTestService()
  ws1 = await tokenFor(svc, 'D3001')
  ws2 = await tokenFor(svc, 'D3002')
  admin = await tokenFor(svc, 'D9000')
  p1 = await startPoll('D3001', '发起投票 周末加班意愿 | 愿意 | 不愿意 范围 一车间 截止 明天10:00')
  p2 = await startPoll('D3002', '发起投票 食堂满意吗 | 满意 | 不满意 匿名 范围 二车间 截止 明天10:00')
  await svc.say('D1002', 'dm', `投票 ${p1} 1`)
  await svc.say('D1006', 'dm', `投票 ${p1} 2`)
  await svc.say('D1010', 'dm', `投票 ${p2} 1`)

  const ws1Unit = await svc.db.unit.findUniqueOrThrow({ where: { path: '一车间' } })
  const ws2Unit = await svc.db.unit.findUniqueOrThrow({ where: { path: '二车间' } })
  const campaign = await svc.db.campaign.create({ data: { name: '2026 安康杯', kind: 'safety' } })
  await svc.db.announcement.create({
    data: {
      number: 'N-1',
      kind: 'safety',
      title: '一车间安全月',
      body: '……',
      campaignId: campaign.id,
      requireAck: true,
      status: 'sent',
      targets: { create: [{ unitId: ws1Unit.id }] },
    },
  })
  await svc.db.announcement.create({
    data: { number: 'N-2', kind: 'care', title: '二车间送清凉', body: '……', signup: true, status: 'sent', targets: { create: [{ unitId: ws2Unit.id }] } },
  })
  await svc.db.announcement.create({ data: { number: 'N-3', kind: 'notice', title: '全公司厂务公开', body: '……', allUnits: true, status: 'scheduled' } })
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

const get = (token: string, url: string) => call(svc, { url, token })

describe('polls', () => {
  it('lists only the polls of the officer’s scope', async () => {
    expect(((await get(ws1, '/api/v1/polls')).json().items as { number: string }[]).map((p) => p.number)).toEqual([p1])
    expect(((await get(ws2, '/api/v1/polls')).json().items as { number: string }[]).map((p) => p.number)).toEqual([p2])
    expect(((await get(admin, '/api/v1/polls')).json().items as { number: string }[]).map((p) => p.number).sort()).toEqual([p1, p2].sort())
  })

  it('shows counts, never voters; another workshop’s poll is refused', async () => {
    const res = await get(ws1, `/api/v1/polls/${p1.toLowerCase()}`)
    expect(res.statusCode).toBe(200)
    const r = res.json()
    expect(r).toMatchObject({ number: p1, title: '周末加班意愿', voters: 2, targets: ['一车间'] })
    expect(r.options.map((o: { label: string; votes: number }) => [o.label, o.votes])).toEqual([
      ['愿意', 1],
      ['不愿意', 1],
    ])
    for (const name of ['张伟', 'D1002', '杨帆', 'D1006']) expect(JSON.stringify(r)).not.toContain(name)
    expect((await get(ws1, `/api/v1/polls/${p2}`)).statusCode).toBe(403)
    expect((await get(ws1, '/api/v1/polls/P-999')).statusCode).toBe(404)
    expect((await get(ws1, '/api/v1/polls/nonsense')).statusCode).toBe(400)
  })
})

describe('announcements and campaigns', () => {
  it('lists the announcements aimed at the scope (and company-wide ones)', async () => {
    const items = (await get(ws1, '/api/v1/announcements')).json().items as { number: string; campaign: string | null; requireAck: boolean }[]
    expect(items.map((a) => a.number)).toEqual(['N-3', 'N-1'])
    expect(items.find((a) => a.number === 'N-1')).toMatchObject({ campaign: '2026 安康杯', requireAck: true, acknowledgements: 0 })
    expect(((await get(admin, '/api/v1/announcements')).json().items as unknown[]).length).toBe(3)
  })

  it('lists campaigns with the scope’s announcements', async () => {
    expect((await get(ws1, '/api/v1/campaigns')).json().campaigns).toEqual([expect.objectContaining({ name: '2026 安康杯', announcements: 1, requests: 0 })])
    expect((await get(ws2, '/api/v1/campaigns')).json().campaigns).toEqual([expect.objectContaining({ name: '2026 安康杯', announcements: 0 })])
  })

  it('names a recurring announcement’s state in the words the bot uses, running and paused', async () => {
    const recurring = await svc.db.announcement.create({
      data: { number: 'N-4', kind: 'notice', title: '每周班前会', body: '……', allUnits: true, status: 'scheduled', scheduleKind: 'cron', cron: '50 7 * * 1' },
    })
    const apiLabel = async () =>
      ((await get(admin, '/api/v1/announcements')).json().items as { number: string; statusLabel: string }[]).find((a) => a.number === 'N-4')?.statusLabel
    const botLine = async () =>
      (await svc.say('D9000', 'dm', '公告列表'))
        .map((r) => r.text)
        .join('\n')
        .split('\n')
        .find((l) => l.includes('N-4')) ?? ''
    expect(await apiLabel()).toBe('定期发送中')
    expect(await botLine()).toContain('定期发送中')
    await svc.db.announcement.update({ where: { id: recurring.id }, data: { paused: true } })
    const paused = await apiLabel()
    expect(paused).not.toBe('定期发送中')
    expect(await botLine()).toContain(paused)
  })
})
