/**
 * Binding by WeCom's directory: at roster import each unbound 手机 is resolved to a userid through
 * POST /cgi-bin/user/getuserid on the fake WeCom (access token checked); the person then writes to
 * the app (signed, encrypted callback) and is known, with their role.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { issueToken } from '../../../src/auth/tokens.js'
import { useWecom } from './kit.js'

const wecom = useWecom()
const { say } = wecom
let adminToken: string

beforeAll(async () => {
  adminToken = await issueToken(wecom.svc.db, (await wecom.svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })).id)
})

const upload = (csv: string) =>
  wecom.svc.app.inject({
    method: 'POST',
    url: '/api/v1/roster/import',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${adminToken}` },
    payload: csv,
  })

describe('binding by the WeCom directory', () => {
  it('binds the members WeCom knows by mobile at roster import; the others stay unbound', async () => {
    wecom.fake.members.set('13600000001', 'zhouyi')
    wecom.fake.members.set('13600000002', 'wuer')
    wecom.fake.expireTokens()
    const res = await upload(
      '工号,姓名,单位,角色,手机\nW001,周一,一车间/电工班,管理员,13600000001\nW002,吴二,一车间/电工班,职工,+86 136 0000 0002\nW003,郑三,一车间/电工班,职工,13600000003\n',
    )
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ created: 3, directory: [{ platform: 'wecom', bound: 2 }] })
    // One mobile a call, a mainland number as its 11 digits.
    expect(wecom.fake.getUserIdCalls.map((c) => c.mobile).sort()).toEqual(['13600000001', '13600000002', '13600000003'])
    const bound = await wecom.svc.db.platformIdentity.findMany({ where: { platform: 'wecom' }, include: { person: true }, orderBy: { id: 'asc' } })
    expect(bound.map((b) => [b.person.employeeNo, b.kind, b.externalId, b.vouchedBy])).toEqual([
      ['W001', 'userid', 'zhouyi', 'directory'],
      ['W002', 'userid', 'wuer', 'directory'],
    ])
  })

  it('an administrator bound by the directory acts as one when writing to the app', async () => {
    const answer = await say('zhouyi', '绑定列表')
    expect(answer).not.toContain('只有')
    expect(answer).toContain('周一（W001，管理员）企业微信')
  })

  it('does not ask WeCom again about a mobile on an unknown sender’s message (misses get the app blocked)', async () => {
    const calls = wecom.fake.getUserIdCalls.length
    expect(await say('zhengsan', '我的信息')).toContain('还没有绑定')
    expect(wecom.fake.getUserIdCalls.length).toBe(calls)
  })
})
