/**
 * Every HTML page is sent with a Content-Security-Policy, X-Frame-Options and nosniff (and every
 * other answer with nosniff), and the pages still work under them in headless Chromium: the
 * playground's own inline script runs (allowed by its hash) and loads its people; Swagger UI
 * draws the API. A script injected into a page would not run.
 */
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

let svc: TestService
let base = ''
let browser: Browser

beforeAll(async () => {
  svc = await startTestService({ env: { PORT: '0', HOST: '127.0.0.1' } })
  base = await svc.listen()
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await svc?.close()
  await svc?.dropDatabase()
})

describe('security headers', () => {
  it('every HTML page has a CSP without unsafe-inline scripts, X-Frame-Options DENY and nosniff; every answer has nosniff', async () => {
    for (const url of ['/playground', '/docs', '/dashboard', '/dashboard/login?code=abc', '/dashboard/login']) {
      const res = await svc.app.inject({ url })
      expect(res.statusCode, url).toBe(200)
      expect(String(res.headers['content-type']), url).toMatch(/^text\/html/)
      const csp = String(res.headers['content-security-policy'])
      expect(csp, url).toContain("default-src 'self'")
      expect(csp, url).toContain("frame-ancestors 'none'")
      expect(csp, url).not.toMatch(/script-src[^;]*'unsafe-inline'/)
      expect(res.headers['x-frame-options'], url).toBe('DENY')
      expect(res.headers['x-content-type-options'], url).toBe('nosniff')
    }
    for (const url of ['/healthz', '/api/v1/me', '/docs/json', '/dashboard/assets/app.js', '/nowhere', '/playground/api/people']) {
      expect((await svc.app.inject({ url })).headers['x-content-type-options'], url).toBe('nosniff')
    }
  })

  it('the playground still works under its CSP in Chromium, and a script that is not its own is refused', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
    try {
      const people = page.waitForResponse((r) => r.url().includes('/playground/api/people') && r.status() === 200)
      await page.goto(`${base}/playground`)
      await people
      expect(await page.evaluate(() => document.scripts.length)).toBeGreaterThan(0)
      // An inline script added now (as an injection would be) does not run.
      await page.evaluate(() => {
        const s = document.createElement('script')
        s.textContent = 'window.__injected = 1'
        document.body.appendChild(s)
      })
      expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined()
      expect(errors.filter((e) => !/Content Security Policy/.test(e) || !/inline script/.test(e))).toEqual([])
      expect(errors.filter((e) => /Content Security Policy/.test(e))).toHaveLength(1)
    } finally {
      await page.close()
    }
  }, 30_000)

  it('Swagger UI still draws the API under its CSP in Chromium', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
    try {
      const spec = page.waitForResponse((r) => r.url().endsWith('/docs/json') && r.status() === 200, { timeout: 40_000 })
      await page.goto(`${base}/docs`)
      await spec
      await page.waitForSelector('.swagger-ui .info .title', { timeout: 40_000 }).catch((e) => {
        throw new Error(`${e}; page errors: ${errors.join(' | ')}`)
      })
      expect(await page.textContent('.swagger-ui .info .title')).toContain('工友')
      expect(errors.filter((e) => /Content Security Policy/.test(e))).toEqual([])
    } finally {
      await page.close()
    }
  }, 90_000)
})
