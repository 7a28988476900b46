/**
 * Quoting on Feishu (issue #17): a reply (引用回复, the message's parent_id) to the bot's message
 * about a request is threaded to that request — the worker's as 补充, the handling officer's as
 * 回复 (a question the worker answers by quoting again). Signed, encrypted events through the
 * real webhook; the fake Feishu gives every sent message its message_id.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { Keys, Person } from './events.js'
import { textOf, type ShownMessage } from './fake-feishu.js'
import { texts, useFeishu } from './kit.js'

const keys: Keys = { appId: 'cli_q1b2c3d4e5f60718', encryptKey: 'qZ3xEncryptKeyForTests', verificationToken: 'vtok-quote' }
const SECRET = 'app-secret-for-quote-tests'
const zhang: Person = { open_id: 'ou_zhangwei_q001' }
const he: Person = { open_id: 'ou_heping_q001' }
const NUMBER = /SQ-\d{4}-\d{4}/

const feishu = useFeishu({ keys, secret: SECRET })

beforeAll(() =>
  feishu.bind([
    [zhang, 'D1002'],
    [he, 'D2001'],
  ]),
)

/** Says something privately (quoting `parentId` when given); what Feishu showed to each receiver afterwards. */
const say = (from: Person, text: string, parentId?: string) => feishu.say(from, text, parentId ? { parentId } : {})
const to = (shown: ShownMessage[], who: Person) => shown.filter((m) => m.receive_id === who.open_id)

describe('a reply quoting the bot’s message about a request', () => {
  it('threads the worker’s reply as 补充 and the officer’s as 回复; the question is answered by quoting it', async () => {
    const filed = await say(zhang, '诉求 更衣室的柜子锁坏了')
    const ack = to(filed, zhang).find((m) => NUMBER.test(textOf(m)))!
    const number = NUMBER.exec(textOf(ack))![0]
    const card = to(filed, he).find((m) => textOf(m).includes(number))!

    const added = await say(zhang, '是三号柜，第二排', ack.message_id)
    expect(texts(to(added, zhang))).toContain(`已把补充内容记入诉求 ${number}`)
    expect(texts(to(added, he))).toContain(`诉求 ${number}：诉求人 张伟补充了内容：是三号柜，第二排`)

    const asked = await say(he, '是钥匙丢了还是锁芯坏了？', card.message_id)
    expect(texts(to(asked, he))).toContain(`已把问题发给 ${number} 的诉求人`)
    const question = to(asked, zhang).find((m) => textOf(m).includes('问您'))!
    expect(textOf(question)).toContain(`关于您的诉求 ${number}，何平 问您：是钥匙丢了还是锁芯坏了？`)

    const answered = await say(zhang, '锁芯坏了', question.message_id)
    expect(texts(to(answered, he))).toContain(`诉求 ${number}：诉求人 张伟回答了您的问题：锁芯坏了`)
    const events = await feishu.svc.db.requestEvent.findMany({ where: { request: { number } }, orderBy: { id: 'asc' } })
    expect(events.map((e) => [e.kind, e.text])).toEqual(
      expect.arrayContaining([
        ['added', '是三号柜，第二排'],
        ['asked', '是钥匙丢了还是锁芯坏了？'],
        ['answered', '锁芯坏了'],
      ]),
    )
  })

  it('leaves alone a reply quoting something else, and one quoting a message that names several requests', async () => {
    const unknown = await say(zhang, '是三号柜', 'om_not_ours_0001')
    expect(texts(unknown)).not.toContain('已把补充内容')
    await say(zhang, '诉求 更衣室灯不亮')
    const list = to(await say(zhang, '我的诉求'), zhang).at(-1)!
    expect((textOf(list).match(/SQ-\d{4}-\d{4}/g) ?? []).length).toBeGreaterThan(1)
    expect(texts(await say(zhang, '都很急', list.message_id))).not.toContain('已把补充内容')
  })
})
