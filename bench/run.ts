// `npm run bench`: every benchmark on SQLite and on PostgreSQL, each figure next to a baseline
// measured in the same run on the same machine. BENCH_ONLY=ingest,footprint,fanout,votes,intent narrows the set.
import { fanout } from './fanout.js'
import { footprint } from './footprint.js'
import { ingest } from './ingest.js'
import { intent } from './intent.js'
import { postgresAvailable, printTable, type BenchRow, type Provider } from './lib.js'
import { votes } from './votes.js'

const benches: Record<string, (provider: Provider) => Promise<BenchRow[]>> = { ingest, footprint, fanout, votes, intent }

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim())
const providers: Provider[] = ['sqlite', ...((await postgresAvailable()) ? (['postgresql'] as const) : [])]
if (providers.length === 1) console.warn('PostgreSQL is not reachable at BENCH_POSTGRES_URL; running on SQLite only')

const rows: BenchRow[] = []
let failed = false
for (const [name, run] of Object.entries(benches)) {
  if (only && !only.includes(name)) continue
  for (const provider of providers) {
    process.stderr.write(`running ${name} on ${provider}…\n`)
    // One bench failing (a service too slow to start on a busy machine) loses none of the others' figures.
    try {
      rows.push(...(await run(provider)))
    } catch (error) {
      failed = true
      process.stderr.write(`${name} on ${provider} failed: ${error instanceof Error ? error.stack : String(error)}\n`)
    }
  }
}
printTable(rows)
if (failed) process.exitCode = 1
