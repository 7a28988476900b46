// Prisma CLI configuration. The JS (WebAssembly) schema engine keeps every Prisma command
// offline: nothing is downloaded from outside the npm registry. PRISMA_PROVIDER picks which
// of the two schemas a command works on (sqlite by default).
import path from 'node:path'
import { defineConfig } from 'prisma/config'
import { PrismaLibSQL } from '@prisma/adapter-libsql'
import { PrismaPg } from '@prisma/adapter-pg'

const provider = process.env.PRISMA_PROVIDER === 'postgresql' ? 'postgresql' : 'sqlite'
const url = process.env.DATABASE_URL

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: provider === 'postgresql' ? path.join('prisma', 'postgresql', 'schema.prisma') : path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', provider === 'postgresql' ? 'postgresql' : 'sqlite', 'migrations') },
  async adapter() {
    if (provider === 'postgresql') return new PrismaPg({ connectionString: url ?? 'postgresql://postgres@127.0.0.1:5432/postgres' })
    return new PrismaLibSQL({ url: url ?? 'file:./data/gongyou.db' })
  },
})
