import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../src/db/client.js'
import { createTestDatabaseUrl } from './helpers/db.js'

const run = promisify(execFile)
let url: string
let drop: () => Promise<void>
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongyou-cli-'))

beforeAll(async () => {
  ;({ url, drop } = await createTestDatabaseUrl())
})
afterAll(async () => {
  await drop()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, DATABASE_URL: url } })
    return { code: 0, stdout, stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

describe('command line', () => {
  it('imports a roster file and reports the counts', async () => {
    const file = path.join(dir, 'roster.csv')
    fs.writeFileSync(
      file,
      '\uFEFF工号,姓名,单位,角色,手机\r\nC001,赵一,一分厂/机修车间/电工班,职工,13900000001\r\nC002,赵二,一分厂/机修车间/电工班,网格员,\r\n',
    )
    const result = await cli('import-roster', file)
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('Imported: 2 created, 0 updated, 0 unchanged, 4 new units.') })
    const db = openDatabase(url)
    expect(await db.person.count()).toBe(2)
    await db.$disconnect()
  }, 60_000)

  it('lists every bad row and imports nothing', async () => {
    const file = path.join(dir, 'bad.csv')
    fs.writeFileSync(file, 'employeeNo,name,unit,role\nC003,赵三,一分厂,boss\n')
    const result = await cli('import-roster', file)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/line 2: .*boss/)
  }, 60_000)

  it('issues admin tokens to administrators only', async () => {
    expect((await cli('issue-token', 'C001')).stderr).toContain('not an administrator')
  }, 60_000)

  it('names the bad variable when the configuration is wrong', async () => {
    const { code, stderr } = await (async () => {
      try {
        await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate'], { env: { ...process.env, DATABASE_URL: 'mysql://nope' } })
        return { code: 0, stderr: '' }
      } catch (e) {
        return e as { code: number; stderr: string }
      }
    })()
    expect(code).toBe(1)
    expect(stderr.trim()).toMatch(/^Invalid configuration: DATABASE_URL/)
  }, 60_000)
})
