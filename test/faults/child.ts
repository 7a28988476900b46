/** The service as a child process (node --import tsx src/main.ts), for tests that kill it. */
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

export interface Child {
  proc: ChildProcess
  url: string
  output: () => string
  kill(signal?: NodeJS.Signals): Promise<void>
}

/** Starts the service and waits until /healthz answers (bounded). */
export async function startChild(env: Record<string, string>, timeoutMs = 45_000): Promise<Child> {
  const port = await freePort()
  let out = ''
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      QUIET_HOURS: 'off',
      GONGYOU_DEMO_SEED: 'auto',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  proc.stdout!.on('data', (d) => (out += d))
  proc.stderr!.on('data', (d) => (out += d))
  const url = `http://127.0.0.1:${port}`
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  const child: Child = {
    proc,
    url,
    output: () => out,
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill(signal)
        await exited
      }
    },
  }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`service exited with ${proc.exitCode}: ${out}`)
    try {
      const res = await fetch(`${url}/healthz`)
      if (res.ok) return child
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await child.kill()
      throw new Error(`service did not start within ${timeoutMs} ms: ${out}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}
