/**
 * A v3 nonce is accepted once per app id across gateway processes and restarts (docs/api.md#paykka-v3):
 * two `openkka start` processes on one store, and one started again after SIGTERM, all refuse a
 * nonce another of them accepted (300070), and still accept a fresh one.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { newTestNonce, type V3Signer, v3Post } from '../helpers/v3.ts';
import { killChildren, type ServerProcess, startServer } from './run-cli.ts';

let store: TestStore;
let first: ServerProcess;
let second: ServerProcess;
let signer: V3Signer;

const PATH = '/v3/payment/acq/token/query';
const BODY = JSON.stringify({ shopper_reference: 'nonce-shopper' });

beforeAll(async () => {
  store = await createTestStore();
  // One after the other: the first creates the demo merchant, the second finds it.
  first = await startServer(store.env);
  second = await startServer(store.env);
  const demoId = /^Demo merchant: (\d{14})$/m.exec(first.banner)![1]!;
  const keyFile = /^Private key: +(.+)$/m.exec(first.banner)![1]!;
  signer = { appId: demoId, privateKey: createPrivateKey(readFileSync(keyFile)) };
});
afterAll(async () => {
  killChildren();
  await store?.drop();
});

const send = async (url: string, nonce: string) => {
  const res = await v3Post(url, PATH, BODY, signer, { nonce });
  return [res.status, res.json.ret_code];
};

describe('a v3 nonce, across processes on one store', () => {
  it('is refused by the other process and by a restarted one; a fresh nonce passes on each', async () => {
    const nonce = newTestNonce();
    expect(await send(first.url, nonce)).toEqual([200, '000000']);
    expect(await send(second.url, nonce)).toEqual([401, '300070']);

    const stopped = await first.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    const restarted = await startServer(store.env);
    expect(await send(restarted.url, nonce)).toEqual([401, '300070']);

    for (const url of [second.url, restarted.url])
      expect(await send(url, newTestNonce())).toEqual([200, '000000']);
  });
});
