/**
 * The dashboard end to end, in headless Chromium (Debian's chromium, driven by playwright-core):
 * a real listening service; requests seeded through the playground as people would (file,
 * accept, resolve, rate); an officer of 一车间 asks for a sign-in link with 登录后台, opens it,
 * sees the overview charts drawn from those requests, answers a request from its page — and the
 * worker's chat receives the answer. Screenshots go to test/artifacts/.
 */
import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { file } from '../api/helpers.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARTIFACTS = path.resolve('test/artifacts')
const SCRIPT = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'

let svc: TestService
let base = ''
let browser: Browser
let context: BrowserContext
let page: Page
const n: Record<string, string> = {}
const dialogs: string[] = []
const pageErrors: string[] = []

async function history(from: string): Promise<string[]> {
  const res = await fetch(`${base}/playground/api/history?from=${from}&chat=dm`)
  return ((await res.json()) as { messages: { direction: string; text: string }[] }).messages.filter((m) => m.direction === 'out').map((m) => m.text)
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  svc = await startTestService({ env: { PORT: '0', HOST: '127.0.0.1' } })
  base = await svc.listen()
  // Seed through the playground, as people would.
  n.canteen = await file(svc, 'D1002', '诉求 食堂晚班没有热饭')
  await svc.say('D2001', 'dm', `受理 ${n.canteen}`)
  await svc.say('D2001', 'dm', `办结 ${n.canteen} 食堂增加了晚班热饭窗口`)
  await svc.say('D1002', 'dm', `评价 ${n.canteen} 5 很满意`)
  n.gloves = await file(svc, 'D1002', '诉求 劳保手套磨破了一个月没换')
  await svc.say('D3001', 'dm', `督办 ${n.gloves}`)
  n.wages = await file(svc, 'D1003', '匿名诉求 班长克扣加班费，每月少算十个小时')
  n.hazard = await file(svc, 'D1006', '诉求 钳工班砂轮机防护罩松动，有安全隐患')
  await svc.say('D2002', 'dm', `受理 ${n.hazard}`)
  await svc.say('D2002', 'dm', `办结 ${n.hazard} 已紧固并加装防护`)
  await svc.say('D1006', 'dm', `评价 ${n.hazard} 4`)
  n.script = await file(svc, 'D1004', `诉求 ${SCRIPT}`)
  n.elsewhere = await file(svc, 'D1010', '诉求 装配一班空调坏了')
  const poll = /P-\d+/.exec(
    (await svc.say('D3001', 'dm', '发起投票 周末加班意愿 | 愿意 | 不愿意 | 看情况 范围 一车间 截止 明天10:00')).map((r) => r.text).join('\n'),
  )?.[0]
  for (const [who, choice] of [
    ['D1002', 1],
    ['D1003', 1],
    ['D1006', 2],
    ['D1007', 3],
  ] as const)
    await svc.say(who, 'dm', `投票 ${poll} ${choice}`)

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  page = await context.newPage()
  page.setDefaultTimeout(10_000)
  page.on('pageerror', (e) => pageErrors.push(e.message))
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()))
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
}, 60_000)

afterAll(async () => {
  await context?.close()
  await browser?.close()
  await svc?.close()
  await svc?.dropDatabase()
})

// Whatever the page threw or logged as an error during a test fails that test.
afterEach(() => {
  const errors = pageErrors.splice(0)
  expect(errors, 'errors in the page').toEqual([])
})

describe('the officers’ dashboard', () => {
  it('signs in with the one-time link sent by 登录后台', async () => {
    const replies = await svc.say('D3001', 'dm', '登录后台')
    const link = /https?:\/\/\S+\/dashboard\/login\?code=\S+/.exec(replies.map((r) => r.text).join('\n'))?.[0]
    expect(link, 'a sign-in link').toBeDefined()
    expect(link!.startsWith(base)).toBe(true)
    await page.goto(link!)
    await page.getByRole('button', { name: '进入工作台' }).click()
    await page.waitForURL(/\/dashboard#\/overview$/)
    await expect.poll(() => page.locator('#who').textContent()).toContain('梁秀英')
    expect(await page.locator('#who').textContent()).toContain('一车间')
    expect(pageErrors.splice(0), 'errors in the page').toEqual([])
    // The link works once.
    await page.goto(link!)
    await page.getByRole('button', { name: '进入工作台' }).click()
    expect(await page.locator('.login-error').textContent()).toContain('只能用一次')
    // The refused sign-in is the one error the browser reports (its 401), and nothing else.
    expect(pageErrors.splice(0)).toEqual([expect.stringContaining('status of 401')])
  })

  it('draws the overview for 一车间 with ECharts', async () => {
    await page.goto(`${base}/dashboard#/overview`)
    for (const chart of ['byMonth', 'byCategory', 'byUnit', 'deadline', 'satisfaction']) {
      await page.locator(`[data-chart="${chart}"][data-ready="1"] canvas`).first().waitFor()
    }
    const kpi = (key: string) => page.locator(`[data-kpi="${key}"] .value`).textContent()
    // 一车间: canteen (resolved), gloves, wages (anonymous), hazard (resolved), script; not 装配一班's.
    expect(await kpi('open')).toBe('3件')
    expect(await kpi('resolved')).toBe('2件')
    expect(await kpi('supervised')).toBe('1件')
    expect(await kpi('satisfaction')).toBe('4.50/ 5')
    const text = await page.locator('main').textContent()
    expect(text).toContain('全部诉求 5 件')
    expect(text).toContain(n.gloves)
    expect(text).not.toContain('装配')
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-overview.png'), fullPage: true })
  })

  it('lists the requests; an anonymous one without its author, hostile text shown as text', async () => {
    await page.getByRole('link', { name: '诉求', exact: true }).click()
    await page.locator('table.requests').waitFor()
    const rows = await page.locator('table.requests tbody tr').count()
    expect(rows).toBe(5)
    const anonymous = page.locator(`tr[data-number="${n.wages}"]`)
    expect(await anonymous.textContent()).toContain('匿名职工')
    expect(await anonymous.textContent()).not.toContain('王芳')
    expect(await page.locator(`tr[data-number="${n.script}"] .content`).textContent()).toBe(SCRIPT)
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined()
    expect(await page.locator('main').textContent()).not.toContain(n.elsewhere)
    // Statuses and tags read as the bot says them (the words come from the server, /api/v1/me).
    expect(await page.locator(`tr[data-number="${n.gloves}"]`).textContent()).toContain('待受理')
    expect(await page.locator(`tr[data-number="${n.gloves}"]`).textContent()).toContain('督办')
    expect(await page.locator('select[aria-label="全部状态"] option').allTextContents()).toContain('已办结（待评价）')
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-requests.png'), fullPage: true })
  })

  it('answers a request from its page, and the worker receives the answer in chat', async () => {
    await page.locator(`tr[data-number="${n.gloves}"]`).click()
    await page.waitForURL(new RegExp(`#/requests/${n.gloves}$`))
    await page.locator('#timeline li').first().waitFor()
    const answer = '已和仓库确认，明天上午给电工班补发新手套'
    await page.getByRole('button', { name: '回复', exact: true }).click()
    await page.locator('textarea[name="text"]').fill(answer)
    await page.getByRole('button', { name: '提交回复' }).click()
    await expect.poll(() => page.locator('#toast').textContent()).toContain(`已把回复发给 ${n.gloves} 的诉求人`)
    await expect.poll(() => page.locator('#timeline').textContent()).toContain(answer)
    expect(await page.locator('#timeline').textContent()).toContain('梁秀英 回复：')
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-request.png'), fullPage: true })

    await expect.poll(() => history('D1002'), { timeout: 10_000 }).toContain(`关于您的诉求 ${n.gloves}，梁秀英 回复：${answer}`)
  })

  it('shows the monthly report, polls, the roster and the platform status', async () => {
    await page.getByRole('link', { name: '月报' }).click()
    await page.getByText('下载 Excel').waitFor()
    expect(await page.locator('[data-kpi="filed"] .value').textContent()).toBe('5件')
    await page.getByRole('link', { name: '公告与投票' }).click()
    await page.locator('[data-chart="poll"][data-ready="1"] canvas').first().waitFor()
    expect(await page.locator('main').textContent()).toContain('周末加班意愿')
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-activities.png'), fullPage: true })
    await page.getByRole('link', { name: '花名册与群' }).click()
    await page.getByText('群绑定').first().waitFor()
    expect(await page.locator('main').textContent()).toContain('张伟')
    expect(await page.locator('main').textContent()).not.toContain('吴霞')
    await page.getByRole('link', { name: '平台状态' }).click()
    await page.locator('[data-platform="web"]').waitFor()
    expect(await page.locator('[data-platform="web"]').textContent()).toContain('已连接')
  })

  it('fits a phone', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    })
    try {
      await phone.addCookies(await context.cookies())
      const p = await phone.newPage()
      await p.goto(`${base}/dashboard#/overview`)
      await p.locator('[data-chart="byMonth"][data-ready="1"] canvas').first().waitFor()
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      await p.screenshot({ path: path.join(ARTIFACTS, 'dashboard-overview-phone.png'), fullPage: true })
      await p.goto(`${base}/dashboard#/requests/${n.gloves}`)
      await p.locator('#timeline li').first().waitFor()
      await p.screenshot({ path: path.join(ARTIFACTS, 'dashboard-request-phone.png'), fullPage: true })
    } finally {
      await phone.close()
    }
    expect(dialogs).toEqual([])
  })
})
