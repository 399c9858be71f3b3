import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'e2e/**/*.test.ts'],
    reporters: ['default', './test/totals-reporter.ts'],
    setupFiles: ['./test/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default (cores − 1) runs one file at a time on a 2-core machine. Most of the
    // slow files wait on processes, fsync, browsers and SMTP rather than compute, so two at a
    // time keeps the suite under ten minutes there (decision 1022).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
