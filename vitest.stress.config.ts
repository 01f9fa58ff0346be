import { defineConfig } from 'vitest/config';

// Slow suites: races repeated many times, crash tests, large trees.
export default defineConfig({
  test: {
    include: ['server/**/*.stress.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
