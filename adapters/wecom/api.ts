import { PermanentSendError, ThrottledError } from '../../src/core/types.js'

/** What every WeCom API answers. */
export interface WecomReply {
  errcode?: number
  errmsg?: string
  [key: string]: unknown
}

/** WeCom's "too many" codes: 45009 (API or robot frequency exceeded), 45033 (too many concurrent calls). */
const THROTTLED: Record<number, number> = { 45009: 60_000, 45033: 2_000 }

/**
 * Codes where retrying the same message can never succeed: bad user id (40003, 60111), invalid
 * message type or parameters (40008, 40058), empty content (44004), every recipient invalid or
 * outside the app's visible range (81013), invalid robot webhook key (93000).
 */
const PERMANENT = new Set([40003, 40008, 40058, 44004, 60111, 81013, 93000])

/** Turns a WeCom error code into what the outbox understands. */
export function sendError(where: string, reply: WecomReply): Error {
  const code = reply.errcode ?? -1
  const message = `WeCom ${where}: errcode ${code} ${String(reply.errmsg ?? '').slice(0, 200)}`
  if (code in THROTTLED) return new ThrottledError(message, THROTTLED[code])
  if (PERMANENT.has(code)) return new PermanentSendError(message)
  return new Error(message)
}

/** A small JSON-over-HTTP client with a timeout; never logs URLs (they carry tokens and keys). */
export class WecomHttp {
  constructor(private readonly timeoutMs = 10_000) {}

  async get(url: string): Promise<WecomReply> {
    return this.request(url, { method: 'GET' })
  }

  async post(url: string, body: unknown): Promise<WecomReply> {
    return this.request(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) })
  }

  private async request(url: string, init: RequestInit): Promise<WecomReply> {
    let res: Response
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) })
    } catch (error) {
      throw new Error(`WeCom unreachable: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (res.status === 429) throw new ThrottledError('WeCom answered HTTP 429', 2_000)
    if (!res.ok) throw new Error(`WeCom answered HTTP ${res.status}`)
    try {
      return (await res.json()) as WecomReply
    } catch {
      throw new Error('WeCom answered something that is not JSON')
    }
  }
}

/**
 * The self-built app's access token (GET /cgi-bin/gettoken?corpid&corpsecret), cached until
 * shortly before it expires; concurrent callers share one fetch. WeCom asks callers to cache it:
 * fetching it for every call gets the app throttled.
 */
export class AccessToken {
  private cached: { value: string; renewAt: number } | null = null
  private fetching: Promise<string> | null = null
  /** How many times a token was fetched (tests, status). */
  fetches = 0

  constructor(
    private readonly http: WecomHttp,
    private readonly apiBase: string,
    private readonly corpId: string,
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return this.cached.value
    this.fetching ??= this.fetch().finally(() => (this.fetching = null))
    return this.fetching
  }

  /** Drops the token if it is still the cached one (WeCom said it is invalid or expired). */
  invalidate(value: string): void {
    if (this.cached?.value === value) this.cached = null
  }

  private async fetch(): Promise<string> {
    this.fetches++
    const url = `${this.apiBase}/cgi-bin/gettoken?corpid=${encodeURIComponent(this.corpId)}&corpsecret=${encodeURIComponent(this.secret)}`
    const reply = await this.http.get(url)
    const token = reply.access_token
    if (reply.errcode !== 0 || typeof token !== 'string' || token === '') {
      // 40013 invalid CorpID, 40001 invalid Secret, 60020 server IP not in the app's trusted IPs.
      throw new Error(`WeCom gettoken: errcode ${reply.errcode ?? '?'} ${String(reply.errmsg ?? '').slice(0, 200)}`)
    }
    const expiresInMs = (typeof reply.expires_in === 'number' && reply.expires_in > 0 ? reply.expires_in : 7200) * 1000
    // Renew five minutes early (or half-way through a short life).
    const margin = Math.min(5 * 60_000, expiresInMs / 2)
    this.cached = { value: token, renewAt: this.now() + expiresInMs - margin }
    return token
  }
}
