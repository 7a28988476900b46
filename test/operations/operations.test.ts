import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redactPaths } from '../../src/app.js'
import { FakeTarget, FakeTargetAdapter } from '../helpers/fake-target.js'
import { startTestService, type TestService } from '../helpers/service.js'

describe('graceful shutdown', () => {
  let fake: FakeTarget
  beforeAll(async () => {
    fake = await new FakeTarget({ perTarget: 5, perApp: 50, windowMs: 1000 }).start()
  })
  afterAll(async () => {
    await fake.stop()
  })

  it('finishes a send that is in flight before closing the database', async () => {
    fake.delayMs = 800
    const svc = await startTestService({ adapters: [new FakeTargetAdapter('feishu', fake, {})] })
    try {
      await svc.db.$transaction((tx) =>
        svc.outbox.enqueue(tx, [{ key: 'slow:1', platform: 'feishu', targetKind: 'chat', target: 'oc_slow', text: '安全生产月活动通知' }]),
      )
      const deadline = Date.now() + 5000
      while ((await svc.db.outboxMessage.findUniqueOrThrow({ where: { key: 'slow:1' } })).status !== 'sending') {
        if (Date.now() > deadline) throw new Error('send never started')
        await new Promise((r) => setTimeout(r, 10))
      }
      await svc.close()
      expect(fake.shown.get('slow:1')?.text).toBe('安全生产月活动通知')
      // Reopen to read what was recorded before the database closed.
      const again = await startTestService({ url: svc.config.DATABASE_URL, adapters: [] })
      expect((await again.db.outboxMessage.findUniqueOrThrow({ where: { key: 'slow:1' } })).status).toBe('sent')
      await again.close()
    } finally {
      await svc.dropDatabase()
    }
  })
})

describe('logs', () => {
  it('never carry secrets, tokens or message texts', async () => {
    const lines: string[] = []
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const svc: TestService = await startTestService({ logger: { level: 'trace', stream, redact: { paths: redactPaths, censor: '[redacted]' } } })
    try {
      svc.app.log.info({ feishu: { appSecret: 's3cr3t-app', encryptKey: 'k3y' }, api: { token: 'gy_tok' }, msg: { text: '班长克扣加班费' } }, 'probe')
      await svc.say('D1002', 'dm', '班长克扣加班费 我的信息')
      await svc.app.inject({ url: '/readyz', headers: { authorization: 'Bearer gy_secret_token' } })
      const all = lines.join('')
      expect(all).toContain('probe')
      for (const secret of ['s3cr3t-app', 'k3y', 'gy_tok', '班长克扣加班费', 'gy_secret_token']) expect(all).not.toContain(secret)
    } finally {
      await svc.close()
      await svc.dropDatabase()
    }
  })
})
