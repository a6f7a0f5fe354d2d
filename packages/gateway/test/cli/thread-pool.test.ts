/**
 * The `openkka` executable sizes Node's thread pool (where requests are verified and answers
 * signed) before Node first uses it: one thread per core, at least two, unless the operator set
 * UV_THREADPOOL_SIZE. Checked on real `openkka start` processes by counting their threads
 * (Linux's /proc): two servers that differ only in the pool size differ by exactly that many.
 */
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { killChildren, type ServerProcess, startServer } from './run-cli.ts';

const DEFAULT_SIZE = Math.max(2, availableParallelism());
const OPERATOR_SIZE = DEFAULT_SIZE + 3;

const stores: TestStore[] = [];
let byDefault: ServerProcess;
let byOperator: ServerProcess;

/** An unsigned request: refused, and the refusal signed on the thread pool, so the pool exists. */
async function usePool(server: ServerProcess): Promise<void> {
  const res = await fetch(`${server.url}/apis/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(401);
  expect(res.headers.get('signature')).toBeTruthy();
}

const threads = (server: ServerProcess) => readdirSync(`/proc/${server.child.pid}/task`).length;

beforeAll(async () => {
  stores.push(await createTestStore(), await createTestStore());
  [byDefault, byOperator] = await Promise.all([
    // Empty counts as unset, whatever the test runner's own environment holds.
    startServer({ ...stores[0]!.env, UV_THREADPOOL_SIZE: '' }),
    startServer({ ...stores[1]!.env, UV_THREADPOOL_SIZE: String(OPERATOR_SIZE) }),
  ]);
  await Promise.all([usePool(byDefault), usePool(byOperator)]);
});
afterAll(async () => {
  killChildren();
  await Promise.all(stores.map((store) => store.drop()));
});

describe('the thread pool of openkka start', () => {
  it('has one thread per core (at least two) by default, and the operator’s size when set', () => {
    expect(threads(byOperator) - threads(byDefault)).toBe(OPERATOR_SIZE - DEFAULT_SIZE);
  });
});
