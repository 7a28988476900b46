import { openDatabase } from '../src/db/client.js'
import { freePort, serviceEnv, freshDatabase, rssMb, startProcess, stopProcess, type BenchRow, type Provider } from './lib.js'

export const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 20_000)
export const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100_000)

/** Loads an organisation of PEOPLE people and REQUESTS requests directly (the bench measures the service, not the loading). */
async function load(url: string): Promise<void> {
  const db = openDatabase(url)
  try {
    const root = await db.unit.create({ data: { name: '基准公司', path: '', level: 'company' } })
    const units: number[] = []
    for (let b = 0; b < 4; b++) {
      const branch = await db.unit.create({ data: { name: `${b + 1}分厂`, path: `${b + 1}分厂`, level: 'branch', parentId: root.id } })
      for (let t = 0; t < 50; t++) {
        const team = await db.unit.create({ data: { name: `${t + 1}班`, path: `${b + 1}分厂/${t + 1}班`, level: 'team', parentId: branch.id } })
        units.push(team.id)
      }
    }
    for (let i = 0; i < PEOPLE; i += 1000) {
      await db.person.createMany({
        data: Array.from({ length: Math.min(1000, PEOPLE - i) }, (_, k) => ({
          employeeNo: `B${i + k}`,
          name: `职工${i + k}`,
          unitId: units[(i + k) % units.length]!,
          role: (i + k) % 100 === 0 ? 'officer' : 'worker',
        })),
      })
    }
    const category = await db.requestCategory.create({ data: { name: '其他', answerMinutes: 2880, resultMinutes: 14400, urgentResultMinutes: 2880 } })
    const now = Date.now()
    for (let i = 0; i < REQUESTS; i += 2000) {
      await db.workerRequest.createMany({
        data: Array.from({ length: Math.min(2000, REQUESTS - i) }, (_, k) => {
          const n = i + k
          return {
            number: `SQ-2025-${String(n + 1).padStart(6, '0')}`,
            categoryId: category.id,
            content: `基准诉求 ${n}`,
            requesterId: null,
            unitId: units[n % units.length]!,
            levelUnitId: units[n % units.length]!,
            sourcePlatform: 'web',
            status: n % 10 === 0 ? 'new' : 'rated',
            answerDueAt: new Date(now + 86_400_000),
            resultDueAt: new Date(now + 864_000_000),
            createdAt: new Date(now - (n % 365) * 86_400_000),
          }
        }),
      })
    }
  } finally {
    await db.$disconnect()
  }
}

/** Resident memory at idle and time from start to ready, against bare fastify started the same way. */
export async function footprint(provider: Provider): Promise<BenchRow[]> {
  const { url, drop } = await freshDatabase(provider)
  try {
    await load(url)
    const basePort = await freePort()
    const base = await startProcess('bench/baseline-server.ts', { PORT: String(basePort) }, `http://127.0.0.1:${basePort}/readyz`)
    await new Promise((r) => setTimeout(r, 2000))
    const baseRss = rssMb(base.child.pid!)
    await stopProcess(base.child)

    const port = await freePort()
    const env = { ...serviceEnv(port, url), GONGYOU_DEMO_SEED: 'off' }
    const svc = await startProcess('src/main.ts', env, `http://127.0.0.1:${port}/readyz`)
    // Idle: let start-up work (recovery, scheduler) settle, then read the resident set.
    await new Promise((r) => setTimeout(r, 5000))
    const rss = rssMb(svc.child.pid!)
    await stopProcess(svc.child)
    return [
      {
        bench: 'footprint',
        database: provider,
        metric: `idle RSS (${PEOPLE} people, ${REQUESTS} requests)`,
        value: rss,
        unit: 'MB',
        baseline: baseRss,
        ratio: rss / baseRss,
        target: '< 250 MB',
        met: rss < 250,
      },
      {
        bench: 'footprint',
        database: provider,
        metric: 'start to ready',
        value: svc.readyMs,
        unit: 'ms',
        baseline: base.readyMs,
        ratio: svc.readyMs / base.readyMs,
        target: '< 3000 ms',
        met: svc.readyMs < 3000,
      },
    ]
  } finally {
    await drop()
  }
}
