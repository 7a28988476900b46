/** Shared bits for the fault tests: Feishu keys, env for a service pointed at a FakeFeishu, waiting. */
import crypto from 'node:crypto'
import type { Keys, Person } from '../adapters/feishu/events.js'
import type { FakeFeishu } from '../adapters/feishu/fake-feishu.js'
import type { Service } from '../../src/app.js'

export const keys: Keys = { appId: 'cli_fault0000000001', encryptKey: 'faultEncryptKeyForTests', verificationToken: 'vtok-fault' }
export const SECRET = 'app-secret-for-fault-tests'

/** The environment of a service pointed at a FakeFeishu, with these tests' keys or a file's own. */
export function feishuEnv(fake: FakeFeishu, k: Keys = keys, secret = SECRET): Record<string, string> {
  return {
    FEISHU_APP_ID: k.appId,
    FEISHU_APP_SECRET: secret,
    FEISHU_ENCRYPT_KEY: k.encryptKey,
    FEISHU_VERIFICATION_TOKEN: k.verificationToken,
    FEISHU_DOMAIN: fake.url,
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  svc?: Pick<Service, 'outbox'>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    svc?.outbox.wake()
    await sleep(25)
  }
}

/** A stranger on Feishu (unknown to the service): anything they say privately is answered with a bind prompt. */
export function stranger(i: number | string): Person {
  return { open_id: `ou_fault_${i}_${crypto.randomBytes(3).toString('hex')}` }
}

/** Every stored event handled and every due Feishu message sent (or dead). */
export async function settle(svc: Pick<Service, 'db' | 'outbox'>, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    'the service to settle',
    async () => {
      const events = await svc.db.inboundEvent.count({ where: { status: { in: ['pending', 'processing'] } } })
      const outbox = await svc.db.outboxMessage.count({
        where: { platform: 'feishu', OR: [{ status: 'sending' }, { status: 'pending', nextAttemptAt: { lte: new Date() } }] },
      })
      return events === 0 && outbox === 0
    },
    timeoutMs,
    svc,
  )
}

/** The message_id of an im.message.receive_v1 envelope (the service stores it as the event id). */
export function messageIdOf(ev: { event: object }): string {
  return (ev.event as { message: { message_id: string } }).message.message_id
}
