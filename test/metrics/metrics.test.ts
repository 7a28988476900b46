/**
 * GET /metrics as an operator's Prometheus sees it: the numbers move with the work (a request
 * filed in the playground, its replies sent, a notice held by quiet hours and then sent), and a
 * scrape from elsewhere, or without the token when one is set, is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import { scrape as scrapeMetrics } from '../helpers/metrics.js'
import { settle, startTestService, type TestService } from '../helpers/service.js'

/** 23:30 in Shanghai: inside the default quiet hours (22:00–07:00). */
const LATE = new Date('2026-03-02T15:30:00Z')
const TOKEN = 'metrics-token-for-tests-0123456789'

let svc: TestService
let guarded: TestService
const clock = new ManualClock(LATE)

beforeAll(async () => {
  svc = await startTestService({ clock, env: { QUIET_HOURS: '22:00-07:00' } })
  // A second instance on the same database, with a token set.
  guarded = await startTestService({ clock, url: svc.config.DATABASE_URL, env: { QUIET_HOURS: '22:00-07:00', METRICS_TOKEN: TOKEN } })
})
afterAll(async () => {
  await guarded?.close()
  await svc?.close()
  await svc?.dropDatabase()
})

async function scrape(s: TestService = svc, headers: Record<string, string> = {}) {
  return scrapeMetrics(s, headers)
}

describe('GET /metrics', () => {
  it('counts an event accepted, handled and its replies sent; the outbox depth rises while a notice waits and falls when it goes', async () => {
    const before = await scrape()
    expect(before('gongyou_outbox_depth', { platform: 'web' })).toBe(0)

    const replies = await svc.say('D1002', 'web-team-dg', '诉求 食堂晚班没有热饭')
    expect(replies[0]?.text).toMatch(/SQ-\d{4}-\d{4}/)
    const during = await scrape()
    expect(during('gongyou_events_accepted_total', { platform: 'web' })).toBe(before('gongyou_events_accepted_total', { platform: 'web' }) + 1)
    expect(during('gongyou_events_handled_total', { platform: 'web' })).toBe(before('gongyou_events_handled_total', { platform: 'web' }) + 1)
    expect(during('gongyou_event_handling_seconds_count', { platform: 'web' })).toBe(before('gongyou_event_handling_seconds_count', { platform: 'web' }) + 1)
    expect(during('gongyou_events_failed_total', { platform: 'web' })).toBe(0)
    // The answer to the worker went at once; the officers' notices wait for the end of quiet hours.
    const sentNow = await svc.db.outboxMessage.count({ where: { platform: 'web', status: 'sent' } })
    const held = await svc.db.outboxMessage.count({ where: { platform: 'web', status: 'pending' } })
    expect(held).toBeGreaterThan(0)
    expect(during('gongyou_outbox_sent_total', { platform: 'web' })).toBe(sentNow)
    expect(during('gongyou_outbox_depth', { platform: 'web' })).toBe(held)

    // 07:01: the held notices go out.
    clock.set('2026-03-02T23:01:00Z')
    svc.outbox.wake()
    await settle(svc, clock)
    const after = await scrape()
    expect(after('gongyou_outbox_depth', { platform: 'web' })).toBe(0)
    expect(after('gongyou_outbox_oldest_age_seconds', { platform: 'web' })).toBe(0)
    expect(after('gongyou_outbox_sent_total', { platform: 'web' })).toBe(sentNow + held)
    expect(after('gongyou_outbox_dead_letters', { platform: 'web' })).toBe(0)
  })

  it('counts scheduled job runs per job', async () => {
    const before = await scrape()
    await svc.scheduler.runNow('requests:escalate-overdue')
    const after = await scrape()
    const job = { job: 'requests:escalate-overdue', outcome: 'ok' }
    expect(after('gongyou_scheduler_runs_total', job)).toBe(before('gongyou_scheduler_runs_total', job) + 1)
  })

  it('answers only this machine when no token is set', async () => {
    const res = await svc.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.message).toMatch(/METRICS_TOKEN/)
    expect(res.body).not.toContain('gongyou_')
    await scrape(svc) // loopback
  })

  it('wants the bearer token when one is set, from anywhere', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token-00' }, { authorization: TOKEN }, { authorization: `Bearer ${TOKEN}x` }]) {
      const res = await guarded.app.inject({ method: 'GET', url: '/metrics', headers })
      expect(res.statusCode, JSON.stringify(headers)).toBe(401)
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/)
      expect(res.body).not.toContain('gongyou_')
      expect(res.body).not.toContain(TOKEN)
    }
    const res = await guarded.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.statusCode).toBe(200)
    // The gauges come from the shared database: this instance sees the same (empty) outbox.
    expect(res.body).toMatch(/^gongyou_outbox_depth\{platform="web"\} 0$/m)
  })
})
