import { defineConfig } from 'vitest/config';

// Pure tests run once; feature tests run once per store, so every behaviour is proven on
// the embedded SQLite store and on PostgreSQL. Browser tests (a real headless Chromium) prove
// the shopper's pages, not the store, so they run once, on SQLite.
const feature = ['packages/gateway/test/**/*.test.ts'];
const pure = ['packages/sdk/test/**/*.test.ts', 'packages/gateway/test/unit/**/*.test.ts'];
const browser = ['packages/gateway/test/e2e/**/*.test.ts'];
const notFeature = ['packages/gateway/test/unit/**', 'packages/gateway/test/e2e/**'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: pure } },
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: feature,
          exclude: notFeature,
          env: { OPENKKA_TEST_STORE: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: feature,
          exclude: notFeature,
          env: { OPENKKA_TEST_STORE: 'postgres' },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: browser,
          env: { OPENKKA_TEST_STORE: 'sqlite' },
        },
      },
    ],
  },
});
