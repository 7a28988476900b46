import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { redeemLoginLink } from '../auth/tokens.js'
import { redeemError, sessionCookie } from '../api/auth.js'
import type { ApiDeps } from '../api/context.js'
import { requestSite } from '../api/origin.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const publicDir = path.join(here, 'public')
const require = createRequire(import.meta.url)

/** No inline scripts anywhere: the page's own files, styles inline for ECharts, images from data: URIs (QR codes). */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

const assets: Record<string, { file: string; type: string }> = {
  'app.js': { file: path.join(publicDir, 'app.js'), type: 'text/javascript; charset=utf-8' },
  'app.css': { file: path.join(publicDir, 'app.css'), type: 'text/css; charset=utf-8' },
  // Apache ECharts from the installed package: the machines are offline, there is no CDN.
  'echarts.min.js': { file: require.resolve('echarts/dist/echarts.min.js'), type: 'text/javascript; charset=utf-8' },
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function page(reply: FastifyReply, html: string, status = 200) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', CSP)
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .send(html)
}

/**
 * The officers' dashboard: a single page in plain JavaScript (no build step) over the admin API,
 * signed in by a one-time link from chat (登录后台). Opening the link shows a button rather than
 * signing in at once, so a chat app's link preview cannot use the link up.
 */
export async function dashboardRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const index = fs.readFileSync(path.join(publicDir, 'index.html'), 'utf8')
  const login = fs.readFileSync(path.join(publicDir, 'login.html'), 'utf8')
  const loginPage = (opts: { code?: string; error?: string }) =>
    login
      .replace('{{code}}', escapeHtml(opts.code ?? ''))
      .replace('{{minutes}}', String(deps.config.LOGIN_LINK_MINUTES))
      .replace('{{error}}', opts.error ? `<p class="login-error" role="alert">${escapeHtml(opts.error)}</p>` : '')
      .replace('{{disabled}}', opts.code ? '' : 'disabled')

  await app.register(rateLimit, { max: 60, timeWindow: 60_000 })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))))
  })

  app.get('/dashboard', { schema: { hide: true } }, async (_req, reply) => page(reply, index))
  app.get('/dashboard/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/dashboard', 302))

  app.get<{ Querystring: { code?: string } }>('/dashboard/login', { schema: { hide: true } }, async (req, reply) => {
    const code = typeof req.query.code === 'string' ? req.query.code.slice(0, 200) : ''
    return page(reply, loginPage(code ? { code } : { error: '链接不完整：请在聊天中发送“登录后台”获取登录链接。' }))
  })

  app.post<{ Body: { code?: string } }>('/dashboard/login', { schema: { hide: true } }, async (req, reply) => {
    // Only this site's own sign-in page may post here: otherwise a page elsewhere could sign its
    // visitor in with the attacker's code (login CSRF).
    if (requestSite(req, deps.publicUrl) !== 'same') return page(reply, loginPage({ error: deps.t.limits.crossSite }), 403)
    const code = typeof req.body?.code === 'string' ? req.body.code.trim().slice(0, 200) : ''
    const outcome = code
      ? await redeemLoginLink(deps.db, code, deps.clock.now(), deps.config.DASHBOARD_SESSION_HOURS, { demo: deps.demoSignIn })
      : ({ ok: false, reason: 'unknown' } as const)
    if (!outcome.ok) {
      const error = redeemError(outcome)
      return page(reply, loginPage({ error: error.message }), error.statusCode)
    }
    reply.header('set-cookie', sessionCookie(deps, outcome.token, outcome.expiresAt))
    return reply.code(303).header('cache-control', 'no-store').redirect('/dashboard#/overview', 303)
  })

  app.get<{ Params: { file: string } }>('/dashboard/assets/:file', { schema: { hide: true } }, async (req, reply) => {
    // Own keys only: `__proto__` or `constructor` must not reach Object.prototype.
    const asset = Object.hasOwn(assets, req.params.file) ? assets[req.params.file] : undefined
    if (!asset) return reply.code(404).send({ error: { code: 'not_found', message: '没有这个文件' } })
    return reply
      .type(asset.type)
      .header('cache-control', req.params.file === 'echarts.min.js' ? 'public, max-age=86400' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(fs.createReadStream(asset.file))
  })
}
