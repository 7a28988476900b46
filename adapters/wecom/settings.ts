import type { Config } from '../../src/config.js'
import { ConfigError } from '../../src/env.js'

/** The self-built app (自建应用): private messages and notices to people by userid. */
export interface AppSettings {
  corpId: string
  agentId: number
  secret: string
  /** Callback (API 接收消息) Token and EncodingAESKey. */
  token: string
  encodingAesKey: string
}

/** The intelligent bot (智能机器人): group chats, where it is @-mentioned. */
export type BotSettings =
  | { mode: 'ws'; botId: string; secret: string; wsUrl?: string }
  | { mode: 'callback'; botId: string; token: string; encodingAesKey: string }

export interface WecomSettings {
  apiBase: string
  app: AppSettings | null
  bot: BotSettings | null
}

/** True when the configuration turns WeCom on: the app's CorpID and Secret, or an intelligent bot's id. */
export function wecomEnabled(config: Config): boolean {
  return Boolean((config.WECOM_CORP_ID && config.WECOM_SECRET) || config.WECOM_BOT_ID)
}

function missing(name: string, why: string): ConfigError {
  return new ConfigError(`Invalid configuration: ${name} is missing — ${why}`)
}

/** An EncodingAESKey is 43 characters of base64 that decode (with one "=") to 32 bytes. */
function checkAesKey(name: string, value: string): string {
  if (!/^[A-Za-z0-9+/]{43}$/.test(value) || Buffer.from(`${value}=`, 'base64').length !== 32) {
    throw new ConfigError(`Invalid configuration: ${name} (got "***") — expected the 43-character EncodingAESKey from the WeCom admin console`)
  }
  return value
}

/** Reads and checks the WECOM_* variables; throws ConfigError with one line naming the first missing or bad one. */
export function readWecomSettings(config: Config): WecomSettings {
  const apiBase = config.WECOM_API_BASE.replace(/\/+$/, '')
  let app: AppSettings | null = null
  if (config.WECOM_CORP_ID || config.WECOM_SECRET) {
    if (!config.WECOM_CORP_ID) throw missing('WECOM_CORP_ID', 'the WeCom app needs the CorpID (我的企业 → 企业信息) with WECOM_SECRET')
    if (!config.WECOM_SECRET) throw missing('WECOM_SECRET', 'the WeCom app needs its Secret (应用管理 → 自建应用) with WECOM_CORP_ID')
    if (config.WECOM_AGENT_ID === undefined) throw missing('WECOM_AGENT_ID', 'the WeCom app needs its AgentId to send messages')
    if (!config.WECOM_TOKEN) throw missing('WECOM_TOKEN', 'the WeCom app needs the Token of its API receive settings (接收消息服务器配置)')
    if (!config.WECOM_ENCODING_AES_KEY) throw missing('WECOM_ENCODING_AES_KEY', 'the WeCom app needs the EncodingAESKey of its API receive settings')
    app = {
      corpId: config.WECOM_CORP_ID,
      agentId: config.WECOM_AGENT_ID,
      secret: config.WECOM_SECRET,
      token: config.WECOM_TOKEN,
      encodingAesKey: checkAesKey('WECOM_ENCODING_AES_KEY', config.WECOM_ENCODING_AES_KEY),
    }
  }
  let bot: BotSettings | null = null
  const botVariables = config.WECOM_BOT_SECRET || config.WECOM_BOT_TOKEN || config.WECOM_BOT_ENCODING_AES_KEY
  if (!config.WECOM_BOT_ID && botVariables) throw missing('WECOM_BOT_ID', 'the intelligent bot (智能机器人) settings are set but not its Bot ID')
  if (config.WECOM_BOT_ID) {
    if (config.WECOM_BOT_MODE === 'ws') {
      if (!config.WECOM_BOT_SECRET) throw missing('WECOM_BOT_SECRET', 'the intelligent bot in long-connection mode (WECOM_BOT_MODE=ws) needs its Secret')
      bot = { mode: 'ws', botId: config.WECOM_BOT_ID, secret: config.WECOM_BOT_SECRET, ...(config.WECOM_BOT_WS_URL ? { wsUrl: config.WECOM_BOT_WS_URL } : {}) }
    } else {
      if (!config.WECOM_BOT_TOKEN)
        throw missing('WECOM_BOT_TOKEN', 'the intelligent bot in callback mode (WECOM_BOT_MODE=callback) needs the Token of its API settings')
      if (!config.WECOM_BOT_ENCODING_AES_KEY)
        throw missing('WECOM_BOT_ENCODING_AES_KEY', 'the intelligent bot in callback mode needs the EncodingAESKey of its API settings')
      bot = {
        mode: 'callback',
        botId: config.WECOM_BOT_ID,
        token: config.WECOM_BOT_TOKEN,
        encodingAesKey: checkAesKey('WECOM_BOT_ENCODING_AES_KEY', config.WECOM_BOT_ENCODING_AES_KEY),
      }
    }
  }
  if (!app && !bot) throw missing('WECOM_CORP_ID', 'set WECOM_CORP_ID and WECOM_SECRET (self-built app) or WECOM_BOT_ID (intelligent bot)')
  return { apiBase, app, bot }
}
