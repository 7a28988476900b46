import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  createToken,
  listTokens,
  LOGIN_LINK_LABEL,
  redeemLoginLink,
  revokeToken,
  SESSION_COOKIE,
  SESSION_LABEL,
  tokenKind,
  type RedeemOutcome,
} from '../auth/tokens.js'
import { zhCN } from '../messages/zh-CN.js'
import type { Messages } from '../messages/index.js'
import { unitLabel } from '../organisation/scope.js'
import { ApiError, asker, iso, notFound, type ApiDeps } from './context.js'
import { requestSite } from './origin.js'
import { errors, idParam } from './schemas.js'

const tags = ['认证']

/** How long an API token issued through the API lasts when no expiry is asked for. */
export const DEFAULT_TOKEN_DAYS = 90

/** The session cookie: HttpOnly, SameSite=Strict, Secure when the public address is https. */
export function sessionCookie(deps: ApiDeps, token: string, expiresAt: Date): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - deps.clock.now().getTime()) / 1000))
  const secure = deps.publicUrl().startsWith('https:') ? '; Secure' : ''
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`
}

export function clearSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`
}

/** Why a sign-in link did not work, in words. */
export function redeemError(outcome: Exclude<RedeemOutcome, { ok: true }>): ApiError {
  switch (outcome.reason) {
    case 'expired':
      return new ApiError(401, 'link_expired', '登录链接已过期，请在聊天中重新发送“登录后台”获取新链接')
    case 'used':
      return new ApiError(401, 'link_used', '这个登录链接已经用过了，每个链接只能用一次；请在聊天中重新发送“登录后台”')
    case 'demo':
      return new ApiError(403, 'demo_person', zhCN.playground.demoTokenRefused)
    case 'not_allowed':
      return new ApiError(403, 'forbidden', '只有工会干部和管理员可以登录工作台')
    default:
      return new ApiError(401, 'invalid_link', '登录链接无效，请在聊天中发送“登录后台”获取新链接')
  }
}

const loginBody = z.object({ code: z.string({ error: '请提供登录链接中的 code' }).trim().min(8, '登录码不完整').max(200, '登录码不正确') })

/** The words the dashboard shows for stored codes: the bot's own, from the messages. */
function labelsFor(t: Messages) {
  return {
    roles: t.roles,
    requestStatus: t.requests.status,
    urgent: t.requests.urgentTag,
    supervised: t.requests.supervisedTag,
    announcementKinds: t.announcements.kinds,
    announcementStatus: t.announcements.status,
    paused: t.announcements.pausedLabel,
    pollStatus: t.labels.pollStatus,
    platforms: t.announcements.platforms,
  }
}

const words = z.record(z.string(), z.string())
const labelsOut = z.object({
  roles: words,
  requestStatus: words,
  urgent: z.string(),
  supervised: z.string(),
  announcementKinds: words,
  announcementStatus: words,
  paused: z.string(),
  pollStatus: words,
  platforms: words,
})

const personOut = z.object({
  id: z.number(),
  employeeNo: z.string(),
  name: z.string(),
  role: z.string(),
  roleLabel: z.string(),
  unit: z.object({ id: z.number(), path: z.string(), label: z.string() }),
})

/** Routes that need no token: exchanging a sign-in code for a session. */
export async function publicAuthRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.post('/api/v1/auth/login', {
    schema: {
      tags,
      summary: '用一次性登录码换取会话令牌',
      description:
        '登录链接 `/dashboard/login?code=…` 中的 code 只能用一次、几分钟内有效。成功后返回会话令牌（也可作为 Bearer 令牌使用），并设置 HttpOnly 会话 Cookie。',
      security: [],
      body: loginBody,
      response: { 200: z.object({ token: z.string(), expiresAt: z.string() }), ...errors },
    },
    handler: async (req, reply) => {
      // A page on another site must not sign its visitor in as someone else (login CSRF).
      if (requestSite(req, deps.publicUrl) === 'cross') throw new ApiError(403, 'cross_site', deps.t.limits.crossSite)
      const outcome = await redeemLoginLink(deps.db, req.body.code, deps.clock.now(), deps.config.DASHBOARD_SESSION_HOURS, { demo: deps.demoSignIn })
      if (!outcome.ok) throw redeemError(outcome)
      reply.header('set-cookie', sessionCookie(deps, outcome.token, outcome.expiresAt))
      return { token: outcome.token, expiresAt: outcome.expiresAt.toISOString() }
    },
  })
}

function clearCookie(reply: FastifyReply) {
  reply.header('set-cookie', clearSessionCookie())
}

export async function authRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get('/api/v1/me', {
    schema: {
      tags,
      summary: '当前登录的人和负责范围',
      response: {
        200: z.object({
          person: personOut,
          scope: z.string(),
          timeZone: z.string(),
          labels: labelsOut.describe('状态、角色、类型等代码的显示文字'),
          token: z.object({ id: z.number(), kind: z.string(), expiresAt: z.string().nullable() }),
        }),
        ...errors,
      },
    },
    handler: async (req) => {
      const me = asker(req)
      const token = await deps.db.apiToken.findUniqueOrThrow({ where: { id: req.apiTokenId! } })
      return {
        person: {
          id: me.id,
          employeeNo: me.employeeNo,
          name: me.name,
          role: me.role,
          roleLabel: deps.t.roles[me.role] ?? me.role,
          unit: { id: me.unit.id, path: me.unit.path, label: unitLabel(me.unit) },
        },
        scope: me.role === 'admin' || me.unit.path === '' ? '全部单位' : unitLabel(me.unit),
        timeZone: deps.config.GONGYOU_TIMEZONE,
        labels: labelsFor(deps.t),
        token: { id: token.id, kind: tokenKind(token.label), expiresAt: iso(token.expiresAt) },
      }
    },
  })

  r.post('/api/v1/auth/logout', {
    schema: { tags, summary: '退出登录：吊销本次使用的令牌并清除会话 Cookie', response: { 200: z.object({ ok: z.literal(true) }), ...errors } },
    handler: async (req, reply) => {
      await revokeToken(deps.db, asker(req), req.apiTokenId!, deps.clock.now())
      clearCookie(reply)
      return { ok: true as const }
    },
  })

  const tokenOut = z.object({
    id: z.number(),
    kind: z.enum(['session', 'api']).describe('session：工作台登录会话；api：接口令牌'),
    label: z.string().nullable(),
    person: z.object({ employeeNo: z.string(), name: z.string() }),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    active: z.boolean(),
    current: z.boolean().describe('是否为本次请求所用的令牌'),
  })

  r.get('/api/v1/tokens', {
    schema: { tags, summary: '令牌列表：自己的令牌；管理员看到全部', response: { 200: z.object({ tokens: z.array(tokenOut) }), ...errors } },
    handler: async (req) => {
      const me = asker(req)
      const now = deps.clock.now()
      const rows = await listTokens(deps.db, me)
      const people = new Map(
        (
          await deps.db.person.findMany({
            where: { id: { in: [...new Set(rows.map((t) => t.personId))] } },
            select: { id: true, employeeNo: true, name: true },
          })
        ).map((p) => [p.id, p]),
      )
      return {
        tokens: rows.map((t) => ({
          id: t.id,
          kind: tokenKind(t.label),
          label: t.label,
          person: { employeeNo: people.get(t.personId)?.employeeNo ?? '', name: people.get(t.personId)?.name ?? '' },
          createdAt: t.createdAt.toISOString(),
          expiresAt: iso(t.expiresAt),
          revokedAt: iso(t.revokedAt),
          lastUsedAt: iso(t.lastUsedAt),
          active: !t.revokedAt && (!t.expiresAt || t.expiresAt > now),
          current: t.id === req.apiTokenId,
        })),
      }
    },
  })

  r.post('/api/v1/tokens', {
    schema: {
      tags,
      summary: '签发接口令牌（只显示这一次）',
      description: '为自己签发；管理员可用 employeeNo 为其他干部或管理员签发。',
      body: z.object({
        label: z.string().trim().min(1, '请填写令牌用途').max(60, '用途最多 60 字'),
        expiresInDays: z.number().int().min(1).max(3650).optional().describe(`有效天数；不填则 ${DEFAULT_TOKEN_DAYS} 天`),
        employeeNo: z.string().trim().min(1).max(64).optional().describe('管理员为他人签发时填写'),
      }),
      response: { 201: z.object({ id: z.number(), token: z.string(), expiresAt: z.string().nullable() }), ...errors },
    },
    handler: async (req, reply) => {
      const me = asker(req)
      if (req.body.label === SESSION_LABEL || req.body.label === LOGIN_LINK_LABEL)
        throw new ApiError(400, 'invalid_request', `“${req.body.label}”是系统保留的用途名称，请换一个`)
      let personId = me.id
      if (req.body.employeeNo && req.body.employeeNo !== me.employeeNo) {
        if (me.role !== 'admin') throw new ApiError(403, 'forbidden', '只有管理员可以为他人签发令牌')
        const person = await deps.db.person.findUnique({ where: { employeeNo: req.body.employeeNo } })
        if (!person?.active) throw notFound(`工号为“${req.body.employeeNo}”的人员`)
        if (person.role !== 'officer' && person.role !== 'admin') throw new ApiError(422, 'not_staff', `${person.name} 不是工会干部或管理员，不能使用管理接口`)
        personId = person.id
      }
      // A token made from a dashboard session always ends: a session obtained in chat never leaves a key that lasts forever.
      const expiresAt = new Date(deps.clock.now().getTime() + (req.body.expiresInDays ?? DEFAULT_TOKEN_DAYS) * 86_400_000)
      const { token, id } = await createToken(deps.db, personId, { label: req.body.label, expiresAt })
      return reply.code(201).send({ id, token, expiresAt: iso(expiresAt) })
    },
  })

  r.delete('/api/v1/tokens/:id', {
    schema: {
      tags,
      summary: '吊销令牌：自己的；管理员可吊销任何人的',
      params: idParam,
      response: { 200: z.object({ id: z.number(), revoked: z.boolean() }), ...errors },
    },
    handler: async (req, reply) => {
      const outcome = await revokeToken(deps.db, asker(req), req.params.id, deps.clock.now())
      if (outcome === 'not_found') throw notFound(`编号为 ${req.params.id} 的令牌`)
      if (req.params.id === req.apiTokenId) clearCookie(reply)
      return { id: req.params.id, revoked: true }
    },
  })
}
