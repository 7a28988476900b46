/**
 * SIGKILL in the middle of a fan-out to 100 Feishu groups, then a new process on the same
 * database: every group is shown the announcement exactly once (by uuid and by content).
 *
 * The killed process cannot release its send lease (outbox:feishu) nor the 'sending' claims it
 * held; they run out after the outbox's claim time (60 s, not configurable). Rather than wait a
 * minute, the test ages them in the database after the kill, as if that minute had passed — the
 * rows themselves (sent, sending, pending) are left exactly as the killed process left them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/db/client.js'
import { importRoster } from '../../src/organisation/roster.js'
import { messageEvent, request } from '../adapters/feishu/events.js'
import { FakeFeishu, textOf } from '../adapters/feishu/fake-feishu.js'
import { createTestDatabaseUrl } from '../helpers/db.js'
import { SAMPLE_COMPANY, sampleRoster } from '../helpers/test-chat.js'
import { startChild, type Child } from './child.js'
import { feishuEnv, keys, SECRET, waitFor } from './kit.js'

const GROUPS = 100
const TITLE = '崩溃演练安全大会'

let fake: FakeFeishu
let fresh: { url: string; drop: () => Promise<void> }
let db: Db
const children: Child[] = []

beforeAll(async () => {
  fake = await new FakeFeishu(keys.appId, SECRET).start()
  // Slower than Feishu's 50 a second, so the kill lands mid-way.
  fake.limits.perApp = 20
  fresh = await createTestDatabaseUrl()
  db = openDatabase(fresh.url)
})
afterAll(async () => {
  for (const c of children) await c.kill()
  await db?.$disconnect()
  await fresh?.drop()
  await fake?.stop()
})

function env(): Record<string, string> {
  return { ...feishuEnv(fake), DATABASE_URL: fresh.url, OUTBOX_BASE_DELAY_MS: '50', OUTBOX_MAX_DELAY_MS: '500' }
}

describe('a crash mid fan-out', () => {
  it('shows every group the announcement exactly once after SIGKILL and a restart', { timeout: 120_000 }, async () => {
    // A real organisation (Feishu is configured: no playground, no demo); the administrator is bound on Feishu.
    await importRoster(db, sampleRoster, { companyName: SAMPLE_COMPANY })
    const admin = await db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })
    await db.platformIdentity.create({
      data: { platform: 'feishu', kind: 'open_id', externalId: 'ou_crash_admin', personId: admin.id, vouchedBy: 'directory' },
    })
    const first = await startChild(env())
    children.push(first)
    const units = await db.unit.findMany({ where: { path: { not: '' } }, orderBy: { id: 'asc' } })
    const chats = Array.from({ length: GROUPS }, (_, i) => `oc_crash_${String(i).padStart(3, '0')}`)
    await db.chatGroup.createMany({
      data: chats.map((externalId, i) => ({ platform: 'feishu', externalId, name: `崩溃演练群${i + 1}`, unitId: units[i % units.length]!.id })),
    })

    // The administrator posts it privately to the bot on Feishu, to the running process.
    const posted = request(
      messageEvent(keys, {
        from: { open_id: 'ou_crash_admin' },
        chatId: 'oc_p2p_crash_admin',
        chatType: 'p2p',
        text: `发布公告 通知 ${TITLE}\n周五下午2点在大礼堂召开。\n范围 全部`,
      }),
      keys,
    )
    const res = await fetch(`${first.url}/webhooks/feishu`, { method: 'POST', headers: posted.headers, body: posted.payload })
    expect(res.status).toBe(200)

    const shownGroups = () => new Set(fake.messages.filter((m) => m.receive_id.startsWith('oc_crash_')).map((m) => m.receive_id)).size
    await waitFor('some groups to be shown', () => shownGroups() >= 15, 30_000)
    await first.kill('SIGKILL')
    const before = shownGroups()
    expect(before).toBeGreaterThan(0)
    expect(before).toBeLessThan(GROUPS)
    const states = await db.outboxMessage.groupBy({ by: ['status'], where: { platform: 'feishu', target: { startsWith: 'oc_crash_' } }, _count: true })
    expect(states.find((s) => s.status === 'sent')?._count ?? 0).toBeLessThan(GROUPS)

    // A minute later, as far as the dead process's lease and claims are concerned.
    const past = new Date(Date.now() - 1000)
    await db.lease.updateMany({ where: { key: { startsWith: 'outbox:' } }, data: { expiresAt: past } })
    await db.outboxMessage.updateMany({ where: { status: 'sending' }, data: { lockedUntil: past } })

    await waitFor("the fake's rate window to pass", () => fake.windowClear(), 5_000)
    // The kill has landed mid-way: what is left goes at Feishu's own 50 a second.
    fake.limits.perApp = 50
    const second = await startChild(env())
    children.push(second)
    await waitFor('every group to be shown', () => shownGroups() === GROUPS, 60_000)
    // Every row sent: a row is marked sent only after its send finished, and a sent row is never
    // claimed again, so nothing more can reach the groups from here on.
    await waitFor(
      'every row sent',
      async () => (await db.outboxMessage.count({ where: { platform: 'feishu', target: { startsWith: 'oc_crash_' }, status: { not: 'sent' } } })) === 0,
      20_000,
    )

    for (const chat of chats) {
      const shown = fake.shownTo(chat)
      expect(new Set(shown.map((m) => m.uuid)).size, chat).toBe(1)
      expect(
        shown.filter((m) => textOf(m).includes(TITLE)),
        chat,
      ).toHaveLength(1)
      expect(shown, chat).toHaveLength(1)
    }
    expect(await db.outboxMessage.count({ where: { platform: 'feishu', target: { startsWith: 'oc_crash_' } } })).toBe(GROUPS)
    expect(second.output()).not.toMatch(/failed to start/)
    // The administrator was told it was posted (privately, on Feishu).
    await waitFor(
      'the administrator to hear it is posted',
      () => fake.messages.some((m) => !m.receive_id.startsWith('oc_crash_') && textOf(m).includes('个群')),
      20_000,
    )
  })
})
