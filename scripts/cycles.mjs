#!/usr/bin/env node
// Lists import cycles among runtime imports (`import type` and type-only specifiers ignored) in
// the TypeScript files under the given folders (default: src adapters). Exits 1 when there is one.
// Usage: node scripts/cycles.mjs [folder…]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'adapters']
const files = []
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (name === 'node_modules' || name === 'generated') continue
    if (statSync(p).isDirectory()) walk(p)
    else if (/\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name)) files.push(resolve(p))
  }
}
for (const r of roots) walk(r)

/** Runtime imports of one file: static imports/re-exports that are not type-only. */
function runtimeImports(file) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false)
  const out = []
  for (const st of sf.statements) {
    let spec
    if (ts.isImportDeclaration(st)) {
      const c = st.importClause
      if (c?.isTypeOnly) continue
      // import { type A, type B } from '…' is erased too (unless it also has a default import).
      if (
        c &&
        !c.name &&
        c.namedBindings &&
        ts.isNamedImports(c.namedBindings) &&
        c.namedBindings.elements.length > 0 &&
        c.namedBindings.elements.every((e) => e.isTypeOnly)
      )
        continue
      spec = st.moduleSpecifier.text
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      if (st.isTypeOnly) continue
      if (st.exportClause && ts.isNamedExports(st.exportClause) && st.exportClause.elements.length > 0 && st.exportClause.elements.every((e) => e.isTypeOnly))
        continue
      spec = st.moduleSpecifier.text
    }
    if (!spec?.startsWith('.')) continue
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'))
    if (existsSync(target)) out.push(target)
    else if (existsSync(join(target.replace(/\.ts$/, ''), 'index.ts'))) out.push(join(target.replace(/\.ts$/, ''), 'index.ts'))
  }
  return out
}

const graph = new Map(files.map((f) => [f, runtimeImports(f)]))
// Tarjan's strongly connected components: every component with more than one file is a cycle.
let index = 0
const idx = new Map()
const low = new Map()
const stack = []
const on = new Set()
const components = []
function strong(v) {
  idx.set(v, index)
  low.set(v, index++)
  stack.push(v)
  on.add(v)
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue
    if (!idx.has(w)) {
      strong(w)
      low.set(v, Math.min(low.get(v), low.get(w)))
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)))
  }
  if (low.get(v) === idx.get(v)) {
    const c = []
    let w
    do {
      w = stack.pop()
      on.delete(w)
      c.push(w)
    } while (w !== v)
    if (c.length > 1) components.push(c)
  }
}
for (const f of graph.keys()) if (!idx.has(f)) strong(f)

const rel = (f) => relative(process.cwd(), f)
for (const c of components) {
  const inside = new Set(c)
  console.log(`cycle among ${c.length} files:`)
  for (const f of c.sort())
    console.log(
      `  ${rel(f)} → ${(graph.get(f) ?? [])
        .filter((w) => inside.has(w))
        .map(rel)
        .join(', ')}`,
    )
}
if (components.length === 0) console.log(`no runtime import cycles in ${roots.join(', ')} (${files.length} files)`)
process.exit(components.length ? 1 : 0)
