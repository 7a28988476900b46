/**
 * Binding by Feishu's directory: the roster's 手机 resolved to open_ids through the real SDK
 * (contact.user.batchGetId) against the fake Feishu, at roster import and for an unknown sender.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { issueToken } from '../../../src/auth/tokens.js'
import type { Keys, Person } from './events.js'
import { textOf } from './fake-feishu.js'
import { useFeishu } from './kit.js'

const keys: Keys = { appId: 'cli_d1b2c3d4e5f60719', encryptKey: 'kZ3xEncryptKeyForDirectory', verificationToken: 'vtok-dir' }
const SECRET = 'app-secret-for-directory'

const feishu = useFeishu({ keys, secret: SECRET })
let adminToken: string

beforeAll(async () => {
  adminToken = await issueToken(feishu.svc.db, (await feishu.svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })).id)
})

const zhao: Person = { open_id: 'ou_zhao_officer_01', union_id: 'on_zhao_01', user_id: 'zhao1' }
const qian: Person = { open_id: 'ou_qian_worker_02', union_id: 'on_qian_02' }
const sun: Person = { open_id: 'ou_sun_worker_03', union_id: 'on_sun_03' }

/** Says something privately; what Feishu then showed the sender (a card with its JSON). */
async function say(from: Person, text: string): Promise<string> {
  return (await feishu.say(from, text))
    .filter((m) => m.receive_id === from.open_id)
    .map((m) => (m.msg_type === 'interactive' ? `${textOf(m)}\n${JSON.stringify(m.content)}` : textOf(m)))
    .join('\n')
}

const upload = (csv: string) =>
  feishu.svc.app.inject({
    method: 'POST',
    url: '/api/v1/roster/import',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${adminToken}` },
    payload: csv,
  })

describe('binding by the Feishu directory', () => {
  it('binds the people the directory knows at roster import, 50 mobiles a call at most', async () => {
    feishu.fake.directory.set('13900000001', zhao)
    feishu.fake.directory.set('13900000002', qian)
    // Sixty more people with phones the directory does not know: the lookup takes two calls.
    const extra = Array.from({ length: 60 }, (_, i) => `FX${100 + i},路人${i},一车间/钳工班,职工,1370000${String(1000 + i)}`)
    const csv = [
      '工号,姓名,单位,角色,手机',
      'F001,赵一,一车间/电工班,工会干部,13900000001',
      'F002,钱二,一车间/电工班,职工,+8613900000002',
      'F003,孙三,一车间/电工班,职工,13900000003',
      ...extra,
    ].join('\n')
    const res = await upload(csv)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ created: 63, directory: [{ platform: 'feishu', bound: 2 }] })
    expect(feishu.fake.directoryCalls.length).toBeGreaterThanOrEqual(2)
    expect(feishu.fake.directoryCalls.every((c) => c.mobiles.length <= 50 && c.userIdType === 'open_id')).toBe(true)

    const bound = await feishu.svc.db.platformIdentity.findMany({ where: { platform: 'feishu' }, include: { person: true }, orderBy: { id: 'asc' } })
    expect(bound.map((b) => [b.person.employeeNo, b.externalId, b.vouchedBy])).toEqual([
      ['F001', zhao.open_id, 'directory'],
      ['F002', qian.open_id, 'directory'],
    ])
  })

  it('an officer bound by the directory has their powers at once, without typing anything', async () => {
    const answer = await say(zhao, '待办')
    expect(answer).not.toContain('只有')
    expect(answer).not.toContain('绑定')
    expect(await say(zhao, '我的信息')).toMatch(/赵一[\s\S]*工会干部/)
  })

  it('binds an unknown sender the directory knows on their first message', async () => {
    feishu.fake.directory.set('13900000003', sun)
    const answer = await say(sun, '我的信息')
    expect(answer).toContain('孙三')
    expect(answer).not.toContain('还没有绑定')
    const identity = await feishu.svc.db.platformIdentity.findFirstOrThrow({ where: { platform: 'feishu', externalId: sun.open_id } })
    expect(identity.vouchedBy).toBe('directory')
  })

  it('without the contact permission the import still succeeds and says why nobody was bound', async () => {
    feishu.fake.directoryPermission = false
    const res = await upload('工号,姓名,单位,角色,手机\nF004,李四,一车间/电工班,职工,13900000004\n')
    expect(res.statusCode).toBe(200)
    const directory = res.json().directory as { platform: string; bound: number; error?: string }[]
    expect(directory).toEqual([{ platform: 'feishu', bound: 0, error: expect.any(String) }])
    expect(JSON.stringify(res.json())).not.toContain(SECRET)
    feishu.fake.directoryPermission = true
  })
})
