/**
 * `openkka start` on SIGTERM with OPENKKA_SHUTDOWN_DELAY: /readyz turns 503 at once while the
 * listener stays open and still serves, then the process drains and exits 0. A delay as long as
 * the drain deadline is refused at start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { killChildren, runCli, startServer } from './run-cli.ts';

let store: TestStore;

beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => {
  killChildren();
  await store?.drop();
});

describe('readiness on SIGTERM', () => {
  it('answers 503 on /readyz before the listener closes, keeps serving meanwhile, then exits 0', async () => {
    const server = await startServer({ ...store.env, OPENKKA_SHUTDOWN_DELAY: '10s' });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const stopped = server.stop('SIGTERM', 60_000);
    await eventually('readyz turns 503', async () => {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'draining' });
      return true;
    });
    // Still listening and serving while a balancer takes it out.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const result = await stopped;
    expect(result.code).toBe(0);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('refuses a delay as long as the drain deadline', async () => {
    const result = await runCli(['start'], {
      ...store.env,
      PORT: '0',
      OPENKKA_SHUTDOWN_DELAY: '30s',
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('OPENKKA_SHUTDOWN_DELAY');
  });
});
