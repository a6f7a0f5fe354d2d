import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the workspace packages by name and get their TypeScript sources, as the
// typecheck does (tsconfig.base.json's paths): the packages' exports name their builds, which
// only the child processes that run `openkka` use.
const source = (path: string) => fileURLToPath(new URL(`packages/${path}`, import.meta.url));
const alias = [
  { find: /^@openkka\/sdk$/, replacement: source('sdk/src/index.ts') },
  { find: /^@openkka\/sdk\/(.+)$/, replacement: source('sdk/src/$1.ts') },
  { find: /^openkka$/, replacement: source('gateway/src/index.ts') },
  { find: /^openkka\/executable$/, replacement: source('gateway/src/cli/executable.ts') },
  { find: /^openkka\/card-decryption$/, replacement: source('gateway/src/card-decryption.ts') },
];

// Pure tests run once; feature tests run once per store, so every behaviour is proven on
// the embedded SQLite store and on PostgreSQL. Browser tests (a real headless Chromium) prove
// the shopper's pages, not the store, so they run once, on SQLite. Each of the postgres and e2e
// projects finds (or starts) what it needs in a global setup that runs only when the project does.
const feature = ['packages/gateway/test/**/*.test.ts'];
const pure = [
  'packages/sdk/test/**/*.test.ts',
  'packages/gateway/test/unit/**/*.test.ts',
  'packages/bench/test/**/*.test.ts',
];
const browser = ['packages/gateway/test/e2e/**/*.test.ts'];
// The packed tarballs, installed into an empty project: about the packages, not the store.
const packaging = ['packages/gateway/test/packaging/**/*.test.ts'];
const notFeature = ['packages/gateway/test/unit/**', 'packages/gateway/test/e2e/**', ...packaging];
// Feature tests of a deployment only PostgreSQL allows: gateways on several machines, one store.
const postgresOnly = [
  'packages/gateway/test/jobs/failover.test.ts',
  'packages/gateway/test/money/versioned-changes.test.ts',
];
// Tests that start openkka (or the bench, or a database server, or npm) as child processes: they
// run the build (`npm run build`, which `npm test` runs first) and hold most of the suite's time.
// `npm run test:quick` (OPENKKA_TEST_QUICK=1) leaves them out for the inner loop, so it needs no
// build; `npm test` runs them all.
const childProcesses = [
  ...packaging,
  'packages/gateway/test/cli/**',
  'packages/gateway/test/jobs/{crash-recovery,failover}.test.ts',
  'packages/gateway/test/notifications/{multi-process,operator,restart}.test.ts',
  'packages/gateway/test/security/{admin,public-url,file-modes}.test.ts',
  'packages/gateway/test/vault/cli.test.ts',
  'packages/gateway/test/unit/setup/embedded-postgres.test.ts',
  'packages/bench/test/smoke.test.ts',
];
const left = process.env.OPENKKA_TEST_QUICK === '1' ? childProcesses : [];

export default defineConfig({
  resolve: { alias },
  test: {
    // One worker more than there are cores: many tests spend their time waiting on a socket,
    // a timer or a child process, and vitest's default (cores - 1) leaves a 2-core machine idle.
    maxWorkers: availableParallelism() + 1,
    // Ceilings, not budgets: a test polls for what it waits for, and only a hang reaches these.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: pure, exclude: left } },
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: feature,
          exclude: [...notFeature, ...postgresOnly, ...left],
          env: { OPENKKA_TEST_STORE: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: feature,
          exclude: notFeature,
          globalSetup: ['packages/gateway/test/setup/postgres.ts'],
          env: { OPENKKA_TEST_STORE: 'postgres' },
        },
      },
      { extends: true, test: { name: 'packaging', include: packaging, exclude: left } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: browser,
          globalSetup: ['packages/gateway/test/setup/chromium.ts'],
          env: { OPENKKA_TEST_STORE: 'sqlite' },
        },
      },
    ],
  },
});
