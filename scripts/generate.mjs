// Generates both Prisma clients (SQLite and PostgreSQL) into src/generated. Runs on postinstall.
// Offline: prisma.config.ts selects the JS schema engine, so nothing is downloaded.
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const prisma = path.join(root, 'node_modules', 'prisma', 'build', 'index.js')
for (const [provider, schema] of [
  ['sqlite', 'prisma/schema.prisma'],
  ['postgresql', 'prisma/postgresql/schema.prisma'],
]) {
  execFileSync(process.execPath, [prisma, 'generate', '--schema', schema], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PRISMA_PROVIDER: provider, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  })
}
console.log('gongyou: generated Prisma clients for SQLite and PostgreSQL')
