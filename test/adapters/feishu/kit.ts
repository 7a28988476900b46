/**
 * The set-up every test that talks to the service through Feishu shares: a FakeFeishu, a whole
 * service pointed at it (test/helpers/service.ts), and posting events as Feishu does (encrypted,
 * signed) to the real webhook. `useFeishu` starts both before a file's tests and stops them after.
 */
import { afterAll, beforeAll, expect } from 'vitest'
import { feishuAdapterFactory } from '../../../adapters/feishu/index.js'
import type { AdapterFactory } from '../../../adapters/index.js'
import type { Service } from '../../../src/app.js'
import { startTestService, type TestService } from '../../helpers/service.js'
import { messageEvent, request, type Keys, type Mention, type Person } from './events.js'
import { FakeFeishu, textOf, type ShownMessage } from './fake-feishu.js'

/** The environment of a service pointed at a FakeFeishu with these keys (webhook mode). */
export function feishuEnv(fake: FakeFeishu, keys: Keys, secret: string): Record<string, string> {
  return {
    FEISHU_APP_ID: keys.appId,
    FEISHU_APP_SECRET: secret,
    FEISHU_ENCRYPT_KEY: keys.encryptKey,
    FEISHU_VERIFICATION_TOKEN: keys.verificationToken,
    FEISHU_DOMAIN: fake.url,
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Waits (bounded) until `probe` gives something truthy, waking the outbox of `svc` (when given) meanwhile. */
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

/**
 * Waits until every stored event is handled and every due Feishu message is sent (or dead). Events
 * are counted first: an event is done only once its replies are in the outbox, so counting the
 * outbox afterwards cannot miss them.
 */
export async function settleFeishu(svc: Pick<Service, 'db' | 'outbox'>, timeoutMs = 20_000): Promise<void> {
  const open = async () => ({
    events: await svc.db.inboundEvent.count({ where: { status: { in: ['pending', 'processing'] } } }),
    messages: await svc.db.outboxMessage.count({
      where: { platform: 'feishu', OR: [{ status: 'sending' }, { status: 'pending', nextAttemptAt: { lte: new Date() } }] },
    }),
  })
  let last = { events: 0, messages: 0 }
  try {
    await waitFor('the service to settle', async () => ((last = await open()), last.events === 0 && last.messages === 0), timeoutMs, svc)
  } catch {
    throw new Error(`not settled: ${last.events} events, ${last.messages} messages open`)
  }
}

export interface FeishuKitOptions {
  keys: Keys
  secret: string
  /** More environment for the service (added to the Feishu variables). */
  env?: Record<string, string>
  /** 'ws': the long connection instead of the webhook (no encrypt key, no verification token). */
  mode?: 'webhook' | 'ws'
  /** The adapter factory (default: the production one). */
  adapterFactory?: AdapterFactory
  /** Called with the fake before it starts listening (to add routes or hooks). */
  prepare?: (fake: FakeFeishu) => void
}

/** Options of a private or group message `say` sends. */
export interface SayOptions {
  /** A group chat (default: the sender's private chat with the bot, oc_p2p_<open_id>). */
  chatId?: string
  mentions?: Mention[]
  /** A reply (引用回复) to this message. */
  parentId?: string
}

/** A running FakeFeishu and service, and the ways tests speak to the service through Feishu. */
export class FeishuKit {
  fake!: FakeFeishu
  svc!: TestService

  constructor(readonly options: FeishuKitOptions) {}

  get keys(): Keys {
    return this.options.keys
  }

  readonly start = async (): Promise<this> => {
    const { keys, secret, mode, env, adapterFactory, prepare } = this.options
    const fake = new FakeFeishu(keys.appId, secret)
    prepare?.(fake)
    this.fake = await fake.start()
    const platform =
      mode === 'ws' ? { FEISHU_APP_ID: keys.appId, FEISHU_APP_SECRET: secret, FEISHU_MODE: 'ws', FEISHU_DOMAIN: fake.url } : feishuEnv(fake, keys, secret)
    this.svc = await startTestService({ env: { ...platform, ...env }, adapterFactories: [adapterFactory ?? feishuAdapterFactory] })
    return this
  }

  readonly stop = async (): Promise<void> => {
    await this.svc?.close()
    await this.svc?.dropDatabase()
    await this.fake?.stop()
  }

  /** Posts a body to the webhook with these headers, as it is. */
  readonly post = (payload: string, headers: Record<string, string>) => this.svc.app.inject({ method: 'POST', url: '/webhooks/feishu', headers, payload })

  /** Delivers an event as Feishu would (encrypted, signed) and expects 200. */
  readonly deliver = async (event: object, o: Parameters<typeof request>[2] = {}) => {
    const r = request(event, this.keys, o)
    const res = await this.post(r.payload, r.headers)
    expect(res.statusCode, res.body).toBe(200)
    return res
  }

  /** Every stored event handled and every due Feishu message sent (or dead). */
  readonly settle = (timeoutMs = 20_000): Promise<void> => settleFeishu(this.svc, timeoutMs)

  /** Waits (bounded) until `probe` gives something truthy, waking the outbox meanwhile. */
  readonly waitFor = <T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> =>
    waitFor(what, probe, timeoutMs, this.svc)

  /** Delivers an event, waits until it is handled and its replies sent, and returns what Feishu showed meanwhile. */
  readonly after = async (event: object): Promise<ShownMessage[]> => {
    const before = this.fake.messages.length
    await this.deliver(event)
    await this.settle()
    return this.fake.messages.slice(before)
  }

  /** Says something (privately unless `chatId`) and returns what Feishu showed to each receiver afterwards. */
  readonly say = (from: Person, text: string, o: SayOptions = {}): Promise<ShownMessage[]> =>
    this.after(
      messageEvent(this.keys, {
        from,
        chatId: o.chatId ?? `oc_p2p_${from.open_id}`,
        chatType: o.chatId ? 'group' : 'p2p',
        text,
        ...(o.mentions ? { mentions: o.mentions } : {}),
        ...(o.parentId ? { parentId: o.parentId } : {}),
      }),
    )

  /** Binds people of the roster to their open_ids, as the directory would (so they need not type 绑定). */
  readonly bind = async (people: readonly (readonly [Person, string])[]): Promise<void> => {
    for (const [who, employeeNo] of people) {
      const person = await this.svc.db.person.findUniqueOrThrow({ where: { employeeNo } })
      await this.svc.db.platformIdentity.create({
        data: { platform: 'feishu', kind: 'open_id', externalId: who.open_id, personId: person.id, vouchedBy: 'directory' },
      })
    }
  }
}

/** A FakeFeishu and a service for the tests of this file: started before them, stopped after. */
export function useFeishu(options: FeishuKitOptions): FeishuKit {
  const kit = new FeishuKit(options)
  beforeAll(kit.start)
  afterAll(kit.stop)
  return kit
}

/** The messages among `shown` to this receiver (an open_id or a chat_id). */
export const to = (shown: ShownMessage[], id: string) => shown.filter((m) => m.receive_id === id)
/** What `shown` said, one message a line. */
export const texts = (shown: ShownMessage[]) => shown.map(textOf).join('\n')
