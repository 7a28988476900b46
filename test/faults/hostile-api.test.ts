/**
 * The admin API under attack: missing, malformed, expired and revoked tokens (401); an officer of
 * 一车间 (D3001) reaching for 二车间's requests, people, groups and tokens by filter or path
 * (403/404/empty, nothing changed); SQL- and script-looking request content stored and returned
 * verbatim, tables intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueToken } from '../../src/auth/tokens.js'
import { call, file, tokenFor } from '../api/helpers.js'
import { startTestService, type TestService } from '../helpers/service.js'

let svc: TestService
let ws1 = '' // D3001, 一车间
let ws2 = '' // D3002, 二车间
let admin = ''
let a = '' // 一车间/电工班
let b = '' // 二车间/装配一班
const SQL = `'; DROP TABLE "Person"; --`
const SQL2 = `1' OR '1'='1`
const SCRIPT = `<img src=x onerror=alert(1)>`
const SCRIPT2 = `<script>alert("x")</script>`

beforeAll(async () => {
  svc = await startTestService()
  ws1 = await tokenFor(svc, 'D3001')
  ws2 = await tokenFor(svc, 'D3002')
  admin = await tokenFor(svc, 'D9000')
  a = await file(svc, 'D1002', '诉求 电工班的劳保手套磨破了')
  b = await file(svc, 'D1010', '诉求 装配一班食堂晚班没有热饭')
})
afterAll(async () => {
  await svc?.close()
  await svc?.dropDatabase()
})

const get = (token: string | null, url: string, headers?: Record<string, string>) => call(svc, { url, token, ...(headers ? { headers } : {}) })
const unitId = async (path: string) => (await svc.db.unit.findUniqueOrThrow({ where: { path } })).id

describe('authentication', () => {
  it('answers 401 to missing, malformed, unknown, expired and revoked tokens', async () => {
    const urls = ['/api/v1/requests', `/api/v1/requests/${a}`, '/api/v1/people', '/api/v1/me', '/api/v1/chat-groups', '/api/v1/outbox']
    const bad: Record<string, string>[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer ' },
      { authorization: 'Bearer not-a-token' },
      { authorization: `Bearer ${ws1}x` },
      { authorization: `Bearer ${ws1.slice(0, -1)}` },
      { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
      { authorization: `bearer${ws1}` },
      { authorization: `Bearer ${SQL}` },
      { authorization: `Bearer ${'A'.repeat(5000)}` },
      { cookie: 'session=forged; gongyou_session=forged' },
    ]
    for (const url of urls) {
      for (const headers of bad) {
        const res = await get(null, url, headers)
        expect(res.statusCode, `${url} ${JSON.stringify(headers).slice(0, 80)}`).toBe(401)
        expect(res.body).not.toContain('食堂')
      }
      for (const method of ['POST', 'DELETE', 'PUT'] as const) {
        const res = await call(svc, { method, url: `/api/v1/requests/${a}/actions`, token: null, payload: { action: 'accept' } })
        // Only POST is routed; the others do not exist (404) — never a 2xx either way.
        expect(res.statusCode, method).toBe(method === 'POST' ? 401 : 404)
      }
    }
    const person = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D3001' } })
    const expired = await issueToken(svc.db, person.id, { expiresAt: new Date(Date.now() - 1000) })
    expect((await get(expired, '/api/v1/requests')).statusCode).toBe(401)
    const revoked = await issueToken(svc.db, person.id, { label: 'to revoke' })
    expect((await get(revoked, '/api/v1/requests')).statusCode).toBe(200)
    const mine = (await get(revoked, '/api/v1/tokens')).json() as { tokens?: { id: number; label?: string }[] } & { items?: { id: number; label?: string }[] }
    const id = (mine.tokens ?? mine.items ?? []).find((t) => t.label === 'to revoke')!.id
    expect((await call(svc, { method: 'DELETE', url: `/api/v1/tokens/${id}`, token: revoked })).statusCode).toBe(200)
    expect((await get(revoked, '/api/v1/requests')).statusCode).toBe(401)
  })
})

describe('scope escalation', () => {
  it('keeps 一车间’s officer out of 二车间 by path, filter and action; nothing changes', async () => {
    expect((await get(ws1, `/api/v1/requests/${b}`)).statusCode).toBe(403)
    expect((await get(ws1, `/api/v1/requests/${b.toLowerCase()}`)).statusCode).toBeGreaterThanOrEqual(400)
    expect((await get(ws1, `/api/v1/requests/${b.toLowerCase()}`)).statusCode).toBeLessThan(500)
    for (const path of [
      'SQ-0000-0000',
      'SQ-9999-9999',
      `${b}%00`,
      '..%2F..%2Fpeople',
      encodeURIComponent(SQL),
      encodeURIComponent(SCRIPT),
      '%E4%B8%80',
      'x'.repeat(2000),
    ]) {
      const res = await get(ws1, `/api/v1/requests/${path}`)
      expect(res.statusCode, path).toBeGreaterThanOrEqual(400)
      expect(res.statusCode, path).toBeLessThan(500)
      expect(res.body).not.toContain('食堂')
    }
    const ws2Unit = await unitId('二车间')
    const team2 = await unitId('二车间/装配一班')
    for (const unit of [ws2Unit, team2]) {
      expect((await get(ws1, `/api/v1/requests?unit=${unit}`)).statusCode).toBe(403)
      expect((await get(ws1, `/api/v1/people?unit=${unit}`)).statusCode).toBe(403)
    }
    for (const unit of ['999999', '-1', '0', '1.5', 'abc', encodeURIComponent(SQL), `${ws2Unit}&unit=${ws2Unit}`]) {
      const res = await get(ws1, `/api/v1/requests?unit=${unit}`)
      expect(res.statusCode, unit).toBeGreaterThanOrEqual(400)
      expect(res.statusCode, unit).toBeLessThan(500)
      expect(res.body).not.toContain('食堂')
    }
    // Search words never reach across the scope.
    for (const q of ['食堂', b, 'SQ', '%', '_', SQL, SQL2]) {
      const res = await get(ws1, `/api/v1/requests?q=${encodeURIComponent(q)}`)
      expect(res.statusCode, q).toBe(200)
      expect((res.json().items as { number: string }[]).map((r) => r.number)).not.toContain(b)
    }
    // People of 二车间 are not listed, whatever the filter.
    const people = (await get(ws1, '/api/v1/people?pageSize=100')).json().items as { employeeNo: string }[]
    expect(people.map((p) => p.employeeNo)).not.toContain('D1010')
    expect(people.map((p) => p.employeeNo)).not.toContain('D3002')
    // Actions on 二车间's request.
    for (const payload of [
      { action: 'accept' },
      { action: 'reply', text: '越权' },
      { action: 'supervise' },
      { action: 'transfer', unitId: await unitId('一车间') },
      { action: 'close' },
    ]) {
      const res = await call(svc, { method: 'POST', url: `/api/v1/requests/${b}/actions`, token: ws1, payload })
      expect(res.statusCode, JSON.stringify(payload)).toBeGreaterThanOrEqual(400)
      expect(res.statusCode, JSON.stringify(payload)).toBeLessThan(500)
    }
    const row = await svc.db.workerRequest.findUniqueOrThrow({ where: { number: b }, include: { events: true } })
    expect(row.status).toBe('new')
    expect(row.supervised).toBe(false)
    expect(row.events.map((e) => e.kind)).toEqual(['filed'])
    // A 二车间 group cannot be bound by 一车间's officer, nor bound into 二车间.
    const group = await svc.db.chatGroup.create({ data: { platform: 'feishu', externalId: 'oc_hostile_ws2', name: '装配群', unitId: team2 } })
    for (const [id, unit] of [
      [group.id, await unitId('一车间')],
      [group.id, team2],
    ] as const) {
      const res = await call(svc, { method: 'PUT', url: `/api/v1/chat-groups/${id}/binding`, token: ws1, payload: { unitId: unit } })
      expect([403, 404]).toContain(res.statusCode)
    }
    expect((await call(svc, { method: 'DELETE', url: `/api/v1/chat-groups/${group.id}/binding`, token: ws1 })).statusCode).toBeGreaterThanOrEqual(403)
    expect((await svc.db.chatGroup.findUniqueOrThrow({ where: { id: group.id } })).unitId).toBe(team2)
    // Another officer's token cannot be revoked by id.
    const ws2Tokens = await svc.db.apiToken.findMany({ where: { personId: (await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D3002' } })).id } })
    expect(ws2Tokens.length).toBeGreaterThan(0)
    for (const t of ws2Tokens) expect([403, 404]).toContain((await call(svc, { method: 'DELETE', url: `/api/v1/tokens/${t.id}`, token: ws1 })).statusCode)
    expect((await get(ws2, '/api/v1/requests')).statusCode).toBe(200)
    // And a request of their own is still theirs.
    expect((await get(ws1, `/api/v1/requests/${a}`)).statusCode).toBe(200)
  })
})

describe('hostile content', () => {
  it('stores and returns SQL- and script-looking request content verbatim; the tables are intact', async () => {
    const peopleBefore = await svc.db.person.count()
    const requestsBefore = await svc.db.workerRequest.count()
    const numbers: [string, string][] = []
    for (const content of [SQL, SQL2, SCRIPT, SCRIPT2, `${SQL} ${SCRIPT}`]) numbers.push([await file(svc, 'D1002', `诉求 ${content}`), content])
    expect(await svc.db.person.count()).toBe(peopleBefore)
    expect(await svc.db.workerRequest.count()).toBe(requestsBefore + numbers.length)
    for (const [number, content] of numbers) {
      const res = await get(ws1, `/api/v1/requests/${number}`)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toMatch(/application\/json/)
      expect(res.json().content ?? res.json().request?.content).toBe(content)
      const row = await svc.db.workerRequest.findUniqueOrThrow({ where: { number } })
      expect(row.content).toBe(content)
      // Found by searching for the very string, through the list.
      const list = await get(admin, `/api/v1/requests?q=${encodeURIComponent(content)}`)
      expect(list.statusCode).toBe(200)
      expect((list.json().items as { number: string; content: string }[]).find((r) => r.number === number)?.content).toBe(content)
    }
    expect(await svc.db.person.count()).toBe(peopleBefore)
    expect(await svc.db.person.findUnique({ where: { employeeNo: 'D9000' } })).not.toBeNull()
  })
})

/** Every route of the service as `[method, path]`, read from fastify's own route tree. */
function routesOf(tree: string): [string, string][] {
  const out: [string, string][] = []
  const stack: string[] = []
  for (const line of tree.split('\n')) {
    const m = /^([│ ├└─]*)(\S.*) \(([A-Z, ]+)\)$/.exec(line.replace(/\u00a0/g, ' '))
    if (!m) continue
    const depth = Math.round(m[1]!.length / 4) - 1
    stack.length = depth
    const path = `${depth > 0 ? stack[depth - 1] : ''}${m[2]}`
    stack[depth] = path
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.push([method, path.replace(/\/\//g, '/')])
  }
  return out
}

describe('a sweep of hostile inputs over every route', () => {
  let fuzz: TestService
  beforeAll(async () => {
    fuzz = await startTestService({ env: { API_RATE_LIMIT_PER_MINUTE: '100000' } })
  })
  afterAll(async () => {
    await fuzz?.close()
    await fuzz?.dropDatabase()
  })

  const params = [
    '__proto__',
    'constructor',
    'toString',
    '%00',
    '%ED%A0%80',
    '%uD800',
    '%E4%B8',
    '..%2F..%2Fetc%2Fpasswd',
    'x'.repeat(3000),
    '-1',
    '0',
    '1e309',
    '99999999999999999999999',
    '%25',
    encodeURIComponent(SQL),
    encodeURIComponent(SCRIPT),
  ]
  const queries = [
    'month=0000-01',
    'month=9999-12',
    'month=2026-13',
    '__proto__[x]=1',
    'constructor[prototype][x]=1',
    'page=-1&pageSize=1e9',
    'page=99999999999999999999',
    'q=%ED%A0%80',
    'q=%ff',
    'q=%uD800',
    'status=__proto__',
    'unit=1&unit=2',
    'months=1e400',
    'code=%00',
    'from=%ED%A0%80&chat=dm',
    'chat=__proto__',
    `q=${'%E4%B8%80'.repeat(3000)}`,
  ]
  const jsonBodies = [
    '{"text":"\\ud800"}',
    '{"from":"D1002","chat":"dm","text":"\\ud800"}',
    '{"from":"D1002","chat":"dm","text":"\\udc00 诉求"}',
    '{"from":"D1002","chat":"dm","action":{"command":"\\ud800"}}',
    '{"from":"__proto__","chat":"__proto__","text":"帮助"}',
    '{"from":"D1002","chat":"constructor","text":"帮助"}',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    '{"code":"\\ud800xxxxxxxx"}',
    '{"code":["a"]}',
    '{"text":1e999}',
    'null',
    '"a string"',
    '[]',
    '{"unitId":1e309,"purpose":"__proto__"}',
  ]
  const formBodies = ['code=%ED%A0%80', 'code[]=1', '__proto__=x', `code=${'a'.repeat(5000)}`, 'code=%ZZ']

  it('answers the three known ones with a clear 4xx', async () => {
    const admin = await tokenFor(fuzz, 'D9000')
    const asset = await fuzz.app.inject({ url: '/dashboard/assets/__proto__' })
    expect(asset.statusCode).toBe(404)
    const surrogate = await fuzz.app.inject({
      method: 'POST',
      url: '/playground/api/messages',
      headers: { 'content-type': 'application/json' },
      payload: '{"from":"D1002","chat":"dm","text":"诉求 \\ud800"}',
    })
    expect(surrogate.statusCode).toBe(400)
    expect(surrogate.json().error.message).toContain('无法识别的字符')
    for (const month of ['0000-01', '9999-12', '1999-12']) {
      const res = await call(fuzz, { url: `/api/v1/reports/monthly?month=${month}`, token: admin })
      expect(res.statusCode, month).toBe(400)
      expect(res.json().error.message).toContain('YYYY-MM')
    }
    expect((await call(fuzz, { url: '/api/v1/reports/monthly?month=2026-11', token: admin })).statusCode).toBe(200)
  })

  const failures: string[] = []
  let n = 0
  const check = async (method: string, url: string, o: { payload?: string; headers?: Record<string, string> } = {}) => {
    // Each from its own address, so the per-address rate limits do not hide a route behind 429.
    n++
    const res = await fuzz.app.inject({
      method: method as 'GET',
      url,
      remoteAddress: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      ...(o.payload !== undefined ? { payload: o.payload } : {}),
      headers: o.headers ?? {},
    })
    if (res.statusCode >= 500 || /\n\s+at .+:\d+:\d+/.test(res.body))
      failures.push(`${method} ${url.slice(0, 120)} ${(o.payload ?? '').slice(0, 60)} → ${res.statusCode} ${res.body.slice(0, 160)}`)
  }

  it('answers none of them with a 500 or a stack trace', async () => {
    const routes = routesOf(fuzz.app.printRoutes({ commonPrefix: false }))
    expect(routes.length).toBeGreaterThan(30)
    failures.length = 0
    for (const [method, path] of routes) {
      const urls = path.includes(':') || path.includes('*') ? params.map((p) => path.replace(/:[a-z]+|\*/gi, p)) : [path]
      for (const url of urls) await check(method, url)
      for (const q of queries) await check(method, `${urls[0]}?${q}`)
      if (method !== 'GET') {
        for (const payload of jsonBodies) await check(method, urls[0]!, { payload, headers: { 'content-type': 'application/json' } })
        for (const payload of formBodies)
          await check(method, urls[0]!, { payload, headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' } })
        for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=gbk'])
          await check(method, urls[0]!, { payload: '--x\r\n\ud800', headers: { 'content-type': type } })
      }
    }
    for (const path of ['/%ED%A0%80', '/dashboard/%00', '/api/v1/%2e%2e/%2e%2e', `/${'x'.repeat(10_000)}`, '/__proto__', '/api/v1/__proto__'])
      await check('GET', path)
    expect(failures).toEqual([])
  })

  it('nor for an administrator reading with hostile paths and queries', async () => {
    const routes = routesOf(fuzz.app.printRoutes({ commonPrefix: false }))
    failures.length = 0
    const admin = { authorization: `Bearer ${await tokenFor(fuzz, 'D9000')}` }
    for (const [method, path] of routes.filter(([m, p]) => m === 'GET' && p.startsWith('/api/'))) {
      const urls = path.includes(':') ? params.map((p) => path.replace(/:[a-z]+/gi, p)) : [path]
      for (const url of urls) await check(method, url, { headers: admin })
      // Workbooks take a while to build: only the queries that could reach them differently.
      for (const q of path.endsWith('.xlsx') ? queries.slice(0, 4) : queries) await check(method, `${urls[0]}?${q}`, { headers: admin })
    }
    expect(failures).toEqual([])
  }, 120_000)
})
