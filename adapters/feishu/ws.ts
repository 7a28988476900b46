import * as lark from '@larksuiteoapi/node-sdk'
import type { FastifyBaseLogger } from 'fastify'
import type { FeishuSettings } from './config.js'

type WsOptions = ConstructorParameters<typeof lark.WSClient>[0]

/** How the long connection has fared, kept by the adapter across a stop and start. */
export interface LongConnectionHealth {
  reconnects: number
  lastError?: string
}

/** Receiving by the SDK's long connection (FEISHU_MODE=ws): a WSClient that reconnects on its own and keeps `health` up to date. */
export function openLongConnection(
  settings: FeishuSettings,
  opts: { http: WsOptions['httpInstance']; logger: WsOptions['logger']; loggerLevel: WsOptions['loggerLevel'] },
  log: FastifyBaseLogger,
  health: LongConnectionHealth,
): lark.WSClient {
  return new lark.WSClient({
    appId: settings.appId,
    appSecret: settings.appSecret,
    domain: settings.domain,
    httpInstance: opts.http,
    logger: opts.logger,
    loggerLevel: opts.loggerLevel,
    autoReconnect: true,
    handshakeTimeoutMs: 15_000,
    // No answer to a ping within a minute: the connection is dead, reconnect.
    wsConfig: { pingTimeout: 60 },
    onReady: () => log.info({ platform: 'feishu' }, 'feishu: long connection established'),
    onReconnecting: () => {
      health.reconnects++
      log.warn({ platform: 'feishu', reconnects: health.reconnects }, 'feishu: long connection lost; reconnecting')
    },
    onReconnected: () => {
      health.lastError = undefined
      log.info({ platform: 'feishu', reconnects: health.reconnects }, 'feishu: long connection re-established')
    },
    onError: (err) => {
      health.lastError = err.message
      log.error({ platform: 'feishu', error: err.message }, 'feishu: long connection gave up')
    },
  })
}

/** The adapter's status line in ws mode. */
export function longConnectionStatus(ws: lark.WSClient, health: LongConnectionHealth): { connected: boolean; detail?: string } {
  const s = ws.getConnectionStatus()
  const parts = [`long connection ${s.state}`, `${health.reconnects} reconnect(s)`]
  if (s.reconnectAttempts) parts.push(`${s.reconnectAttempts} attempt(s) in this reconnect`)
  if (health.lastError) parts.push(`last error: ${health.lastError}`)
  return { connected: s.state === 'connected', detail: parts.join('; ') }
}
