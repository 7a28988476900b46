/**
 * Deadlines and the scheduled request jobs, as people notice them: who is told what, and when.
 * Time is a ManualClock shared by the service and its outbox; the real cron schedules are pushed
 * out of reach (NO_CRON) except in the test that checks the scheduler really fires.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.js'
import { openDatabase, type Db } from '../../src/db/client.js'
import { defaultCategories } from '../../src/requests/categories.js'
import { escalate } from '../../src/requests/service.js'
import { testProvider } from '../helpers/db.js'
import { scrape, waitUntil } from '../helpers/metrics.js'
import { startTestService, type Reply, type TestService } from '../helpers/service.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Schedules that do not fire while the suite runs (midnight on 1 January), so jobs run only when a test says so. */
const NO_CRON = {
  REQUEST_DIGEST_CRON: '0 0 1 1 *',
  REQUEST_SUPERVISED_CRON: '0 0 1 1 *',
  REQUEST_AUTOCLOSE_CRON: '0 0 1 1 *',
}
/** The internal every-minute escalation, pushed out of reach the same way. */
const NO_INTERNAL_CRON = { 'requests:escalate-overdue': '0 0 1 1 *' }

const minutesOf = (name: string, field: 'answerMinutes' | 'urgentAnswerMinutes' | 'resultMinutes') => defaultCategories.find((c) => c.name === name)![field]
const CANTEEN_ANSWER_MS = minutesOf('食堂餐饮', 'answerMinutes') * MINUTE
const CANTEEN_RESULT_MS = minutesOf('食堂餐饮', 'resultMinutes') * MINUTE

/** Services started by the running test, closed (last first) and dropped after it. */
let started: TestService[] = []

afterEach(async () => {
  const services = started.reverse()
  started = []
  for (const s of services) await s.close()
  for (const s of services) await s.dropDatabase()
})

async function start(clock: ManualClock, env: Record<string, string> = {}, url?: string, schedules: Record<string, string> = {}): Promise<TestService> {
  const svc = await startTestService({ clock, env: { ...NO_CRON, ...env }, schedules: { ...NO_INTERNAL_CRON, ...schedules }, ...(url ? { url } : {}) })
  started.push(svc)
  return svc
}

const text = (replies: Reply[]) => replies.map((r) => r.text).join('\n')
const numberIn = (s: string) => /SQ-\d{4}-\d{4}/.exec(s)?.[0] ?? ''

async function file(svc: TestService, from: string, chat: string, words: string): Promise<{ number: string; replies: Reply[] }> {
  const replies = await svc.say(from, chat, words)
  const number = numberIn(replies[0]?.text ?? '')
  expect(number, `no request number in: ${text(replies)}`).not.toBe('')
  return { number, replies }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Waits (bounded) until every outbox row due by the service's clock is sent or dead. */
async function settle(svc: TestService, clock: ManualClock): Promise<void> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const open = await svc.db.outboxMessage.count({ where: { OR: [{ status: 'pending', nextAttemptAt: { lte: clock.now() } }, { status: 'sending' }] } })
    if (open === 0) return
    if (Date.now() > deadline) throw new Error(`${open} outbox messages still not sent`)
    svc.outbox.wake()
    await sleep(20)
  }
}

/**
 * A read while another instance's client may be committing: on SQLite two clients on one file
 * can see "database is locked" for an instant (libsql does not wait), which says nothing about
 * the request; read again. Null when it stays locked.
 */
async function unlessBusy<T>(read: () => Promise<T>): Promise<T | null> {
  for (let i = 0; i < 20; i++) {
    try {
      return await read()
    } catch (error) {
      if (testProvider !== 'sqlite' || !/timed out|locked|busy/i.test(String(error))) throw error
      await sleep(25)
    }
  }
  return null
}

/** Runs a scheduled job at once and waits for what it sent to arrive. */
async function runJob(svc: TestService, clock: ManualClock, name: string): Promise<void> {
  await svc.scheduler.runNow(name)
  await settle(svc, clock)
}

/** Bot messages delivered privately to a person (employee number), oldest first; optionally only those containing `part`. */
async function privateTo(svc: TestService, personNo: string, part?: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId: null, personNo }, orderBy: { id: 'asc' } })
  return rows.map((r) => r.text).filter((t) => part === undefined || t.includes(part))
}

/** Bot messages delivered to a group chat containing `part`. */
async function inChat(svc: TestService, chatId: string, part: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId }, orderBy: { id: 'asc' } })
  return rows.map((r) => r.text).filter((t) => t.includes(part))
}

/** Everyone who privately received a bot message containing `part`, sorted. */
async function recipientsOf(svc: TestService, part: string): Promise<string[]> {
  const rows = await svc.db.webMessage.findMany({ where: { direction: 'out', chatId: null } })
  return rows
    .filter((r) => r.text.includes(part))
    .map((r) => r.personNo!)
    .sort()
}

/** The request's row, with the unit whose officers answer for it now. */
async function request(svc: TestService, number: string) {
  const row = await svc.db.workerRequest.findUniqueOrThrow({ where: { number } })
  return { ...row, levelUnit: await svc.db.unit.findUniqueOrThrow({ where: { id: row.levelUnitId } }) }
}

async function eventsOf(svc: TestService, number: string, kind: string): Promise<number> {
  const r = await svc.db.workerRequest.findUniqueOrThrow({ where: { number } })
  return svc.db.requestEvent.count({ where: { requestId: r.id, kind } })
}

async function levelShown(svc: TestService, who: string, number: string): Promise<string> {
  return /当前办理：(.*)/.exec(text(await svc.say(who, 'dm', `进度 ${number}`)))?.[1] ?? ''
}

describe('escalation of overdue requests', () => {
  it('moves a non-urgent request one level up only after its answer deadline, once', async () => {
    const clock = new ManualClock()
    const svc = await start(clock)
    const filedAt = clock.now().getTime()
    const { number, replies } = await file(svc, 'D1002', 'web-team-dg', '诉求 食堂晚班没有热饭')
    // Filed in the group: the acknowledgement comes privately.
    expect(replies.find((r) => r.to === 'D1002')!.text).toMatch(/（食堂餐饮）。已转给一车间\/电工班的工会干部/)
    const filed = await request(svc, number)
    expect(filed.urgent).toBe(false)
    expect(filed.answerDueAt!.getTime() - filedAt).toBe(CANTEEN_ANSWER_MS)

    // A minute before the deadline: nothing moves, nobody above hears of it.
    clock.advance(CANTEEN_ANSWER_MS - MINUTE)
    await runJob(svc, clock, 'requests:escalate-overdue')
    expect((await request(svc, number)).levelUnit.path).toBe('一车间/电工班')
    expect(await privateTo(svc, 'D3001')).toEqual([])
    expect(await privateTo(svc, 'D1002', '升级')).toEqual([])

    // Past it: one level up, with both levels and the requester told.
    clock.advance(2 * MINUTE)
    await runJob(svc, clock, 'requests:escalate-overdue')
    const moved = await request(svc, number)
    expect(moved.levelUnit.path).toBe('一车间')
    expect(moved.escalationCount).toBe(1)
    expect(moved.answerDueAt!.getTime()).toBe(clock.now().getTime() + CANTEEN_ANSWER_MS)
    const toWorkshop = await privateTo(svc, 'D3001')
    expect(toWorkshop).toHaveLength(1)
    expect(toWorkshop[0]).toContain(`诉求 ${number} 从 一车间/电工班 升级到您这里，原因：超过答复期限。`)
    expect(toWorkshop[0]).toContain('诉求人：张伟（D1002）')
    expect(await privateTo(svc, 'D2001', `诉求 ${number} 已升级到 一车间`)).toHaveLength(1)
    expect(await privateTo(svc, 'D1002', `您的诉求 ${number} 已升级到 一车间 办理`)).toHaveLength(1)
    expect(await levelShown(svc, 'D1002', number)).toBe('一车间')
    // The worker's timeline reads as sentences, not "系统：超期：答复".
    const timeline = text(await svc.say('D1002', 'dm', `进度 ${number}`))
    expect(timeline).toContain('张伟 提交了诉求')
    expect(timeline).toContain('超过答复期限，自动升级到 一车间')
    expect(timeline).not.toMatch(/系统：|超期：/)
    // Nobody else was pulled in: not the company, not another team.
    expect(await privateTo(svc, 'D9001')).toEqual([])
    expect(await privateTo(svc, 'D2002')).toEqual([])

    // Running it again changes nothing and tells nobody anything more.
    const before = await svc.db.webMessage.count({ where: { direction: 'out' } })
    await runJob(svc, clock, 'requests:escalate-overdue')
    clock.advance(HOUR)
    await runJob(svc, clock, 'requests:escalate-overdue')
    expect(await svc.db.webMessage.count({ where: { direction: 'out' } })).toBe(before)
    expect((await request(svc, number)).escalationCount).toBe(1)
    expect(await eventsOf(svc, number, 'escalated')).toBe(1)
  })

  it('an urgent safety hazard has 30 minutes, and escalates when they pass', async () => {
    const clock = new ManualClock()
    const svc = await start(clock)
    const filedAt = clock.now().getTime()
    const { number, replies } = await file(svc, 'D1002', 'dm', '诉求 北门配电箱漏电')
    expect(replies[0]!.text).toContain('（安全隐患，紧急）')
    const filed = await request(svc, number)
    expect(filed.urgent).toBe(true)
    expect(filed.answerDueAt!.getTime() - filedAt).toBe(30 * MINUTE)

    clock.advance(29 * MINUTE)
    await runJob(svc, clock, 'requests:escalate-overdue')
    expect((await request(svc, number)).escalationCount).toBe(0)

    clock.advance(2 * MINUTE) // 31 minutes after filing
    await runJob(svc, clock, 'requests:escalate-overdue')
    const moved = await request(svc, number)
    expect(moved.levelUnit.path).toBe('一车间')
    expect(moved.escalationCount).toBe(1)
    const toWorkshop = await privateTo(svc, 'D3001', number)
    expect(toWorkshop).toHaveLength(1)
    expect(toWorkshop[0]).toContain('【紧急】')
    expect(await privateTo(svc, 'D2001', `诉求 ${number} 已升级到 一车间`)).toHaveLength(1)
    expect(await privateTo(svc, 'D1002', `您的诉求 ${number} 已升级到 一车间 办理`)).toHaveLength(1)
  })

  it('at the top of the ladder, tells the chair and the administrators once per missed deadline', async () => {
    const clock = new ManualClock()
    const svc = await start(clock)
    const { number } = await file(svc, 'D1002', 'dm', '诉求 食堂晚班没有热饭')
    const step = CANTEEN_ANSWER_MS + MINUTE

    clock.advance(step)
    await runJob(svc, clock, 'requests:escalate-overdue')
    expect((await request(svc, number)).levelUnit.path).toBe('一车间')
    clock.advance(step)
    await runJob(svc, clock, 'requests:escalate-overdue')
    const atTop = await request(svc, number)
    expect(atTop.levelUnit.path).toBe('') // the company union
    expect(atTop.escalationCount).toBe(2)
    expect(await privateTo(svc, 'D9001', `诉求 ${number} 从 一车间 升级到您这里`)).toHaveLength(1)
    expect(await privateTo(svc, 'D3001', `诉求 ${number} 已升级到 示例集团（演示）`)).toHaveLength(1)
    const reachedTopAt = clock.now().getTime()

    // The answer deadline passes at the top: nowhere to go; the chair and the administrator hear of it once.
    clock.advance(step)
    await runJob(svc, clock, 'requests:escalate-overdue')
    await runJob(svc, clock, 'requests:escalate-overdue')
    clock.advance(HOUR)
    await runJob(svc, clock, 'requests:escalate-overdue')
    expect((await request(svc, number)).escalationCount).toBe(2)
    expect((await request(svc, number)).levelUnit.path).toBe('')
    const answerAlert = `【超期提醒】诉求 ${number}（一车间/电工班）已超过答复期限`
    expect(await recipientsOf(svc, answerAlert)).toEqual(['D9000', 'D9001'])
    expect(await recipientsOf(svc, '【超期提醒】')).toEqual(['D9000', 'D9001'])
    expect(await eventsOf(svc, number, 'overdue')).toBe(1)

    // The chair accepts it; when the result deadline passes too, that is a second miss, told once more.
    expect(text(await svc.say('D9001', 'dm', `受理 ${number}`))).toContain(`已受理 ${number}`)
    const accepted = await request(svc, number)
    expect(accepted.resultDueAt!.getTime()).toBe(reachedTopAt + CANTEEN_RESULT_MS)
    clock.set(new Date(reachedTopAt + CANTEEN_RESULT_MS - MINUTE))
    await runJob(svc, clock, 'requests:escalate-overdue')
    expect(await recipientsOf(svc, '【超期提醒】')).toEqual(['D9000', 'D9001'])
    clock.advance(2 * MINUTE)
    await runJob(svc, clock, 'requests:escalate-overdue')
    await runJob(svc, clock, 'requests:escalate-overdue')
    clock.advance(DAY)
    await runJob(svc, clock, 'requests:escalate-overdue')
    const resultAlert = `【超期提醒】诉求 ${number}（一车间/电工班）已超过办结期限`
    expect(await recipientsOf(svc, resultAlert)).toEqual(['D9000', 'D9001'])
    expect(await recipientsOf(svc, '【超期提醒】')).toEqual(['D9000', 'D9000', 'D9001', 'D9001'])
    expect(await eventsOf(svc, number, 'overdue')).toBe(2)
    expect(await eventsOf(svc, number, 'escalated')).toBe(2)
  })

  it('two instances running the job at the same moment escalate once', async () => {
    const clock = new ManualClock()
    const first = await start(clock)
    const { number } = await file(first, 'D1002', 'web-team-dg', '诉求 食堂晚班没有热饭')
    clock.advance(CANTEEN_ANSWER_MS + MINUTE)
    // On PostgreSQL: two services (two connection pools) on one database. On SQLite, several
    // instances are not a supported deployment (PRODUCT.md: they run on PostgreSQL), and two
    // clients on one file fail each other's transactions with SQLITE_BUSY (libsql does not wait),
    // so there the runs go to ONE service, at once (its client serialises the transactions).
    const second = testProvider === 'postgresql' ? await start(clock, {}, first.config.DATABASE_URL) : first
    await Promise.all([
      first.scheduler.runNow('requests:escalate-overdue'),
      second.scheduler.runNow('requests:escalate-overdue'),
      first.scheduler.runNow('requests:escalate-overdue'),
      second.scheduler.runNow('requests:escalate-overdue'),
    ])
    await settle(first, clock)
    // Once more each, after the race: still nothing further.
    await Promise.all([first.scheduler.runNow('requests:escalate-overdue'), second.scheduler.runNow('requests:escalate-overdue')])
    await settle(first, clock)

    const moved = await request(first, number)
    expect(moved.levelUnit.path).toBe('一车间')
    expect(moved.escalationCount).toBe(1)
    expect(await eventsOf(first, number, 'escalated')).toBe(1)
    expect(await privateTo(first, 'D3001', `诉求 ${number} 从 一车间/电工班 升级到您这里`)).toHaveLength(1)
    expect(await privateTo(first, 'D2001', `诉求 ${number} 已升级到 一车间`)).toHaveLength(1)
    expect(await privateTo(first, 'D1002', `您的诉求 ${number} 已升级到 一车间 办理`)).toHaveLength(1)
    expect(await inChat(first, 'web-officers', `诉求 ${number} 从 一车间/电工班 升级到您这里`)).toHaveLength(1)
    // The instance that lost the race does not mistake it for the top of the ladder.
    expect(await recipientsOf(first, '【超期提醒】')).toEqual([])
    expect(await eventsOf(first, number, 'overdue')).toBe(0)
    expect((await request(first, number)).topOverdueNotifiedAt).toBeNull()
  })

  it('the move up is one conditional write: of two instances moving the same request from what they read, exactly one wins', async () => {
    // What the race above comes down to. On PostgreSQL both jobs read the overdue request before
    // either commits, so only the conditional write stands between them and a double escalation;
    // on SQLite the jobs' transactions never overlap (one writer), so there the write is run
    // here from two clients in turn, each with the row as it was read before the first move.
    const clock = new ManualClock()
    const svc = await start(clock)
    const { number } = await file(svc, 'D1002', 'web-team-dg', '诉求 食堂晚班没有热饭')
    clock.advance(CANTEEN_ANSWER_MS + MINUTE)
    const stale = await svc.db.workerRequest.findUniqueOrThrow({ where: { number } })
    const other = openDatabase(svc.config.DATABASE_URL)
    const move = (db: Db) =>
      db.$transaction(
        async (tx) => (await escalate({ tx, now: clock.now(), t: svc.core.t, timeZone: svc.config.GONGYOU_TIMEZONE }, stale, null, '超期', [])) !== null,
      )
    try {
      const won = testProvider === 'postgresql' ? await Promise.all([move(svc.db), move(other)]) : [await move(svc.db), await move(other)]
      expect(won.filter(Boolean), `moves that won: ${won}`).toHaveLength(1)
    } finally {
      await other.$disconnect()
    }
    const moved = await request(svc, number)
    expect(moved.escalationCount).toBe(1)
    expect(moved.levelUnit.path).toBe('一车间')
    expect(await eventsOf(svc, number, 'escalated')).toBe(1)
  })

  it('the scheduler really fires, once across two instances', async () => {
    const clock = new ManualClock()
    const everySecond = { 'requests:escalate-overdue': '* * * * * *' }
    const first = await start(clock, {}, undefined, everySecond)
    const second = await start(clock, {}, first.config.DATABASE_URL, everySecond)
    const { number } = await file(first, 'D1002', 'web-team-dg', '诉求 食堂晚班没有热饭')

    clock.advance(CANTEEN_ANSWER_MS + MINUTE)
    await waitUntil('the request to move up', async () => (await unlessBusy(() => request(first, number)))?.escalationCount === 1)
    // A few more ticks on both instances change nothing: wait until two more slots are claimed, then stop both.
    const slotKeys = { key: { startsWith: 'cron:requests:escalate-overdue:' } }
    const claimed = async () => (await unlessBusy(() => first.db.lease.count({ where: slotKeys }))) ?? 0
    const seen = await claimed()
    await waitUntil('two more ticks', async () => (await claimed()) >= seen + 2)
    await Promise.all([first.scheduler.stop(), second.scheduler.stop()])
    await settle(first, clock)
    const moved = await request(first, number)
    expect(moved.escalationCount).toBe(1)
    expect(moved.levelUnit.path).toBe('一车间')
    expect(await eventsOf(first, number, 'escalated')).toBe(1)
    expect(await privateTo(first, 'D3001', `诉求 ${number} 从 一车间/电工班 升级到您这里`)).toHaveLength(1)
    expect(await privateTo(first, 'D1002', `您的诉求 ${number} 已升级到 一车间 办理`)).toHaveLength(1)
    expect(await recipientsOf(first, '【超期提醒】')).toEqual([])
    // Each tick ran on one instance only: the runs the two instances counted add up to the slots claimed.
    const slots = await first.db.lease.count({ where: slotKeys })
    expect(slots).toBeGreaterThanOrEqual(3)
    const job = 'requests:escalate-overdue'
    const metrics = await Promise.all([scrape(first), scrape(second)])
    const won = metrics.map((m) => m('gongyou_scheduler_ticks_total', { job, won: 'true' }))
    const runs = metrics.map((m) => m('gongyou_scheduler_runs_total', { job, outcome: 'ok' }))
    expect(won[0]! + won[1]!, `ticks won per instance: ${won}`).toBe(slots)
    expect(runs[0]! + runs[1]!, `runs per instance: ${runs}`).toBe(slots)
  })
})

describe('the daily digest', () => {
  it('gives each officer with open requests one list a day, overdue first; nothing to the others', async () => {
    const clock = new ManualClock() // 09:00 in Shanghai
    const svc = await start(clock)
    const canteen = await file(svc, 'D1002', 'dm', '诉求 食堂晚班没有热饭')
    const hazard = await file(svc, 'D1003', 'dm', '诉求 北门配电箱漏电')
    clock.advance(31 * MINUTE) // the hazard's answer deadline has passed (no escalation run)

    await runJob(svc, clock, 'requests:digest')
    const digest = await privateTo(svc, 'D2001', '早上好')
    expect(digest).toHaveLength(1)
    const lines = digest[0]!.split('\n')
    expect(lines[0]).toBe('早上好！您有 2 件待办诉求，其中 1 件已超期：')
    expect(lines[1]).toMatch(new RegExp(`^⚠超期 ${hazard.number}【安全隐患】待受理：北门配电箱漏电`))
    expect(lines[2]).toBe(`${canteen.number}【食堂餐饮】待受理：食堂晚班没有热饭`)
    expect(await recipientsOf(svc, '早上好')).toEqual(['D2001'])
    expect(await inChat(svc, 'web-officers', '早上好')).toEqual([])

    // Later the same day: not again.
    clock.advance(3 * HOUR)
    await runJob(svc, clock, 'requests:digest')
    expect(await recipientsOf(svc, '早上好')).toEqual(['D2001'])

    // The next morning: a new one.
    clock.advance(21 * HOUR)
    await runJob(svc, clock, 'requests:digest')
    expect(await privateTo(svc, 'D2001', '早上好')).toHaveLength(2)
    expect(await recipientsOf(svc, '早上好')).toEqual(['D2001', 'D2001'])
  })
})

describe('quiet hours', () => {
  it('hold an officer notice till morning, but never the answer to the requester or an urgent notice', async () => {
    const clock = new ManualClock(new Date('2026-03-02T15:00:00Z')) // 23:00 in Shanghai
    const svc = await start(clock, { QUIET_HOURS: '22:00-07:00' })

    const canteen = await file(svc, 'D1002', 'dm', '诉求 食堂晚班没有热饭')
    expect(canteen.replies.map((r) => r.to)).toEqual(['D1002'])
    expect(await privateTo(svc, 'D1002', `已收到您的诉求 ${canteen.number}`)).toHaveLength(1)
    expect(await privateTo(svc, 'D2001')).toEqual([])
    const held = await svc.db.outboxMessage.findMany({ where: { status: 'pending', OR: [{ target: 'D2001' }, { target: 'web-officers' }] } })
    expect(held.map((r) => r.target).sort()).toEqual(['D2001', 'web-officers'])
    for (const row of held) expect(row.nextAttemptAt.toISOString()).toBe('2026-03-02T23:00:00.000Z') // 07:00 local

    // An urgent one reaches the officer at once, even now.
    const hazard = await file(svc, 'D1003', 'dm', '诉求 北门配电箱漏电')
    expect(hazard.replies.some((r) => r.to === 'D2001' && r.text.includes(hazard.number))).toBe(true)
    const urgentNotices = await privateTo(svc, 'D2001')
    expect(urgentNotices).toHaveLength(1)
    expect(urgentNotices[0]).toContain(`【紧急】新诉求 ${hazard.number}`)

    // Still night: the held notice stays held.
    clock.set('2026-03-02T22:59:00Z')
    svc.outbox.wake()
    await settle(svc, clock)
    expect(await privateTo(svc, 'D2001', canteen.number)).toEqual([])

    // 07:01: it arrives.
    clock.set('2026-03-02T23:01:00Z')
    const deadline = Date.now() + 10_000
    while ((await privateTo(svc, 'D2001', canteen.number)).length === 0 && Date.now() < deadline) {
      svc.outbox.wake()
      await sleep(20)
    }
    expect(await privateTo(svc, 'D2001', `新诉求 ${canteen.number}`)).toHaveLength(1)
    await settle(svc, clock)
    expect(await inChat(svc, 'web-officers', `新诉求 ${canteen.number}`)).toHaveLength(1)
  })
})

describe('closing unrated requests', () => {
  it('closes a resolved, unrated request after the configured days and tells the requester; leaves a rated one alone', async () => {
    const clock = new ManualClock()
    const svc = await start(clock)
    const unrated = await file(svc, 'D1002', 'dm', '诉求 食堂晚班没有热饭')
    const rated = await file(svc, 'D1003', 'dm', '诉求 食堂的菜太咸')
    expect(text(await svc.say('D2001', 'dm', `办结 ${unrated.number} 已安排晚班热饭`))).toContain(`已办结 ${unrated.number}`)
    expect(text(await svc.say('D2001', 'dm', `办结 ${rated.number} 已反馈给食堂`))).toContain(`已办结 ${rated.number}`)
    expect(text(await svc.say('D1003', 'dm', `评价 ${rated.number} 5 很好`))).toContain('感谢评价')
    expect(svc.config.REQUEST_AUTOCLOSE_DAYS).toBe(7)

    clock.advance(7 * DAY - HOUR)
    await runJob(svc, clock, 'requests:close-unrated')
    expect((await request(svc, unrated.number)).status).toBe('resolved')

    clock.advance(DAY + HOUR) // 8 days after resolving
    await runJob(svc, clock, 'requests:close-unrated')
    await runJob(svc, clock, 'requests:close-unrated')
    expect((await request(svc, unrated.number)).status).toBe('closed')
    expect(text(await svc.say('D1002', 'dm', `进度 ${unrated.number}`))).toMatch(/状态：已关闭[\s\S]*办结后未评价，自动关闭/)
    expect(await privateTo(svc, 'D1002', `诉求 ${unrated.number} 办结后一直未评价，已自动关闭`)).toHaveLength(1)
    expect(await recipientsOf(svc, '已自动关闭')).toEqual(['D1002'])

    const stillRated = await request(svc, rated.number)
    expect(stillRated.status).toBe('rated')
    expect(stillRated.rating).toBe(5)
    expect(await eventsOf(svc, rated.number, 'closed')).toBe(0)
  })
})

describe('the supervised summary', () => {
  it('sends the administrators the list of supervised requests', async () => {
    const clock = new ManualClock()
    const svc = await start(clock)
    const watched = await file(svc, 'D1002', 'dm', '诉求 食堂晚班没有热饭')
    const other = await file(svc, 'D1003', 'dm', '诉求 班车太早了')
    expect(text(await svc.say('D2001', 'dm', `督办 ${watched.number}`))).toContain(`已将 ${watched.number} 列为督办事项`)
    expect(text(await svc.say('D2001', 'dm', `督办 ${watched.number}`))).toContain('已经是督办事项')

    await runJob(svc, clock, 'requests:supervised-summary')
    await runJob(svc, clock, 'requests:supervised-summary')
    const summary = await privateTo(svc, 'D9000', '本周督办事项')
    expect(summary).toHaveLength(1)
    expect(summary[0]).toBe(`本周督办事项共 1 件：\n${watched.number}【待受理】一车间/电工班：食堂晚班没有热饭`)
    expect(summary[0]).not.toContain(other.number)
    expect(await recipientsOf(svc, '本周督办事项')).toEqual(['D9000'])
  })
})
