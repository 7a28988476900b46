import { describe, expect, it } from 'vitest'
import type { Card } from '../../../src/core/types.js'
import { choiceCommands, parseChoice, renderText, stripMention, wechatyTexts } from '../../../adapters/wechaty/render.js'

const texts = wechatyTexts['zh-CN']

const card: Card = {
  title: '新诉求 SQ-2026-0007',
  body: '新诉求 SQ-2026-0007（通勤）\n内容：班车太挤',
  fields: [
    { label: '类别', value: '通勤' },
    { label: '期限', value: '' },
  ],
  buttons: [
    { label: '受理', action: { command: '受理 SQ-2026-0007' } },
    { label: '查看进度', action: { command: '进度 SQ-2026-0007' } },
  ],
}

describe('cards as text', () => {
  it('says what the text does not already say, then one numbered line per button', () => {
    expect(renderText(card.body!, card, { texts, inRoom: false, botName: '工友' })).toBe(
      ['新诉求 SQ-2026-0007（通勤）\n内容：班车太挤', '类别：通勤', '', '回复 1：受理', '回复 2：查看进度'].join('\n'),
    )
  })

  it('adds the title and body when the text lacks them, and in a group says to mention the bot', () => {
    const out = renderText(
      '请评价',
      { title: '请评价诉求 SQ-1', body: '灯已更换', buttons: [{ label: '5 分', action: { command: '评价 SQ-1 5' } }] },
      { texts, inRoom: true, botName: '工会小助手' },
    )
    expect(out).toBe(['【请评价诉求 SQ-1】', '请评价', '灯已更换', '', '回复 1：5 分', '（在群里请 @工会小助手 后回复数字）'].join('\n'))
  })

  it('leaves a message without a card as it is', () => {
    expect(renderText('你好', undefined, { texts, inRoom: true, botName: '工友' })).toBe('你好')
  })

  it('lists the commands in button order', () => {
    expect(choiceCommands(card)).toEqual(['受理 SQ-2026-0007', '进度 SQ-2026-0007'])
    expect(choiceCommands(undefined)).toEqual([])
  })
})

describe('choice numbers', () => {
  it('reads a bare number, half- or full-width', () => {
    expect(parseChoice('1')).toBe(1)
    expect(parseChoice(' ２ ')).toBe(2)
    expect(parseChoice('12')).toBe(12)
  })

  it('reads nothing else as a choice', () => {
    for (const text of ['0', '01', '100', '1 分', '受理 1', '', '一']) expect(parseChoice(text)).toBeNull()
  })
})

describe('mentions', () => {
  it('removes only the bot’s mention, however WeChat separated it', () => {
    expect(stripMention('@工友\u2005诉求 灯坏了', ['工友'])).toBe('诉求 灯坏了')
    expect(stripMention('转办 SQ-1 @梁秀英 @工友', ['工友'])).toBe('转办 SQ-1 @梁秀英')
    expect(stripMention('@小助手 1', ['工会小助手', '小助手'])).toBe('1')
  })
})
