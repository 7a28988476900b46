/**
 * Request categories: guessing one from what a person wrote, finding one by name. The defaults a new
 * organisation starts with are in category-defaults.ts, the built-in words in category-words.ts.
 */
import { readingForm } from '../core/intent/text.js'
import type { Tx } from '../db/client.js'
import { FALLBACK_CATEGORY } from './category-defaults.js'
import { builtInSynonyms } from './category-words.js'

export type CategoryRow = Awaited<ReturnType<Tx['requestCategory']['findFirstOrThrow']>>

export { defaultCategories, ensureDefaultCategories, FALLBACK_CATEGORY } from './category-defaults.js'
export { builtInSynonyms } from './category-words.js'

function keywordsOf(c: CategoryRow): string[] {
  return c.keywords.split(/[,，、\s]+/).filter(Boolean)
}

/**
 * Guesses a category from the request's words (traditional and full-width read as simplified):
 * each keyword found — the database's and the built-in words — scores its length, a strong word
 * three times that; the highest score wins; ties go to the more urgent, then the earlier category.
 */
export function guessCategory(text: string, categories: CategoryRow[]): CategoryRow {
  const s = readingForm(text)
  let best: { c: CategoryRow; score: number } | null = null
  for (const c of categories) {
    if (!c.active) continue
    const builtIn = builtInSynonyms[c.name]
    const words = new Set([...keywordsOf(c), ...(builtIn?.words ?? [])])
    let score = 0
    for (const k of words) if (s.includes(k)) score += Array.from(k).length
    for (const k of builtIn?.strong ?? []) if (s.includes(k)) score += 3 * Array.from(k).length
    if (score === 0) continue
    if (!best || score > best.score || (score === best.score && c.urgentByDefault && !best.c.urgentByDefault)) best = { c, score }
  }
  return best?.c ?? categories.find((c) => c.name === FALLBACK_CATEGORY) ?? categories[0]!
}

/** Finds a category by name, forgiving a missing or extra character at the end (劳保 → 劳动保护 by keyword). */
export function findCategory(name: string, categories: CategoryRow[]): CategoryRow | null {
  const n = name.trim()
  return (
    categories.find((c) => c.active && c.name === n) ??
    categories.find((c) => c.active && (c.name.startsWith(n) || n.startsWith(c.name))) ??
    categories.find((c) => c.active && c.keywords.split(/[,，、\s]+/).includes(n)) ??
    null
  )
}
