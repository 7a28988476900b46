import type { Service } from '../../src/app.js'

/** Reads a sample's value: `name` and its labels in any order; a series not shown yet is 0 (counters appear when first moved). */
export type Sample = (name: string, labels?: Record<string, string>) => number

/** Parses Prometheus' text format into a sample reader. */
export function samplesOf(text: string): Sample {
  const samples = new Map<string, number>()
  const key = (name: string, labels: Record<string, string>) =>
    `${name}{${Object.entries(labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}}`
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) continue
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]))
    samples.set(key(m[1]!, labels), Number(m[3]))
  }
  return (name, labels = {}) => samples.get(key(name, labels)) ?? 0
}

/** Scrapes a service's GET /metrics as Prometheus on the same machine would; fails unless it answers 200. */
export async function scrape(svc: Pick<Service, 'app'>, headers: Record<string, string> = {}): Promise<Sample> {
  const res = await svc.app.inject({ method: 'GET', url: '/metrics', headers })
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode}: ${res.body}`)
  if (!/^text\/plain; version=0\.0\.4/.test(String(res.headers['content-type']))) throw new Error(`/metrics answered ${res.headers['content-type']}`)
  return samplesOf(res.body)
}

/** Waits (bounded) until `check` holds, and fails naming `what` when it never does. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
