import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ConfigError, envSchema, loadConfig } from '../src/config.js'

describe('configuration', () => {
  it('starts on the embedded SQLite default with no variables set', () => {
    const c = loadConfig({})
    expect(c.PORT).toBe(3000)
    expect(c.DATABASE_URL).toBe('file:./data/gongyou.db')
    expect(c.databaseProvider).toBe('sqlite')
    expect(c.GONGYOU_TIMEZONE).toBe('Asia/Shanghai')
    expect(c.PRIVACY_MIN_GROUP).toBe(5)
    expect(c.RETENTION_DAYS).toBe(30)
  })

  it('selects PostgreSQL from a postgresql:// URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/gongyou' }).databaseProvider).toBe('postgresql')
  })

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(3000)
  })

  it.each([
    ['PORT', 'abc', /PORT.*abc/],
    ['PORT', '70000', /PORT/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL.*file:<path>.*postgresql:\/\//],
    ['GONGYOU_TIMEZONE', 'Mars/Olympus', /GONGYOU_TIMEZONE.*IANA time zone/],
    ['GONGYOU_LOCALE', 'fr', /GONGYOU_LOCALE.*zh-CN, en/],
    ['GONGYOU_PLAYGROUND', 'maybe', /GONGYOU_PLAYGROUND/],
    ['FEISHU_APP_RATE_LIMIT', '50 per second', /^Invalid configuration: FEISHU_APP_RATE_LIMIT \(got "50 per second"\) — expected .*50\/s,1000\/min/],
    ['FEISHU_APP_RATE_LIMIT', '0/s', /FEISHU_APP_RATE_LIMIT/],
    ['PRIVACY_MIN_GROUP', '0', /PRIVACY_MIN_GROUP/],
    ['PRIVACY_MIN_GROUP', 'five', /PRIVACY_MIN_GROUP/],
    ['RETENTION_DAYS', '0', /RETENTION_DAYS/],
    // The Wechaty adapter's own slice (adapters/wechaty/config.ts), validated all the same.
    ['WECHATY_DAILY_LIMIT', '0', /^Invalid configuration: WECHATY_DAILY_LIMIT \(got "0"\)/],
    ['WECHATY_PACE_MS', 'fast', /WECHATY_PACE_MS/],
    // The Feishu and WeCom adapters' slices (adapters/feishu/config.ts, adapters/wecom/config.ts) too.
    ['FEISHU_MODE', 'longpoll', /^Invalid configuration: FEISHU_MODE \(got "longpoll"\) — expected one of webhook, ws/],
    ['WECOM_API_BASE', 'qyapi', /^Invalid configuration: WECOM_API_BASE \(got "qyapi"\) — expected a URL/],
    ['WECOM_BOT_MODE', 'poll', /^Invalid configuration: WECOM_BOT_MODE \(got "poll"\) — expected one of ws, callback/],
    // A secret too short to use is refused without being shown.
    ['METRICS_TOKEN', 'short-secret', /^Invalid configuration: METRICS_TOKEN \(got "\*\*\*"\) — expected at least 16 characters/],
  ])('refuses %s=%s with one line naming the variable', (name, value, pattern) => {
    const error = thrown(() => loadConfig({ [name]: value }))
    expect(error).toBeInstanceOf(ConfigError)
    const message = error.message
    expect(message).toMatch(pattern)
    expect(message.split('\n')).toHaveLength(1)
  })

  it("reads the Feishu app quota as sliding-window rules, Feishu's documented 50/s and 1000/min by default", () => {
    expect(loadConfig({}).FEISHU_APP_RATE_LIMIT).toEqual([
      { count: 50, perMs: 1000 },
      { count: 1000, perMs: 60_000 },
    ])
    expect(loadConfig({ FEISHU_APP_RATE_LIMIT: '100/s, 2000/min,50000/h' }).FEISHU_APP_RATE_LIMIT).toEqual([
      { count: 100, perMs: 1000 },
      { count: 2000, perMs: 60_000 },
      { count: 50_000, perMs: 3_600_000 },
    ])
    expect(loadConfig({ FEISHU_APP_RATE_LIMIT: '50/s' }).FEISHU_APP_RATE_LIMIT).toEqual([{ count: 50, perMs: 1000 }])
  })

  it('never prints a database password in an error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://u:hunter2@h/db', PORT: 'x' })).toThrow(/PORT/)
    const error = thrown(() => loadConfig({ DATABASE_URL: 'mysql://u:hunter2@h/db' }))
    expect(error).toBeInstanceOf(ConfigError)
    expect(error.message).toMatch(/DATABASE_URL \(got "mysql:\/\/u:\*\*\*@h\/db"\)/)
    expect(error.message).not.toContain('hunter2')
  })

  it('.env.example documents every variable the service reads', () => {
    const example = fs.readFileSync('.env.example', 'utf8')
    for (const name of Object.keys(envSchema.shape)) expect(example).toMatch(new RegExp(`^${name}=`, 'm'))
    // and the example itself is a valid configuration
    const values = Object.fromEntries(
      example
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    )
    expect(() => loadConfig(values)).not.toThrow()
  })
})

/** The error `fn` throws; fails the test when it throws nothing. */
function thrown(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error, but nothing was thrown')
}
