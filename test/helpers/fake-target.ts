import Fastify from 'fastify'
import { PermanentSendError, ThrottledError, type Adapter, type Delivery, type Platform, type SendLimits } from '../../src/core/types.js'

/**
 * A local fake chat platform (fastify on 127.0.0.1) that behaves like the real ones where it
 * matters to the outbox: it enforces a per-target and per-app rate limit (answering 429 beyond
 * it), shows a message once per idempotency key (like Feishu's uuid), and can be told to fail.
 */
export class FakeTarget {
  readonly app = Fastify()
  /** Every request that reached the platform, accepted or not. */
  readonly requests: { key: string; target: string; at: number; status: number }[] = []
  /** Messages shown to people: once per key. */
  readonly shown = new Map<string, { target: string; text: string; at: number }>()
  /** Keys that should fail with 500 this many more times. */
  readonly failures = new Map<string, number>()
  /** Keys that should always fail. */
  readonly broken = new Set<string>()
  /** Targets (chats or users) every send to which fails. */
  readonly brokenTargets = new Set<string>()
  /** Targets that should be throttled (429) this many more times. */
  readonly throttles = new Map<string, number>()
  url = ''
  /** How long the platform takes to answer each request. */
  delayMs = 0

  constructor(readonly limits: { perTarget: number; perApp: number; windowMs: number }) {
    this.app.post('/send', async (req, reply) => {
      const body = req.body as { key: string; target: string; text: string }
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs))
      const now = Date.now()
      const recent = this.requests.filter((r) => r.status === 200 && r.at > now - this.limits.windowMs)
      const forced = this.throttles.get(body.target) ?? 0
      let status = 200
      if (forced > 0) {
        this.throttles.set(body.target, forced - 1)
        status = 429
      } else if (recent.filter((r) => r.target === body.target).length >= this.limits.perTarget || recent.length >= this.limits.perApp) {
        status = 429
      } else if (this.broken.has(body.key) || this.brokenTargets.has(body.target) || (this.failures.get(body.key) ?? 0) > 0) {
        this.failures.set(body.key, (this.failures.get(body.key) ?? 1) - 1)
        status = 500
      }
      this.requests.push({ key: body.key, target: body.target, at: now, status })
      if (status !== 200) return reply.code(status).send({ code: status === 429 ? 230020 : 500, msg: status === 429 ? 'too many requests' : 'internal error' })
      if (!this.shown.has(body.key)) this.shown.set(body.key, { target: body.target, text: body.text, at: now })
      return { code: 0, message_id: `m_${body.key}` }
    })
  }

  async start(): Promise<this> {
    this.url = await this.app.listen({ host: '127.0.0.1', port: 0 })
    return this
  }

  async stop(): Promise<void> {
    await this.app.close()
  }

  /** The largest number of accepted sends in any window, per target and for the app. */
  peakPerWindow(windowMs = this.limits.windowMs): { perTarget: number; perApp: number } {
    const ok = this.requests.filter((r) => r.status === 200)
    let perTarget = 0
    let perApp = 0
    for (const r of ok) {
      const inWindow = ok.filter((x) => x.at >= r.at && x.at < r.at + windowMs)
      perApp = Math.max(perApp, inWindow.length)
      perTarget = Math.max(perTarget, inWindow.filter((x) => x.target === r.target).length)
    }
    return { perTarget, perApp }
  }

  /** Whether the app's window holds no accepted send any more (so a sender starting afresh cannot exceed it). */
  windowClear(now = Date.now()): boolean {
    return !this.requests.some((r) => r.status === 200 && r.at > now - this.limits.windowMs)
  }

  throttled(): number {
    return this.requests.filter((r) => r.status === 429).length
  }
}

/** An adapter that sends over HTTP to a FakeTarget, translating its answers the way real adapters do. */
export class FakeTargetAdapter implements Adapter {
  constructor(
    readonly platform: Platform,
    private readonly fake: FakeTarget,
    readonly limits: SendLimits,
  ) {}

  async send(d: Delivery) {
    const res = await fetch(`${this.fake.url}/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: d.key, target: d.target, text: d.text }),
    })
    if (res.status === 429) throw new ThrottledError('platform throttled (230020)', 1000)
    if (res.status === 404) throw new PermanentSendError('no such chat')
    if (!res.ok) throw new Error(`platform answered HTTP ${res.status}`)
    const body = (await res.json()) as { message_id: string }
    return { platformMessageId: body.message_id }
  }

  status() {
    return { connected: true }
  }
}
