import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup/quiet-warnings.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: e2e files each start servers and training processes.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
