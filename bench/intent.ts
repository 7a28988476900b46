// The intent layer's cost per message, next to the strict command parser reading the same
// messages in the same run (the baseline). No database: the figure is the same on both.
import fs from 'node:fs'
import { createParser } from '../src/core/parser.js'
import { readIntent, type Role } from '../src/core/intent/read.js'
import type { BenchRow, Provider } from './lib.js'

const ROUNDS = Number(process.env.BENCH_INTENT_ROUNDS ?? 200)

/** The service's command words, as the strict parser sees them (enough of them to cost what the real table costs). */
const WORDS: [string, string[]][] = [
  ['help', ['帮助', '菜单', '命令']],
  ['fileRequest', ['诉求', '提诉求', '反映']],
  ['fileAnonymous', ['匿名诉求', '匿名反映']],
  ['fileOnBehalf', ['代报', '代提']],
  ['myRequests', ['我的诉求']],
  ['progress', ['进度', '查进度']],
  ['rate', ['评价', '打分']],
  ['accept', ['受理']],
  ['reply', ['回复', '答复']],
  ['resolve', ['办结']],
  ['reject', ['驳回']],
  ['escalate', ['升级']],
  ['supervise', ['督办']],
  ['todo', ['待办', '我的待办']],
  ['vote', ['投票']],
  ['poll', ['发起投票']],
  ['ack', ['已阅', '已读']],
  ['signup', ['报名']],
  ['hazard', ['隐患', '报隐患', '隐患上报', '随手拍']],
  ['bind', ['绑定']],
  ['bindGroup', ['绑定班组']],
  ['whoami', ['我的信息', '我是谁']],
]

function perMessageMicros(messages: { text: string; role: Role }[], read: (m: { text: string; role: Role }) => unknown): number {
  for (const m of messages) read(m) // warm up (and load the libraries) outside the measurement
  const start = process.hrtime.bigint()
  for (let r = 0; r < ROUNDS; r++) for (const m of messages) read(m)
  return Number(process.hrtime.bigint() - start) / 1000 / (ROUNDS * messages.length)
}

export async function intent(provider: Provider): Promise<BenchRow[]> {
  if (provider !== 'sqlite') return [] // no database involved: measured once
  const corpus = JSON.parse(fs.readFileSync(new URL('../test/fixtures/intent-corpus.json', import.meta.url), 'utf8')) as { text: string; role: Role }[]
  const parser = createParser(WORDS.map(([name, words]) => ({ name, words })))
  const baseline = perMessageMicros(corpus, (m) => parser.parse(m.text))
  const layered = perMessageMicros(corpus, (m) => readIntent(m.text, { role: m.role }))
  return [
    {
      bench: 'intent',
      database: '-',
      metric: `intent reading per message (${corpus.length} corpus messages × ${ROUNDS})`,
      value: Math.round(layered * 100) / 100,
      unit: 'µs',
      baseline: Math.round(baseline * 100) / 100,
      ratio: Math.round((layered / baseline) * 10) / 10,
      target: '< 1000 µs',
      met: layered < 1000,
    },
  ]
}
