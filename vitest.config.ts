import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The API serves dashboard/dist and never builds it: build it once, when stale.
    globalSetup: ['tests/helpers/build-dashboard.ts'],
    // Deadlines bound a failure, not a success: the browser suites drive a live system (influxd,
    // simulated cars, Chromium) on two cores, and run twice (SQLite, then PostgreSQL).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration suites start their own influxd and brokers; two cores, so two files at a time.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
