/** Shared bits for the fault tests: Feishu keys, env for a service pointed at a FakeFeishu; waiting comes from the Feishu kit. */
import crypto from 'node:crypto'
import type { Keys, Person } from '../adapters/feishu/events.js'
import type { FakeFeishu } from '../adapters/feishu/fake-feishu.js'
import { feishuEnv as feishuEnvFor, settleFeishu, sleep, waitFor } from '../adapters/feishu/kit.js'

export const keys: Keys = { appId: 'cli_fault0000000001', encryptKey: 'faultEncryptKeyForTests', verificationToken: 'vtok-fault' }
export const SECRET = 'app-secret-for-fault-tests'

/** The environment of a service pointed at a FakeFeishu, with these tests' keys or a file's own. */
export function feishuEnv(fake: FakeFeishu, k: Keys = keys, secret = SECRET): Record<string, string> {
  return feishuEnvFor(fake, k, secret)
}

export { settleFeishu as settle, sleep, waitFor }

/** A stranger on Feishu (unknown to the service): anything they say privately is answered with a bind prompt. */
export function stranger(i: number | string): Person {
  return { open_id: `ou_fault_${i}_${crypto.randomBytes(3).toString('hex')}` }
}

/** The message_id of an im.message.receive_v1 envelope (the service stores it as the event id). */
export function messageIdOf(ev: { event: object }): string {
  return (ev.event as { message: { message_id: string } }).message.message_id
}
