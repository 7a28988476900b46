import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatLocal } from '../../../src/core/time/zone.js'
import { parseWhen } from '../../../src/core/time/when.js'
import { en } from '../../../src/messages/en.js'

const SH = 'Asia/Shanghai'
/** Wednesday 4 March 2026, 10:00 in Shanghai. */
const WED_10 = new Date('2026-03-04T02:00:00Z')

function at(text: string, now = WED_10, tz = SH): string {
  const r = parseWhen(text, now, tz)
  if ('error' in r) throw new Error(`"${text}" was refused: ${r.error}`)
  return formatLocal(r.at, tz)
}

function error(text: string, now = WED_10, tz = SH): string {
  const r = parseWhen(text, now, tz)
  if ('at' in r) throw new Error(`"${text}" was read as ${formatLocal(r.at, tz)}`)
  return r.error
}

describe('parseWhen: the forms people write (now: Wednesday 2026-03-04 10:00, Asia/Shanghai)', () => {
  it.each([
    ['周五18:00', '2026-03-06 18:00'],
    ['周五 18:00', '2026-03-06 18:00'],
    ['周五18：00', '2026-03-06 18:00'],
    ['星期五下午6点', '2026-03-06 18:00'],
    ['礼拜五晚上8点', '2026-03-06 20:00'],
    ['下周一 9点', '2026-03-09 09:00'],
    ['下周五', '2026-03-13 18:00'],
    ['下下周日', '2026-03-22 18:00'],
    ['本周日', '2026-03-08 18:00'],
    ['周三', '2026-03-04 18:00'],
    ['周一', '2026-03-09 18:00'],
    ['明天12:00', '2026-03-05 12:00'],
    ['明天', '2026-03-05 18:00'],
    ['明早', '2026-03-05 09:00'],
    ['明天上午', '2026-03-05 12:00'],
    ['今晚8点', '2026-03-04 20:00'],
    ['今晚', '2026-03-04 21:00'],
    ['后天上午10点半', '2026-03-06 10:30'],
    ['大后天下午3点一刻', '2026-03-07 15:15'],
    ['3天后', '2026-03-07 10:00'],
    ['三天后', '2026-03-07 10:00'],
    ['2小时后', '2026-03-04 12:00'],
    ['两个小时后', '2026-03-04 12:00'],
    ['半小时后', '2026-03-04 10:30'],
    ['1个半小时后', '2026-03-04 11:30'],
    ['30分钟后', '2026-03-04 10:30'],
    ['一周后', '2026-03-11 10:00'],
    ['3天内', '2026-03-07 10:00'],
    ['11月30日18:00', '2026-11-30 18:00'],
    ['十一月三十日下午六点', '2026-11-30 18:00'],
    ['11月30号', '2026-11-30 18:00'],
    ['11-30 18:00', '2026-11-30 18:00'],
    ['11/30 18:00', '2026-11-30 18:00'],
    ['2026-11-30 18:00', '2026-11-30 18:00'],
    ['2026年11月30日 18:00', '2026-11-30 18:00'],
    ['2026/11/30', '2026-11-30 18:00'],
    ['1月5日', '2027-01-05 18:00'],
    ['30号', '2026-03-30 18:00'],
    ['18:00', '2026-03-04 18:00'],
    ['9:00', '2026-03-05 09:00'],
    ['下午3点', '2026-03-04 15:00'],
    ['6点', '2026-03-04 18:00'],
    ['今天6点', '2026-03-04 18:00'],
    ['晚上12点', '2026-03-05 00:00'],
    ['中午12点', '2026-03-04 12:00'],
    ['今天下班前', '2026-03-04 17:30'],
    ['周五下班前', '2026-03-06 17:30'],
    ['月底', '2026-03-31 18:00'],
    ['下月底', '2026-04-30 18:00'],
    ['年底', '2026-12-31 18:00'],
    ['截止 周五18:00前', '2026-03-06 18:00'],
    ['到周五为止', '2026-03-06 18:00'],
    ['周五的18:00', '2026-03-06 18:00'],
    ['周五１８：００', '2026-03-06 18:00'],
  ])('%s → %s', (text, expected) => {
    expect(at(text)).toBe(expected)
  })

  it('a time without a day is today, or tomorrow once it has passed', () => {
    const evening = new Date('2026-03-04T11:00:00Z') // 19:00
    expect(at('18:00', evening)).toBe('2026-03-05 18:00')
    expect(at('20:00', evening)).toBe('2026-03-04 20:00')
    expect(at('下午3点', evening)).toBe('2026-03-05 15:00')
  })

  it('a weekday is the nearest one from today on; the next week’s once today’s is named and past', () => {
    const saturday = new Date('2026-03-07T02:00:00Z')
    expect(at('周五', saturday)).toBe('2026-03-13 18:00')
    expect(at('周日', saturday)).toBe('2026-03-08 18:00')
    expect(at('下周一', saturday)).toBe('2026-03-09 18:00')
  })

  it('reads the wall clock of the given zone, whatever the machine’s', () => {
    const r = parseWhen('明天12:00', WED_10, SH)
    expect('at' in r && r.at.toISOString()).toBe('2026-03-05T04:00:00.000Z')
    const ny = parseWhen('明天12:00', WED_10, 'America/New_York')
    expect('at' in ny && ny.at.toISOString()).toBe('2026-03-04T17:00:00.000Z') // 3 March 21:00 there → 4 March 12:00 EST
    // Across a daylight-saving change (New York springs forward on 8 March 2026).
    const sat = new Date('2026-03-07T17:00:00Z') // Saturday 12:00 EST
    const sunday = parseWhen('明天12:00', sat, 'America/New_York')
    expect('at' in sunday && sunday.at.toISOString()).toBe('2026-03-08T16:00:00.000Z') // 12:00 EDT
  })
})

describe('parseWhen: short Chinese answers for mistakes', () => {
  it('refuses a time already past', () => {
    expect(error('本周一')).toBe('2026-03-02 18:00 已经过去了，请写一个以后的时间，例如：明天18:00。')
    expect(error('今天9:00')).toContain('已经过去了')
    expect(error('2025-11-30 18:00')).toContain('2025-11-30 18:00 已经过去了')
    expect(error('0分钟后')).toContain('已经过去了')
    const fridayEvening = new Date('2026-03-06T11:00:00Z') // Friday 19:00
    expect(error('周五18:00', fridayEvening)).toContain('2026-03-06 18:00 已经过去了')
  })

  it('refuses days and hours that do not exist, and words it does not know, with an example', () => {
    expect(error('2月30日')).toBe('没有“2月30日”这一天，请检查日期，例如：11月30日。')
    expect(error('2026-13-01')).toContain('这一天')
    expect(error('25:00')).toContain('钟点不对')
    expect(error('明天18:75')).toContain('钟点不对')
    expect(error('上午15点')).toContain('钟点不对')
    expect(error('下个礼拜的某天')).toBe('没看懂时间“下个礼拜的某天”。可以这样写：周五18:00、明天下午3点、3天后、11月30日18:00。')
    expect(error('周五18:00 之类')).toContain('没看懂')
    expect(error('')).toContain('请写上时间')
    expect(error('100000天后')).toContain('没看懂')
    expect(error('3000天后')).toContain('太远')
  })

  it('speaks English when given the English words', () => {
    const r = parseWhen('whenever', WED_10, SH, en.when)
    expect('error' in r && r.error).toMatch(/^I did not understand the time "whenever"/)
  })
})

describe('parseWhen: properties', () => {
  const zones = fc.constantFrom('Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham')
  const nows = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true })
  const fragments = fc.constantFrom(
    '周五',
    '星期',
    '礼拜天',
    '下周',
    '下下',
    '本周',
    '今天',
    '今晚',
    '明天',
    '明早',
    '后天',
    '大后天',
    '上午',
    '下午',
    '中午',
    '晚上',
    '凌晨',
    '下班前',
    '18:00',
    '9点',
    '10点半',
    '3点一刻',
    '点',
    ':',
    '：',
    '30分',
    '钟',
    '3天后',
    '2小时后',
    '30分钟后',
    '半小时后',
    '个',
    '月底',
    '年底',
    '11月30日',
    '2月29日',
    '11-30',
    '2026-11-30',
    '2099-01-01',
    '号',
    '日',
    '后',
    '内',
    '前',
    '截止',
    ' ',
    '十',
    '二十',
    '零',
    '0',
    '24',
    '99',
    '-',
    '/',
    '.',
    '的',
    'x',
    '１８',
  )
  const check = (text: string, now: Date, tz: string) => {
    const r = parseWhen(text, now, tz)
    if ('at' in r) {
      expect(Number.isFinite(r.at.getTime())).toBe(true)
      expect(r.at.getTime()).toBeGreaterThan(now.getTime())
    } else {
      expect(typeof r.error).toBe('string')
      expect(r.error.length).toBeGreaterThan(0)
    }
  }

  it('never throws on arbitrary text, and any time it returns is after now', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), nows, zones, (text, now, tz) => check(text, now, tz)),
      { numRuns: 300 },
    )
  })

  it('never throws on text made of its own words, and any time it returns is after now', () => {
    fc.assert(
      fc.property(
        fc.array(fragments, { maxLength: 6 }).map((parts) => parts.join('')),
        nows,
        zones,
        (text, now, tz) => check(text, now, tz),
      ),
      { numRuns: 1000 },
    )
  })

  it('never throws on values that are not text or not a date', () => {
    expect('error' in parseWhen(undefined as unknown as string, WED_10, SH)).toBe(true)
    expect('error' in parseWhen('明天', new Date(Number.NaN), SH)).toBe(true)
    expect('error' in parseWhen('x'.repeat(10_000), WED_10, SH)).toBe(true)
  })
})
