import { defineConfig } from 'vitest/config';

// Pure tests run once; feature tests run once per store, so every behaviour is proven on
// the embedded SQLite store and on PostgreSQL.
const feature = ['packages/gateway/test/**/*.test.ts'];
const pure = ['packages/sdk/test/**/*.test.ts', 'packages/gateway/test/unit/**/*.test.ts'];

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
          exclude: ['packages/gateway/test/unit/**'],
          env: { OPENKKA_TEST_STORE: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: feature,
          exclude: ['packages/gateway/test/unit/**'],
          env: { OPENKKA_TEST_STORE: 'postgres' },
        },
      },
    ],
  },
});
