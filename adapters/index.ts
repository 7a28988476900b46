import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Config } from '../src/config.js'
import type { ChatCore } from '../src/core/chat-core.js'
import type { Clock } from '../src/core/clock.js'
import type { Outbox } from '../src/core/outbox.js'
import type { Adapter, Platform } from '../src/core/types.js'
import type { Db } from '../src/db/client.js'
import { feishuAdapterFactory } from './feishu/index.js'
import { wechatyAdapterFactory } from './wechaty/index.js'
import { wecomAppAdapterFactory } from './wecom/index.js'

/** What a platform adapter gets: the core to hand inbound messages to, and the service's parts. */
export interface AdapterDeps {
  config: Config
  core: ChatCore
  db: Db
  outbox: Outbox
  clock: Clock
  log: FastifyBaseLogger
}

/** An adapter that may also receive: webhook routes, or a long connection started with the service. */
export interface PlatformAdapter extends Adapter {
  /** Registers the adapter's webhook routes. */
  routes?(app: FastifyInstance): Promise<void> | void
}

export interface AdapterFactory {
  platform: Platform
  /** True when the configuration turns the adapter on (its credentials are set). */
  enabled(config: Config): boolean
  create(deps: AdapterDeps): Promise<PlatformAdapter> | PlatformAdapter
}

/** The platform adapters this build knows, in the order people are reached privately. */
export const adapterFactories: AdapterFactory[] = [feishuAdapterFactory, wecomAppAdapterFactory, wechatyAdapterFactory]

export function enabledPlatforms(config: Config, factories = adapterFactories): Platform[] {
  return factories.filter((f) => f.enabled(config)).map((f) => f.platform)
}

export async function createPlatformAdapters(deps: AdapterDeps, factories = adapterFactories): Promise<PlatformAdapter[]> {
  const adapters: PlatformAdapter[] = []
  for (const f of factories) if (f.enabled(deps.config)) adapters.push(await f.create(deps))
  return adapters
}
