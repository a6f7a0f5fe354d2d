/**
 * Bad configuration stops `openkka` before it serves anything: a non-zero exit, one readable
 * line on stderr, nothing on stdout and no stack trace. A store refuses a master key other
 * than the one that wrapped its data keys.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { killChildren, type RunResult, runCli } from './run-cli.ts';

// Every CLI run is a fresh Node process (the compiled CLI), a few hundred milliseconds each.
const masterKey = () => randomBytes(32).toString('base64');

let fresh: TestStore;
let envKeyed: TestStore;
let fileKeyed: TestStore;

beforeAll(async () => {
  [fresh, envKeyed, fileKeyed] = await Promise.all([createTestStore(), createTestStore(), createTestStore()]);
  // Two stores set up in parallel (different stores, so no first-run race): one whose data keys
  // are wrapped by OPENKKA_MASTER_KEY, one by the master.key file the data dir gets by default.
  const made = await Promise.all([
    runCli(['keys', 'platform'], { ...envKeyed.env, OPENKKA_MASTER_KEY: masterKey() }),
    runCli(['keys', 'platform'], fileKeyed.env),
  ]);
  for (const result of made) expect(result.code, result.stderr).toBe(0);
});
// Not afterEach: the tests run concurrently, each with its own process.
afterAll(async () => {
  killChildren();
  await Promise.all([fresh?.drop(), envKeyed?.drop(), fileKeyed?.drop()]);
});

function expectRefused(result: RunResult, message: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.signal).toBeNull();
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe.concurrent('openkka start with bad configuration', () => {
  it('PORT=abc: exits non-zero naming PORT', async () => {
    const result = await runCli(['start'], { ...fresh.env, PORT: 'abc' });
    expectRefused(result, /PORT: "abc" is not a port/);
  });

  it('OPENKKA_PG_POOL_SIZE=0: exits non-zero naming OPENKKA_PG_POOL_SIZE', async () => {
    const result = await runCli(['start'], { ...fresh.env, PORT: '0', OPENKKA_PG_POOL_SIZE: '0' });
    expectRefused(result, /OPENKKA_PG_POOL_SIZE must be a whole number of connections, at least 1/);
  });

  it('OPENKKA_TIMEZONE=Mars/Olympus_Mons: exits non-zero naming OPENKKA_TIMEZONE and the value', async () => {
    const result = await runCli(['start'], {
      ...fresh.env,
      PORT: '0',
      OPENKKA_TIMEZONE: 'Mars/Olympus_Mons',
    });
    expectRefused(result, /OPENKKA_TIMEZONE: "Mars\/Olympus_Mons" is not an IANA time zone name/);
  });

  it('OPENKKA_RATE_LIMIT_SHARED=postgres on SQLite: exits non-zero, saying why', async () => {
    // The SQLite store whatever the project: no DATABASE_URL.
    const result = await runCli(['start'], {
      OPENKKA_DATA_DIR: fresh.dataDir,
      PORT: '0',
      OPENKKA_RATE_LIMIT_SHARED: 'postgres',
    });
    expectRefused(
      result,
      /OPENKKA_RATE_LIMIT_SHARED=postgres needs a PostgreSQL store \(DATABASE_URL\): on SQLite each process counts its own requests/,
    );
  });

  it('OPENKKA_RATE_LIMIT_SHARED=redis: exits non-zero naming the setting and the value', async () => {
    const result = await runCli(['start'], { ...fresh.env, PORT: '0', OPENKKA_RATE_LIMIT_SHARED: 'redis' });
    expectRefused(result, /OPENKKA_RATE_LIMIT_SHARED: "redis" is not postgres or off/);
  });

  it('OPENKKA_MASTER_KEY=not-base64: exits non-zero, without echoing the key', async () => {
    const result = await runCli(['start'], { ...fresh.env, PORT: '0', OPENKKA_MASTER_KEY: 'not-base64' });
    expectRefused(result, /master key .*OPENKKA_MASTER_KEY must be 32 bytes, base64-encoded/);
    expect(result.stderr).not.toContain('not-base64');
  });
});

describe.concurrent('a store and its master key', () => {
  it('refuses another OPENKKA_MASTER_KEY than the one it was created with', async () => {
    const other = await runCli(['keys', 'platform'], { ...envKeyed.env, OPENKKA_MASTER_KEY: masterKey() });
    expectRefused(other, /master key .* does not match this store/);
  });

  it('refuses an OPENKKA_MASTER_KEY when its data keys are wrapped by the master.key file', async () => {
    const result = await runCli(['keys', 'platform'], { ...fileKeyed.env, OPENKKA_MASTER_KEY: masterKey() });
    expectRefused(result, /wrapped by master key "mk_[0-9a-f]+", which OPENKKA_MASTER_KEY does not hold/);
  });
});
