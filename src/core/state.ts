/**
 * Conversation state, typed: what a feature remembers about a person (or a sender not bound yet)
 * between two messages — a survey in progress, an intent offer awaiting its answer, recent
 * binding failures. Each feature keeps its part under its own namespace, declared once with
 * `stateSlot(namespace, schema)`: a value is checked against the schema when read (a value that
 * does not match reads as absent) and may carry an expiry (after it, it reads as absent and is
 * dropped at the next write). One Conversation row per (platform, subject) holds every
 * namespace's part, so clearing one part keeps the others; a bound person's subject is
 * `personSubject(id)`, so retiring a person deletes their row (src/organisation).
 *
 * Adapters keep their own state (WeCom's response_urls and pressed cards, Wechaty's choices) in
 * AdapterState (adapter-state.ts), reached through the ports of adapter-ports.ts.
 */
import { z } from 'zod'
import type { Tx } from '../db/client.js'
import type { Platform } from './types.js'

export interface StateSlot<T> {
  readonly namespace: string
  readonly schema: z.ZodType<T>
}

const namespaces = new Set<string>()

/** Declares a namespace and the shape of its values (once per namespace). */
export function stateSlot<T>(namespace: string, schema: z.ZodType<T>): StateSlot<T> {
  if (namespaces.has(namespace)) throw new Error(`conversation state namespace "${namespace}" declared twice`)
  namespaces.add(namespace)
  return { namespace, schema }
}

/** Whose state it is: a platform and a subject on it (`personSubject(id)` for a bound person). */
export interface StateKey {
  platform: Platform
  subject: string
}

/** The subject of a bound person's state. */
export const personSubject = (personId: number): string => `person:${personId}`

const entrySchema = z.object({ value: z.unknown(), expiresAt: z.string().nullable() })
type Entry = z.infer<typeof entrySchema>

function partsOf(state: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(state)
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** A part as stored; rows written before this store held the bare value, without an expiry. */
function entryOf(part: unknown): Entry | null {
  if (part === undefined) return null
  const entry = entrySchema.safeParse(part)
  return entry.success ? entry.data : { value: part, expiresAt: null }
}

const expired = (entry: Entry, now: Date) => entry.expiresAt !== null && !(new Date(entry.expiresAt).getTime() > now.getTime())

const whereOf = (key: StateKey) => ({ platform_subject: { platform: key.platform, subject: key.subject } })

/** Writes the row's parts back, dropping expired ones; no part left: no row. */
async function write(tx: Tx, key: StateKey, parts: Record<string, unknown>, now: Date, rowId: number | undefined): Promise<void> {
  for (const [ns, part] of Object.entries(parts)) {
    const entry = entryOf(part)
    if (!entry || expired(entry, now)) delete parts[ns]
  }
  if (Object.keys(parts).length === 0) {
    if (rowId !== undefined) await tx.conversation.delete({ where: { id: rowId } })
    return
  }
  const value = JSON.stringify(parts)
  await tx.conversation.upsert({ where: whereOf(key), create: { platform: key.platform, subject: key.subject, state: value }, update: { state: value } })
}

export const conversationState = {
  /** The slot's value for this key, or null when there is none, it has expired, or it does not match the schema. */
  async get<T>(tx: Tx, slot: StateSlot<T>, key: StateKey, now: Date): Promise<T | null> {
    const row = await tx.conversation.findUnique({ where: whereOf(key) })
    const entry = row ? entryOf(partsOf(row.state)[slot.namespace]) : null
    if (!entry || expired(entry, now)) return null
    const parsed = slot.schema.safeParse(entry.value)
    return parsed.success ? parsed.data : null
  },

  /** Sets the slot's value for this key (until `expiresAt`, or with null until cleared), keeping the other namespaces' parts. */
  async set<T>(tx: Tx, slot: StateSlot<T>, key: StateKey, value: T, expiresAt: Date | null, now: Date): Promise<void> {
    const row = await tx.conversation.findUnique({ where: whereOf(key) })
    const parts = row ? partsOf(row.state) : {}
    parts[slot.namespace] = { value: slot.schema.parse(value), expiresAt: expiresAt?.toISOString() ?? null } satisfies Entry
    await write(tx, key, parts, now, row?.id)
  },

  /** Ends the slot's value for this key, keeping the other namespaces' parts. */
  async clear<T>(tx: Tx, slot: StateSlot<T>, key: StateKey, now: Date): Promise<void> {
    const row = await tx.conversation.findUnique({ where: whereOf(key) })
    if (!row) return
    const parts = partsOf(row.state)
    delete parts[slot.namespace]
    await write(tx, key, parts, now, row.id)
  },
}
