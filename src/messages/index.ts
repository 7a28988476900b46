import { en } from './en.js'
import { zhCN, type Messages } from './zh-CN.js'

export type { Messages }
export type Locale = 'zh-CN' | 'en'

export function messagesFor(locale: Locale): Messages {
  return locale === 'en' ? en : zhCN
}
