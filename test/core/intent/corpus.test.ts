/**
 * The intent layer measured on messages written the way workers, collectors and officers write
 * (test/fixtures/intent-corpus.json: sloppy, long, voice-to-text, full-width, traditional, typos),
 * and the category guesser on labelled requests (test/fixtures/category-corpus.json).
 */
import { describe, expect, it } from 'vitest'
import { readIntent, yesOrNo, type Reading, type Role } from '../../../src/core/intent/read.js'
import { readingForm, similarity, simplified } from '../../../src/core/intent/text.js'
import { defaultCategories, guessCategory, type CategoryRow } from '../../../src/requests/categories.js'
import categoryCorpus from '../../fixtures/category-corpus.json' with { type: 'json' }
import intentCorpus from '../../fixtures/intent-corpus.json' with { type: 'json' }

interface Case {
  text: string
  role: Role
  expect: string
  number?: string
  who?: string
  action?: string
}

/** Readings that file something at once, without asking. */
const FILES = new Set(['file', 'fileAnonymous', 'hazard', 'onBehalf'])

function understood(c: Case, r: Reading): boolean {
  const kind = r.kind === 'list' ? 'status' : r.kind
  switch (c.expect) {
    case 'offer':
      return r.kind === 'offer' && r.confirm && !!r.text && r.command!.endsWith(r.text)
    case 'status':
      return kind === 'status' && (c.number ? r.number === c.number : !r.number)
    case 'onBehalf':
      return kind === 'onBehalf' && r.who === c.who && !!r.text
    case 'officer':
      return kind === 'officer' && r.action === c.action
    case 'file':
    case 'fileAnonymous':
    case 'hazard':
      // Filed at once, with the text as written (not a bare command word).
      return kind === c.expect && !r.confirm && (r.text === undefined || r.command!.endsWith(r.text))
    default:
      return kind === c.expect
  }
}

describe('the intent corpus', () => {
  const cases = intentCorpus as Case[]
  const results = cases.map((c) => ({ c, r: readIntent(c.text, { role: c.role }) }))

  it('has at least 300 messages from every kind of writer', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300)
    expect(new Set(cases.map((c) => c.role))).toEqual(new Set(['worker', 'collector', 'officer', 'admin', 'guest']))
  })

  it('understands at least 95 % of them', () => {
    const missed = results.filter(({ c, r }) => !understood(c, r))
    const share = (cases.length - missed.length) / cases.length
    console.info(`intent corpus: ${(share * 100).toFixed(1)} % of ${cases.length} understood`)
    for (const { c, r } of missed) console.info(`  missed (${c.expect}) ${c.text} → ${r.kind}`)
    expect(share).toBeGreaterThanOrEqual(0.95)
  })

  it('never files what was not meant as a request', () => {
    const wrong = results.filter(({ c, r }) => FILES.has(r.kind) && !r.confirm && !FILES.has(c.expect)).map(({ c }) => c.text)
    expect(wrong).toEqual([])
  })
})

describe('the category guesser', () => {
  const categories = defaultCategories.map((c, i) => ({ ...c, id: i + 1, active: true, createdAt: new Date(0) })) as CategoryRow[]
  const cases = categoryCorpus as { text: string; category: string }[]

  it('guesses at least 85 % of 150 labelled requests', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150)
    const missed = cases.filter((c) => guessCategory(c.text, categories).name !== c.category)
    const share = (cases.length - missed.length) / cases.length
    console.info(`category corpus: ${(share * 100).toFixed(1)} % of ${cases.length} guessed`)
    expect(share).toBeGreaterThanOrEqual(0.85)
  })

  it('reads heat as work conditions, a burning smell as a hazard and a contract question as legal', () => {
    expect(guessCategory('车间空调坏了，热得受不了', categories).name).toBe('劳动保护')
    expect(guessCategory('开关柜有股焦糊味', categories).name).toBe('安全隐患')
    expect(guessCategory('合同里写加班不给加班费，这个条款合法吗', categories).name).toBe('法律援助')
  })

  it('still uses the keywords an administrator added', () => {
    const edited = categories.map((c) => (c.name === '通勤' ? { ...c, keywords: `${c.keywords},摆渡船` } : c))
    expect(guessCategory('摆渡船又停了', edited).name).toBe('通勤')
    expect(guessCategory('摆渡船又停了', categories).name).toBe('其他')
  })
})

describe('reading helpers', () => {
  it('reads traditional and full-width text as simplified half-width', () => {
    expect(simplified('訴求：食堂沒有熱飯')).toBe('诉求：食堂没有热饭')
    expect(readingForm('ＳＱ－２０２６－００４２ 進度')).toBe('sq-2026-0042 进度')
  })

  it('scores nearly the same complaint as similar and a different one as not', () => {
    expect(similarity('食堂晚班没有热饭', '食堂晚班没有热饭！！')).toBe(1)
    expect(similarity('食堂晚班没有热饭了', '食堂晚班没有热饭')).toBeGreaterThanOrEqual(0.8)
    expect(similarity('食堂晚班没有热饭', '宿舍热水器坏了')).toBeLessThan(0.8)
  })

  it('keeps the content of a mistyped command word and asks before filing it', () => {
    const r = readIntent('诉球 食堂晚班没有热饭', { role: 'worker' })
    expect(r).toMatchObject({ kind: 'offer', confirm: true, text: '食堂晚班没有热饭', typo: { written: '诉球', meant: '诉求' } })
  })

  it('reads a typed yes or no to an offer', () => {
    expect(['是', '1', '好的', '确认'].map(yesOrNo)).toEqual(['yes', 'yes', 'yes', 'yes'])
    expect(['不用了', '算了', '不'].map(yesOrNo)).toEqual(['no', 'no', 'no'])
    expect(yesOrNo('食堂没热饭')).toBeUndefined()
  })

  it('never throws, whatever it is given', () => {
    for (const s of ['', '\u0000', '@', '@@@', 'SQ-', '#', '号', '\uD800', '帮', '帮@', 'a'.repeat(10_000), '隐患'.repeat(2000)]) {
      expect(() => readIntent(s, { role: 'worker' })).not.toThrow()
    }
  })
})
