import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Adapter, Directory, InboundMessage } from '../../src/core/types.js'
import { openDatabase, type Db, type ObservedQuery } from '../../src/db/client.js'
import { messagesFor } from '../../src/messages/index.js'
import { directoryIdentifier } from '../../src/organisation/binding.js'
import { createTestDatabaseUrl } from '../helpers/db.js'

// The directory look-up before handling: the messages handled together are checked by one query
// for all their senders, and the directory is asked (once) only when one of them is unknown.
let db: Db
let drop: () => Promise<void>
const queries: ObservedQuery[] = []
let asked = 0

beforeAll(async () => {
  const fresh = await createTestDatabaseUrl()
  drop = fresh.drop
  db = openDatabase(fresh.url, { observe: (q) => queries.push(q) })
  const unit = await db.unit.create({ data: { name: '公司', path: '', level: 'company' } })
  for (let i = 0; i < 10; i++) {
    const p = await db.person.create({ data: { employeeNo: `K${i}`, name: `职工${i}`, unitId: unit.id } })
    await db.platformIdentity.create({ data: { platform: 'feishu', kind: 'open_id', externalId: `ou_known_${i}`, personId: p.id, vouchedBy: 'directory' } })
  }
})
afterAll(async () => {
  await db.$disconnect()
  await drop()
})

const directory: Directory = {
  batchSize: 50,
  onUnknownSender: true,
  findByMobiles: async () => {
    asked++
    return new Map()
  },
}
const adapter = { platform: 'feishu', directory } as unknown as Adapter
const from = (openId: string, k: number): InboundMessage => ({
  platform: 'feishu',
  eventId: `ev_${openId}_${k}`,
  chatId: null,
  sender: { ids: [{ kind: 'open_id', id: openId }] },
  text: '帮助',
  mentions: [],
  mentionsBot: true,
})

describe('the directory look-up for messages handled together', () => {
  it('reads every sender at once, and asks the directory only about an unknown one', async () => {
    // A person with a mobile the directory could be asked about.
    const unit = await db.unit.findFirstOrThrow()
    await db.person.create({ data: { employeeNo: 'M1', name: '新职工', unitId: unit.id, phone: '13800000001' } })
    const identify = directoryIdentifier({ db, t: messagesFor('zh-CN'), deliver: async () => {}, now: () => new Date() }, () => [adapter], 0)
    const before = queries.length
    await identify(Array.from({ length: 10 }, (_, i) => from(`ou_known_${i}`, i)))
    const reads = queries.slice(before).filter((q) => q.model === 'PlatformIdentity')
    expect(reads).toHaveLength(1)
    expect(asked).toBe(0)
    await identify([...Array.from({ length: 5 }, (_, i) => from(`ou_known_${i}`, 20 + i)), from('ou_stranger', 1)])
    expect(asked).toBe(1)
  })
})
