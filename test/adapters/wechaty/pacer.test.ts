import { describe, expect, it } from 'vitest'
import { ThrottledError } from '../../../src/core/types.js'
import { AccountPacer } from '../../../adapters/wechaty/pacer.js'

/** The account's sending queue on its own: real timers, small numbers. */
describe('AccountPacer', () => {
  const settings = { paceMs: 60, jitterMs: 0, msPerChar: 0, dailyLimit: 100, timeZone: 'Asia/Shanghai' }

  it('sends started at once go out one at a time, in order, a pace apart', async () => {
    const pacer = new AccountPacer(settings)
    const at: { n: number; start: number; end: number }[] = []
    let running = 0
    let overlapped = false
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        pacer.run(5, async () => {
          if (running++ > 0) overlapped = true
          const start = Date.now()
          await new Promise((r) => setTimeout(r, 10))
          running--
          at.push({ n, start, end: Date.now() })
        }),
      ),
    )
    expect(overlapped).toBe(false)
    expect(at.map((x) => x.n)).toEqual([1, 2, 3, 4])
    for (let i = 1; i < at.length; i++) expect(at[i]!.start - at[i - 1]!.end).toBeGreaterThanOrEqual(60 - 2)
  })

  it('waits longer before a longer message, and adds the jitter drawn', async () => {
    const pacer = new AccountPacer({ ...settings, paceMs: 20, jitterMs: 100, msPerChar: 2 }, () => 0.5)
    const starts: number[] = []
    let end = 0
    await pacer.run(1, async () => void (end = Date.now()))
    await pacer.run(100, async () => void starts.push(Date.now()))
    // 20 pace + 50 jitter (half of 100) + 200 for 100 characters.
    expect(starts[0]! - end).toBeGreaterThanOrEqual(270 - 2)
  })

  it('past the daily ceiling, sends are refused with the time until the next day, and the queue goes on', async () => {
    let now = new Date('2026-12-01T15:00:00Z') // 23:00 in Shanghai
    const pacer = new AccountPacer({ ...settings, paceMs: 0, dailyLimit: 2 }, Math.random, () => now)
    const sent: number[] = []
    const results = await Promise.allSettled([1, 2, 3].map((n) => pacer.run(1, async () => void sent.push(n))))
    expect(sent).toEqual([1, 2])
    const refused = results[2]
    expect(refused?.status).toBe('rejected')
    const err = (refused as PromiseRejectedResult).reason as ThrottledError
    expect(err).toBeInstanceOf(ThrottledError)
    expect(err.retryAfterMs).toBe(60 * 60 * 1000)
    expect(pacer.usedToday).toBe(2)
    // The next day in Shanghai, the ceiling starts again.
    now = new Date('2026-12-01T16:00:30Z')
    await pacer.run(1, async () => void sent.push(4))
    expect(sent).toEqual([1, 2, 4])
  })
})
