/**
 * Chinese numerals as people write them in a chat (七, 十二, 二十三, 两, 二零二六): the one reader
 * that times, recurrences, poll flags and survey answers share.
 */

/** The value of each Chinese digit character (两 is 2, 〇 and 零 are 0). */
export const CHINESE_DIGIT: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 }

/** `十二` → 12, `二十三` → 23, `二零二六` → 2026; runs that are not numbers are left as they are. */
export function chineseNumber(run: string): string {
  const ten = run.indexOf('十')
  if (ten === -1) return Array.from(run, (c) => String(CHINESE_DIGIT[c] ?? c)).join('')
  const left = run.slice(0, ten)
  const right = run.slice(ten + 1)
  if (left.length > 1 || right.length > 1 || right.includes('十')) return run
  const tens = left === '' ? 1 : CHINESE_DIGIT[left]
  const ones = right === '' ? 0 : CHINESE_DIGIT[right]
  return tens === undefined || ones === undefined ? run : String(tens * 10 + ones)
}

/** 0–99 written in one or two digits or in Chinese numerals (七, 十二, 二十三, 五十); NaN otherwise. */
export function smallNumber(s: string): number {
  if (/^\d{1,2}$/.test(s)) return Number(s)
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(s)
  if (!m || s === '') return NaN
  if (!m[2]) return m[1] && !m[3] ? CHINESE_DIGIT[m[1]]! : NaN
  return (m[1] ? CHINESE_DIGIT[m[1]]! : 1) * 10 + (m[3] ? CHINESE_DIGIT[m[3]]! : 0)
}

/** A pattern for one number as `smallNumber` reads it, for building larger patterns. */
export const SMALL_NUMBER_PATTERN = '[0-9零〇一二两三四五六七八九十]{1,3}'
