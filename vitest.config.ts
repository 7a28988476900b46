import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: run files in parallel, each on its own database.
    // Three on two cores: a test file waits on its database, its fake platforms and timers for much of its
    // time (two workers kept 1.2 cores busy), and .ci/run has to finish both databases within ten minutes.
    maxWorkers: 3,
    pool: 'forks',
  },
})
