import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { createParser, normalizeText, tokenize, type CommandSpec, type ParseResult } from '../../src/core/parser.js'

const SPECS: CommandSpec[] = [
  { name: 'help', words: ['帮助'], aliases: ['help', '?', 'menu', '菜单'] },
  { name: 'bind', words: ['绑定'], aliases: ['bind'] },
  { name: 'bindGroup', words: ['绑定班组'], aliases: ['bindgroup'] },
  { name: 'whoami', words: ['我的信息'], aliases: ['whoami'] },
  { name: 'request', words: ['诉求'], aliases: ['request', 'req'] },
  { name: 'anonRequest', words: ['匿名诉求'], aliases: ['anon'] },
  { name: 'proxyRequest', words: ['代报'], aliases: ['proxy'] },
  { name: 'myRequests', words: ['我的诉求'], aliases: ['mine'] },
  { name: 'status', words: ['进度'], aliases: ['status'] },
  { name: 'rate', words: ['评价'], aliases: ['rate'] },
  { name: 'accept', words: ['受理'], aliases: ['accept'] },
  { name: 'reply', words: ['回复'], aliases: ['reply'] },
  { name: 'resolve', words: ['办结'], aliases: ['resolve'] },
  { name: 'reject', words: ['驳回'], aliases: ['reject'] },
  { name: 'transfer', words: ['转办'], aliases: ['transfer'] },
  { name: 'escalate', words: ['升级'], aliases: ['escalate'] },
  { name: 'supervise', words: ['督办'], aliases: ['supervise'] },
  { name: 'todo', words: ['待办'], aliases: ['todo'] },
  { name: 'pollCreate', words: ['发起投票'], aliases: ['poll'] },
  { name: 'vote', words: ['投票'], aliases: ['vote'] },
  { name: 'ack', words: ['已阅'], aliases: ['ack'] },
  { name: 'signup', words: ['报名'], aliases: ['signup'] },
  { name: 'cancelSignup', words: ['取消报名'], aliases: ['cancelsignup'] },
]

const parser = createParser(SPECS)
const { parse, startsWithCommand } = parser

/** Every (word or alias, command name) pair in SPECS. */
const ALL_WORDS: { word: string; name: string }[] = SPECS.flatMap((s) => [...s.words, ...(s.aliases ?? [])].map((word) => ({ word, name: s.name })))

function command(r: ParseResult): Extract<ParseResult, { kind: 'command' }> {
  if (r.kind !== 'command') throw new Error(`expected a command, got ${JSON.stringify(r)}`)
  return r
}

describe('normalizeText', () => {
  it('folds full-width forms and the ideographic space', () => {
    expect(normalizeText('ＨＥＬＰ　１２３')).toBe('HELP 123')
    expect(normalizeText('／帮助')).toBe('/帮助')
    expect(normalizeText('＠工友')).toBe('@工友')
  })

  it('maps Chinese separators and keeps 、', () => {
    expect(normalizeText('甲，乙；丙：丁｜戊、己')).toBe('甲,乙;丙:丁|戊、己')
  })

  it('removes invisible and control characters, keeps newlines, collapses blanks', () => {
    expect(normalizeText('\uFEFF诉\u200B求\u200C \t\u3000 食堂\u0000\u0007没饭\u200D')).toBe('诉求 食堂没饭')
    expect(normalizeText('  第一行 \r\n  第二行\r第三行  ')).toBe('第一行\n第二行\n第三行')
  })

  it('never throws on lone surrogates', () => {
    expect(normalizeText('\uD800a\uDC00')).toBe('\uFFFDa\uFFFD')
    expect(normalizeText('😀')).toBe('😀')
  })

  it('is idempotent', () => {
    const runs = { numRuns: 300 }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (s) => normalizeText(normalizeText(s)) === normalizeText(s)),
      runs,
    )
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 500 }), (s) => normalizeText(normalizeText(s)) === normalizeText(s)),
      runs,
    )
    // Combining marks next to removed invisibles and collapsed spaces are the tricky part.
    const tricky = fc.constantFrom('e', '\u0301', '\u0316', '\u200B', ' ', '\u3000', '\n', '\r', 'ᄀ', 'ᅡ', '，', '\uFEFF', '\uD800', 'Ａ')
    fc.assert(
      fc.property(
        fc.array(tricky, { maxLength: 30 }).map((a) => a.join('')),
        (s) => normalizeText(normalizeText(s)) === normalizeText(s),
      ),
      { numRuns: 2000 },
    )
  })
})

describe('parse: commands', () => {
  it('matches with and without a leading slash, half- or full-width', () => {
    for (const text of ['帮助', '/帮助', '／帮助', ' / 帮助 ']) {
      expect(parse(text)).toEqual({ kind: 'command', name: 'help', word: '帮助', args: '', rawArgs: '', tokens: [], mentions: [] })
    }
  })

  it('keeps the arguments as written for free text, while matching on the normal form', () => {
    expect(command(parse('／诉求：北门配电箱漏电，地上有水！')).args).toBe('北门配电箱漏电,地上有水!')
    expect(command(parse('／诉求：北门配电箱漏电，地上有水！')).rawArgs).toBe('北门配电箱漏电，地上有水！')
    expect(command(parse('@工友\u3000回复 ＳＱ-2026-0001 已报修，明天来')).rawArgs).toBe('ＳＱ-2026-0001 已报修，明天来')
    expect(command(parse('诉求食堂\u200b没有热饭')).rawArgs).toBe('食堂没有热饭')
  })

  it('matches aliases case-insensitively, including full-width letters', () => {
    expect(command(parse('ＨＥＬＰ')).name).toBe('help')
    expect(command(parse('Help')).word).toBe('help')
    expect(command(parse('/BIND 123 张三')).args).toBe('123 张三')
    expect(command(parse('?')).name).toBe('help')
    expect(command(parse('菜单')).name).toBe('help')
  })

  it('handles ideographic spaces between words', () => {
    const r = command(parse('诉求　食堂　没有热饭'))
    expect(r.name).toBe('request')
    expect(r.args).toBe('食堂 没有热饭')
    expect(r.tokens).toEqual(['食堂', '没有热饭'])
  })

  it('strips a leading @bot mention and reports it', () => {
    expect(parse('@工友 诉求 食堂没有热饭')).toEqual({
      kind: 'command',
      name: 'request',
      word: '诉求',
      args: '食堂没有热饭',
      rawArgs: '食堂没有热饭',
      tokens: ['食堂没有热饭'],
      mentions: ['工友'],
    })
    expect(command(parse('＠工友　/帮助')).mentions).toEqual(['工友'])
    expect(command(parse('@工友 @张三 进度 SQ-2026-0042')).mentions).toEqual(['工友', '张三'])
  })

  it('reports mentions in the args in order but leaves them in the args', () => {
    const r = command(parse('代报 @张三 劳保 手套磨破了一个月没换'))
    expect(r.name).toBe('proxyRequest')
    expect(r.args).toBe('@张三 劳保 手套磨破了一个月没换')
    expect(r.mentions).toEqual(['张三'])
    expect(command(parse('@工友 代报 @张三 @李四 手套')).mentions).toEqual(['工友', '张三', '李四'])
    // An '@' inside a word is not a mention.
    expect(command(parse('回复 SQ-1 邮件发 a@b.com 了')).mentions).toEqual([])
  })

  it('prefers the longest matching word', () => {
    expect(command(parse('我的诉求')).name).toBe('myRequests')
    expect(command(parse('匿名诉求 班长克扣加班费')).name).toBe('anonRequest')
    expect(command(parse('绑定班组 三车间甲班')).name).toBe('bindGroup')
    expect(command(parse('绑定 12345 张三')).name).toBe('bind')
    expect(command(parse('取消报名 N-9')).name).toBe('cancelSignup')
    expect(command(parse('报名 N-9')).name).toBe('signup')
    expect(command(parse('发起投票 周末加班意愿 | 愿意 | 不愿意')).name).toBe('pollCreate')
    expect(command(parse('投票 P-17 2')).name).toBe('vote')
    expect(command(parse('bindgroup 甲班')).name).toBe('bindGroup')
  })

  it('matches Chinese words with no space after them', () => {
    const r = command(parse('诉求食堂没有热饭'))
    expect(r).toMatchObject({ name: 'request', word: '诉求', args: '食堂没有热饭' })
    expect(command(parse('进度SQ-2026-0042')).args).toBe('SQ-2026-0042')
    expect(command(parse('诉求：食堂没有热饭')).args).toBe('食堂没有热饭')
  })

  it('needs a boundary after ASCII aliases', () => {
    expect(parse('helpme').kind).toBe('unknown')
    expect(parse('requests').kind).toBe('unknown')
    expect(command(parse('help me')).args).toBe('me')
    expect(command(parse('help!')).name).toBe('help')
    expect(command(parse('req:食堂')).args).toBe('食堂')
    expect(command(parse('ack N-8')).args).toBe('N-8')
  })

  it('splits args into tokens', () => {
    const r = command(parse('发起投票 周末加班意愿 | 愿意 | 不愿意 | 看情况 匿名 截止 周五18:00'))
    expect(r.tokens).toEqual(['周末加班意愿', '|', '愿意', '|', '不愿意', '|', '看情况', '匿名', '截止', '周五18:00'])
    expect(command(parse('评价 SQ-2026-0042 4 解决了但慢')).tokens).toEqual(['SQ-2026-0042', '4', '解决了但慢'])
  })
})

describe('parse: unknown and empty', () => {
  it('suggests the nearest command word for typos', () => {
    expect(parse('帮主')).toEqual({ kind: 'unknown', word: '帮主', suggestion: { name: 'help', word: '帮助' } })
    expect(parse('绑丁 123 张三')).toEqual({ kind: 'unknown', word: '绑丁', suggestion: { name: 'bind', word: '绑定' } })
    expect(parse('hepl')).toEqual({ kind: 'unknown', word: 'hepl', suggestion: { name: 'help', word: 'help' } })
    expect(parse('/halp')).toEqual({ kind: 'unknown', word: 'halp', suggestion: { name: 'help', word: 'help' } })
    expect(parse('诉球 食堂')).toEqual({ kind: 'unknown', word: '诉球', suggestion: { name: 'request', word: '诉求' } })
    expect(parse('HEPL')).toMatchObject({ suggestion: { name: 'help' } })
    expect(parse('诉球食堂没有热饭')).toMatchObject({ kind: 'unknown', suggestion: { name: 'request', word: '诉求' } })
    expect(parse('我的诉秋')).toMatchObject({ suggestion: { name: 'myRequests' } })
    expect(parse('helpme')).toMatchObject({ suggestion: { name: 'help' } })
    expect(parse('reqeust 食堂')).toMatchObject({ suggestion: { name: 'request', word: 'request' } })
    expect(parse('取消报铭')).toMatchObject({ suggestion: { name: 'cancelSignup' } })
  })

  it('gives no suggestion when nothing is close', () => {
    expect(parse('今天天气不错')).toEqual({ kind: 'unknown', word: '今天天气不错' })
    expect(parse('thanks a lot')).toEqual({ kind: 'unknown', word: 'thanks' })
    // Single-character commands ('?') are never suggested for a random character.
    expect(parse('好')).toEqual({ kind: 'unknown', word: '好' })
  })

  it('caps the unknown word at 20 characters', () => {
    const r = parse('今'.repeat(50))
    expect(r).toEqual({ kind: 'unknown', word: '今'.repeat(20) })
  })

  it('returns empty for nothing, only mentions, only whitespace or a bare slash', () => {
    for (const text of ['', '   ', '\u3000\u3000', '\n\t', '@工友', '@工友 @张三', '＠工友　', '/', '／', '@工友 /', '\u200B\uFEFF']) {
      expect(parse(text)).toEqual({ kind: 'empty' })
      expect(startsWithCommand(text)).toBe(false)
    }
  })

  it('startsWithCommand follows parse', () => {
    expect(startsWithCommand('诉求 食堂没有热饭')).toBe(true)
    expect(startsWithCommand('@工友 帮助')).toBe(true)
    expect(startsWithCommand('/help')).toBe(true)
    expect(startsWithCommand('今天天气不错')).toBe(false)
    expect(startsWithCommand('helpme')).toBe(false)
    expect(startsWithCommand('大家好，诉求在这里发')).toBe(false)
  })
})

describe('tokenize', () => {
  it('splits on whitespace and separators, dropping empties', () => {
    expect(tokenize('  a  b,c、d;e，f；g  ')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g'])
    expect(tokenize('')).toEqual([])
    expect(tokenize(' ,,、; ')).toEqual([])
  })

  it('makes | a token of its own', () => {
    expect(tokenize('标题|甲 | 乙｜丙')).toEqual(['标题', '|', '甲', '|', '乙', '|', '丙'])
  })

  it('keeps quoted segments whole and drops the quotes', () => {
    expect(tokenize('"a b, c" “看 情况” 「周五 18:00」 d')).toEqual(['a b, c', '看 情况', '周五 18:00', 'd'])
    expect(tokenize('“愿意|不愿意”|看情况')).toEqual(['愿意|不愿意', '|', '看情况'])
    expect(tokenize('""')).toEqual([])
  })

  it('treats unclosed and mid-word quotes as ordinary characters', () => {
    expect(tokenize('“没关 上')).toEqual(['“没关', '上'])
    expect(tokenize('他说“好”了')).toEqual(['他说“好”了'])
  })
})

describe('properties', () => {
  const runs = { numRuns: 300 }
  const isResult = (r: ParseResult): boolean => r.kind === 'command' || r.kind === 'unknown' || r.kind === 'empty'

  /** Text that starts with a command word and continues with anything. */
  const commandLike = fc.tuple(fc.constantFrom(...ALL_WORDS.map((w) => w.word)), fc.string({ unit: 'binary', maxLength: 200 })).map(([w, rest]) => w + rest)

  const inputs = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 10_000 }),
    fc.string({ unit: 'grapheme', maxLength: 2_000 }),
    commandLike,
    fc.tuple(fc.constantFrom('@工友 ', '/', '＠', '／', ' '), commandLike).map(([a, b]) => a + b),
  )

  it('parse never throws, returns a known kind, and startsWithCommand agrees', () => {
    fc.assert(
      fc.property(inputs, (s) => {
        const r = parse(s)
        expect(isResult(r)).toBe(true)
        expect(startsWithCommand(s)).toBe(r.kind === 'command')
        if (r.kind === 'unknown') expect(Array.from(r.word).length).toBeLessThanOrEqual(20)
        if (r.kind === 'command') expect(r.tokens.every((t) => t !== '')).toBe(true)
      }),
      runs,
    )
  })

  it('tokenize never throws and never yields empty tokens', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 10_000 }), (s) => {
        expect(tokenize(s).every((t) => t !== '')).toBe(true)
      }),
      runs,
    )
  })

  it('a command word, a space and any args parse as that command', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL_WORDS), fc.string({ unit: 'binary', maxLength: 500 }), ({ word, name }, args) => {
        const r = parse(`${word} ${args}`)
        expect(r.kind).toBe('command')
        expect(command(r).name).toBe(name)
      }),
      runs,
    )
  })

  it('a Chinese word glued to args that cannot extend it parses as that command', () => {
    // No character here starts the remainder of a longer word (e.g. 班 would turn 绑定 into 绑定班组).
    const safeArgs = fc.string({ unit: fc.constantFrom(...'食堂没有热饭工资加发放手套劳保宿舍空调坏了0123456789'), maxLength: 50 })
    const chineseWords = ALL_WORDS.filter((w) => /^\p{Script=Han}+$/u.test(w.word))
    fc.assert(
      fc.property(fc.constantFrom(...chineseWords), safeArgs, ({ word, name }, args) => {
        const r = command(parse(word + args))
        expect(r.name).toBe(name)
        expect(r.word).toBe(word)
        expect(r.args).toBe(args)
      }),
      runs,
    )
  })

  it('a leading slash changes nothing for command inputs', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL_WORDS), fc.string({ unit: 'grapheme', maxLength: 200 }), ({ word }, args) => {
        const s = `${word} ${args}`
        expect(parse(`/${s}`)).toEqual(parse(s))
        expect(parse(`／${s}`)).toEqual(parse(s))
      }),
      runs,
    )
  })

  it('handles 10,000-character inputs', () => {
    const long = [
      `诉求 ${'食堂没有热饭'.repeat(1700)}`,
      '@'.repeat(10_000),
      `${'@工友 '.repeat(2000)}帮助`,
      `${' '.repeat(9_998)}帮助`,
      '"'.repeat(10_000),
      '“'.repeat(5_000) + '”'.repeat(5_000),
      `诉求 ${'@a '.repeat(3300)}`,
      '\u0301'.repeat(10_000),
      '\uD800'.repeat(10_000),
      'a'.repeat(10_000),
      `发起投票 ${'|'.repeat(9_990)}`,
    ]
    for (const s of long) {
      expect(isResult(parse(s))).toBe(true)
      startsWithCommand(s)
    }
    expect(command(parse(`${'@工友 '.repeat(2000)}帮助`)).mentions).toHaveLength(2000)
    expect(command(parse(`${' '.repeat(9_998)}帮助`)).name).toBe('help')
  })
})
