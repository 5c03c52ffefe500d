import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The API serves dashboard/dist and never builds it: build it once, when stale.
    globalSetup: ['tests/helpers/build-dashboard.ts'],
    testTimeout: 60000,
    hookTimeout: 60000,
    // Integration suites start their own influxd and brokers; two cores, so two files at a time.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
