import type { Db } from '../db/client.js'

/**
 * A short database lease: the one instance holding `key` does the work it names (sending for a
 * platform, firing a scheduled tick). Taking it is one conditional write, so two instances on
 * one database can never both hold it.
 */
export async function tryAcquireLease(db: Db, key: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
  const expiresAt = new Date(now.getTime() + ttlMs)
  const taken = await db.lease.updateMany({
    where: { key, OR: [{ holder }, { expiresAt: { lt: now } }] },
    data: { holder, expiresAt },
  })
  if (taken.count === 1) return true
  try {
    await db.lease.create({ data: { key, holder, expiresAt } })
    return true
  } catch {
    return false
  }
}

export async function releaseLease(db: Db, key: string, holder: string): Promise<void> {
  await db.lease.deleteMany({ where: { key, holder } })
}

/** Whether `holder` holds the lease `key` now. */
export async function leaseHeldBy(db: Db, key: string, holder: string, now: Date): Promise<boolean> {
  const lease = await db.lease.findUnique({ where: { key } })
  return !!lease && lease.holder === holder && lease.expiresAt > now
}
