import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify'
import { jsonSchemaTransform, serializerCompiler } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { authenticate, rateLimitKey } from '../auth/tokens.js'
import { requestSite } from './origin.js'
import type { Config } from '../config.js'
import { staffRoles } from '../core/commands.js'
import { hasAdminRoutes, type AdminRouteKit } from '../core/adapter-ports.js'
import { dashboardRoutes } from '../dashboard/routes.js'
import { authRoutes, publicAuthRoutes } from './auth.js'
import { ApiError, requireAdmin, type ApiDeps } from './context.js'
import { operationsRoutes } from './operations.js'
import { organisationApiRoutes } from './organisation.js'
import { bindingRoutes } from './bindings.js'
import { reportRoutes } from './reports.js'
import { attachmentRoutes } from './attachments.js'
import { requestRoutes } from './requests.js'
import { categoryRoutes } from './categories.js'
import { activityRoutes } from './activities.js'

const zhErrors = z.locales.zhCN().localeError

/** Validates with zod, in Chinese, without touching zod's global configuration. */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data: unknown) => {
    const result = schema.safeParse(data, { error: zhErrors })
    if (result.success) return { value: result.data }
    const validation: FastifySchemaValidationError[] = result.error.issues.map((i) => ({
      keyword: i.code,
      instancePath: i.path.length ? `/${i.path.map(String).join('/')}` : '',
      schemaPath: '',
      params: {},
      message: i.message,
    }))
    return { error: validation }
  }

/** Where people reach the service: PUBLIC_URL, else the address it listens on, else HOST:PORT. */
export function publicUrlFor(app: FastifyInstance, config: Config): () => string {
  return () => {
    if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/+$/, '')
    const addresses = app.addresses().filter((a): a is Exclude<typeof a, string> => typeof a === 'object')
    const address = addresses.find((a) => a.family === 'IPv4') ?? addresses[0]
    if (address) return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
    return `http://${config.HOST}:${config.PORT}`
  }
}

/**
 * The admin API under /api/v1 (OpenAPI at /docs, generated from the same zod schemas that
 * validate every body, query and path), and the officers' dashboard under /dashboard.
 */
export async function adminPlugin(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(apiScope, deps)
  await app.register(dashboardRoutes, deps)
}

const adminKit: AdminRouteKit = {
  requireAdmin(req, opts) {
    if (opts?.bearerOnly && req.authVia !== 'bearer') throw new ApiError(401, 'unauthorized', '需要在 Authorization 头中提供管理员的 Bearer 令牌')
    return requireAdmin(req)
  },
}

async function apiScope(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '工友 Gongyou 管理 API',
        version: '1',
        description:
          '工会干部与管理员的接口。认证：`Authorization: Bearer <令牌>`（管理员用 `npm run cli -- issue-token 工号` 签发），' +
          '或在聊天中发送“登录后台”获得一次性登录链接，登录后台后浏览器带会话 Cookie。干部只能看到和处理自己负责范围（本单位及下级）内的数据。' +
          '错误统一为 `{ "error": { "code", "message" } }`，message 为中文。',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'gongyou_session' } } },
      security: [{ bearer: [] }, { session: [] }],
      tags: [
        { name: '认证', description: '登录链接、会话与令牌' },
        { name: '组织', description: '单位、人员、花名册、群绑定' },
        { name: '诉求', description: '诉求列表、详情与办理' },
        { name: '统计与报表', description: '总览与月度报表' },
        { name: '活动', description: '公告、活动与投票' },
        { name: '运维', description: '发送队列、死信、平台连接' },
      ],
    },
    transform: jsonSchemaTransform,
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: false, validatorUrl: null } })

  await app.register(rateLimit, {
    max: deps.config.API_RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_req, ctx) => new ApiError(429, 'rate_limited', `请求太频繁，请 ${Math.max(1, Math.ceil(ctx.ttl / 1000))} 秒后再试`),
  })

  await app.register(publicAuthRoutes, deps)
  await app.register(async (authed) => {
    authed.addHook('onRequest', async (req) => {
      const outcome = await authenticate(deps.db, req, staffRoles, deps.clock.now(), { demo: deps.demoSignIn })
      if (!outcome.ok) throw new ApiError(outcome.status, outcome.code, outcome.message)
      // The session cookie is SameSite=Strict; a change asked with it must also say it comes from
      // this site (Origin or Sec-Fetch-Site), or it is refused. Bearer tokens are not a browser's.
      if (outcome.via === 'cookie' && req.method !== 'GET' && req.method !== 'HEAD' && requestSite(req, deps.publicUrl) !== 'same') {
        throw new ApiError(403, 'cross_site', deps.t.limits.crossSite)
      }
      req.asker = outcome.asker
      req.apiTokenId = outcome.tokenId
      req.authVia = outcome.via
    })
    await authed.register(authRoutes, deps)
    await authed.register(organisationApiRoutes, deps)
    await authed.register(bindingRoutes, deps)
    await authed.register(requestRoutes, deps)
    await authed.register(attachmentRoutes, deps)
    await authed.register(categoryRoutes, deps)
    await authed.register(reportRoutes, deps)
    await authed.register(activityRoutes, deps)
    await authed.register(operationsRoutes, deps)
    // Platform adapters' administrators' routes (WeCom group robots, the Wechaty login): the same auth, limit, schemas and docs.
    for (const a of deps.adapters) if (hasAdminRoutes(a)) await authed.register(async (scope) => a.adminRoutes(scope, adminKit))
  })
}
