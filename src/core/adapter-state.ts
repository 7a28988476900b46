import { isUniqueViolation, type Db } from '../db/client.js'
import type { Clock } from './clock.js'
import type { Platform } from './types.js'

export interface StateEntry<T> {
  value: T
  expiresAt: number
}

/**
 * A small keyed store an adapter keeps its own state in (e.g. which commands a card's numbered
 * choices stand for), namespaced per platform and purpose, each entry with an expiry. Kept in the
 * database, so it survives a restart and is shared by every instance.
 */
export class AdapterState<T> {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly platform: Platform,
    private readonly namespace: string,
  ) {}

  private subject(key: string): string {
    return `${this.namespace}:${key}`
  }

  /** The entry, if there is one that has not expired. */
  async entry(key: string): Promise<StateEntry<T> | undefined> {
    const row = await this.db.conversation.findUnique({ where: { platform_subject: { platform: this.platform, subject: this.subject(key) } } })
    if (!row) return undefined
    let entry: Partial<StateEntry<T>>
    try {
      entry = JSON.parse(row.state) as Partial<StateEntry<T>>
    } catch {
      return undefined
    }
    if (typeof entry.expiresAt !== 'number' || entry.expiresAt <= this.clock.now().getTime() || entry.value === undefined) return undefined
    return entry as StateEntry<T>
  }

  async get(key: string): Promise<T | undefined> {
    return (await this.entry(key))?.value
  }

  /** Keeps `value` under `key` for `ttlMs` (replacing what was there). */
  set(key: string, value: T, ttlMs: number): Promise<void> {
    return this.setUntil(key, value, this.clock.now().getTime() + ttlMs)
  }

  async setUntil(key: string, value: T, expiresAt: number): Promise<void> {
    const state = JSON.stringify({ value, expiresAt } satisfies StateEntry<T>)
    const subject = this.subject(key)
    await this.db.conversation.upsert({
      where: { platform_subject: { platform: this.platform, subject } },
      create: { platform: this.platform, subject, state },
      update: { state },
    })
  }

  async delete(key: string): Promise<void> {
    await this.db.conversation.deleteMany({ where: { platform: this.platform, subject: this.subject(key) } })
  }

  /** Keeps `value` under `key` for `ttlMs` unless the key is taken already (then false): entries written this way are never updated, so instances never race on one. */
  async add(key: string, value: T, ttlMs: number): Promise<boolean> {
    const state = JSON.stringify({ value, expiresAt: this.clock.now().getTime() + ttlMs } satisfies StateEntry<T>)
    try {
      await this.db.conversation.create({ data: { platform: this.platform, subject: this.subject(key), state } })
      return true
    } catch (error) {
      if (isUniqueViolation(error)) return false
      throw error
    }
  }

  /** Removes the entry and answers its value, if it was there and had not expired; of two instances taking one entry, one gets it. */
  async take(key: string): Promise<T | undefined> {
    const entry = await this.entry(key)
    const taken = await this.db.conversation.deleteMany({ where: { platform: this.platform, subject: this.subject(key) } })
    return taken.count === 1 ? entry?.value : undefined
  }

  /** Keys starting with `prefix` (exactly: not as a LIKE pattern), oldest first, at most `limit`. */
  async keys(prefix: string, limit = 50): Promise<string[]> {
    const start = this.subject(prefix)
    const rows = await this.db.conversation.findMany({
      where: { platform: this.platform, subject: { startsWith: start } },
      orderBy: { id: 'asc' },
      take: limit,
      select: { subject: true },
    })
    // LIKE treats "_" as a wildcard: the exact prefix is checked again here.
    return rows.filter((r) => r.subject.startsWith(start)).map((r) => r.subject.slice(this.namespace.length + 1))
  }

  /** Drops entries of this namespace last written more than `ms` ago by the wall clock (whatever their expiry; `updatedAt` is the database's). */
  async prune(ms: number): Promise<void> {
    await this.db.conversation.deleteMany({
      where: { platform: this.platform, subject: { startsWith: `${this.namespace}:` }, updatedAt: { lt: new Date(Date.now() - ms) } },
    })
  }
}
