/**
 * One message cannot stall everyone (docs/operations.md, "Limits"): a message over 4,000
 * characters is refused in words before anything is looked up; only commands that act on people
 * (代报, 转办) resolve @mentions, at most 20 different ones; repeated mentions count once. Through
 * the real Feishu webhook (signed, encrypted events; replies read back from the fake Feishu).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { zhCN } from '../../src/messages/zh-CN.js'
import { messageEvent, type Keys, type Mention, type Person } from '../adapters/feishu/events.js'
import { textOf, type ShownMessage } from '../adapters/feishu/fake-feishu.js'
import { useFeishu } from '../adapters/feishu/kit.js'

const keys: Keys = { appId: 'cli_limits0000000001', encryptKey: 'limitsEncryptKeyForTests', verificationToken: 'vtok-limits' }
const SECRET = 'app-secret-for-limits'

const feishu = useFeishu({ keys, secret: SECRET })

// 张伟 (worker) and 李明 (collector of 张伟's grid) are bound on Feishu; a stranger is not.
const zhang: Person = { open_id: 'ou_limits_zhangwei' }
const li: Person = { open_id: 'ou_limits_liming' }
const stranger: Person = { open_id: 'ou_limits_stranger' }
const he: Person = { open_id: 'ou_limits_heping' }

beforeAll(() =>
  feishu.bind([
    [zhang, 'D1002'],
    [li, 'D1001'],
    [he, 'D2001'],
  ]),
)

async function deliver(from: Person, text: string, mentions?: Mention[]): Promise<void> {
  await feishu.deliver(messageEvent(keys, { from, chatId: `oc_p2p_${from.open_id}`, chatType: 'p2p', text, ...(mentions ? { mentions } : {}) }))
}

const to = (shown: ShownMessage[], who: Person) => shown.filter((m) => m.receive_id === who.open_id).map(textOf)

async function say(from: Person, text: string, mentions?: Mention[]): Promise<string[]> {
  return to(await feishu.say(from, text, mentions ? { mentions } : {}), from)
}

describe('one message cannot stall everyone', () => {
  it('refuses 绑定 followed by 20,000 @张 in words, and someone else’s 帮助 sent meanwhile is answered too', async () => {
    const before = feishu.fake.messages.length
    await Promise.all([deliver(stranger, `绑定 ${'@张 '.repeat(20_000)}`), deliver(zhang, '帮助')])
    await feishu.settle()
    const shown = feishu.fake.messages.slice(before)
    expect(to(shown, stranger)).toEqual([zhCN.limits.tooLong(4000)])
    const help = to(shown, zhang)
    expect(help).toHaveLength(1)
    expect(help[0]).toContain('诉求')
    // What was stored of it is cut down too.
    const stored = await feishu.svc.db.inboundEvent.findMany({ where: { platform: 'feishu' } })
    expect(Math.max(...stored.map((e) => e.payload.length))).toBeLessThan(20_000)
  })

  it('a message of exactly 4,000 characters is still handled; 4,001 is refused', async () => {
    const filed = await say(zhang, `诉求 ${'手'.repeat(4000 - 3)}`)
    expect(filed.join('\n')).not.toContain(zhCN.limits.tooLong(4000))
    expect(await say(zhang, `诉求 ${'手'.repeat(4000 - 2)}`)).toEqual([zhCN.limits.tooLong(4000)])
  })

  it('代报 with 21 different @mentioned people is refused in words; 20 are read; the same person mentioned 25 times counts once', async () => {
    const people = Array.from({ length: 21 }, (_, i): Mention => ({ key: `@_user_${i + 1}`, id: { open_id: `ou_limits_p${i}` }, name: `工人${i}` }))
    const keysOf = (list: Mention[]) => list.map((m) => m.key).join(' ')
    expect(await say(li, `代报 ${keysOf(people)} 手套磨破了`, people)).toEqual([zhCN.limits.tooManyMentions(20)])
    // 20 are resolved (none of them bound, so the first is not found: an ordinary answer, not the refusal).
    const twenty = await say(li, `代报 ${keysOf(people.slice(0, 20))} 手套磨破了`, people.slice(0, 20))
    expect(twenty).toHaveLength(1)
    expect(twenty[0]).not.toBe(zhCN.limits.tooManyMentions(20))
    const zhangMention = (i: number): Mention => ({ key: `@_user_${i}`, id: zhang, name: '张伟' })
    const repeated = Array.from({ length: 25 }, (_, i) => zhangMention(i + 1))
    const answer = await say(li, `代报 ${keysOf(repeated)} 劳保手套磨破了`, repeated)
    expect(answer.join('\n')).toMatch(/SQ-\d{4}-\d{4}/)
    const request = await feishu.svc.db.workerRequest.findFirstOrThrow({ orderBy: { id: 'desc' } })
    expect(request.requesterId).toBe((await feishu.svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D1002' } })).id)
  })

  it('a command that acts on nobody is not refused for its mentions: they are plain text to it', async () => {
    const people = Array.from({ length: 30 }, (_, i): Mention => ({ key: `@_user_${i + 1}`, id: { open_id: `ou_limits_q${i}` }, name: `同事${i}` }))
    const answer = await say(zhang, `诉求 ${people.map((m) => m.key).join(' ')} 都说食堂晚班没有热饭`, people)
    expect(answer.join('\n')).toMatch(/SQ-\d{4}-\d{4}/)
  })

  it('转办 resolves its @mentioned officer (one of few mentions)', async () => {
    const number = (await say(zhang, '诉求 更衣柜坏了')).join('\n').match(/SQ-\d{4}-\d{4}/)![0]
    const officer = await feishu.svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D3001' } })
    await feishu.svc.db.platformIdentity.create({
      data: { platform: 'feishu', kind: 'open_id', externalId: 'ou_limits_liang', personId: officer.id, vouchedBy: 'directory' },
    })
    const answer = await say(he, `转办 ${number} @_user_1 请车间处理`, [{ key: '@_user_1', id: { open_id: 'ou_limits_liang' }, name: '梁' }])
    expect(answer.join('\n')).toContain('梁秀英')
  })
})
