import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import { DatabaseRunCoordinator, Scheduler } from '../../src/core/scheduler.js'
import { formatLocal, localParts, parseHhMm, quietHoursEnd, zonedTime } from '../../src/core/time/zone.js'
import { openDatabase, type Db } from '../../src/db/client.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'
import { waitUntil } from '../helpers/metrics.js'

const SH = 'Asia/Shanghai'
const NY = 'America/New_York'
const quiet = { start: '22:00', end: '07:00' }

describe('quiet hours', () => {
  it('ends at 07:00 the next local day when it is 23:30 in Shanghai', () => {
    // 23:30 on 2 March in Shanghai is 15:30 UTC.
    expect(quietHoursEnd(new Date('2026-03-02T15:30:00Z'), SH, quiet)?.toISOString()).toBe('2026-03-02T23:00:00.000Z')
  })

  it('ends at 07:00 the same local day in the early morning', () => {
    expect(quietHoursEnd(new Date('2026-03-02T22:59:00Z'), SH, quiet)?.toISOString()).toBe('2026-03-02T23:00:00.000Z') // 06:59 on the 3rd
    expect(quietHoursEnd(new Date('2026-03-02T16:00:00Z'), SH, quiet)?.toISOString()).toBe('2026-03-02T23:00:00.000Z') // midnight
    expect(quietHoursEnd(new Date('2026-03-02T14:00:00Z'), SH, quiet)?.toISOString()).toBe('2026-03-02T23:00:00.000Z') // 22:00 exactly
  })

  it('is not in force from 07:00 to 21:59', () => {
    expect(quietHoursEnd(new Date('2026-03-02T23:00:00Z'), SH, quiet)).toBeNull() // 07:00
    expect(quietHoursEnd(new Date('2026-03-03T13:59:00Z'), SH, quiet)).toBeNull() // 21:59
    expect(quietHoursEnd(new Date('2026-03-03T04:00:00Z'), SH, quiet)).toBeNull() // noon
  })

  it('handles a window that does not wrap midnight', () => {
    const lunch = { start: '12:00', end: '13:30' }
    expect(quietHoursEnd(new Date('2026-03-02T03:59:00Z'), SH, lunch)).toBeNull() // 11:59
    expect(quietHoursEnd(new Date('2026-03-02T04:00:00Z'), SH, lunch)?.toISOString()).toBe('2026-03-02T05:30:00.000Z')
    expect(quietHoursEnd(new Date('2026-03-02T05:29:00Z'), SH, lunch)?.toISOString()).toBe('2026-03-02T05:30:00.000Z')
    expect(quietHoursEnd(new Date('2026-03-02T05:30:00Z'), SH, lunch)).toBeNull()
    expect(quietHoursEnd(new Date('2026-03-02T15:30:00Z'), SH, lunch)).toBeNull() // 23:30
  })

  it('has no quiet hours when start equals end', () => {
    for (const at of ['2026-03-02T15:30:00Z', '2026-03-02T23:00:00Z', '2026-03-02T04:00:00Z']) {
      expect(quietHoursEnd(new Date(at), SH, { start: '22:00', end: '22:00' })).toBeNull()
    }
  })

  it('crosses a daylight-saving change in New York correctly', () => {
    // 8 March 2026: clocks go from 02:00 EST to 03:00 EDT. 23:30 EST on the 7th is 04:30 UTC on the 8th;
    // 07:00 EDT on the 8th is 11:00 UTC.
    expect(quietHoursEnd(new Date('2026-03-08T04:30:00Z'), NY, quiet)?.toISOString()).toBe('2026-03-08T11:00:00.000Z')
    // 1 November 2026: back from 02:00 EDT to 01:00 EST. 07:00 EST is 12:00 UTC.
    expect(quietHoursEnd(new Date('2026-11-01T03:30:00Z'), NY, quiet)?.toISOString()).toBe('2026-11-01T12:00:00.000Z')
  })

  it('parses HH:MM and refuses anything else', () => {
    expect(parseHhMm('00:00')).toBe(0)
    expect(parseHhMm('07:00')).toBe(420)
    expect(parseHhMm('7:05')).toBe(425)
    expect(parseHhMm('23:59')).toBe(23 * 60 + 59)
    for (const bad of ['24:00', '12:60', '1200', '', 'ab:cd', '12:5', '-1:00']) expect(() => parseHhMm(bad)).toThrow(/HH:MM/)
    expect(() => quietHoursEnd(new Date(), SH, { start: '25:00', end: '07:00' })).toThrow(/HH:MM/)
  })
})

describe('zoned time', () => {
  it('finds the instant of a Shanghai wall-clock time', () => {
    expect(zonedTime(2026, 3, 2, 9, 5, SH).toISOString()).toBe('2026-03-02T01:05:00.000Z')
    expect(zonedTime(2026, 12, 32, 0, 0, SH).toISOString()).toBe('2026-12-31T16:00:00.000Z') // rolls over to 1 Jan
  })

  it('uses the right offset on either side of a New York daylight-saving change', () => {
    expect(zonedTime(2026, 3, 7, 12, 0, NY).toISOString()).toBe('2026-03-07T17:00:00.000Z') // EST
    expect(zonedTime(2026, 3, 8, 1, 59, NY).toISOString()).toBe('2026-03-08T06:59:00.000Z') // EST, just before
    expect(zonedTime(2026, 3, 8, 3, 0, NY).toISOString()).toBe('2026-03-08T07:00:00.000Z') // EDT, just after
    expect(zonedTime(2026, 3, 8, 12, 0, NY).toISOString()).toBe('2026-03-08T16:00:00.000Z') // EDT
    // 02:30 never happens that day: it is read as 03:30 EDT.
    expect(zonedTime(2026, 3, 8, 2, 30, NY).toISOString()).toBe('2026-03-08T07:30:00.000Z')
    // 01:30 on 1 November happens twice: the earlier (EDT) one.
    expect(zonedTime(2026, 11, 1, 1, 30, NY).toISOString()).toBe('2026-11-01T05:30:00.000Z')
    expect(zonedTime(2026, 11, 1, 12, 0, NY).toISOString()).toBe('2026-11-01T17:00:00.000Z') // EST
  })

  it('reads local parts and formats them', () => {
    expect(localParts(new Date('2026-03-01T17:05:09Z'), SH)).toEqual({ year: 2026, month: 3, day: 2, hour: 1, minute: 5, second: 9, weekday: 1 })
    expect(localParts(new Date('2026-03-01T16:00:00Z'), SH).hour).toBe(0)
    expect(formatLocal(new Date('2026-03-02T01:05:00Z'), SH)).toBe('2026-03-02 09:05')
    expect(formatLocal(new Date('2026-03-02T15:30:00Z'), SH)).toBe('2026-03-02 23:30')
    expect(formatLocal(new Date('2026-03-08T16:00:00Z'), NY)).toBe('2026-03-08 12:00')
  })
})

describe('scheduler', () => {
  let tdb: TestDatabase
  const schedulers: Scheduler[] = []

  beforeAll(async () => {
    tdb = await createTestDatabase()
  })
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop()
    await tdb.db.lease.deleteMany()
  })
  afterAll(async () => {
    await tdb.drop()
  })

  function recordingLog() {
    const lines: { level: string; obj: object; msg?: string }[] = []
    const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg })
    return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } }
  }

  function scheduler(instanceId: string, clock = new ManualClock(), log = recordingLog().log, db: Db = tdb.db): Scheduler {
    const s = new Scheduler({ db, instanceId, timeZone: SH, clock, log })
    schedulers.push(s)
    return s
  }

  it('lets exactly one coordinator win a slot, whoever asks first', async () => {
    const a = new DatabaseRunCoordinator(tdb.db, 'a')
    const b = new DatabaseRunCoordinator(tdb.db, 'b')
    for (let i = 0; i < 5; i++) {
      const key = `race:2026-03-02T01:00:0${i}.000Z`
      const results = await Promise.all([a.shouldRun(key, 30_000), b.shouldRun(key, 30_000), a.shouldRun(key, 30_000), b.shouldRun(key, 30_000)])
      expect(results.filter(Boolean)).toHaveLength(1)
    }
    expect(await a.shouldRun('other:2026-03-02T01:00:00.000Z', 30_000)).toBe(true)
    expect(await b.shouldRun('another:2026-03-02T01:00:00.000Z', 30_000)).toBe(true)
    // The slot row outlives a short ttl, so a late instance cannot fire the slot again.
    const row = await tdb.db.lease.findUniqueOrThrow({ where: { key: 'cron:other:2026-03-02T01:00:00.000Z' } })
    expect(row.holder).toBe('a')
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(23 * 60 * 60 * 1000)
  })

  it('prunes expired slot rows but leaves other leases alone', async () => {
    await tdb.db.lease.createMany({
      data: [
        { key: 'cron:old:2020-01-01T00:00:00.000Z', holder: 'x', expiresAt: new Date('2020-01-02T00:00:00Z') },
        { key: 'outbox:feishu', holder: 'x', expiresAt: new Date('2020-01-02T00:00:00Z') },
      ],
    })
    const c = new DatabaseRunCoordinator(tdb.db, 'c')
    expect(await c.shouldRun('new:2026-03-02T01:00:00.000Z', 1000)).toBe(true)
    const keys = (await tdb.db.lease.findMany({ orderBy: { key: 'asc' } })).map((l) => l.key)
    expect(keys).toEqual(['cron:new:2026-03-02T01:00:00.000Z', 'outbox:feishu'])
  })

  it('runs each slot of a job once in all across two instances on one database', async () => {
    // Which instance ran each tick, and how many tocks ran.
    const runs: string[] = []
    let tocks = 0
    const clock = new ManualClock()
    const job = (instance: string) => async () => {
      runs.push(instance)
      await new Promise((r) => setTimeout(r, 50))
    }
    const { lines, log } = recordingLog()
    // Two instances: each with its own client on the same database.
    const otherDb = openDatabase(tdb.url)
    const one = scheduler('one', clock, log)
    const two = scheduler('two', clock, log, otherDb)
    one.add('tick', '* * * * * *', job('one'))
    two.add('tick', '* * * * * *', job('two'))
    // A second job with the same schedule has its own slots.
    one.add('tock', '* * * * * *', async () => void tocks++)
    two.add('tock', '* * * * * *', async () => void tocks++)
    one.start()
    two.start()
    await waitUntil('three ticks and a tock to run', () => runs.length >= 3 && tocks >= 1)
    await Promise.all([one.stop(), two.stop()])
    await otherDb.$disconnect()
    // No coordinator failures (a missed-execution warning under load is harmless, so only errors count).
    expect(lines.filter((l) => l.level === 'error')).toEqual([])

    // Every tick that ran was claimed by the instance that ran it, and no slot ran twice: as many
    // runs as claimed slots, per instance and in all (both instances asked for every slot).
    const leases = await tdb.db.lease.findMany({ where: { key: { startsWith: 'cron:' } } })
    const ticks = leases.filter((l) => l.key.startsWith('cron:tick:'))
    expect(leases.filter((l) => l.key.startsWith('cron:tock:')).length).toBe(tocks)
    expect(runs).toHaveLength(ticks.length)
    for (const instance of ['one', 'two']) {
      expect(runs.filter((r) => r === instance).length, instance).toBe(ticks.filter((l) => l.holder === instance).length)
    }
  })

  it("gives the job the clock's time, and runNow runs it at once", async () => {
    const clock = new ManualClock(new Date('2026-03-02T01:00:00Z'))
    const seen: string[] = []
    const s = scheduler('solo', clock)
    s.add('digest', '0 9 * * 1', async (now) => void seen.push(now.toISOString()))
    expect(s.jobNames()).toEqual(['digest'])
    await s.runNow('digest')
    clock.advance(60_000)
    await s.runNow('digest')
    expect(seen).toEqual(['2026-03-02T01:00:00.000Z', '2026-03-02T01:01:00.000Z'])
    await expect(s.runNow('nope')).rejects.toThrow(/nope/)
  })

  it('refuses an invalid cron expression, naming the job', () => {
    const s = scheduler('bad')
    expect(() => s.add('weekly-digest', '61 * * * *', async () => {})).toThrow(/weekly-digest.*61 \* \* \* \*/)
    expect(() => s.add('reminders', 'every day', async () => {})).toThrow(/reminders/)
    s.add('ok', '*/5 * * * *', async () => {})
    expect(() => s.add('ok', '*/5 * * * *', async () => {})).toThrow(/already/)
    expect(s.jobNames()).toEqual(['ok'])
  })

  it('waits for a run under way when it stops, and can start again', async () => {
    const s = scheduler('stopper')
    let started = 0
    let finished = 0
    s.add('slow', '* * * * * *', async () => {
      started++
      await new Promise((r) => setTimeout(r, 300))
      finished++
    })
    s.start()
    await waitUntil('a first run', () => started > 0)
    await s.stop()
    expect(started).toBeGreaterThan(0)
    expect(finished).toBe(started)
    s.start()
    const again = started
    await waitUntil('a run after the restart', () => started > again)
    await s.stop()
    expect(started).toBeGreaterThan(again)
    expect(finished).toBe(started)
  })

  it('logs a job that throws and keeps going', async () => {
    const { lines, log } = recordingLog()
    const s = scheduler('flaky', new ManualClock(), log)
    let calls = 0
    s.add('flaky', '* * * * * *', async () => {
      calls++
      throw new Error('boom')
    })
    await s.runNow('flaky')
    expect(lines.some((l) => l.level === 'error' && (l.obj as { job?: string }).job === 'flaky' && (l.obj as { err?: Error }).err?.message === 'boom')).toBe(
      true,
    )
    s.start()
    await waitUntil('three failing runs', () => calls >= 3)
    await s.stop()
    expect(calls).toBeGreaterThanOrEqual(3)
    expect(lines.filter((l) => l.level === 'error' && l.msg === 'scheduled job failed').length).toBe(calls)
  })
})
