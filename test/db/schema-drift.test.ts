import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM script without types
import { postgresSchemaFrom } from '../../scripts/db.mjs'

/** The model and enum blocks of a schema, comments and blank lines dropped. */
function models(schema: string): string {
  return schema
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, '').trimEnd())
    .join('\n')
    .replace(/(generator|datasource) \w+ \{[^}]*\}/g, '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .join('\n')
}

const sqlite = fs.readFileSync('prisma/schema.prisma', 'utf8')
const postgres = fs.readFileSync('prisma/postgresql/schema.prisma', 'utf8')

describe('the SQLite and PostgreSQL schemas', () => {
  it('have the same models', () => {
    expect(models(postgres)).toBe(models(sqlite))
  })

  it('PostgreSQL schema is exactly what `npm run db:sync` writes', () => {
    expect(postgres).toBe(postgresSchemaFrom(sqlite))
  })

  it('name their own providers and client outputs', () => {
    expect(sqlite).toMatch(/provider = "sqlite"/)
    expect(postgres).toMatch(/provider = "postgresql"/)
    expect(postgres).toContain('src/generated/postgresql')
  })

  it.each(['sqlite', 'postgresql'])('%s: the last migration matches the current schema (no change without a migration)', (provider) => {
    const snapshot = fs.readFileSync(`prisma/${provider}/migrations/schema.snapshot.prisma`, 'utf8')
    expect(models(snapshot)).toBe(models(provider === 'sqlite' ? sqlite : postgres))
  })

  it('both providers have the same migrations, in the same order', () => {
    const list = (p: string) => fs.readdirSync(`prisma/${p}/migrations`).filter((n) => fs.statSync(`prisma/${p}/migrations/${n}`).isDirectory())
    expect(list('postgresql')).toEqual(list('sqlite'))
  })

  it('keeps models provider-neutral (no scalar lists, no native types)', () => {
    expect(sqlite).not.toMatch(/\b(String|Int|BigInt|Float|Decimal|Boolean|DateTime|Json|Bytes)\[\]/)
    expect(sqlite).not.toMatch(/@db\./)
  })
})
