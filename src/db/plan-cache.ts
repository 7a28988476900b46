/**
 * Prisma's query plans, compiled once per shape of query. Prisma 6's client compiles every query
 * (its JSON form) into a plan in WebAssembly, each time it is asked — a quarter of the service's
 * CPU when it files requests or counts votes, half a millisecond a query and two for a batch's
 * outbox rows. The values of a query (ids, texts, times) rarely change the plan, only its
 * arguments: so the values are taken out of the query as parameters (`{ $type: 'Param' }`, which
 * the compiler understands and leaves in the plan as placeholders), the plan of that shape is
 * compiled once and kept, and each query gets a copy with its own values where the placeholders
 * were, written as the compiler would have written them (an Int as its decimal text, a time as its
 * ISO text). Prisma 7 does the same inside the client; this is it for the Prisma we can install.
 *
 * Kept true (test/db/plan-cache.test.ts; the whole suite checks every cached plan against a fresh
 * compile, `checkCachedPlans`):
 * - what shapes a plan stays in the shape: nulls, list lengths, `take`/`skip`/`orderBy`, text
 *   searches (`contains` writes its value into a LIKE pattern), other tagged values (Bytes, field
 *   references) and raw SQL (never cached);
 * - equal values share one parameter, so a plan that depends on two values being equal (an upsert
 *   whose `where` names the row it creates runs as one INSERT … ON CONFLICT) is still that plan —
 *   except in the rows of a createMany, where it would only make a shape of every batch;
 * - a parameter of a type not written here (none in this schema: Float, Decimal, Json, an enum)
 *   has its query compiled as written. (A value of the wrong type for its field, a text for an
 *   Int, is refused by Prisma's client before it reaches the compiler.)
 */
import * as postgresCompiler from '@prisma/client/runtime/query_compiler_bg.postgresql.mjs'
import * as sqliteCompiler from '@prisma/client/runtime/query_compiler_bg.sqlite.mjs'
import { LRUCache } from 'lru-cache'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Value = string | number | boolean | { $type: 'DateTime'; value: string }
interface Placeholder {
  prisma__type: 'param'
  prisma__value: { name: string; type: string }
}

/** Our parameters' names; the plan has its own (`0$name`, `@generated$row0$createdAt`), left as they are. */
const PREFIX = 'gy$'
/** Argument keys whose values shape the SQL or the work done after it: never parameters. */
const SHAPING = new Set([
  'take',
  'skip',
  'orderBy',
  'distinct',
  'cursor',
  'skipDuplicates',
  'by',
  'having',
  'mode',
  'contains',
  'startsWith',
  'endsWith',
  'search',
  'relationLoadStrategy',
])
/** Raw SQL carries its own parameters; its plans are not kept. */
const RAW = new Set(['queryRaw', 'executeRaw', 'runCommandRaw', 'findRaw', 'aggregateRaw'])
/**
 * Queries with more values than this are compiled as written: past SQLite's 999 parameters the
 * compiler splits an `in` list over several statements and orders it first, by value as written
 * and by name as parameters (the same rows, but not the same plan). Such queries are imports.
 */
const MAX_VALUES = 900
/**
 * Plans kept at most, and the most characters of their queries' shapes (a plan's size follows its
 * query's): a batch's createMany is a shape per row count, the service uses a few hundred shapes.
 * The least recently used goes first.
 */
const MAX_PLANS = 2000
const MAX_SHAPE_CHARS = 4_000_000

/** Kept plans by shape, the least recently used dropped first; `unfit` for a shape compiled as written. */
const newPlans = () => new LRUCache<string, Kept | typeof UNFIT>({ max: MAX_PLANS, maxSize: MAX_SHAPE_CHARS, sizeCalculation: (_kept, shape) => shape.length })
/** A shape the compiler will not take with parameters. */
const UNFIT = { unfit: true } as const

interface Parameterized {
  key: string
  values: Value[]
}

/** The query with its values as parameters (equal values one parameter), and the values in order. */
function parameterize(query: { action?: string; query?: { arguments?: Json; selection?: Json } }): Parameterized | null {
  if (!query.query || (query.action && RAW.has(query.action))) return null
  const values: Value[] = []
  const names = new Map<string, string>()
  // Rows inserted together share no parameters: which of their values happen to be equal (a unit,
  // a time) would make a shape of every batch. Nothing in an insert's plan depends on it.
  const shared = query.action !== 'createMany' && query.action !== 'createManyAndReturn'
  const param = (value: Value, identity: string): Json => {
    let name = shared ? names.get(identity) : undefined
    if (name === undefined) {
      name = `${PREFIX}${values.length}`
      names.set(identity, name)
      values.push(value)
    }
    return { $type: 'Param', value: name }
  }
  const args = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(args)
    if (node === null) return null
    switch (typeof node) {
      case 'string':
        return param(node, `s${node}`)
      case 'number':
        return Number.isSafeInteger(node) ? param(node, `n${node}`) : node
      case 'boolean':
        return param(node, `b${node}`)
      case 'object': {
        if ('$type' in node) return node.$type === 'DateTime' && typeof node.value === 'string' ? param(node as Value, `d${node.value}`) : node
        const out: Record<string, Json> = {}
        for (const [k, v] of Object.entries(node)) out[k] = SHAPING.has(k) ? v : args(v)
        return out
      }
      default:
        return node
    }
  }
  // A relation read with the query (`include: { events: { where } }`) carries arguments of its own.
  const selection = (node: Json): Json => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return node
    const out: Record<string, Json> = {}
    for (const [k, v] of Object.entries(node)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && ('arguments' in v || 'selection' in v)) {
        out[k] = {
          ...v,
          ...(v.arguments !== undefined ? { arguments: args(v.arguments) } : {}),
          ...(v.selection !== undefined ? { selection: selection(v.selection) } : {}),
        }
      } else out[k] = v
    }
    return out
  }
  const shaped = {
    ...query,
    query: {
      ...query.query,
      ...(query.query.arguments !== undefined ? { arguments: args(query.query.arguments) } : {}),
      ...(query.query.selection !== undefined ? { selection: selection(query.query.selection) } : {}),
    },
  }
  return values.length && values.length <= MAX_VALUES ? { key: JSON.stringify(shaped), values } : null
}

class DoesNotFit extends Error {}

/** A value as the compiler writes it into a plan for a field of this type. */
function inline(value: Value, type: string): unknown {
  switch (type) {
    case 'Int':
    case 'BigInt':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
      break
    case 'String':
      if (typeof value === 'string') return value
      break
    case 'Boolean':
      if (typeof value === 'boolean') return value
      break
    case 'DateTime':
      if (typeof value === 'object') return value.value
      break
  }
  throw new DoesNotFit()
}

const isPlaceholder = (node: object): node is Placeholder => (node as Placeholder).prisma__type === 'param'

/** The nodes of a kept plan under which one of our placeholders is: only those are copied. */
function markParameterized(node: unknown, marked: WeakSet<object>): boolean {
  if (node === null || typeof node !== 'object') return false
  if (isPlaceholder(node)) return node.prisma__value.name.startsWith(PREFIX)
  let any = false
  for (const child of Array.isArray(node) ? node : Object.values(node)) if (markParameterized(child, marked)) any = true
  if (any) marked.add(node)
  return any
}

function fill(node: unknown, values: Value[], marked: WeakSet<object>): unknown {
  if (node === null || typeof node !== 'object') return node
  if (isPlaceholder(node)) {
    const { name, type } = node.prisma__value
    return name.startsWith(PREFIX) ? inline(values[Number(name.slice(PREFIX.length))]!, type) : node
  }
  if (!marked.has(node)) return node
  if (Array.isArray(node)) return node.map((n) => fill(n, values, marked))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) out[k] = fill(v, values, marked)
  return out
}

/**
 * Where a query's arguments are typed by their values rather than their fields, as the compiler
 * types a value written in the query: an integer is sent as a bigint (with a parameter, the field's
 * int). Changes the kept plan itself, once.
 */
function asWritten(node: unknown): void {
  if (node === null || typeof node !== 'object') return
  const n = node as { args?: unknown; argTypes?: unknown }
  if (Array.isArray(n.args) && Array.isArray(n.argTypes) && n.args.length === n.argTypes.length) {
    n.argTypes = n.argTypes.map((type: { scalarType?: string }, i) => {
      const arg = (n.args as unknown[])[i]
      const ours = arg !== null && typeof arg === 'object' && isPlaceholder(arg) && arg.prisma__value.name.startsWith(PREFIX)
      return ours && arg.prisma__value.type === 'Int' && type.scalarType === 'int' ? { ...type, scalarType: 'bigint' } : type
    })
  }
  for (const child of Array.isArray(node) ? node : Object.values(node)) asWritten(child)
}

interface TemplateSql {
  type: 'templateSql'
  fragments: { type: string }[]
  args: unknown[]
  chunkable?: boolean
}

/**
 * A statement whose SQL takes no lists of values is never split over several statements: marked so
 * (`chunkable: false`), Prisma's interpreter writes its SQL in one pass of its generators instead
 * of three (it counts and splits the values of a chunkable statement first, which for such a
 * statement makes the one chunk of all its values). Changes the kept plan itself, once.
 */
function unchunked(node: unknown): void {
  if (node === null || typeof node !== 'object') return
  const t = node as TemplateSql
  if (t.type === 'templateSql' && t.chunkable && t.fragments.every((f) => f.type === 'parameter' || f.type === 'stringChunk')) t.chunkable = false
  for (const child of Array.isArray(node) ? node : Object.values(node)) unchunked(child)
}

interface Kept {
  plan: unknown
  marked: WeakSet<object>
}

interface Compiler {
  compile(query: string): unknown
}

let checking = false
const stats = { compiled: 0, reused: 0 }

/** How many plans were compiled and how many answered from the cache, since the process started. */
export function planCacheStats(): { compiled: number; reused: number } {
  return { ...stats }
}

/**
 * For the tests: every plan answered from the cache is compared with the plan Prisma compiles for
 * the query as written, and a difference throws (naming the query). The whole suite runs with it.
 */
export function checkCachedPlans(): void {
  checking = true
}

/** A freshly compiled plan changed as kept plans are (to compare the two). */
function asKept(plan: unknown): unknown {
  unchunked(plan)
  return plan
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function cachedCompile(original: (this: Compiler, query: string) => unknown): (this: Compiler, query: string) => unknown {
  // One cache per compiler (one per database provider and schema).
  const caches = new WeakMap<Compiler, ReturnType<typeof newPlans>>()
  return function compile(this: Compiler, query: string): unknown {
    const compiled = (q: string) => {
      stats.compiled++
      return original.call(this, q)
    }
    const parameterized = parameterize(JSON.parse(query))
    if (!parameterized) return compiled(query)
    let cache = caches.get(this)
    if (!cache) caches.set(this, (cache = newPlans()))
    let kept = cache.get(parameterized.key)
    const fresh = kept === undefined
    if (kept === undefined) {
      try {
        const plan = compiled(parameterized.key)
        asWritten(plan)
        unchunked(plan)
        const marked = new WeakSet<object>()
        markParameterized(plan, marked)
        kept = { plan, marked }
      } catch {
        // A shape the compiler will not take with parameters: compiled as written, each time.
        kept = UNFIT
      }
      cache.set(parameterized.key, kept)
    }
    let plan: unknown
    try {
      if (kept === UNFIT) throw new DoesNotFit()
      plan = fill((kept as Kept).plan, parameterized.values, (kept as Kept).marked)
    } catch (error) {
      if (!(error instanceof DoesNotFit)) throw error
      return compiled(query)
    }
    if (!fresh) stats.reused++
    if (checking && !sameJson(plan, asKept(original.call(this, query)))) throw new Error(`plan-cache: the cached plan differs from Prisma's for ${query}`)
    return plan
  }
}

const INSTALLED = Symbol.for('gongyou.planCache')

/** Puts the cache in front of both providers' compilers (once per process). */
export function installPlanCache(): void {
  for (const runtime of [sqliteCompiler, postgresCompiler]) {
    const proto = runtime.QueryCompiler.prototype as Compiler & { [INSTALLED]?: true }
    if (proto[INSTALLED]) continue
    proto.compile = cachedCompile(proto.compile)
    proto[INSTALLED] = true
  }
}
