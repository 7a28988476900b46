import type { Card } from '../../src/core/types.js'

/** What the WeChat adapter says in its own words (the core's messages stay in src/messages). */
export interface WechatyTexts {
  /** One numbered choice under a card. */
  choice(n: number, label: string): string
  /** Under a card's choices in a group: the bot acts on a number only when mentioned there. */
  roomChoiceHint(botName: string): string
  /** Told to administrators, on another platform, when the WeChat account is logged out. */
  loggedOut(account: string, reason: string): string
}

export const wechatyTexts: Record<'zh-CN' | 'en', WechatyTexts> = {
  'zh-CN': {
    choice: (n, label) => `回复 ${n}：${label}`,
    roomChoiceHint: (bot) => `（在群里请 @${bot} 后回复数字）`,
    loggedOut: (account, reason) =>
      `【系统提醒】微信机器人账号${account ? `“${account}”` : ''}已退出登录${reason ? `（${reason}）` : ''}，微信群和微信私聊暂时收发不了消息。` +
      '请尽快扫码重新登录：二维码打印在服务的终端日志里，也可以用管理员令牌访问 GET /status/wechaty/qr 取得。',
  },
  en: {
    choice: (n, label) => `Reply ${n}: ${label}`,
    roomChoiceHint: (bot) => `(in a group, mention @${bot} and then the number)`,
    loggedOut: (account, reason) =>
      `[System] The WeChat bot account${account ? ` "${account}"` : ''} logged out${reason ? ` (${reason})` : ''}: WeChat groups and private chats are down until it logs in again. ` +
      "Scan the QR code printed in the service's terminal, or fetch GET /status/wechaty/qr with an administrator's token.",
  },
}

/**
 * A message as WeChat text. A card becomes its title, body and fields (each left out when the
 * message text already says it), then one numbered line per button; the number answers it.
 */
export function renderText(text: string, card: Card | undefined, o: { texts: WechatyTexts; inRoom: boolean; botName: string }): string {
  if (!card) return text
  const has = (s: string) => text.includes(s)
  const lines: string[] = []
  if (card.title && !has(card.title)) lines.push(`【${card.title}】`)
  if (text.trim()) lines.push(text)
  if (card.body?.trim() && !has(card.body.trim())) lines.push(card.body.trim())
  for (const f of card.fields ?? []) {
    const line = `${f.label}：${f.value}`
    if (f.value.trim() && !has(line)) lines.push(line)
  }
  const buttons = card.buttons ?? []
  if (buttons.length > 0) {
    lines.push('')
    buttons.forEach((b, i) => lines.push(o.texts.choice(i + 1, b.label)))
    if (o.inRoom) lines.push(o.texts.roomChoiceHint(o.botName))
  }
  return lines.join('\n')
}

/** The commands a card's numbered choices stand for, in order. */
export function choiceCommands(card: Card | undefined): string[] {
  return (card?.buttons ?? []).map((b) => b.action.command)
}

const FULL_WIDTH_ZERO = '０'.codePointAt(0)!

/** A reply that is only a choice number ("1", "２", " 3 ") → that number; anything else → null. */
export function parseChoice(text: string): number | null {
  const ascii = text.trim().replace(/[０-９]/g, (d) => String(d.codePointAt(0)! - FULL_WIDTH_ZERO))
  if (!/^[1-9][0-9]?$/.test(ascii)) return null
  return Number(ascii)
}

/**
 * Removes the bot's @-mentions from a group message, keeping the others as written. WeChat
 * separates a mention from what follows by U+2005 (four-per-em space) or a plain space.
 */
export function stripMention(text: string, names: string[]): string {
  let out = text
  for (const name of names) {
    if (!name) continue
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    out = out.replace(new RegExp(`[@＠]${escaped}(?:\u2005|\\s|$)`, 'g'), ' ')
  }
  return out
    .replace(/\u2005/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim()
}
