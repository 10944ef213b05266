import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules', 'dist', '.test-output'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // End-to-end files start real Headscale servers; two at a time fits a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
