/**
 * The chat form of `发布公告` and `修改公告`, made to be typed on a phone:
 *
 *   发布公告 活动 周末篮球赛          ← first line: kind (活动/安全/关爱/通知, may be left out) and title
 *   周六下午三点，厂体育馆。          ← body lines, as written
 *   范围 一车间                       ← option lines, in any order, one per line
 *   时间 周五18:00                    (or 每周一 07:50, 定时 cron 50 7 * * 1, 立即)
 *   需要已阅
 *   报名 名额30 截止 周四18:00
 *   链接 https://…
 *
 * An option line starts with its word and a space (`范围 一车间`); most also take a colon
 * (`范围：一车间`). `时间`, `截止` and `报名` take only a space, because notices often carry lines
 * such as `时间：周六14:00` or `报名方式：找班长` — those stay in the body. Every line that cannot be
 * read is reported with what was wrong, all at once.
 */
import { normalizeText } from '../core/parser.js'
import { parseWhen } from '../core/time/when.js'
import type { Messages } from '../messages/index.js'
import { parseRecurrence, RECURRENCE_START } from '../core/time/recurrence.js'
import { kindOf, MAX_REMINDERS, type AnnouncementInput, type Kind } from './service.js'
import { ALL_WORDS } from './create.js'
import type { AnnouncementEdit } from './changes.js'

type Option = 'scope' | 'time' | 'ack' | 'signup' | 'capacity' | 'due' | 'link' | 'image' | 'campaign' | 'reminders' | 'noReminders' | 'kind' | 'title' | 'body'

/** [word, option, whether `word：value` counts too]; flags are whole lines. */
const OPTION_WORDS: [string, Option, boolean][] = [
  ['范围', 'scope', true],
  ['发送范围', 'scope', true],
  ['发给', 'scope', true],
  ['对象', 'scope', true],
  ['scope', 'scope', true],
  ['时间', 'time', false],
  ['定时', 'time', true],
  ['发送时间', 'time', true],
  ['发布时间', 'time', true],
  ['when', 'time', true],
  ['需要已阅', 'ack', false],
  ['要求已阅', 'ack', false],
  ['需已阅', 'ack', false],
  ['请回复已阅', 'ack', false],
  ['需要确认', 'ack', false],
  ['已阅', 'ack', false],
  ['ack', 'ack', false],
  ['报名', 'signup', false],
  ['需要报名', 'signup', false],
  ['signup', 'signup', false],
  ['名额', 'capacity', true],
  ['截止', 'due', false],
  ['截止时间', 'due', true],
  ['报名截止', 'due', true],
  ['due', 'due', true],
  ['链接', 'link', true],
  ['网址', 'link', true],
  ['link', 'link', true],
  ['图片', 'image', true],
  ['image', 'image', true],
  ['所属活动', 'campaign', true],
  ['专项活动', 'campaign', true],
  ['campaign', 'campaign', true],
  ['提醒', 'reminders', true],
  ['不提醒', 'noReminders', false],
  ['类型', 'kind', true],
  ['kind', 'kind', true],
  ['标题', 'title', true],
  ['正文', 'body', true],
  ['内容', 'body', true],
]
const BY_LENGTH = [...OPTION_WORDS].sort((a, b) => b[0].length - a[0].length)
const FLAGS = new Set<Option>(['ack', 'noReminders'])

/** Nothing but the words and digits of days and times. */
const SCHEDULE_ONLY = /^[每天日周星期礼拜个月号工作一二三四五六七八九十零〇两\d:\s、,和及与至到~—\-上下中晚早凌傍夜午点时分半晨间]+$/

interface OptionLine {
  option: Option
  /** The value, normalised (half-width, Chinese separators mapped). */
  value: string
  /** The value as written (titles and bodies keep full-width punctuation). */
  raw: string
}

/** The option a line sets, or null when it is a line of the body. */
function optionOf(line: string): OptionLine | null {
  const n = normalizeText(line).replace(/[。！!.]+$/, '')
  const lower = n.toLowerCase()
  for (const [word, option, colon] of BY_LENGTH) {
    const w = word.toLowerCase()
    if (!lower.startsWith(w)) continue
    const after = n.slice(word.length)
    if (after === '') return { option, value: '', raw: '' }
    if (FLAGS.has(option)) continue
    if (/^\s/.test(after) || (colon && after.startsWith(':'))) {
      const raw = line.trim().replace(new RegExp(`^${word}\\s*[:：]?\\s*`, 'i'), '')
      return { option, value: after.replace(/^[\s:]+/, '').trim(), raw: raw.trim() }
    }
  }
  // A recurrence on its own line (每周一 07:50) when it reads as one, or when it holds nothing but
  // days and times (每周八 7:50, a typo to point out); `每天8点前到岗签到` is body text.
  if (RECURRENCE_START.test(n)) {
    const recurrence = parseRecurrence(n)
    if (/^cron\b/i.test(n) || (recurrence && 'cron' in recurrence) || SCHEDULE_ONLY.test(n)) return { option: 'time', value: n, raw: line.trim() }
  }
  return null
}

const NOW_WORDS = /^(立即|立刻|马上|现在|即时|now)$/i

export interface FormContext {
  now: Date
  t: Messages
  timeZone: string
}

type Schedule = { kind: 'now' } | { kind: 'at'; at: Date } | { kind: 'cron'; cron: string }

/** What the option lines said, before the service checks it. */
interface Options {
  kind?: Kind
  title?: string
  body?: string
  targets?: 'all' | string[]
  schedule?: Schedule
  requireAck?: boolean
  signup?: boolean
  capacity?: number
  dueAt?: Date
  link?: string
  imageUrl?: string
  campaign?: string
  maxReminders?: number
}

function readTime(ctx: FormContext, value: string): Schedule | string {
  const a = ctx.t.announcements
  if (NOW_WORDS.test(value)) return { kind: 'now' }
  const recurrence = parseRecurrence(value)
  if (recurrence) return 'cron' in recurrence ? { kind: 'cron', cron: recurrence.cron } : a.badRecurrence[recurrence.error]
  const when = parseWhen(value, ctx.now, ctx.timeZone, ctx.t.when)
  return 'at' in when ? { kind: 'at', at: when.at } : when.error
}

function readDue(ctx: FormContext, value: string): Date | string {
  const when = parseWhen(value, ctx.now, ctx.timeZone, ctx.t.when)
  return 'at' in when ? when.at : when.error
}

/** `名额30` / `限30人` / `30人` / `不限` and `截止 周四18:00`, in any order. */
function readSignup(ctx: FormContext, value: string, into: Options): string | null {
  const a = ctx.t.announcements
  into.signup = true
  let rest = value
  const due = /(?:报名)?截止(?:时间)?\s*:?\s*(.+)$/.exec(rest)
  if (due) {
    const at = readDue(ctx, due[1]!)
    if (typeof at === 'string') return at
    into.dueAt = at
    rest = rest.slice(0, due.index)
  }
  const cap = /(?:名额|限额|限)\s*:?\s*(\d+)\s*(?:人|名|个)?|(\d+)\s*(?:人|名|个名额)/.exec(rest)
  if (cap) {
    into.capacity = Number(cap[1] ?? cap[2])
    rest = rest.replace(cap[0], '')
  }
  rest = rest.replace(/不限(名额)?|名额不限/, '').replace(/[\s,;、]+/g, '')
  return rest === '' ? null : a.badSignup
}

function applyOption(ctx: FormContext, line: OptionLine, into: Options): string | null {
  const a = ctx.t.announcements
  const { value } = line
  const needValue = () => a.missingValue
  switch (line.option) {
    case 'scope': {
      const names = value.split(/[\s,;、]+/).filter(Boolean)
      if (names.length === 0) return needValue()
      into.targets = names.some((n) => ALL_WORDS.has(n.toLowerCase())) ? 'all' : names
      return null
    }
    case 'time': {
      if (!value) return needValue()
      const s = readTime(ctx, value)
      if (typeof s === 'string') return s
      into.schedule = s
      return null
    }
    case 'ack':
      into.requireAck = true
      return null
    case 'signup':
      return value ? readSignup(ctx, value, into) : ((into.signup = true), null)
    case 'capacity': {
      if (/^(不限|无)$/.test(value)) return ((into.signup = true), null)
      const m = /^(\d+)\s*(人|名)?$/.exec(value)
      if (!m) return a.badCapacity
      into.capacity = Number(m[1])
      into.signup = true
      return null
    }
    case 'due': {
      if (!value) return needValue()
      const at = readDue(ctx, value)
      if (typeof at === 'string') return at
      into.dueAt = at
      return null
    }
    case 'link':
    case 'image': {
      if (!/^https?:\/\/\S+$/i.test(line.raw)) return a.badUrl
      if (line.option === 'link') into.link = line.raw
      else into.imageUrl = line.raw
      return null
    }
    case 'campaign':
      if (!value) return needValue()
      into.campaign = value
      return null
    case 'reminders': {
      if (/^(不|不要|无|0次?)$/.test(value)) return ((into.maxReminders = 0), null)
      const m = /^(\d+)\s*次?$/.exec(value)
      if (!m || Number(m[1]) > MAX_REMINDERS) return a.badReminders(MAX_REMINDERS)
      into.maxReminders = Number(m[1])
      return null
    }
    case 'noReminders':
      into.maxReminders = 0
      return null
    case 'kind': {
      const kind = kindOf(value)
      if (!kind) return a.badKind
      into.kind = kind
      return null
    }
    case 'title':
      if (!line.raw) return needValue()
      into.title = line.raw
      return null
    case 'body':
      into.body = line.raw
      return null
  }
}

function leadingKind(firstLine: string): { kind?: Kind; title: string } {
  const raw = firstLine.trim()
  const bracket = /^[【[]\s*([^】\]]{1,4})\s*[】\]]\s*(.*)$/.exec(raw)
  if (bracket && kindOf(bracket[1]!)) return { kind: kindOf(bracket[1]!)!, title: bracket[2]!.trim() }
  const m = /^(\S+)(?:\s+(.*))?$/.exec(raw)
  const kind = m ? kindOf(normalizeText(m[1]!)) : null
  return kind ? { kind, title: (m![2] ?? '').trim() } : { title: raw }
}

/** Reads `发布公告 …` into the service's input; `problems` lists every line that could not be read. */
export function parseCreateForm(ctx: FormContext, text: string): { input: AnnouncementInput; problems: string[] } {
  const a = ctx.t.announcements
  const lines = text.split('\n')
  const first = leadingKind(lines[0] ?? '')
  const options: Options = {}
  const body: string[] = []
  const problems: string[] = []
  let title = first.title
  for (const line of lines.slice(1)) {
    const option = optionOf(line)
    if (!option) {
      if (!title && line.trim()) title = line.trim()
      else body.push(line)
      continue
    }
    const problem = applyOption(ctx, option, options)
    if (problem) problems.push(a.lineProblem(line.trim(), problem))
  }
  const input: AnnouncementInput = {
    kind: options.kind ?? first.kind ?? 'notice',
    title: options.title ?? title,
    body: options.body ?? body.join('\n').trim(),
    ...(options.targets ? { targets: options.targets } : {}),
    ...(options.schedule ? { schedule: options.schedule } : {}),
    requireAck: options.requireAck ?? false,
    signup: options.signup ?? false,
    ...(options.capacity !== undefined ? { capacity: options.capacity } : {}),
    ...(options.dueAt ? { dueAt: options.dueAt } : {}),
    ...(options.link ? { link: options.link } : {}),
    ...(options.imageUrl ? { imageUrl: options.imageUrl } : {}),
    ...(options.campaign ? { campaign: options.campaign } : {}),
    ...(options.maxReminders !== undefined ? { maxReminders: options.maxReminders } : {}),
  }
  return { input, problems }
}

/** Reads the option lines of `修改公告 N-8 …`; lines after `正文` continue the body. */
export function parseEditForm(ctx: FormContext, text: string): { edit: AnnouncementEdit; problems: string[]; empty: boolean } {
  const a = ctx.t.announcements
  const options: Options = {}
  const problems: string[] = []
  let body: string[] | null = null
  let seen = 0
  for (const line of text.split('\n')) {
    if (!line.trim() && body === null) continue
    const option = optionOf(line)
    if (!option) {
      if (body !== null) body.push(line)
      else problems.push(a.lineProblem(line.trim(), a.notAnOption))
      continue
    }
    seen++
    if (option.option === 'body') {
      body = option.raw ? [option.raw] : []
      continue
    }
    const problem = applyOption(ctx, option, options)
    if (problem) problems.push(a.lineProblem(line.trim(), problem))
  }
  const edit: AnnouncementEdit = {
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(body !== null ? { body: body.join('\n').trim() } : {}),
    ...(options.targets ? { targets: options.targets } : {}),
    ...(options.schedule ? { schedule: options.schedule } : {}),
    ...(options.requireAck ? { requireAck: true } : {}),
    ...(options.signup ? { signup: true } : {}),
    ...(options.capacity !== undefined ? { capacity: options.capacity } : {}),
    ...(options.dueAt ? { dueAt: options.dueAt } : {}),
    ...(options.link ? { link: options.link } : {}),
    ...(options.imageUrl ? { imageUrl: options.imageUrl } : {}),
    ...(options.campaign ? { campaign: options.campaign } : {}),
    ...(options.maxReminders !== undefined ? { maxReminders: options.maxReminders } : {}),
  }
  return { edit, problems, empty: seen === 0 }
}
