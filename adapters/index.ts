import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Config } from '../src/config.js'
import type { ChatCore } from '../src/core/chat-core.js'
import type { Clock } from '../src/core/clock.js'
import type { Adapter, Platform } from '../src/core/types.js'
import type { AdapterPorts, WithAdminRoutes } from '../src/core/adapter-ports.js'
import { feishuEnabled } from './feishu/config.js'
import { wechatyEnabled } from './wechaty/config.js'
import { wecomEnabled } from './wecom/settings.js'

/**
 * What a platform adapter gets: the core to hand inbound messages to, and the ports through which
 * it learns what the core stored (it never touches a table).
 */
export interface AdapterDeps {
  config: Config
  core: ChatCore
  ports: AdapterPorts
  clock: Clock
  log: FastifyBaseLogger
}

/** An adapter that may also receive: webhook routes, or a long connection started with the service. */
export interface PlatformAdapter extends Adapter, Partial<WithAdminRoutes> {
  /** Registers the adapter's webhook routes (unauthenticated: the platform signs what it posts). */
  routes?(app: FastifyInstance): Promise<void> | void
}

export interface AdapterFactory {
  platform: Platform
  /** True when the configuration turns the adapter on (its credentials are set). */
  enabled(config: Config): boolean
  create(deps: AdapterDeps): Promise<PlatformAdapter> | PlatformAdapter
}

/**
 * A factory whose adapter module (and its platform SDK) is loaded only when the configuration turns
 * it on: Wechaty alone takes well over a second to load, and most installations use one platform.
 */
function onDemand(platform: Platform, enabled: (config: Config) => boolean, load: () => Promise<AdapterFactory>): AdapterFactory {
  return { platform, enabled, create: async (deps) => (await load()).create(deps) }
}

/** The platform adapters this build knows, in the order people are reached privately. */
export const adapterFactories: AdapterFactory[] = [
  onDemand('feishu', feishuEnabled, async () => (await import('./feishu/index.js')).feishuAdapterFactory),
  onDemand('wecom', wecomEnabled, async () => (await import('./wecom/index.js')).wecomAppAdapterFactory),
  onDemand('wechaty', wechatyEnabled, async () => (await import('./wechaty/index.js')).wechatyAdapterFactory),
]

export function enabledPlatforms(config: Config, factories = adapterFactories): Platform[] {
  return factories.filter((f) => f.enabled(config)).map((f) => f.platform)
}

export async function createPlatformAdapters(deps: AdapterDeps, factories = adapterFactories): Promise<PlatformAdapter[]> {
  const adapters: PlatformAdapter[] = []
  for (const f of factories) if (f.enabled(deps.config)) adapters.push(await f.create(deps))
  return adapters
}
