/**
 * Sliding-window rate limits, kept in memory by the one instance that sends for a platform
 * (the outbox elects it with a lease, so the limits hold across instances too).
 *
 * A platform counts a request when it arrives, which is somewhere between the moment we start
 * it and the moment it completes. So a send occupies its window from its start until one
 * window after its completion: the next send that would exceed the limit waits for that.
 */
export interface WindowRule {
  count: number
  perMs: number
}

export interface Bucket {
  key: string
  rules: WindowRule[]
}

export class RateLimiter {
  /** Completion times of finished sends, ascending, per key. */
  private readonly done = new Map<string, number[]>()
  /** Sends started and not yet finished, per key. */
  private readonly inFlight = new Map<string, number>()
  private readonly penaltyUntil = new Map<string, number>()

  /** Milliseconds to wait before one more send under all the buckets; 0 = now. */
  waitMs(buckets: Bucket[], now: number): number {
    let wait = 0
    for (const { key, rules } of buckets) {
      const penalty = this.penaltyUntil.get(key)
      if (penalty !== undefined) {
        if (penalty > now) wait = Math.max(wait, penalty - now)
        else this.penaltyUntil.delete(key)
      }
      const flying = this.inFlight.get(key) ?? 0
      const times = this.done.get(key) ?? []
      for (const rule of rules) {
        const windowStart = now - rule.perMs
        let inside = flying
        for (let i = times.length - 1; i >= 0 && times[i]! > windowStart; i--) inside++
        if (inside < rule.count) continue
        // `excess` sends must leave the window; finished ones leave one window after finishing.
        const excess = inside - rule.count + 1
        const finishedInside = inside - flying
        if (excess > finishedInside) {
          wait = Math.max(wait, 10) // waiting on sends still in flight
        } else {
          const leaving = times[times.length - finishedInside + excess - 1]!
          wait = Math.max(wait, leaving + rule.perMs - now + 1)
        }
      }
    }
    return wait
  }

  /** A send starts under these buckets; call the returned function when it has finished. */
  start(buckets: Bucket[]): (finishedAt: number) => void {
    for (const { key } of buckets) this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1)
    let finished = false
    return (finishedAt: number) => {
      if (finished) return
      finished = true
      for (const { key, rules } of buckets) {
        this.inFlight.set(key, Math.max(0, (this.inFlight.get(key) ?? 1) - 1))
        const longest = Math.max(0, ...rules.map((r) => r.perMs))
        const times = this.done.get(key) ?? []
        // Keep ascending order (sends can finish out of order).
        let i = times.length
        while (i > 0 && times[i - 1]! > finishedAt) i--
        times.splice(i, 0, finishedAt)
        while (times.length > 0 && times[0]! <= finishedAt - longest) times.shift()
        this.done.set(key, times)
      }
    }
  }

  /** The platform refused for this key: hold it back for a while. */
  penalize(key: string, untilMs: number): void {
    this.penaltyUntil.set(key, Math.max(untilMs, this.penaltyUntil.get(key) ?? 0))
  }
}
