// Schema tooling for the two providers.
//   node scripts/db.mjs sync              write prisma/postgresql/schema.prisma from prisma/schema.prisma
//   node scripts/db.mjs migration <name>  sync, then write a new migration for both providers
//                                         (the difference between the last migration's schema
//                                         snapshot and the current schema), and a new snapshot
// Works offline: `prisma migrate diff` between two schema files needs no database.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const source = path.join(root, 'prisma', 'schema.prisma')
const pgSchema = path.join(root, 'prisma', 'postgresql', 'schema.prisma')
const prisma = path.join(root, 'node_modules', 'prisma', 'build', 'index.js')

export function postgresSchemaFrom(text) {
  return text
    .replace(
      /^\/\/ Source schema \(SQLite\).*\n(\/\/ .*\n)*?(?=\/\/ Keep)/m,
      '// GENERATED from prisma/schema.prisma by `node scripts/db.mjs sync` — edit that file, not this one.\n',
    )
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace(/url\s+= "file:[^"]*"/, 'url      = "postgresql://postgres@127.0.0.1:5432/postgres"')
    .replace('"../src/generated/sqlite"', '"../../src/generated/postgresql"')
}

function sync() {
  fs.mkdirSync(path.dirname(pgSchema), { recursive: true })
  fs.writeFileSync(pgSchema, postgresSchemaFrom(fs.readFileSync(source, 'utf8')))
}

function diff(provider, from, to) {
  const args = [prisma, 'migrate', 'diff', ...(from ? ['--from-schema-datamodel', from] : ['--from-empty']), '--to-schema-datamodel', to, '--script']
  return execFileSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      PRISMA_PROVIDER: provider,
      DATABASE_URL: provider === 'sqlite' ? ':memory:' : (process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'),
    },
  })
}

function migration(name) {
  if (!/^[a-z0-9_]+$/.test(name ?? '')) throw new Error('usage: node scripts/db.mjs migration <snake_case_name>')
  sync()
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
  for (const [provider, schema] of [
    ['sqlite', source],
    ['postgresql', pgSchema],
  ]) {
    const dir = path.join(root, 'prisma', provider, 'migrations')
    const snapshot = path.join(dir, 'schema.snapshot.prisma')
    const sql = diff(provider, fs.existsSync(snapshot) ? snapshot : null, schema)
    if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
      console.log(`${provider}: no changes`)
      continue
    }
    fs.mkdirSync(path.join(dir, `${stamp}_${name}`), { recursive: true })
    fs.writeFileSync(path.join(dir, `${stamp}_${name}`, 'migration.sql'), sql)
    fs.copyFileSync(schema, snapshot)
    console.log(`${provider}: wrote migrations/${stamp}_${name}/migration.sql`)
  }
}

const [command, arg] = process.argv.slice(2)
if (command === 'sync') sync()
else if (command === 'migration') migration(arg)
else if (command) {
  console.error('usage: node scripts/db.mjs sync | migration <name>')
  process.exit(2)
}
