import * as lark from '@larksuiteoapi/node-sdk'
import type { FastifyBaseLogger } from 'fastify'
import { PermanentSendError, ThrottledError } from '../../src/core/types.js'

/**
 * The SDK's cache (tenant token, app ticket), one per adapter instead of the SDK's process-wide
 * `internalCache`: so the adapter can drop a token Feishu has stopped accepting, and two services
 * in one process (tests) never share a token. The SDK keys the tenant token as
 * `${appId}/${CTenantAccessToken.toString()}` and keeps it until 3 minutes before it expires.
 */
export class TokenCache implements lark.Cache {
  private readonly values = new Map<string, { value: unknown; expiresAt?: number }>()

  // biome-ignore lint/complexity/noBannedTypes: the Lark SDK's Cache interface types keys as `Symbol`
  private keyOf(key: string | symbol | Symbol, namespace?: string): string {
    return namespace ? `${namespace}/${key.toString()}` : key.toString()
  }

  // biome-ignore lint/complexity/noBannedTypes: as the SDK's Cache interface declares it
  async get(key: string | Symbol, options?: { namespace?: string }): Promise<unknown> {
    const k = this.keyOf(key, options?.namespace)
    const hit = this.values.get(k)
    if (!hit) return undefined
    if (hit.expiresAt !== undefined && hit.expiresAt <= Date.now()) {
      this.values.delete(k)
      return undefined
    }
    return hit.value
  }

  // biome-ignore lint/complexity/noBannedTypes: as the SDK's Cache interface declares it
  async set(key: string | Symbol, value: unknown, expire?: number, options?: { namespace?: string }): Promise<boolean> {
    this.values.set(this.keyOf(key, options?.namespace), { value, ...(expire ? { expiresAt: expire } : {}) })
    return true
  }

  /** Forgets the app's tenant access token, so the next call fetches a fresh one. */
  dropTenantToken(appId: string): void {
    this.values.delete(this.keyOf(lark.CTenantAccessToken, appId))
  }
}

/**
 * The SDK's HTTP instance with a timeout: its default axios instance has none, so a hung
 * connection would hold an outbox send forever. The default instance's interceptor (answer →
 * body) is kept by delegating to it.
 */
export function httpWithTimeout(timeoutMs: number): lark.HttpInstance {
  const base = lark.defaultHttpInstance as unknown as {
    request(o: object): Promise<unknown>
    get(u: string, o?: object): Promise<unknown>
    delete(u: string, o?: object): Promise<unknown>
    head(u: string, o?: object): Promise<unknown>
    options(u: string, o?: object): Promise<unknown>
    post(u: string, d?: unknown, o?: object): Promise<unknown>
    put(u: string, d?: unknown, o?: object): Promise<unknown>
    patch(u: string, d?: unknown, o?: object): Promise<unknown>
  }
  const t = (o?: object) => ({ timeout: timeoutMs, ...(o ?? {}) })
  const instance = {
    request: (o: object) => base.request(t(o)),
    get: (u: string, o?: object) => base.get(u, t(o)),
    delete: (u: string, o?: object) => base.delete(u, t(o)),
    head: (u: string, o?: object) => base.head(u, t(o)),
    options: (u: string, o?: object) => base.options(u, t(o)),
    post: (u: string, d?: unknown, o?: object) => base.post(u, d, t(o)),
    put: (u: string, d?: unknown, o?: object) => base.put(u, d, t(o)),
    patch: (u: string, d?: unknown, o?: object) => base.patch(u, d, t(o)),
  }
  return instance as unknown as lark.HttpInstance
}

/** One line for whatever the SDK logs; request bodies (message content) and headers (tokens) are never included. */
function describe(part: unknown, depth = 0): string {
  if (typeof part === 'string') return part
  if (typeof part === 'number' || typeof part === 'boolean') return String(part)
  if (part instanceof Error) {
    const e = part as Error & { response?: { status?: number; data?: { code?: unknown; msg?: unknown } } }
    const api = e.response ? ` (HTTP ${e.response.status ?? '?'}${e.response.data?.code !== undefined ? `, code ${String(e.response.data.code)}` : ''})` : ''
    return `${e.message}${api}`
  }
  if (Array.isArray(part))
    return depth > 2
      ? ''
      : part
          .map((p) => describe(p, depth + 1))
          .filter(Boolean)
          .join(' ')
  if (typeof part === 'object' && part !== null) {
    const o = part as { message?: unknown; code?: unknown; msg?: unknown; response?: { status?: unknown; data?: { code?: unknown; msg?: unknown } } }
    const bits: string[] = []
    if (typeof o.message === 'string') bits.push(o.message)
    if (o.response?.status !== undefined) bits.push(`HTTP ${String(o.response.status)}`)
    const code = o.response?.data?.code ?? o.code
    const msg = o.response?.data?.msg ?? o.msg
    if (code !== undefined) bits.push(`code ${String(code)}`)
    if (typeof msg === 'string') bits.push(msg)
    return bits.join(', ')
  }
  return ''
}

/** The SDK's logger interface onto the service's logger; the SDK passes its arguments as one array. */
export function sdkLogger(log: FastifyBaseLogger): lark.Logger {
  const line = (args: unknown[]) => describe(args).slice(0, 1000)
  return {
    error: (...args: unknown[]) => log.error({ source: 'lark-sdk' }, line(args)),
    warn: (...args: unknown[]) => log.warn({ source: 'lark-sdk' }, line(args)),
    info: (...args: unknown[]) => log.info({ source: 'lark-sdk' }, line(args)),
    debug: (...args: unknown[]) => log.debug({ source: 'lark-sdk' }, line(args)),
    trace: (...args: unknown[]) => log.trace({ source: 'lark-sdk' }, line(args)),
  }
}

/** The SDK's log level for the service's LOG_LEVEL: its own 'info' lines are chatter, so they show only when debugging. */
export function sdkLoggerLevel(level: string): lark.LoggerLevel {
  if (level === 'trace') return lark.LoggerLevel.trace
  if (level === 'debug') return lark.LoggerLevel.debug
  if (level === 'fatal' || level === 'error' || level === 'silent') return lark.LoggerLevel.error
  return lark.LoggerLevel.warn
}

/** Business error codes of the open platform that matter to sending. */
export const codes = {
  /** Too many requests (per chat / per user / per app). */
  throttled: new Set([230020, 99991400]),
  /** The tenant access token is invalid or expired: drop it and try once more with a fresh one. */
  invalidToken: new Set([99991663, 99991661, 99991668]),
  /** Transient on Feishu's side. */
  transient: new Set([1000004, 1000005, 99991401]),
}

/** A business error answered with HTTP 200 and a non-zero code. */
export class FeishuApiError extends Error {
  override name = 'FeishuApiError'
  constructor(
    readonly code: number,
    msg: string,
    readonly status?: number,
  ) {
    super(`Feishu API error ${code}: ${msg}`)
  }
}

/** What went wrong with an API call: the HTTP status and business code when Feishu answered. */
export function apiFailure(error: unknown): { status?: number; code?: number; msg: string } {
  if (error instanceof FeishuApiError) return { status: error.status, code: error.code, msg: error.message }
  const e = error as { message?: unknown; response?: { status?: unknown; data?: unknown } }
  const status = typeof e?.response?.status === 'number' ? e.response.status : undefined
  const data = e?.response?.data as { code?: unknown; msg?: unknown } | undefined
  const code = typeof data?.code === 'number' ? data.code : undefined
  const msg = typeof data?.msg === 'string' ? data.msg : typeof e?.message === 'string' ? e.message : String(error)
  return { status, code, msg }
}

export function isInvalidToken(error: unknown): boolean {
  const { code } = apiFailure(error)
  return code !== undefined && codes.invalidToken.has(code)
}

/**
 * The outbox's view of a failed send: ThrottledError (230020: back the target off), PermanentSendError
 * (a 4xx business error that no retry can fix: bot not in the chat, chat or user not found, bad
 * content), or a plain Error (network, timeout, 5xx: retried with backoff).
 */
export function toSendError(error: unknown): Error {
  const { status, code, msg } = apiFailure(error)
  const what =
    code !== undefined
      ? `Feishu answered${status ? ` HTTP ${status}` : ''} code ${code}: ${msg}`
      : status
        ? `Feishu answered HTTP ${status}: ${msg}`
        : `Feishu request failed: ${msg}`
  if ((code !== undefined && codes.throttled.has(code)) || status === 429) return new ThrottledError(what, 1000)
  if (code !== undefined && (codes.invalidToken.has(code) || codes.transient.has(code))) return new Error(what)
  if (status !== undefined && status >= 500) return new Error(what)
  // A business error (HTTP 4xx, or 200 with a non-zero code) that is none of the above will answer the same next time.
  if (code !== undefined && code !== 0) return new PermanentSendError(what)
  if (status !== undefined && status >= 400 && status !== 408) return new PermanentSendError(what)
  return new Error(what)
}
