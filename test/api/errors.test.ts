/**
 * The service's one error handler: a refusal from any domain (core's Refusal) is a 409 with its
 * message, an API input that does not validate is a 400 naming the field, in Chinese, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PollRefusal } from '../../src/polls/service.js'
import { AnnouncementRefusal } from '../../src/announcements/index.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { call, tokenFor } from './helpers.js'

let svc: TestService
let admin: string

beforeAll(async () => {
  svc = await startTestService()
  // Routes outside the admin API that refuse the way a domain service does (added before the first request).
  svc.app.post('/test/poll-refusal', async () => {
    throw new PollRefusal('投票已结束，不能再改')
  })
  svc.app.post('/test/announcement-refusal', async () => {
    throw new AnnouncementRefusal('公告已撤回')
  })
  admin = await tokenFor(svc, 'D9000')
})
afterAll(async () => {
  await svc.close()
  await svc.dropDatabase()
})

describe('one error handler', () => {
  it('answers a refusal from any domain with 409 and its message', async () => {
    for (const [url, message] of [
      ['/test/poll-refusal', '投票已结束，不能再改'],
      ['/test/announcement-refusal', '公告已撤回'],
    ] as const) {
      const res = await svc.app.inject({ method: 'POST', url })
      expect(res.statusCode, url).toBe(409)
      expect(res.json()).toEqual({ error: { code: 'refused', message } })
    }
  })

  it('answers an API input that does not validate with 400, the field named in Chinese', async () => {
    const res = await call(svc, { method: 'GET', url: '/api/v1/requests?status=nonsense', token: admin })
    expect(res.statusCode).toBe(400)
    const body = res.json()
    expect(body.error.code).toBe('invalid_request')
    expect(body.error.message).toMatch(/^查询参数不正确：status：/)
    expect(body.error.issues[0].field).toBe('status')
  })
})
