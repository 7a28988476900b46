/**
 * Nobody can act as somebody else through the playground or the demo organisation (issue #13).
 * The playground runs only on a machine that is a demo and nothing else, speaks only as demo
 * people, answers only loopback Host headers; demo people's tokens work only while it is on; a
 * real roster retires the demo, after which D9000 韩梅 (printed in the README) is nobody — on
 * Feishu too, through signed events to the real webhook.
 */
import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { feishuAdapterFactory } from '../../adapters/feishu/index.js'
import { issueLoginLink, issueToken } from '../../src/auth/tokens.js'
import { ConfigError } from '../../src/config.js'
import { seedDemoOrganisation } from '../../src/organisation/demo.js'
import { openDatabase } from '../../src/db/client.js'
import { call, codeIn } from '../api/helpers.js'
import { messageEvent, request, type Keys, type Person } from '../adapters/feishu/events.js'
import { FakeFeishu, textOf } from '../adapters/feishu/fake-feishu.js'
import { feishuEnv as feishuEnvFor, settleFeishu } from '../adapters/feishu/kit.js'
import { createTestDatabaseUrl } from '../helpers/db.js'
import { startTestService, type TestService } from '../helpers/service.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const keys: Keys = { appId: 'cli_playground00001', encryptKey: 'playgroundEncryptKeyForTests', verificationToken: 'vtok-playground' }
const SECRET = 'app-secret-for-playground-tests'

let fake: FakeFeishu
const feishuEnv = () => feishuEnvFor(fake, keys, SECRET)

beforeAll(async () => {
  fake = await new FakeFeishu(keys.appId, SECRET).start()
})
afterAll(async () => {
  await fake?.stop()
})

/** Says something privately to the bot on Feishu (an encrypted, signed event) and answers what Feishu then showed. */
async function sayOnFeishu(svc: TestService, from: Person, text: string): Promise<string> {
  const before = fake.messages.length
  const r = request(messageEvent(keys, { from, chatId: `oc_p2p_${from.open_id}`, chatType: 'p2p', text }), keys)
  const res = await svc.app.inject({ method: 'POST', url: '/webhooks/feishu', headers: r.headers, payload: r.payload })
  expect(res.statusCode, res.body).toBe(200)
  await settleFeishu(svc)
  return fake.messages.slice(before).map(textOf).join('\n')
}

const playground = (svc: TestService, method: 'GET' | 'POST', url: string, host: string, payload?: object) =>
  svc.app.inject({ method, url, headers: { host }, ...(payload ? { payload } : {}) })

describe('where the playground runs', () => {
  it('GONGYOU_PLAYGROUND=true with a platform configured refuses to start: one line naming the variables, exit 78', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        GONGYOU_PLAYGROUND: 'true',
        WECHATY_PUPPET: 'wechaty-puppet-mock',
        DATABASE_URL: 'file:/nonexistent/never-opened.db',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout!.on('data', (d) => (out += d))
    child.stderr!.on('data', (d) => (out += d))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code, out).toBe(78)
    const lines = out.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/GONGYOU_PLAYGROUND=true is refused because WECHATY_PUPPET is set/)
  }, 60_000)

  it('GONGYOU_PLAYGROUND=true with PUBLIC_URL set refuses to start, naming PUBLIC_URL', async () => {
    const refused = startTestService({ env: { GONGYOU_PLAYGROUND: 'true', PUBLIC_URL: 'https://gongyou.example.com' } })
    await expect(refused).rejects.toBeInstanceOf(ConfigError)
    await expect(refused).rejects.toThrow(/GONGYOU_PLAYGROUND=true is refused because PUBLIC_URL is set/)
  })

  it('auto with a platform configured: no playground, no demo seeded, and the start-up log says why', async () => {
    let logged = ''
    const stream = new Writable({ write: (chunk, _enc, done) => void ((logged += String(chunk)), done()) })
    const svc = await startTestService({ env: feishuEnv(), adapterFactories: [feishuAdapterFactory], organisation: 'none', logger: { level: 'info', stream } })
    try {
      expect(svc.playground).toEqual({ on: false, reason: expect.stringContaining('FEISHU_APP_ID is set') })
      expect(await svc.db.person.count()).toBe(0)
      expect((await playground(svc, 'GET', '/playground', 'localhost:3000')).statusCode).toBe(404)
      const post = await playground(svc, 'POST', '/playground/api/messages', 'localhost:3000', { from: 'D9000', chat: 'dm', text: '登录后台' })
      expect(post.statusCode).toBe(404)
      const lines = logged.split('\n').filter((l) => l.includes('playground:'))
      expect(lines).toHaveLength(1)
      expect(JSON.parse(lines[0]!).msg).toMatch(/^playground: off — FEISHU_APP_ID is set/)
    } finally {
      await svc.close()
      await svc.dropDatabase()
    }
  })
})

describe('the playground', () => {
  let svc: TestService
  beforeAll(async () => {
    svc = await startTestService()
  })
  afterAll(async () => {
    await svc?.close()
    await svc?.dropDatabase()
  })

  it('answers only this machine: any other Host gets 421 with a Chinese message, on every route', async () => {
    expect(svc.playground.on).toBe(true)
    for (const host of ['attacker.example', 'attacker.example:3000', 'localhost.attacker.example', '127.0.0.1.nip.io', '192.168.1.20:3000', '[::2]:3000']) {
      for (const [method, url] of [
        ['GET', '/playground'],
        ['GET', '/playground/api/people'],
        ['GET', '/playground/api/chats'],
        ['GET', '/playground/api/history?from=D9000&chat=dm'],
        ['POST', '/playground/api/messages'],
      ] as const) {
        const res = await playground(svc, method, url, host, method === 'POST' ? { from: 'D9000', chat: 'dm', text: '登录后台' } : undefined)
        expect(res.statusCode, `${host} ${url}`).toBe(421)
        expect(res.json()).toEqual({ error: { code: 'misdirected', message: expect.stringContaining('本机') } })
      }
    }
    // Nothing reached the bot.
    expect(await svc.db.inboundEvent.count()).toBe(0)
    for (const host of ['localhost', 'localhost:3000', '127.0.0.1:3000', '127.1.2.3', '[::1]:3000', 'LOCALHOST']) {
      expect((await playground(svc, 'GET', '/playground/api/people', host)).statusCode, host).toBe(200)
    }
  })

  it('speaks only as demo people: a real person is refused (403) and is not offered', async () => {
    const unit = await svc.db.unit.findUniqueOrThrow({ where: { path: '' } })
    await svc.db.person.create({ data: { employeeNo: 'R0001', name: '真管理员', role: 'admin', unitId: unit.id } })
    const res = await playground(svc, 'POST', '/playground/api/messages', 'localhost', { from: 'R0001', chat: 'dm', text: '登录后台' })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ error: { code: 'not_demo_person', message: '演练场只能以演示人员的身份发言，工号“R0001”不是演示人员' } })
    const people = (await playground(svc, 'GET', '/playground/api/people', 'localhost')).json().people as { employeeNo: string }[]
    expect(people.map((p) => p.employeeNo)).not.toContain('R0001')
    expect(people.map((p) => p.employeeNo)).toContain('D9000')
    // The core itself never takes a web employee number for a real person: such a sender is nobody.
    const { id } = await svc.core.receive({
      platform: 'web',
      eventId: 'forged-web-1',
      chatId: null,
      sender: { ids: [{ kind: 'employeeNo', id: 'R0001' }], name: '真管理员' },
      text: '登录后台',
      mentions: [],
      mentionsBot: false,
      sentAt: new Date().toISOString(),
    })
    await svc.core.process(id)
    const replies = (await svc.outbox.settled(id)).map((r) => (JSON.parse(r.payload) as { text: string }).text).join('\n')
    expect(replies).toContain('请先发送：绑定 工号 姓名')
    expect(replies).not.toContain('code=')
    await svc.db.person.delete({ where: { employeeNo: 'R0001' } })
  })
})

describe('a real roster retires the demo', () => {
  let svc: TestService
  let feishu: TestService | undefined
  let closed = false
  let apiToken = ''
  let session = ''

  beforeAll(async () => {
    svc = await startTestService()
  })
  afterAll(async () => {
    await feishu?.close()
    if (!closed) await svc?.close()
    await svc?.dropDatabase()
  })

  it('the demo administrator signs in from the playground; a token issued there expires in 90 days by default', async () => {
    const replies = await svc.say('D9000', 'dm', '登录后台')
    const code = codeIn(replies.map((r) => r.text).join('\n'))
    const login = await call(svc, { method: 'POST', url: '/api/v1/auth/login', payload: { code } })
    expect(login.statusCode).toBe(200)
    session = (login.json() as { token: string }).token
    const issued = await call(svc, { method: 'POST', url: '/api/v1/tokens', token: session, payload: { label: '演示脚本' } })
    expect(issued.statusCode).toBe(201)
    const body = issued.json() as { token: string; expiresAt: string }
    apiToken = body.token
    expect(new Date(body.expiresAt).getTime() - Date.now()).toBeGreaterThan(89 * 86_400_000)
    expect(new Date(body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(90 * 86_400_000)
    expect((await call(svc, { url: '/api/v1/me', token: apiToken })).statusCode).toBe(200)
  })

  it('importing a real roster (by the API) retires the demo in the same import: the demo’s token and session stop working', async () => {
    const csv = '工号,姓名,单位,角色\nR9000,赵真,公司,管理员\nD1002,钱真,一车间/电工班,职工\nR2001,孙真,一车间/电工班,工会干部\n'
    const res = await call(svc, { method: 'POST', url: '/api/v1/roster/import', token: apiToken, headers: { 'content-type': 'text/csv' }, payload: csv })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ created: 3, updated: 0 })

    for (const token of [apiToken, session]) {
      const me = await call(svc, { url: '/api/v1/me', token })
      expect(me.statusCode).toBe(401)
      expect(me.json().error.message).toMatch(/[\u4e00-\u9fa5]/)
    }
    const cookie = await svc.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `gongyou_session=${encodeURIComponent(session)}` } })
    expect(cookie.statusCode).toBe(401)

    // The real organisation is real: a new root, new units, a new D1002 who is nobody from the demo.
    const rootUnit = await svc.db.unit.findUniqueOrThrow({ where: { path: '' } })
    expect(rootUnit).toMatchObject({ name: '公司', demo: false })
    const team = await svc.db.unit.findUniqueOrThrow({ where: { path: '一车间/电工班' } })
    expect(team.demo).toBe(false)
    expect(await svc.db.person.findUnique({ where: { employeeNo: 'D1002' } })).toMatchObject({ name: '钱真', demo: false, active: true, unitId: team.id })
    // Nothing of the demo can act: its people inactive, with no accounts, tokens or sessions; its units off the roster's paths; its groups unbound.
    const demo = await svc.db.person.findMany({ where: { demo: true } })
    expect(demo.length).toBeGreaterThan(20)
    expect(demo.every((p) => !p.active && p.employeeNo.endsWith('（演示）'))).toBe(true)
    expect(await svc.db.person.findUnique({ where: { employeeNo: 'D9000' } })).toBeNull()
    expect(await svc.db.apiToken.count({ where: { personId: { in: demo.map((p) => p.id) } } })).toBe(0)
    expect(await svc.db.unit.count({ where: { demo: true, NOT: { path: { startsWith: '/' } } } })).toBe(0)
    expect(await svc.db.chatGroup.count({ where: { demo: true, unitId: { not: null } } })).toBe(0)
  })

  it('the playground has nobody left to speak as: it answers 410 in Chinese', async () => {
    for (const [method, url] of [
      ['GET', '/playground'],
      ['GET', '/playground/api/people'],
      ['POST', '/playground/api/messages'],
    ] as const) {
      const res = await playground(svc, method, url, 'localhost', method === 'POST' ? { from: 'D9000', chat: 'dm', text: '登录后台' } : undefined)
      expect(res.statusCode, url).toBe(410)
      expect(res.json().error).toEqual({ code: 'playground_closed', message: expect.stringContaining('演练场已关闭') })
    }
  })

  it('on Feishu afterwards, 绑定 D9000 韩梅 is refused and 登录后台 yields no link', async () => {
    await svc.close()
    closed = true
    feishu = await startTestService({ url: svc.config.DATABASE_URL, env: feishuEnv(), adapterFactories: [feishuAdapterFactory] })
    expect(feishu.playground.on).toBe(false)
    const stranger: Person = { open_id: 'ou_stranger_after_import' }
    const bind = await sayOnFeishu(feishu, stranger, '绑定 D9000 韩梅')
    expect(bind).not.toContain('绑定成功')
    expect(bind).toContain('工号和姓名对不上')
    const login = await sayOnFeishu(feishu, stranger, '登录后台')
    expect(login).not.toContain('code=')
    expect(login).toContain('请先发送：绑定 工号 姓名')
    expect(await feishu.db.platformIdentity.count({ where: { platform: 'feishu' } })).toBe(0)
    // The demo administrator's sign-in link, session and token went with the demo; nobody else has one.
    expect(await feishu.db.apiToken.count()).toBe(0)
  })
})

describe('a demo organisation on a service with a platform configured', () => {
  let svc: TestService
  let dropDemo: () => Promise<void>
  beforeAll(async () => {
    const fresh = await createTestDatabaseUrl()
    dropDemo = fresh.drop
    const db = openDatabase(fresh.url)
    await seedDemoOrganisation(db)
    await db.$disconnect()
    svc = await startTestService({ url: fresh.url, env: feishuEnv(), adapterFactories: [feishuAdapterFactory] })
  })
  afterAll(async () => {
    await svc?.close()
    await dropDemo?.()
  })

  it('a demo person can never be bound on the platform', async () => {
    expect(svc.playground.on).toBe(false)
    const attacker: Person = { open_id: 'ou_attacker_demo_admin' }
    const bind = await sayOnFeishu(svc, attacker, '绑定 D9000 韩梅')
    expect(bind).toContain('演示组织里的示例人员，不能在正式平台上绑定')
    expect(bind).not.toContain('绑定成功')
    expect(await svc.db.platformIdentity.count({ where: { platform: 'feishu' } })).toBe(0)
    expect(await sayOnFeishu(svc, attacker, '登录后台')).not.toContain('code=')
  })

  it('demo people’s tokens, sessions and sign-in links do not work while the playground is off', async () => {
    const admin = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })
    const token = await issueToken(svc.db, admin.id, { label: 'left-over' })
    const me = await call(svc, { url: '/api/v1/me', token })
    expect(me.statusCode).toBe(401)
    expect(me.json().error.message).toContain('演示人员')
    const { code } = await issueLoginLink(svc.db, admin.id, new Date(), 10)
    const login = await call(svc, { method: 'POST', url: '/api/v1/auth/login', payload: { code } })
    expect(login.statusCode).toBe(403)
    expect(login.json().error).toEqual({ code: 'demo_person', message: expect.stringContaining('演示人员') })
  })
})

describe('the command line', () => {
  const run = promisify(execFile)
  async function cli(url: string, env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: url, ...env },
      })
      return { code: 0, stdout, stderr }
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string }
      return { code: err.code, stdout: err.stdout, stderr: err.stderr }
    }
  }

  it('seeds the demo only where the playground could run, and a roster import says it retired it', async () => {
    const fresh = await createTestDatabaseUrl()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongyou-demo-cli-'))
    try {
      const refused = await cli(fresh.url, { FEISHU_APP_ID: keys.appId, FEISHU_APP_SECRET: SECRET }, 'seed-demo')
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('Not seeding the demo organisation: FEISHU_APP_ID is set')
      const db = openDatabase(fresh.url)
      try {
        expect(await db.person.count()).toBe(0)
        expect((await cli(fresh.url, {}, 'seed-demo')).code).toBe(0)
        expect(await db.person.count({ where: { demo: true, active: true } })).toBeGreaterThan(20)
        const file = path.join(dir, 'roster.csv')
        fs.writeFileSync(file, '工号,姓名,单位,角色\nR0001,赵真,一分厂/一班,职工\n')
        const imported = await cli(fresh.url, {}, 'import-roster', file)
        expect(imported.code, imported.stderr).toBe(0)
        expect(imported.stdout).toMatch(/demo organisation .* was retired: \d+ demo people deactivated/)
        expect(await db.person.count({ where: { demo: true, active: true } })).toBe(0)
      } finally {
        await db.$disconnect()
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
      await fresh.drop()
    }
  }, 90_000)
})
