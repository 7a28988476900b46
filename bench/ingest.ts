import { openDatabase } from '../src/db/client.js'
import { seedDemoOrganisation } from '../src/organisation/demo.js'
import { FakeFeishu } from '../test/adapters/feishu/fake-feishu.js'
import { messageEvent, request, type Keys } from '../test/adapters/feishu/events.js'
import {
  freePort,
  freshDatabase,
  instancesFor,
  percentile,
  serviceEnv,
  startInstances,
  startProcess,
  stopProcess,
  type BenchRow,
  type Provider,
} from './lib.js'

const EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 3000)
const CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 32)
/** Events posted first and not measured (both servers): a just-started process runs cold code. */
const WARMUP = Number(process.env.BENCH_INGEST_WARMUP ?? 300)
const HANDLE_TIMEOUT_MS = Number(process.env.BENCH_HANDLE_TIMEOUT_MS ?? 900_000)
const keys: Keys = { appId: 'cli_a1b2c3d4e5f60718', encryptKey: 'bench-encrypt-key-0123456789', verificationToken: 'bench-verification-token' }
const SECRET = 'bench-app-secret'

/** Posts requests with a fixed concurrency; returns each one's time to answer (ms) and the statuses seen. */
async function drive(
  urls: string[],
  requests: { headers: Record<string, string>; payload: string }[],
): Promise<{ latencies: number[]; statuses: Map<number, number>; seconds: number }> {
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  let next = 0
  const started = performance.now()
  const worker = async () => {
    while (next < requests.length) {
      const i = next++
      const r = requests[i]!
      const t0 = performance.now()
      const res = await fetch(urls[i % urls.length]!, { method: 'POST', headers: r.headers, body: r.payload })
      await res.arrayBuffer()
      latencies.push(performance.now() - t0)
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return { latencies: latencies.sort((a, b) => a - b), statuses, seconds: (performance.now() - started) / 1000 }
}

/** Waits (bounded by BENCH_HANDLE_TIMEOUT_MS) until `count` events are handled; the caller checks what was filed. */
async function waitHandled(db: ReturnType<typeof openDatabase>, count: number): Promise<void> {
  const deadline = Date.now() + HANDLE_TIMEOUT_MS
  while ((await db.inboundEvent.count({ where: { status: 'done' } })) < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
}

/**
 * What the workers write: each of a worker's messages is about another matter, so none is taken for
 * a repeat of their earlier one (which the service answers with a question, filing nothing).
 */
const TOPICS = [
  '机床防护罩松动',
  '食堂晚班没有热饭',
  '更衣室热水器坏了',
  '夜班交通车太少',
  '劳保手套一个月没换',
  '加班费少算了两天',
  '宿舍空调漏水',
  '车间通风不好很闷',
  '体检报告还没发',
  '工位照明太暗看不清',
  '叉车通道堆了杂物',
  '饮水机滤芯该换了',
  '培训课安排在休息日',
  '厕所冲水坏了很久',
  '高温补贴没到账',
  '安全帽带子断了',
  '停车棚顶漏雨',
  '年休假申请没人批',
  '噪声太大需要耳塞',
  '班组活动室没开门',
]

/** Signed, encrypted message events from bound workers, each filing a request. */
function events(openIds: string[], count = EVENTS, from = 0): { headers: Record<string, string>; payload: string }[] {
  return Array.from({ length: count }, (_, k) => k + from).map((i) =>
    request(
      messageEvent(keys, {
        from: { open_id: openIds[i % openIds.length]! },
        chatId: `oc_p2p_${i % openIds.length}`,
        chatType: 'p2p',
        text: `诉求 ${TOPICS[Math.floor(i / openIds.length) % TOPICS.length]}（车间${i % 7}，第${i}件）`,
      }),
      keys,
    ),
  )
}

/**
 * Ingest: signed, encrypted Feishu message events posted to /webhooks/feishu, each filing a
 * request. Events per second and time to the 200, against bare fastify doing the same signature
 * check, decryption and one insert, on the same database kind.
 */
export async function ingest(provider: Provider): Promise<BenchRow[]> {
  const fake = new FakeFeishu(keys.appId, SECRET)
  await fake.start()
  const base = await freshDatabase(provider)
  const full = await freshDatabase(provider)
  try {
    // Baseline.
    const basePort = await freePort()
    const baseline = await startProcess(
      'bench/ingest-baseline.ts',
      { PORT: String(basePort), DATABASE_URL: base.url, FEISHU_ENCRYPT_KEY: keys.encryptKey },
      `http://127.0.0.1:${basePort}/readyz`,
    )
    const openIds = Array.from({ length: 200 }, (_, i) => `ou_bench_${String(i).padStart(4, '0')}`)
    await drive([`http://127.0.0.1:${basePort}/webhooks/feishu`], events(openIds, WARMUP, EVENTS))
    const b = await drive([`http://127.0.0.1:${basePort}/webhooks/feishu`], events(openIds))
    await stopProcess(baseline.child)

    // The service, with the demo organisation and 200 workers bound to Feishu accounts.
    const instances = instancesFor(provider)
    const on = instances > 1 ? `, ${instances} instances` : ''
    // Organisation and bindings first (one writer at a time on SQLite), then the service.
    const db = openDatabase(full.url)
    await seedDemoOrganisation(db)
    const team = await db.unit.findFirstOrThrow({ where: { level: 'team' } })
    await db.person.createMany({ data: openIds.map((_, i) => ({ employeeNo: `BW${i}`, name: `基准职工${i}`, unitId: team.id })) })
    const people = await db.person.findMany({ where: { employeeNo: { startsWith: 'BW' } }, orderBy: { id: 'asc' } })
    await db.platformIdentity.createMany({
      data: people.map((p) => ({
        platform: 'feishu',
        kind: 'open_id',
        externalId: openIds[Number(p.employeeNo.slice(2))]!,
        personId: p.id,
        vouchedBy: 'directory',
      })),
    })
    const svc = await startInstances(instances, (port) => serviceEnv(port, full.url, { keys, secret: SECRET, domain: fake.url }))
    const started = performance.now()
    await drive(svc.urls, events(openIds, WARMUP, EVENTS))
    // Warm means handled too: the process's first batches run cold code (a first filing took a
    // hundred milliseconds and more), which on SQLite holds the webhooks waiting behind it.
    await waitHandled(db, WARMUP)
    const s = await drive(svc.urls, events(openIds))
    // Every accepted event is handled (in the background, after the platform's answer): wait
    // (bounded) for them to be done, then count the requests filed.
    await waitHandled(db, EVENTS + WARMUP)
    const handledSeconds = (performance.now() - started) / 1000
    const handled = await db.workerRequest.count()
    await db.$disconnect()
    await svc.stop()
    if ((s.statuses.get(200) ?? 0) !== EVENTS) throw new Error(`service answered ${JSON.stringify([...s.statuses])}`)
    if (handled !== EVENTS + WARMUP) throw new Error(`only ${handled} of ${EVENTS + WARMUP} events filed a request`)

    const rate = EVENTS / s.seconds
    const baseRate = EVENTS / b.seconds
    const p50 = percentile(s.latencies, 50)
    const p99 = percentile(s.latencies, 99)
    return [
      {
        bench: 'ingest',
        database: provider,
        metric: `events/s to 200 (${EVENTS}, ${CONCURRENCY} at once${on})`,
        value: rate,
        unit: '/s',
        baseline: baseRate,
        ratio: rate / baseRate,
        target: provider === 'sqlite' ? '≥ 1000/s, ≥ 0.5×' : '≥ 0.5×',
        met: rate / baseRate >= 0.5 && (provider !== 'sqlite' || rate >= 1000),
      },
      {
        bench: 'ingest',
        database: provider,
        metric: 'p50 time to 200',
        value: p50,
        unit: 'ms',
        baseline: percentile(b.latencies, 50),
        ratio: p50 / percentile(b.latencies, 50),
      },
      {
        bench: 'ingest',
        database: provider,
        metric: 'p99 time to 200',
        value: p99,
        unit: 'ms',
        baseline: percentile(b.latencies, 99),
        ratio: p99 / percentile(b.latencies, 99),
        target: provider === 'sqlite' ? '< 100 ms' : undefined,
        met: provider === 'sqlite' ? p99 < 100 : undefined,
      },
      // Handling (filing, routing, replies queued) runs after the answer; its rate against the bare insert's.
      {
        bench: 'ingest',
        database: provider,
        metric: `events handled/s, all ${EVENTS + WARMUP} filed (${handledSeconds.toFixed(0)} s from first post${on})`,
        value: (EVENTS + WARMUP) / handledSeconds,
        unit: '/s',
        baseline: baseRate,
        ratio: (EVENTS + WARMUP) / handledSeconds / baseRate,
        target: '≥ 0.5×',
        met: (EVENTS + WARMUP) / handledSeconds / baseRate >= 0.5,
      },
    ]
  } finally {
    await fake.stop()
    await base.drop()
    await full.drop()
  }
}
