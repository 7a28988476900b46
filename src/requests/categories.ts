/**
 * Request categories: guessing one from what a person wrote, finding one by name. The defaults a new
 * organisation starts with are in category-defaults.ts, the built-in words in category-words.ts.
 */
import { LRUCache } from 'lru-cache'
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

type Words = [word: string, length: number][]
/** Each category's words (its keywords and the built-in ones) by its name and keywords, as the last guesses read them. */
const wordLists = new LRUCache<string, { words: Words; strong: Words }>({ max: 500 })

function wordsOf(c: CategoryRow): { words: Words; strong: Words } {
  const key = `${c.name}\u0000${c.keywords}`
  let lists = wordLists.get(key)
  if (!lists) {
    const builtIn = builtInSynonyms[c.name]
    const measured = (ws: Iterable<string>): Words => [...ws].map((w) => [w, Array.from(w).length])
    lists = { words: measured(new Set([...keywordsOf(c), ...(builtIn?.words ?? [])])), strong: measured(builtIn?.strong ?? []) }
    wordLists.set(key, lists)
  }
  return lists
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
    const { words, strong } = wordsOf(c)
    let score = 0
    for (const [k, length] of words) if (s.includes(k)) score += length
    for (const [k, length] of strong) if (s.includes(k)) score += 3 * length
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
