import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../src/config.js'
import type { AdapterDeps } from '../../../adapters/index.js'
import { wecomAppAdapterFactory } from '../../../adapters/wecom/index.js'
import { APP_AES, BOT_AES, appEnv } from './kit.js'

const config = (env: Record<string, string>) => loadConfig({ DATABASE_URL: 'file:./unused.db', ...env })
const create = (env: Record<string, string>) => () => wecomAppAdapterFactory.create({ config: config(env) } as AdapterDeps)

function refusal(env: Record<string, string>): string {
  try {
    create(env)()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as Error).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error('expected a ConfigError')
}

const app = appEnv('https://qyapi.weixin.qq.com')
const without = (name: string) => Object.fromEntries(Object.entries(app).filter(([k]) => k !== name))

describe('WeCom configuration', () => {
  it("is on with the app's CorpID and Secret, or with an intelligent bot id", () => {
    expect(wecomAppAdapterFactory.platform).toBe('wecom')
    expect(wecomAppAdapterFactory.enabled(config({}))).toBe(false)
    expect(wecomAppAdapterFactory.enabled(config({ WECOM_CORP_ID: 'ww1' }))).toBe(false)
    expect(wecomAppAdapterFactory.enabled(config({ WECOM_CORP_ID: 'ww1', WECOM_SECRET: 's' }))).toBe(true)
    expect(wecomAppAdapterFactory.enabled(config({ WECOM_BOT_ID: 'aib1' }))).toBe(true)
  })

  it('names the first missing or bad variable in one line', () => {
    expect(refusal(without('WECOM_AGENT_ID'))).toMatch(/^Invalid configuration: WECOM_AGENT_ID is missing/)
    expect(refusal(without('WECOM_TOKEN'))).toMatch(/WECOM_TOKEN is missing/)
    expect(refusal(without('WECOM_ENCODING_AES_KEY'))).toMatch(/WECOM_ENCODING_AES_KEY is missing/)
    const badKey = refusal({ ...app, WECOM_ENCODING_AES_KEY: 'short' })
    expect(badKey).toMatch(/WECOM_ENCODING_AES_KEY/)
    expect(badKey).not.toContain('short')
    expect(refusal({ WECOM_BOT_ID: 'aib1', WECOM_CORP_ID: 'ww1' })).toMatch(/WECOM_SECRET is missing/)
    expect(refusal({ WECOM_BOT_ID: 'aib1' })).toMatch(/WECOM_BOT_SECRET is missing/)
    expect(refusal({ WECOM_BOT_ID: 'aib1', WECOM_BOT_MODE: 'callback' })).toMatch(/WECOM_BOT_TOKEN is missing/)
    expect(refusal({ WECOM_BOT_ID: 'aib1', WECOM_BOT_MODE: 'callback', WECOM_BOT_TOKEN: 't' })).toMatch(/WECOM_BOT_ENCODING_AES_KEY is missing/)
    expect(refusal({ ...app, WECOM_BOT_SECRET: 's' })).toMatch(/WECOM_BOT_ID is missing/)
  })

  it('accepts complete settings', () => {
    expect(create(app)).not.toThrow()
    expect(APP_AES).toHaveLength(43)
    const settings = { WECOM_BOT_ID: 'aib1', WECOM_BOT_MODE: 'callback', WECOM_BOT_TOKEN: 't', WECOM_BOT_ENCODING_AES_KEY: BOT_AES }
    expect(create(settings)).not.toThrow()
  })
})
