import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: run files in parallel, each on its own database.
    // Three on two cores: a test file waits on its database, its fake platforms and timers for much of its
    // time (two workers kept 1.2 cores busy), and .ci/run has to finish both databases within ten minutes.
    maxWorkers: 3,
    pool: 'forks',
    // The files a worker runs share its module cache: importing the service's module graph (fastify,
    // Prisma, the platform SDKs) cost ~2 s per file, 140 s of the suite's time on SQLite. So a helper
    // module must not register hooks at its top level (they would belong to the first file that
    // imports it): the kits register theirs when a file calls them (useFeishu, useWecom, start).
    isolate: false,
  },
})
