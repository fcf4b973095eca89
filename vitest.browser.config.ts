import { defineConfig } from 'vitest/config';

// Browser tests: build the app, serve it with `vite preview`, drive system Chromium
// through playwright-core with real mouse and keyboard events.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
