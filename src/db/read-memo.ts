/**
 * Reads of the organisation's standing data repeated within one batch of events, answered from
 * memory. Events handled together in one transaction ask the same questions again and again —
 * the voter's poll and its options, a unit's ladder, its officers, the categories, a group's
 * binding — and each question costs a statement (on the JavaScript thread: Prisma compiles it,
 * the driver prepares it). Inside `withReadMemo` the first answer to a read of a standing-data
 * model is kept and later identical reads get a copy of it.
 *
 * Kept true: a write to any standing-data model (or any raw statement that may write) forgets
 * everything, so an event sees what an earlier event in the batch changed; a read that includes a
 * relation outside the standing data (a person's requests, a poll's votes) is never kept; answers
 * are copies, so a caller changing one changes nothing for the next. The memo lives as long as
 * the batch (its transactions take a few hundred milliseconds at most, see event-runner.ts): what
 * another instance or the API commits meanwhile is seen by the next batch, as if the batch had been
 * handled a moment earlier. After a transaction that rolled back, the memo is forgotten.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { holdsRowsOf } from './held-writes.js'

/** The models read far more often than written while handling events. */
const STANDING = new Set([
  'Unit',
  'Grid',
  'GridCollector',
  'Person',
  'PlatformIdentity',
  'ChatGroup',
  'RequestCategory',
  'OfficerCategory',
  'Setting',
  'Campaign',
  'Poll',
  'PollOption',
  'PollTarget',
  'SurveyQuestion',
])

/**
 * Models written while handling, row by row or person by person (a vote; a person's requests and
 * authorships, read by the duplicate check): a read is remembered only when its `where` names its
 * row or person (`rowOf`); a write forgets the reads of the rows or people it names (in `where`, or
 * in each created row's data, a createMany's too), and all of the model's remembered reads when it
 * names none (an update by id, an anonymous request).
 */
const KEYED: Record<string, (fields: Record<string, unknown>) => string | null> = {
  PollVote: (fields) => {
    const key = (fields.pollId_voterKey ?? fields) as { pollId?: unknown; voterKey?: unknown }
    return typeof key.pollId === 'number' && typeof key.voterKey === 'string' ? `${key.pollId}\u0000${key.voterKey}` : null
  },
  RequestAuthor: (fields) => (typeof fields.personId === 'number' ? `person ${fields.personId}` : null),
  // A person's requests: `requesterId` at the top, or in an OR beside nothing but `id` lists (their
  // anonymous ones). A read that also matches other people's rows (`filedById`, say) names nobody.
  WorkerRequest: (fields) => {
    if (Array.isArray(fields.OR)) {
      const alternatives = fields.OR as Record<string, unknown>[]
      const requesters = alternatives.filter((o) => 'requesterId' in o)
      const ids = alternatives.filter((o) => Object.keys(o).length === 1 && 'id' in o)
      if (requesters.length !== 1 || requesters.length + ids.length !== alternatives.length) return null
      return typeof requesters[0]!.requesterId === 'number' ? `person ${requesters[0]!.requesterId}` : null
    }
    return typeof fields.requesterId === 'number' ? `person ${fields.requesterId}` : null
  },
}

const READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany'])
/** Raw statements that cannot write. */
const RAW_READS = new Set(['$queryRaw', '$queryRawUnsafe'])

/** For each model, the model each of its relation fields leads to (from the generated client's data model). */
export type RelationMap = Record<string, Record<string, string>>

export function relationMap(dataModel: { models: Record<string, { fields: readonly { name: string; kind: string; type: string }[] }> }): RelationMap {
  const map: RelationMap = {}
  for (const [model, { fields }] of Object.entries(dataModel.models))
    map[model] = Object.fromEntries(fields.filter((f) => f.kind === 'object').map((f) => [f.name, f.type]))
  return map
}

class ReadMemo {
  readonly answers = new Map<string, unknown>()
  /** For a keyed model's remembered reads: the row each one is about. */
  readonly rows = new Map<string, string | null>()
  hits = 0
  forget(): void {
    this.answers.clear()
    this.rows.clear()
  }
}

const current = new AsyncLocalStorage<ReadMemo>()

/** Runs `work` (a batch of events) with standing-data reads remembered; answers its result. */
export function withReadMemo<T>(work: () => Promise<T>): Promise<T> {
  return current.run(new ReadMemo(), work)
}

/** Forgets what was remembered: after a transaction rolled back, its reads may show writes that never happened. */
export function forgetReads(): void {
  current.getStore()?.forget()
}

/**
 * Remembers an answer read another way — one query for a whole batch — as the answer to the read
 * `model.operation(args)` a handler will make, so that read is not asked. Outside a memo it does nothing.
 */
export function primeRead(model: string, operation: string, args: unknown, answer: unknown): void {
  const memo = current.getStore()
  if (!memo) return
  const key = keyOf(model, operation, args)
  memo.answers.set(key, copyOf(answer))
  const rowOf = KEYED[model]
  const where = (args as { where?: Record<string, unknown> } | undefined)?.where
  if (rowOf) memo.rows.set(key, where ? rowOf(where) : null)
}

/**
 * Work that reads standing data only (never the keyed models), remembered for the batch as a read
 * is, under `name` and `key`, and forgotten when its reads would be: a unit's ladder, a level's
 * officers, asked for every request filed. Spares the reads' own calls through Prisma's client,
 * which cost even when remembered. Outside a memo it just runs.
 */
export async function rememberedWork<T>(name: string, key: string | number, work: () => Promise<T>): Promise<T> {
  const memo = current.getStore()
  if (!memo) return work()
  return remembered(memo, `work ${name}:${key}`, undefined, work) as Promise<T>
}

/**
 * A transaction client whose remembered reads are answered before they reach Prisma's client: its
 * pipeline (the query's JSON, the extension hooks, their promises) costs a read tens of
 * microseconds even when this memo answers it, and a batch's events make such reads several times
 * an event (in-process, 12–19% of a filing's handling time). The answer is what the hook would give — a
 * copy of the same remembered answer, under the same key — and a read it does not find, a read
 * while rows of its model are held back (held-writes.ts: the hook writes them first), and every
 * write go to `tx` as before, so the hook still remembers and forgets. Outside a memo, `tx` itself.
 */
export function answeringFirst<T extends object>(tx: T): T {
  const memo = current.getStore()
  if (!memo) return tx
  const fronts = new Map<string, object>()
  return new Proxy(tx, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property)
      if (typeof property !== 'string' || value === null || typeof value !== 'object') return value
      const model = property[0]!.toUpperCase() + property.slice(1)
      if (!STANDING.has(model) && !(model in KEYED)) return value
      let front = fronts.get(model)
      if (!front) fronts.set(model, (front = modelFront(memo, model, value as Record<string, unknown>)))
      return front
    },
  })
}

/** A model's delegate with its reads answered from `memo` when remembered (see `answeringFirst`). */
function modelFront(memo: ReadMemo, model: string, delegate: Record<string, unknown>): object {
  const methods = new Map<string, unknown>()
  return new Proxy(delegate, {
    get(target, operation) {
      const method = Reflect.get(target, operation)
      if (typeof operation !== 'string' || typeof method !== 'function') return method
      let front = methods.get(operation)
      if (front === undefined) {
        const call = (args: unknown) => method.call(target, args)
        front = READS.has(operation)
          ? (args: unknown) => {
              const kept = holdsRowsOf(model, true) ? undefined : keptAnswer(memo, model, operation, args)
              return kept === undefined ? call(args) : Promise.resolve(kept)
            }
          : call
        methods.set(operation, front)
      }
      return front
    },
  })
}

/** A copy of the answer remembered for the read `model.operation(args)`, if any (its arguments as the hook keys them). */
function keptAnswer(memo: ReadMemo, model: string, operation: string, args: unknown): unknown {
  let key: string
  try {
    key = keyOf(model, operation, args)
  } catch {
    return undefined // arguments JSON cannot write (a BigInt): never remembered
  }
  return keptCopy(memo, key)
}

/** A copy of the answer remembered under `key` (counted as a hit), or undefined. */
function keptCopy(memo: ReadMemo, key: string): unknown {
  const kept = memo.answers.get(key)
  if (kept === undefined) return undefined
  memo.hits++
  return copyOf(kept)
}

const keyOf = (model: string, operation: string, args: unknown) => `${model}.${operation}:${JSON.stringify(args)}`

/** True when every relation the read includes or selects (at any depth) is standing data too. */
function standingOnly(relations: RelationMap, model: string, args: unknown): boolean {
  if (!args || typeof args !== 'object') return true
  for (const part of ['include', 'select'] as const) {
    const nested = (args as Record<string, unknown>)[part]
    if (!nested || typeof nested !== 'object') continue
    for (const [field, value] of Object.entries(nested)) {
      if (!value) continue
      if (field === '_count') return false
      const target = relations[model]?.[field]
      if (target === undefined) continue // a scalar column
      if (!STANDING.has(target) || !standingOnly(relations, target, value)) return false
    }
  }
  return true
}

/**
 * The query hook: a Prisma `$allOperations` extension body. Outside `withReadMemo` it only runs the
 * query.
 */
export function memoised(relations: RelationMap) {
  return async ({ model, operation, args, query }: { model?: string; operation: string; args: unknown; query: (args: unknown) => Promise<unknown> }) => {
    const memo = current.getStore()
    if (!memo) return query(args)
    if (model === undefined) {
      if (!RAW_READS.has(operation)) memo.forget()
      return query(args)
    }
    const rowOf = KEYED[model]
    if (rowOf) return keyed(memo, model, rowOf, operation, args, query)
    if (!STANDING.has(model)) return query(args)
    if (!READS.has(operation)) {
      memo.forget()
      return query(args)
    }
    if (!standingOnly(relations, model, args)) return query(args)
    let key: string
    try {
      key = keyOf(model, operation, args)
    } catch {
      return query(args) // arguments JSON cannot write (a BigInt): asked, not remembered
    }
    return remembered(memo, key, args, query)
  }
}

/**
 * A copy of an answer: its rows, lists and times anew. A query's answer is rows of plain objects, so
 * they are copied as such (structuredClone, which serialises, took a twentieth of the handling's
 * time); anything else (bytes) is cloned.
 */
export function copyOf<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(copyOf) as T
  if (value instanceof Date) return new Date(value.getTime()) as T
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return structuredClone(value)
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(value)) out[k] = copyOf((value as Record<string, unknown>)[k])
  return out as T
}

/** The remembered answer to a read (a copy), or the database's, remembered. */
async function remembered(memo: ReadMemo, key: string, args: unknown, query: (args: unknown) => Promise<unknown>): Promise<unknown> {
  const kept = keptCopy(memo, key)
  if (kept !== undefined) return kept
  const answer = await query(args)
  memo.answers.set(key, copyOf(answer))
  return answer
}

/** A keyed model's read or write (see KEYED). */
async function keyed(
  memo: ReadMemo,
  model: string,
  rowOf: (fields: Record<string, unknown>) => string | null,
  operation: string,
  args: unknown,
  query: (args: unknown) => Promise<unknown>,
): Promise<unknown> {
  const a = (args ?? {}) as { where?: Record<string, unknown>; data?: unknown }
  const named = a.where ? rowOf(a.where) : a.data && !Array.isArray(a.data) ? rowOf(a.data as Record<string, unknown>) : null
  if (READS.has(operation)) {
    if (named === null || (operation !== 'findUnique' && operation !== 'findMany')) return query(args)
    const key = keyOf(model, operation, args)
    memo.rows.set(key, named)
    return remembered(memo, key, args, query)
  }
  // A write names its rows: by `where`, or by each created row's data (createMany names them all, or none).
  forgetRows(memo, model, a.where || !Array.isArray(a.data) ? [named] : (a.data as Record<string, unknown>[]).map(rowOf))
  return query(args)
}

/** Forgets a keyed model's remembered reads of the rows written (all of them when a row names none). */
function forgetRows(memo: ReadMemo, model: string, written: (string | null)[]): void {
  const all = written.length === 0 || written.includes(null)
  for (const [key, row] of memo.rows)
    if (key.startsWith(`${model}.`) && (all || written.includes(row))) {
      memo.rows.delete(key)
      memo.answers.delete(key)
    }
}

/**
 * Rows inserted without Prisma's client (direct-writes.ts): what the batch remembers of them is
 * forgotten, as the hook forgets it for a write through the client.
 */
export function rowsWritten(model: string, rows: readonly object[]): void {
  const memo = current.getStore()
  if (!memo) return
  const rowOf = KEYED[model]
  if (rowOf)
    forgetRows(
      memo,
      model,
      rows.map((r) => rowOf(r as Record<string, unknown>)),
    )
  else if (STANDING.has(model)) memo.forget()
}
