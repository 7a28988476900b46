import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScanStatus } from 'wechaty'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { issueToken } from '../../../src/auth/tokens.js'
import type { AdapterFactory } from '../../../adapters/index.js'
import { startTestService, type TestService } from '../../helpers/service.js'
import { createWechatyAdapter, type WechatyAdapter } from '../../../adapters/wechaty/index.js'

/**
 * The WeChat adapter end to end, on wechaty-puppet-mock: people and rooms are mock contacts
 * that speak to the bot; what the bot says is what the mock room or contact receives (the mock
 * drops mention lists on the bot's messages, so the assertions read text).
 */

const PACE_MS = 100

type ContactMock = mock.ContactMock
type RoomMock = mock.RoomMock

let svc: TestService
let adapter: WechatyAdapter
let mocker: mock.Mocker
let puppet: PuppetMock
let me: ContactMock
let heping: ContactMock // D2001 何平, officer of 一车间/电工班
let zhangwei: ContactMock // D1002 张伟, worker of 电工班
let room: RoomMock
const shownQr: string[] = []

/** Everything the bot said, in order: the mock conversation (room id or contact id) and the text. */
const said: { conv: string; text: string; at: number }[] = []

function observe(conv: ContactMock | RoomMock): void {
  const onMessage = (m: mock.MessageMock) => {
    if (m.talker().id !== me.id) return
    const where = m.room()?.id ?? m.listener()?.id
    if (where === conv.id) said.push({ conv: conv.id, text: m.text() ?? '', at: Date.now() })
  }
  // The mocks are typed-emitter emitters, whose types do not resolve under NodeNext: say what they are.
  ;(conv as unknown as { on(event: 'message', listener: (m: mock.MessageMock) => void): unknown }).on('message', onMessage)
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await probe()
    if (found !== undefined && found !== false) return found
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the bot said:\n${said.map((s) => `[${s.conv}] ${s.text}`).join('\n')}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The next thing the bot says in `conv` (from `from` on) matching `pattern`. */
function heard(conv: { id: string }, pattern: RegExp | string, from = 0): Promise<string> {
  const matches = (t: string) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t))
  return until(`“${String(pattern)}” in ${conv.id}`, () => said.slice(from).find((s) => s.conv === conv.id && matches(s.text))?.text)
}

/** A person says something; resolves with the index in `said` to look from. */
function say(who: ContactMock, text: string, where: ContactMock | RoomMock, mentions: ContactMock[] = []): number {
  const mark = said.length
  who.say(text, mentions).to(where)
  return mark
}

/** Waits until every inbound event is handled and every outbox row due now is sent or dead. */
async function settle(): Promise<void> {
  await until('the service to settle', async () => {
    const [events, rows] = await Promise.all([
      svc.db.inboundEvent.count({ where: { status: { in: ['pending', 'processing'] } } }),
      svc.db.outboxMessage.count({ where: { status: { in: ['pending', 'sending'] }, nextAttemptAt: { lte: new Date() } } }),
    ])
    return events === 0 && rows === 0 ? true : undefined
  })
}

/** As after a restart: no room or contact id is in use in this session yet. */
function forgetSession(): void {
  adapter.forgetSession()
}

const numberIn = (s: string) => /SQ-\d{4}-\d{4}/.exec(s)?.[0] ?? ''

beforeAll(async () => {
  mocker = new mock.Mocker()
  puppet = new PuppetMock({ mocker })
  const factory: AdapterFactory = {
    platform: 'wechaty',
    enabled: (config) => Boolean(config.WECHATY_PUPPET),
    create: (deps) => (adapter = createWechatyAdapter(deps, { puppet, showQr: (qrcode) => void shownQr.push(qrcode), loggedOutRetryMs: 200 })),
  }
  svc = await startTestService({
    // Many attempts: a send refused while logged out keeps retrying until the next login.
    env: {
      WECHATY_PUPPET: 'wechaty-puppet-mock',
      WECHATY_PACE_MS: String(PACE_MS),
      WECHATY_JITTER_MS: '0',
      WECHATY_MS_PER_CHAR: '0',
      OUTBOX_MAX_ATTEMPTS: '100',
    },
    adapterFactories: [factory],
  })
  await adapter.start()
  me = mocker.createContact({ name: '工友' })
  heping = mocker.createContact({ name: '何平' })
  zhangwei = mocker.createContact({ name: '张伟' })
  room = mocker.createRoom({ topic: '电工班群', memberIdList: [me.id, heping.id, zhangwei.id] })
  for (const c of [heping, zhangwei, room]) observe(c)
})

afterAll(async () => {
  await svc?.close()
  await svc?.dropDatabase()
})

describe('login', () => {
  it('shows the login QR code to administrators and on /readyz until the account logs in', async () => {
    mocker.scan('https://login.weixin.qq.com/l/gongyou-test', ScanStatus.Waiting)
    await until('the QR code to be shown', () => (shownQr.length > 0 ? true : undefined))
    expect(shownQr).toEqual(['https://login.weixin.qq.com/l/gongyou-test'])

    const notReady = await svc.app.inject({ method: 'GET', url: '/readyz' })
    expect(notReady.statusCode).toBe(503)
    expect(notReady.json().adapters.wechaty).toEqual({ connected: false, detail: expect.stringContaining('waiting for the login QR code') })

    expect((await svc.app.inject({ method: 'GET', url: '/status/wechaty/qr' })).statusCode).toBe(401)
    const admin = await svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D9000' } })
    const token = await issueToken(svc.db, admin.id)
    const qr = await svc.app.inject({ method: 'GET', url: '/status/wechaty/qr', headers: { authorization: `Bearer ${token}` } })
    expect(qr.statusCode).toBe(200)
    expect(qr.json()).toMatchObject({
      status: 'waiting',
      qrcode: 'https://login.weixin.qq.com/l/gongyou-test',
      qrDataUrl: expect.stringMatching(/^data:image\/png;base64,/),
    })
    // Drawn here: no third-party address in what the dashboard gets.
    expect(JSON.stringify(qr.json()).replace('https://login.weixin.qq.com/l/gongyou-test', '')).not.toMatch(/https?:/)

    mocker.login(me)
    await until('the login', () => (adapter.status().connected ? true : undefined))
    const ready = await svc.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json().adapters.wechaty).toEqual({ connected: true, detail: 'logged in as 工友' })
    expect(adapter.login()).toMatchObject({ status: 'logged_in', qrcode: null, user: '工友' })
  })
})

describe('binding', () => {
  it('binds a contact to a person with 绑定 工号 姓名, keeping the contact name for re-linking', async () => {
    const from = say(heping, '绑定 D2001 何平', me)
    expect(await heard(heping, '绑定成功', from)).toContain('绑定成功：何平（一车间/电工班，工会干部）')
    const mark = say(zhangwei, '绑定 D1002 张伟', me)
    expect(await heard(zhangwei, '绑定成功', mark)).toContain('张伟')
    const identity = await svc.db.platformIdentity.findUniqueOrThrow({
      where: { platform_kind_externalId: { platform: 'wechaty', kind: 'contact', externalId: heping.id } },
      include: { person: true },
    })
    expect(identity).toMatchObject({ displayName: '何平', person: { employeeNo: 'D2001' } })
    // An officer bound by a typed number and name acts as a worker until an administrator confirms.
    expect((await svc.say('D9000', 'dm', '确认绑定 D2001 微信')).map((r) => r.text).join('\n')).toContain('已确认 何平 在微信上的绑定')
  })

  it('an officer binds the room to their team; its topic becomes the group name', async () => {
    // A command word leads: no mention needed.
    const from = say(heping, '绑定班组 电工班', room)
    expect(await heard(room, '绑定', from)).toBe('已将本群“电工班群”绑定到“一车间/电工班”。')
    const group = await svc.db.chatGroup.findUniqueOrThrow({
      where: { platform_externalId: { platform: 'wechaty', externalId: room.id } },
      include: { unit: true },
    })
    expect(group).toMatchObject({ name: '电工班群', purpose: 'team', unit: { path: '一车间/电工班' } })
  })

  it('the bot added to a new room asks for it to be bound', async () => {
    const other = mocker.createRoom({ topic: '钳工班群', memberIdList: [heping.id, zhangwei.id] })
    observe(other)
    const from = said.length
    other.add(me).by(heping)
    expect(await heard(other, '绑定班组', from)).toContain('请工会干部或管理员在本群发送“绑定班组 单位名称”')
  })
})

describe('a request in the room', () => {
  let number = ''

  it('a worker files by mentioning the bot; the officer is told privately with numbered choices', async () => {
    const from = say(zhangwei, '@工友 诉求 车间东头的照明灯坏了三盏', room, [me])
    // The group hears the number only; the acknowledgement comes privately.
    const ack = await heard(room, '已收到诉求', from)
    number = numberIn(ack)
    expect(number).not.toBe('')
    expect(ack).not.toContain('照明灯')
    expect(await heard(zhangwei, `已收到您的诉求 ${number}`, from)).toContain('一车间/电工班')
    const card = await heard(heping, `新诉求 ${number}`, from)
    expect(card).toContain('诉求人：张伟（D1002）')
    expect(card).toMatch(/回复 1：受理\n回复 2：查看进度\n回复 3：升级\n回复 4：督办$/)
  })

  it('chatter in the room that neither mentions the bot nor leads with a command is left alone, and never stored', async () => {
    const before = await svc.db.inboundEvent.count()
    say(zhangwei, '大家中午去哪吃饭', room)
    // Messages are taken in order: once a command said after the chatter is answered, the chatter has been seen.
    const from = say(zhangwei, '帮助', room)
    await heard(room, '工友可以帮您做这些事', from)
    await settle()
    expect(await svc.db.inboundEvent.count()).toBe(before + 1)
    const rows = await svc.db.inboundEvent.findMany({ where: { platform: 'wechaty' } })
    expect(rows.map((r) => r.payload).join('\n')).not.toContain('大家中午去哪吃饭')
  })

  it('the officer accepts in the room and the worker hears of it privately', async () => {
    const from = say(heping, `受理 ${number}`, room)
    expect(await heard(room, `已受理 ${number}`, from)).toContain('已通知诉求人')
    expect(await heard(zhangwei, `您的诉求 ${number}`, from)).toBe(`您的诉求 ${number} 已由 何平 受理，正在办理。`)
  })

  it('the officer replies and resolves privately; the worker rates with a number from the rating card', async () => {
    let from = say(heping, `回复 ${number} 明天电工来换灯`, me)
    expect(await heard(zhangwei, '明天电工来换灯', from)).toBe(`关于您的诉求 ${number}，何平 回复：明天电工来换灯`)
    from = say(heping, `办结 ${number} 三盏灯已更换`, me)
    const rate = await heard(zhangwei, '处理结果：三盏灯已更换', from)
    expect(rate).toContain('回复 1：5 分')
    from = say(zhangwei, '1', me)
    expect(await heard(zhangwei, `${number} 得分 5 分`, from)).toBeTruthy()
    expect((await svc.db.workerRequest.findUniqueOrThrow({ where: { number } })).rating).toBe(5)
  })
})

describe('numbered choices', () => {
  it('the officer answers a new-request card with “1” and it is accepted', async () => {
    let from = say(zhangwei, '@工友 诉求 更衣室漏水', room, [me])
    const n = numberIn(await heard(room, '已收到诉求', from))
    await heard(heping, `新诉求 ${n}`, from)
    from = say(heping, '1', me)
    expect(await heard(heping, `已受理 ${n}`, from)).toBeTruthy()
    expect(await heard(zhangwei, `您的诉求 ${n} 已由 何平 受理`, from)).toBeTruthy()
    expect((await svc.db.workerRequest.findUniqueOrThrow({ where: { number: n } })).status).toBe('accepted')
  })

  it('a number only counts for the chat the card went to, within 30 minutes, and in a range', async () => {
    const from = say(zhangwei, '@工友 诉求 饮水机不出热水', room, [me])
    const n = numberIn(await heard(room, '已收到诉求', from))
    await heard(heping, `新诉求 ${n}`, from)
    // Out of range: read as text, not a choice.
    let mark = say(heping, '9', me)
    expect(await heard(heping, /./, mark)).not.toContain('已受理')
    // In the room (where no card went), a mentioned “1” is no choice either.
    mark = say(heping, '@工友 1', room, [me])
    expect(await heard(room, /./, mark)).not.toContain('已受理')
    // After 30 minutes the card no longer answers.
    const subject = `card-choices:user:${heping.id}`
    const row = await svc.db.conversation.findUniqueOrThrow({ where: { platform_subject: { platform: 'wechaty', subject } } })
    const state = JSON.parse(row.state) as { value: string[]; expiresAt: number }
    expect(state.value[0]).toBe(`受理 ${n}`)
    expect(state.expiresAt - Date.now()).toBeGreaterThan(29 * 60 * 1000)
    await svc.db.conversation.update({ where: { id: row.id }, data: { state: JSON.stringify({ ...state, expiresAt: state.expiresAt - 31 * 60 * 1000 }) } })
    mark = say(heping, '1', me)
    expect(await heard(heping, /./, mark)).not.toContain('已受理')
    await settle()
    expect((await svc.db.workerRequest.findUniqueOrThrow({ where: { number: n } })).status).toBe('new')
  })
})

describe('mentions', () => {
  it('a group message mentioning people mentions their contacts (and names the ones without one)', async () => {
    const [zw, ly] = await Promise.all(['D1002', 'D1003'].map((no) => svc.db.person.findUniqueOrThrow({ where: { employeeNo: no } })))
    const from = said.length
    await svc.db.$transaction((tx) =>
      svc.core.deliver(
        tx,
        [
          {
            to: { kind: 'chat', platform: 'wechaty', chatId: room.id },
            text: '请到工会办公室领取劳保用品',
            mentions: [
              { personId: zw!.id, name: '张伟' },
              { personId: ly!.id, name: '王芳' },
            ],
          },
        ],
        'test:mentions',
        undefined,
      ),
    )
    // 张伟 is a bound contact in the room: a real mention (Wechaty writes it into the text); 王芳 has no WeChat contact: her name is written.
    expect(await heard(room, '劳保用品', from)).toBe('@张伟 @王芳 请到工会办公室领取劳保用品')
  })
})

describe('pacing', () => {
  it('a burst to one room goes out no faster than WECHATY_PACE_MS apart, in order', async () => {
    const from = said.length
    await svc.db.$transaction((tx) =>
      svc.core.deliver(
        tx,
        [1, 2, 3, 4, 5].map((i) => ({ to: { kind: 'chat' as const, platform: 'wechaty' as const, chatId: room.id }, text: `通知 ${i}` })),
        'test:pace',
        undefined,
      ),
    )
    const burst = await until('the burst', () => {
      const got = said.slice(from).filter((s) => s.conv === room.id && s.text.startsWith('通知 '))
      return got.length === 5 ? got : undefined
    })
    expect(burst.map((s) => s.text)).toEqual(['通知 1', '通知 2', '通知 3', '通知 4', '通知 5'])
    for (let i = 1; i < burst.length; i++) expect(burst[i]!.at - burst[i - 1]!.at).toBeGreaterThanOrEqual(PACE_MS - 5)
  })
})

describe('pacing per account', () => {
  it('an announcement to several rooms leaves the account one message at a time, WECHATY_PACE_MS apart', async () => {
    const rooms = ['二班群', '三班群', '四班群'].map((topic) => mocker.createRoom({ topic, memberIdList: [me.id, heping.id] }))
    rooms.forEach(observe)
    const targets = [room, ...rooms]
    const from = said.length
    await svc.db.$transaction((tx) =>
      svc.core.deliver(
        tx,
        targets.flatMap((r) => [1, 2].map((i) => ({ to: { kind: 'chat' as const, platform: 'wechaty' as const, chatId: r.id }, text: `全员通知 ${i}` }))),
        'test:pace-account',
        undefined,
      ),
    )
    const sent = await until('the announcement', () => {
      const got = said.slice(from).filter((s) => s.text.startsWith('全员通知 '))
      return got.length === targets.length * 2 ? got : undefined
    })
    expect(new Set(sent.map((s) => s.conv))).toEqual(new Set(targets.map((r) => r.id)))
    // Across rooms, not per room: every two consecutive sends of the account are a pace apart.
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(PACE_MS - 5)
    // The outbox does not pile the announcement up in the account's queue (it shares its concurrency with every platform).
    expect(adapter.pacer.peakQueued).toBeLessThanOrEqual(2)
  })
})

describe('a backlog replayed after a re-login', () => {
  it('messages older than WECHATY_MAX_AGE_MINUTES are neither answered nor stored', async () => {
    const before = await svc.db.inboundEvent.count({ where: { platform: 'wechaty' } })
    const old = mocker.MessageMock.create({
      id: 'replayed-old-message',
      talkerId: zhangwei.id,
      listenerId: me.id,
      timestamp: Date.now() - 6 * 60_000,
      type: 7,
      text: '我的信息',
    } as never)
    mocker.puppet.emit('message', { messageId: old.id })
    // A fresh message after it: once it is answered, the old one has been seen (inbound is handled in order).
    const from = say(zhangwei, '帮助', me)
    await heard(zhangwei, '工友可以帮您做这些事', from)
    await settle()
    expect(said.slice(from).filter((s) => s.conv === zhangwei.id && s.text.includes('D1002'))).toEqual([])
    expect(await svc.db.inboundEvent.count({ where: { platform: 'wechaty' } })).toBe(before + 1)
    expect(await svc.db.inboundEvent.count({ where: { platform: 'wechaty', eventId: 'replayed-old-message' } })).toBe(0)
  })
})

describe('ids that change between sessions', () => {
  it('a room under a new id is re-linked to its group by topic, binding kept', async () => {
    const group = await svc.db.chatGroup.findUniqueOrThrow({ where: { platform_externalId: { platform: 'wechaty', externalId: room.id } } })
    await svc.db.chatGroup.update({ where: { id: group.id }, data: { externalId: 'previous-session-room@chatroom' } })
    forgetSession()
    const from = say(zhangwei, '@工友 帮助', room, [me])
    await heard(room, /./, from)
    const after = await svc.db.chatGroup.findUniqueOrThrow({ where: { id: group.id } })
    expect(after).toMatchObject({ externalId: room.id, unitId: group.unitId, name: '电工班群' })
    expect(await svc.db.chatGroup.count({ where: { platform: 'wechaty', name: '电工班群' } })).toBe(1)
  })

  it('a message queued for the old room id reaches the room under its new id', async () => {
    const group = await svc.db.chatGroup.findUniqueOrThrow({ where: { platform_externalId: { platform: 'wechaty', externalId: room.id } } })
    await svc.db.chatGroup.update({ where: { id: group.id }, data: { externalId: 'older-session-room@chatroom' } })
    const from = said.length
    await svc.db.$transaction((tx) =>
      svc.core.deliver(
        tx,
        [{ to: { kind: 'chat', platform: 'wechaty', chatId: 'older-session-room@chatroom' }, text: '停水通知：明天上午检修' }],
        'test:relink-send',
        undefined,
      ),
    )
    expect(await heard(room, '停水通知', from)).toBe('停水通知：明天上午检修')
    expect((await svc.db.chatGroup.findUniqueOrThrow({ where: { id: group.id } })).externalId).toBe(room.id)
  })

  it('a contact under a new id is re-linked to its person by name', async () => {
    const identity = await svc.db.platformIdentity.findUniqueOrThrow({
      where: { platform_kind_externalId: { platform: 'wechaty', kind: 'contact', externalId: heping.id } },
    })
    await svc.db.platformIdentity.update({ where: { id: identity.id }, data: { externalId: 'previous-session-contact' } })
    forgetSession()
    const from = say(heping, '我的信息', me)
    const whoami = await heard(heping, /./, from)
    expect(whoami).toContain('D2001')
    expect((await svc.db.platformIdentity.findUniqueOrThrow({ where: { id: identity.id } })).externalId).toBe(heping.id)
  })

  it('a second contact with a bound person’s name does not take over their identity', async () => {
    const namesake = mocker.createContact({ name: '何平' })
    observe(namesake)
    const from = say(namesake, '我的信息', me)
    expect(await heard(namesake, /./, from)).toContain('还没有绑定')
    const identity = await svc.db.platformIdentity.findFirstOrThrow({ where: { platform: 'wechaty', displayName: '何平' } })
    expect(identity.externalId).toBe(heping.id)
  })
})

describe('removed from a room', () => {
  it('unbinds the group and tells the administrators once', async () => {
    const bound = mocker.createRoom({ topic: '焊工班群', memberIdList: [me.id, heping.id, zhangwei.id] })
    observe(bound)
    const from = say(heping, '绑定班组 电工班', bound)
    await heard(bound, '绑定', from)
    const group = await svc.db.chatGroup.findUniqueOrThrow({ where: { platform_externalId: { platform: 'wechaty', externalId: bound.id } } })
    expect(group.unitId).not.toBeNull()

    bound.remove(me).by(heping)
    const alert = await until('the administrators to be told', () =>
      svc.db.outboxMessage.findFirst({ where: { payload: { contains: '焊工班群' }, target: 'D9000', status: 'sent' } }).then((r) => r ?? undefined),
    )
    expect(JSON.parse(alert.payload).text).toBe(
      '【系统提醒】微信群“焊工班群”已将工友移出，该群与“一车间/电工班”的绑定已解除，通知不再发往该群。如需继续，请把工友拉进新群，由干部发送“绑定班组 单位名称”。',
    )
    expect((await svc.db.chatGroup.findUniqueOrThrow({ where: { id: group.id } })).unitId).toBeNull()

    // Removed again (a puppet may report it twice): nothing more to tell.
    mocker.puppet.emit('room-leave', { removeeIdList: [me.id], removerId: heping.id, roomId: bound.id, timestamp: Date.now() })
    await until('the second removal to be handled', () =>
      svc.db.inboundEvent
        .count({ where: { platform: 'wechaty', eventId: { startsWith: `room-leave:${bound.id}` } } })
        .then((n) => (n === 2 ? true : undefined)),
    )
    await settle()
    expect(await svc.db.outboxMessage.count({ where: { payload: { contains: '焊工班群' }, target: 'D9000' } })).toBe(1)
  })
})

describe('logout', () => {
  it('is visible on /readyz, told to administrators on another platform, and holds sends until the next login', async () => {
    await puppet.logout('手机端退出')
    await until('the logout', () => (adapter.status().connected ? undefined : true))
    const readyz = await svc.app.inject({ method: 'GET', url: '/readyz' })
    expect(readyz.statusCode).toBe(503)
    expect(readyz.json().adapters.wechaty).toEqual({ connected: false, detail: expect.stringContaining('logged out (手机端退出)') })

    // The administrator (韩梅, D9000) hears of it on the web playground, not on WeChat.
    const alert = await until('the alert', () =>
      svc.db.outboxMessage.findFirst({ where: { key: { startsWith: 'alert:wechaty:logout:' }, status: 'sent' } }).then((r) => r ?? undefined),
    )
    expect(alert).toMatchObject({ platform: 'web', targetKind: 'user', target: 'D9000' })
    expect(JSON.parse(alert.payload).text).toContain('微信机器人账号“工友”已退出登录（手机端退出）')

    const from = said.length
    await svc.db.$transaction((tx) =>
      svc.core.deliver(tx, [{ to: { kind: 'chat', platform: 'wechaty', chatId: room.id }, text: '登录后再发' }], 'test:logged-out', undefined),
    )
    // Held, not failed: a logout does not use up the message's attempts.
    const row = await until('a held attempt', () =>
      svc.db.outboxMessage
        .findFirst({ where: { key: 'test:logged-out:0', lastError: { contains: 'not logged in' }, status: 'pending' } })
        .then((r) => r ?? undefined),
    )
    expect(row.attempts).toBe(0)

    mocker.login(me)
    expect(await heard(room, '登录后再发', from)).toBe('登录后再发')
    expect(adapter.status()).toEqual({ connected: true, detail: 'logged in as 工友' })
  })
})
