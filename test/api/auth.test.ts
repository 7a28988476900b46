/**
 * Who may use the admin API: bearer tokens bound to a person, the dashboard's one-time sign-in
 * links (登录后台) and the sessions they open, revocation, and the per-token rate limit.
 * Time is a ManualClock shared by the service, so expiry is exact and no test waits for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashToken, SESSION_COOKIE } from '../../src/auth/tokens.js'
import { ManualClock } from '../../src/core/clock.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { call, codeIn, tokenFor } from './helpers.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

let svc: TestService
const clock = new ManualClock(new Date('2026-03-02T01:00:00Z'))

beforeAll(async () => {
  svc = await startTestService({ clock, env: { LOGIN_LINK_MINUTES: '10', DASHBOARD_SESSION_HOURS: '12', PUBLIC_URL: 'https://gongyou.example.com' } })
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

const me = (token: string | null, headers: Record<string, string> = {}) => call(svc, { url: '/api/v1/me', token, headers })

async function linkFor(employeeNo: string, chat = 'dm'): Promise<{ replies: Awaited<ReturnType<TestService['say']>>; code: string }> {
  const replies = await svc.say(employeeNo, chat, '登录后台')
  const withLink = replies.find((r) => r.text.includes('/dashboard/login?code='))
  return { replies, code: withLink ? codeIn(withLink.text) : '' }
}

describe('bearer tokens', () => {
  it('refuses a request without a token, with a wrong one, and with a malformed header: 401 in Chinese', async () => {
    const none = await me(null)
    expect(none.statusCode).toBe(401)
    expect(none.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('登录后台') } })
    const wrong = await me('gy_not-a-real-token')
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json().error.code).toBe('invalid_token')
    expect((await me(null, { authorization: 'Basic abc' })).statusCode).toBe(401)
  })

  it('admits an officer and an administrator as themselves, and refuses workers and collectors (403)', async () => {
    const officer = await me(await tokenFor(svc, 'D3001'))
    expect(officer.statusCode).toBe(200)
    expect(officer.json()).toMatchObject({ person: { employeeNo: 'D3001', name: '梁秀英', role: 'officer' }, scope: '一车间', timeZone: 'Asia/Shanghai' })
    // The dashboard's words for stored codes are the bot's own, from the messages.
    expect(officer.json()).toMatchObject({
      person: { roleLabel: '工会干部' },
      labels: {
        roles: { collector: '网格员', officer: '工会干部' },
        requestStatus: { new: '待受理', accepted: '处理中', resolved: '已办结（待评价）' },
        urgent: '紧急',
        announcementKinds: { safety: '安全' },
        announcementStatus: { sent: '已发送' },
        paused: '已暂停',
        pollStatus: { open: '进行中', closed: '已截止' },
        platforms: { wecom: '企业微信' },
      },
    })
    expect((await me(await tokenFor(svc, 'D9000'))).json()).toMatchObject({ person: { role: 'admin' }, scope: '全部单位' })
    for (const no of ['D1002', 'D1001']) {
      const res = await me(await tokenFor(svc, no))
      expect(res.statusCode).toBe(403)
      expect(res.json().error.message).toBe('您的身份无权进行此操作')
    }
  })

  it('refuses an expired token', async () => {
    const token = await tokenFor(svc, 'D3001', { expiresAt: new Date(clock.now().getTime() + HOUR) })
    expect((await me(token)).statusCode).toBe(200)
    clock.advance(HOUR)
    const expired = await me(token)
    expect(expired.statusCode).toBe(401)
    expect(expired.json().error.message).toContain('已过期')
  })

  it('stores only a hash of the token', async () => {
    const token = await tokenFor(svc, 'D9000', { label: 'hash-check' })
    const row = await svc.db.apiToken.findFirstOrThrow({ where: { label: 'hash-check' } })
    expect(row.tokenHash).toBe(hashToken(token))
    expect(JSON.stringify(row)).not.toContain(token)
  })
})

describe('listing and revoking tokens', () => {
  it('lists an officer’s own tokens only, and every token for an administrator', async () => {
    const mine = await tokenFor(svc, 'D3002', { label: 'mine' })
    await tokenFor(svc, 'D3001', { label: 'not-mine' })
    const listed = (await call(svc, { url: '/api/v1/tokens', token: mine })).json().tokens as {
      label: string
      person: { employeeNo: string }
      current: boolean
    }[]
    expect(listed.every((t) => t.person.employeeNo === 'D3002')).toBe(true)
    expect(listed.find((t) => t.label === 'mine')?.current).toBe(true)
    const all = (await call(svc, { url: '/api/v1/tokens', token: await tokenFor(svc, 'D9000') })).json().tokens as { person: { employeeNo: string } }[]
    expect(new Set(all.map((t) => t.person.employeeNo))).toEqual(new Set(['D3001', 'D3002', 'D9000', 'D1001', 'D1002']))
  })

  it('revokes a token (then 401); an officer cannot revoke another person’s token', async () => {
    const victim = await tokenFor(svc, 'D3001', { label: 'victim' })
    const victimId = (await svc.db.apiToken.findFirstOrThrow({ where: { label: 'victim' } })).id
    const other = await tokenFor(svc, 'D3002')
    const refused = await call(svc, { method: 'DELETE', url: `/api/v1/tokens/${victimId}`, token: other })
    expect(refused.statusCode).toBe(404)
    expect((await me(victim)).statusCode).toBe(200)

    const own = await tokenFor(svc, 'D3001')
    const revoked = await call(svc, { method: 'DELETE', url: `/api/v1/tokens/${victimId}`, token: own })
    expect(revoked.statusCode).toBe(200)
    expect(revoked.json()).toEqual({ id: victimId, revoked: true })
    const after = await me(victim)
    expect(after.statusCode).toBe(401)
    expect(after.json().error.message).toContain('吊销')
  })

  it('issues an API token that is shown once and works', async () => {
    const officer = await tokenFor(svc, 'D3001')
    const res = await call(svc, { method: 'POST', url: '/api/v1/tokens', token: officer, payload: { label: '报表脚本', expiresInDays: 30 } })
    expect(res.statusCode).toBe(201)
    const { token } = res.json() as { token: string }
    expect((await me(token)).json().person.employeeNo).toBe('D3001')
    // Only administrators issue tokens for someone else.
    const forOther = await call(svc, { method: 'POST', url: '/api/v1/tokens', token: officer, payload: { label: 'x', employeeNo: 'D3002' } })
    expect(forOther.statusCode).toBe(403)
  })
})

describe('one-time sign-in links (登录后台)', () => {
  it('sends an officer a link privately; asked in a group, the group only hears that it was sent', async () => {
    const { replies, code } = await linkFor('D2001', 'web-team-dg')
    expect(code).not.toBe('')
    const link = replies.find((r) => r.text.includes('code='))!
    expect(link.chat).toBe('dm')
    expect(link.to).toBe('D2001')
    expect(link.text).toContain('https://gongyou.example.com/dashboard/login?code=')
    expect(link.text).toContain('10 分钟内有效')
    const inGroup = replies.filter((r) => r.chat === 'web-team-dg')
    expect(inGroup.map((r) => r.text).join('\n')).toContain('已私信')
    expect(inGroup.map((r) => r.text).join('\n')).not.toContain('code=')
  })

  it('is only for officers and administrators', async () => {
    const replies = await svc.say('D1002', 'dm', '登录后台')
    expect(replies.map((r) => r.text).join('\n')).not.toContain('code=')
    expect(replies[0]!.text).toContain('工会干部')
  })

  it('works once: opening it gives a session (cookie and bearer); the second time it is refused', async () => {
    const { code } = await linkFor('D3001')
    const first = await call(svc, { method: 'POST', url: '/api/v1/auth/login', payload: { code } })
    expect(first.statusCode).toBe(200)
    const { token } = first.json() as { token: string }
    const cookie = String(first.headers['set-cookie'])
    expect(cookie).toContain(`${SESSION_COOKIE}=`)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).toMatch(/Secure/)
    expect(cookie).toContain('Max-Age=43200')
    // The session works as a bearer token and as the cookie.
    expect((await me(token)).json().person.employeeNo).toBe('D3001')
    expect((await me(null, { cookie: `${SESSION_COOKIE}=${encodeURIComponent(token)}` })).json().person.employeeNo).toBe('D3001')
    // The code itself is never a token.
    expect((await me(code)).statusCode).toBe(401)

    const again = await call(svc, { method: 'POST', url: '/api/v1/auth/login', payload: { code } })
    expect(again.statusCode).toBe(401)
    expect(again.json().error).toMatchObject({ code: 'link_used', message: expect.stringContaining('只能用一次') })
  })

  it('is stored hashed, with a short expiry', async () => {
    const { code } = await linkFor('D3002')
    const row = await svc.db.apiToken.findUniqueOrThrow({ where: { tokenHash: hashToken(code) } })
    expect(row.label).toBe('login-link')
    expect(row.expiresAt!.getTime() - clock.now().getTime()).toBe(10 * MINUTE)
  })

  it('expires after LOGIN_LINK_MINUTES', async () => {
    const { code } = await linkFor('D3001')
    clock.advance(10 * MINUTE + 1)
    const late = await call(svc, { method: 'POST', url: '/api/v1/auth/login', payload: { code } })
    expect(late.statusCode).toBe(401)
    expect(late.json().error).toMatchObject({ code: 'link_expired', message: expect.stringContaining('已过期') })
  })

  it('is still good just before it expires, and only one of two simultaneous uses wins', async () => {
    const { code } = await linkFor('D3001')
    clock.advance(10 * MINUTE - 1)
    const both = await Promise.all([0, 1].map(() => call(svc, { method: 'POST', url: '/api/v1/auth/login', payload: { code } })))
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 401])
  })

  it('opens a session that lasts DASHBOARD_SESSION_HOURS, and logging out ends it', async () => {
    const { code } = await linkFor('D3001')
    const { token } = (await call(svc, { method: 'POST', url: '/api/v1/auth/login', payload: { code } })).json() as { token: string }
    clock.advance(11 * HOUR)
    expect((await me(token)).statusCode).toBe(200)
    clock.advance(HOUR)
    expect((await me(token)).statusCode).toBe(401)

    const second = (await call(svc, { method: 'POST', url: '/api/v1/auth/login', payload: { code: (await linkFor('D3001')).code } })).json() as {
      token: string
    }
    const out = await call(svc, { method: 'POST', url: '/api/v1/auth/logout', token: second.token })
    expect(out.statusCode).toBe(200)
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0')
    expect((await me(second.token)).statusCode).toBe(401)
  })

  it('the dashboard’s sign-in page asks for a click (a link preview cannot use it up), then sets the cookie', async () => {
    const { code } = await linkFor('D3001')
    const page = await svc.app.inject({ method: 'GET', url: `/dashboard/login?code=${encodeURIComponent(code)}` })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('进入工作台')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    // Opening the page did not use the code.
    const row = await svc.db.apiToken.findUniqueOrThrow({ where: { tokenHash: hashToken(code) } })
    expect(row.revokedAt).toBeNull()
    const posted = await svc.app.inject({
      method: 'POST',
      url: '/dashboard/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      payload: `code=${encodeURIComponent(code)}`,
    })
    expect(posted.statusCode).toBe(303)
    expect(posted.headers.location).toBe('/dashboard#/overview')
    expect(String(posted.headers['set-cookie'])).toMatch(/^gongyou_session=gy_/)
    const reused = await svc.app.inject({
      method: 'POST',
      url: '/dashboard/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      payload: `code=${encodeURIComponent(code)}`,
    })
    expect(reused.statusCode).toBe(401)
    expect(reused.body).toContain('只能用一次')
  })
})

describe('with the session cookie', () => {
  it('refuses changes asked from another site, or from nowhere it can tell', async () => {
    const token = await tokenFor(svc, 'D3001')
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent(token)}`
    for (const from of [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: 'http://localhost:80' },
      { origin: 'null' },
      {},
    ] as Record<string, string>[]) {
      const cross = await call(svc, { method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, ...from } })
      expect(cross.statusCode, JSON.stringify(from)).toBe(403)
      expect(cross.json().error).toMatchObject({ code: 'cross_site', message: expect.stringContaining('跨站') })
    }
    expect((await me(token)).statusCode).toBe(200)
    // Reading needs no proof of origin; a bearer token needs none for changes either.
    expect((await me(null, { cookie })).statusCode).toBe(200)
    // From the dashboard itself (the browser says same-origin, or the Origin is this host) it is done.
    const own = await call(svc, { method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, 'sec-fetch-site': 'same-origin', origin: 'null' } })
    expect(own.statusCode).toBe(200)
    expect((await me(token)).statusCode).toBe(401)
    const other = await tokenFor(svc, 'D3001')
    const byOrigin = await call(svc, {
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(other)}`, origin: 'http://localhost:80', host: 'localhost:80' },
    })
    expect(byOrigin.statusCode).toBe(200)
  })
})

describe('login CSRF', () => {
  it('a page on another site cannot sign its visitor in with its own code: 403 in Chinese, no cookie, the code still unused', async () => {
    const { code } = await linkFor('D3001')
    const form = (headers: Record<string, string>) =>
      svc.app.inject({
        method: 'POST',
        url: '/dashboard/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: `code=${encodeURIComponent(code)}`,
      })
    for (const from of [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
      {},
    ] as Record<string, string>[]) {
      const res = await form(from)
      expect(res.statusCode, JSON.stringify(from)).toBe(403)
      expect(res.body).toContain('跨站')
      expect(res.headers['set-cookie']).toBeUndefined()
    }
    const api = await call(svc, { method: 'POST', url: '/api/v1/auth/login', headers: { origin: 'https://evil.example' }, payload: { code } })
    expect(api.statusCode).toBe(403)
    expect(api.headers['set-cookie']).toBeUndefined()
    expect((await svc.db.apiToken.findUniqueOrThrow({ where: { tokenHash: hashToken(code) } })).revokedAt).toBeNull()
    // The sign-in page's own post (Origin: null under its no-referrer policy, Sec-Fetch-Site same-origin) works.
    const own = await form({ origin: 'null', 'sec-fetch-site': 'same-origin' })
    expect(own.statusCode).toBe(303)
    expect(String(own.headers['set-cookie'])).toMatch(/^gongyou_session=gy_/)
  })
})

describe('rate limit', () => {
  it('answers 429 in Chinese past API_RATE_LIMIT_PER_MINUTE for one token, without affecting others', async () => {
    const limited = await startTestService({ env: { API_RATE_LIMIT_PER_MINUTE: '3' } })
    try {
      const a = await tokenFor(limited, 'D3001')
      const b = await tokenFor(limited, 'D3002')
      const codes = []
      for (let i = 0; i < 4; i++) codes.push((await call(limited, { url: '/api/v1/me', token: a })).statusCode)
      expect(codes).toEqual([200, 200, 200, 429])
      const refused = await call(limited, { url: '/api/v1/me', token: a })
      expect(refused.json().error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('请求太频繁') })
      expect((await call(limited, { url: '/api/v1/me', token: b })).statusCode).toBe(200)
    } finally {
      await limited.close()
      await limited.dropDatabase()
    }
  })
})
