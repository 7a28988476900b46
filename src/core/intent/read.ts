/**
 * The intent reader: what a person means by a message written the way people write, not the way
 * the README writes commands. It runs only on messages the strict parser did not take as a
 * command, and says which command the message reads as — run at once when it is plainly meant
 * (投诉：…, 帮李四报一下：…, 查一下进度, SQ-2026-0042 已经修好了), or offered first when it
 * only looks like a problem (食堂今天又没热饭). It never throws and does no I/O; a message costs
 * a few microseconds (see bench/intent.ts).
 */
import {
  ANONYMOUS_MARKERS,
  BACK_REFERENCES,
  FILING_VERBS,
  HAZARD_WORDS,
  HELP_PHRASES,
  LIST_PHRASES,
  NO,
  NOT_A_REQUEST,
  OFFICER_VERB_ONLY,
  OFFICER_WORDS,
  ON_BEHALF_LEADS,
  ON_BEHALF_VERBS,
  PROBLEM_MARKERS,
  SCORE,
  SMALL_TALK,
  STATUS_PHRASES,
  URGENT_OPENERS,
  VERB_CATEGORY,
  WANTING,
  YES,
} from './lexicon.js'
import { isHan, readingForm } from './text.js'
import type { OfficerAction, Reading, ReadOptions, Role } from './reading.js'
import { dropOpeners, FACES, findNumber, HAS_FACE, includesAny, LEAD, PUNCT, startsWithAny, TRAIL } from './shape.js'
import { typoAtStart } from './typos.js'

export type { IntentKind, OfficerAction, Reading, ReadOptions, Role } from './reading.js'
export { findNumber } from './shape.js'
export { startsWithTypo, typoAtStart } from './typos.js'

const SMALL = new Map<string, string>()
for (const [topic, words] of Object.entries(SMALL_TALK)) for (const w of words) SMALL.set(w.replace(PUNCT, ''), topic)

function smallTalk(s: string): string | undefined {
  const bare = s
    .replace(FACES, (m) => (SMALL.has(m) ? m : ''))
    .replace(PUNCT, '')
    .replace(/(.)[呀啊吧哦嘛呢啦哈]+$/u, '$1')
  // Only faces (👍, [强]) is a nod; only punctuation (？, 。。。) is not understood.
  if (bare === '') return HAS_FACE.test(s) ? 'ok' : undefined
  // Repeated laughs and yeses: 哈哈哈哈, 好好好, 谢谢谢谢.
  const squeezed = bare.replace(/(.+?)\1+/gu, '$1')
  return SMALL.get(bare) ?? SMALL.get(squeezed) ?? (squeezed.length <= 2 ? SMALL.get(squeezed[0]!) : undefined)
}

function statusCommand(number: string | undefined): string {
  return number ? `进度 ${number}` : '我的诉求'
}

const STAFF: readonly Role[] = ['officer', 'admin']

/** The message after a request number at its start: an officer's step, a rating, or a question. */
function afterNumber(number: string, rest: string, role: Role): Reading {
  const plain = rest.replace(TRAIL, '')
  if (plain === '' || includesAny(plain, STATUS_PHRASES) || /[?？吗呢]$/.test(rest.trim())) {
    if (
      !STAFF.includes(role) ||
      plain === '' ||
      !startsWithAny(
        plain,
        OFFICER_WORDS.map(([w]) => w),
      )
    )
      return { kind: 'status', number, command: statusCommand(number), confirm: false }
  }
  if (STAFF.includes(role)) {
    const word =
      startsWithAny(
        plain,
        OFFICER_WORDS.map(([w]) => w),
      ) ??
      includesAny(
        plain,
        OFFICER_WORDS.filter(([, a]) => a === 'resolve').map(([w]) => w),
      )
    const action = (word ? OFFICER_WORDS.find(([w]) => w === word)![1] : 'reply') as OfficerAction
    // 受理 / 驳回 理由: the word is the command; 已经修好了: the whole sentence is the result.
    const text = word && OFFICER_VERB_ONLY.has(word) && plain.startsWith(word) ? plain.slice(word.length).replace(LEAD, '') : rest.trim()
    const verb = { accept: '受理', reply: '回复', resolve: '办结', reject: '驳回', escalate: '升级', supervise: '督办' }[action]
    const needsText = action === 'reply' || action === 'resolve' || action === 'reject'
    const command = `${verb} ${number}${text && (needsText || action === 'escalate') ? ` ${text}` : ''}`
    return { kind: 'officer', action, number, text, command, confirm: false }
  }
  const score = SCORE.exec(plain)
  if (score) {
    const n = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5 }[score[1]!] ?? Number(score[1])
    const comment = plain.replace(score[0].trim(), '').replace(LEAD, '').trim()
    return { kind: 'rate', number, command: `评价 ${number} ${n}${comment ? ` ${comment}` : ''}`, confirm: false }
  }
  return { kind: 'status', number, command: statusCommand(number), confirm: false }
}

const NUMBER_FIRST = /^(?:sq\s*-?\s*(\d{4})\s*-?\s*(\d{1,6})|(?:#|第)?(\d{1,6})\s*号|#(\d{1,6}))\s*/i

/** The text of a request as written, without the greeting before it. */
function requestText(original: string): string {
  const light = original.trim()
  const cut = light.replace(/^(?:[@＠]\S+\s*)+/u, '')
  return cut || light
}

function verbCategory(verb: string): string | undefined {
  return VERB_CATEGORY.find(([w]) => verb.includes(w))?.[1]
}

/** Whether the reading form describes a problem worth offering to file. */
function looksLikeProblem(s: string): boolean {
  const han = (s.match(/\p{Script=Han}/gu) ?? []).length
  if (han < 5) return false
  if (includesAny(s, NOT_A_REQUEST)) return false
  return includesAny(s, PROBLEM_MARKERS) !== undefined || han >= 12
}

/**
 * Reads one message. `original` is the message as received (mentions of the bot removed); the
 * request text kept in a reading is taken from it as written.
 */
export function readIntent(original: string, options: ReadOptions): Reading {
  try {
    return read(original, options)
  } catch {
    return { kind: 'unknown', confirm: false }
  }
}

function read(original: string, { role }: ReadOptions): Reading {
  const form = readingForm(original).replace(/^\/+/, '')
  const text = requestText(original)
  if (form === '') return { kind: 'unknown', confirm: false }
  const topic = smallTalk(form)
  if (topic) return { kind: 'smallTalk', topic, confirm: false }

  const s = dropOpeners(form).replace(LEAD, '')
  if (s === '') return form.replace(PUNCT, '') === '' ? { kind: 'unknown', confirm: false } : { kind: 'smallTalk', topic: 'greeting', confirm: false }

  // A request number first: SQ-2026-0042 已经修好了 / 42号怎么样了 / SQ-2026-0042 5分.
  const lead = NUMBER_FIRST.exec(s)
  if (lead) {
    const number = lead[1] ? `SQ-${lead[1]}-${lead[2]!.padStart(4, '0')}` : (lead[3] ?? lead[4])!
    return afterNumber(number, s.slice(lead[0].length).replace(LEAD, ''), role)
  }

  const short = Array.from(s.replace(PUNCT, '')).length <= 16
  // What the bot can do.
  if (short && (includesAny(s, HELP_PHRASES) || /^(help|menu|功能|菜单|指令|说明)$/.test(s.replace(PUNCT, ''))))
    return { kind: 'help', command: '帮助', confirm: false }

  // How their matter is going.
  const number = findNumber(s) ?? /(?:进度|进展|查)\s*(?:sq)?\s*(\d{1,6})(?!\d)/.exec(s)?.[1]
  const lookup = /^(?:帮我|麻烦)?(?:查一下|查下|查查|查询|查)/.test(s)
  const asksStatus =
    includesAny(s, STATUS_PHRASES) ?? (lookup && (number || includesAny(s, BACK_REFERENCES) || /我提的|我报的|我反映的|我那个/.test(s)) ? '查' : undefined)
  if (
    asksStatus &&
    (number || short || includesAny(s, BACK_REFERENCES)) &&
    !startsWithAny(
      s.replace(/^我?(想|要)/, ''),
      FILING_VERBS.filter((v) => v.length > 1 && v !== '反映'),
    )
  ) {
    if (!number && includesAny(s, LIST_PHRASES) && !includesAny(s, ['上次', '那个'])) return { kind: 'list', command: '我的诉求', confirm: false }
    return { kind: 'status', ...(number ? { number } : {}), command: statusCommand(number), confirm: false }
  }
  if (short && includesAny(s, LIST_PHRASES)) return { kind: 'list', command: '我的诉求', confirm: false }

  // Not wanting to be named: filed anonymously (the anonymous command keeps the group rule).
  const anonymous = includesAny(s, ANONYMOUS_MARKERS)
  const content = (from: string): string => from.replace(LEAD, '').replace(TRAIL, '')
  if (anonymous) {
    const body = content(s.replace(anonymous, '').replace(/^(我想|我要|想|要)?(提|反映|投诉|诉求|举报|说)?(个|一个|一下)?/, ''))
    if (Array.from(body.replace(PUNCT, '')).length >= 4)
      return { kind: 'fileAnonymous', text, command: `匿名诉求 ${text}`, confirm: false, ...(urgentIn(s) ? { urgent: true } : {}) }
    return { kind: 'fileAnonymous', command: '匿名诉求', confirm: false }
  }

  // A collector for a worker: 帮李四报一下：…、替@张三 反映…、代王五提：….
  const behalf = onBehalf(s, original)
  if (behalf) return behalf

  // Saying they want to file: 投诉…、我想提个建议：…、我有个问题要反映…、帮我报一下….
  const want = startsWithAny(s, WANTING) ?? ''
  const afterWant = s.slice(want.length).replace(LEAD, '')
  const verb = startsWithAny(afterWant, FILING_VERBS)
  const hazard = includesAny(s, HAZARD_WORDS)
  if (verb && !(verb === '反应' && !want)) {
    const body = content(afterWant.slice(verb.length).replace(/^(一下|一个|个|一条|条|点)?/, ''))
    const hasBody = Array.from(body.replace(PUNCT, '')).length >= 2
    if (hazard && hasBody) return { kind: 'hazard', text, command: `隐患 ${text}`, confirm: false, urgent: true, category: '安全隐患' }
    const category = verbCategory(verb)
    if (!hasBody) return { kind: 'file', command: '诉求', confirm: false, ...(category ? { category } : {}) }
    return { kind: 'file', text, command: `诉求 ${text}`, confirm: false, ...(category ? { category } : {}), ...(urgentIn(s) ? { urgent: true } : {}) }
  }

  // A hazard named anywhere: 刚发现个安全隐患：….
  if (hazard && Array.from(s.replace(PUNCT, '')).length >= 6 && !includesAny(s, NOT_A_REQUEST))
    return { kind: 'hazard', text, command: `隐患 ${text}`, confirm: false, urgent: true, category: '安全隐患' }

  // Urgent: 紧急！3号线传送带卡住了.
  const urgent = startsWithAny(s, URGENT_OPENERS)
  if (urgent && Array.from(s.slice(urgent.length).replace(PUNCT, '')).length >= 4)
    return { kind: 'file', text, command: `诉求 ${text}`, confirm: false, urgent: true }

  // A command word mistyped: 诉球 食堂…(offered, content kept), 进渡 SQ-… (run), 帮住 (run).
  const typo = typoAtStart(s, role)
  if (typo) {
    const { spoken, written, rest } = typo
    const writes = spoken.kind === 'file' || spoken.kind === 'fileAnonymous' || spoken.kind === 'hazard' || spoken.kind === 'officer'
    const args = spoken.args === 'number' ? (findNumber(`${rest} `) ?? rest.match(/^\d+/)?.[0] ?? rest) : rest
    const restOriginal = spoken.args === 'text' ? textAfter(text, written.length) : rest
    const commandArgs = spoken.args === 'none' ? '' : spoken.args === 'number' && spoken.kind !== 'officer' ? ` ${args}` : ` ${restOriginal}`
    const base: Reading = {
      kind: spoken.kind === 'file' ? 'offer' : spoken.kind,
      command: `${spoken.word}${commandArgs}`,
      confirm: writes,
      typo: { written, meant: spoken.word },
    }
    if (spoken.args === 'text') base.text = restOriginal
    if (spoken.args === 'number') base.number = args
    if (spoken.action) base.action = spoken.action
    return base
  }

  // Only looks like a problem: offered, never filed on a guess.
  if (looksLikeProblem(s)) return { kind: 'offer', text, command: `诉求 ${text}`, confirm: true, ...(urgentIn(s) ? { urgent: true } : {}) }
  return { kind: 'unknown', confirm: false }
}

/** The original text after its first `n` reading-form characters (approximately: by code points after openers). */
function textAfter(original: string, n: number): string {
  const chars = Array.from(original.trim().replace(/^(?:[@＠]\S+\s*)+/u, ''))
  // Skip anything before the first Han character (a '/' or spaces), then the mistyped word.
  let i = 0
  while (i < chars.length && !isHan(chars[i])) i++
  return chars
    .slice(i + n)
    .join('')
    .replace(/^[\s,.;:、，；：]+/u, '')
    .trim()
}

function urgentIn(s: string): boolean {
  return /紧急|十万火急|特急|加急|马上|立刻|救命/.test(s)
}

const BEHALF = new RegExp(
  `^(?:请|麻烦)?(${ON_BEHALF_LEADS.join('|')})\\s*@?([\\p{Script=Han}A-Za-z0-9]{1,8}?)\\s*(${ON_BEHALF_VERBS.sort((a, b) => b.length - a.length).join('|')})`,
  'u',
)

function onBehalf(s: string, original: string): Reading | undefined {
  const m = BEHALF.exec(s)
  if (!m) return undefined
  const who = m[2]!
  if (/^(我|我们|咱|咱们|俺|大家|你|你们|工会|忙|一下|个)$/.test(who) || who.startsWith('我')) return undefined
  const rest = s
    .slice(m[0].length)
    .replace(/^(一下|一个|个|一条|条)?/, '')
    .replace(LEAD, '')
    .replace(TRAIL, '')
  // The request text as written: everything after the first separator following the lead, else after the verb.
  const light = original.trim()
  const sep = light.search(/[:：]/)
  const body = sep >= 0 && sep < 20 ? light.slice(sep + 1).trim() : rest
  if (Array.from(body.replace(PUNCT, '')).length < 2) return { kind: 'onBehalf', who, command: `代报 ${who}`, confirm: false }
  return { kind: 'onBehalf', who, text: body, command: `代报 ${who} ${body}`, confirm: false }
}

/** A typed answer to an offer: yes, no, or neither. */
export function yesOrNo(text: string): 'yes' | 'no' | undefined {
  const s = readingForm(text).replace(PUNCT, '').replace(FACES, '')
  if (YES.includes(s)) return 'yes'
  if (NO.includes(s)) return 'no'
  return undefined
}
