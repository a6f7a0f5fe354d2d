// The pool of pre-signed requests: each entry its own nonce on v3, stale ones signed again, and
// a failure that ends the fill instead of leaving it waiting.
import { generateKeyPairSync } from 'node:crypto';
import { V3_HEADERS } from '@openkka/sdk/signing';
import { describe, expect, it } from 'vitest';
import { paymentBody } from '../src/bodies.ts';
import { SignedPool } from '../src/signed-pool.ts';
import { nonceSource, PATHS, type RequestSigner } from '../src/wire.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let seed = 1n;
const signer: RequestSigner = {
  protocol: 'v3',
  merchantId: 'M1',
  appId: 'M1',
  key: privateKey,
  nonce: nonceSource(() => (seed *= 6364136223846793005n)),
};

function pool(
  now: () => number,
  bodyFor = (n: number, t: number) => paymentBody('purchase', signer, 'r', n, t),
) {
  return new SignedPool(signer, PATHS.v3.pay, bodyFor, now);
}

const nonceOf = (p: SignedPool, k: number) => p.cycle(k).headers[V3_HEADERS.nonce];

describe('SignedPool', () => {
  it('signs each v3 entry with its own nonce, for the pay path, and hands each out once', async () => {
    const p = pool(() => 1_000);
    const reports: Array<[number, number]> = [];
    await p.fill(100, Number.POSITIVE_INFINITY, (done, total) => reports.push([done, total]));
    expect(p.size).toBe(100);
    expect(new Set(Array.from({ length: 100 }, (_, k) => nonceOf(p, k))).size).toBe(100);
    expect(p.cycle(0).path).toBe('/v3/payment/acq/pay');
    expect(reports.at(-1)).toEqual([100, 100]);
    const taken = new Set<string>();
    for (let entry = p.take(); entry; entry = p.take()) taken.add(entry.body.toString());
    expect(taken.size).toBe(100);
  });

  it('signs stale unused entries again, with a new time and a new nonce; used ones stay as sent', async () => {
    let now = 1_000;
    const p = pool(() => now);
    await p.fill(4, Number.POSITIVE_INFINITY, () => undefined);
    const before = Array.from({ length: 4 }, (_, k) => nonceOf(p, k));
    p.take();
    now = 10_000;
    await p.fill(4, 5_000, () => undefined);
    expect(nonceOf(p, 0)).toBe(before[0]);
    expect(p.cycle(0).signedAt).toBe(1_000);
    for (const k of [1, 2, 3]) {
      expect(nonceOf(p, k)).not.toBe(before[k]);
      expect(p.cycle(k).signedAt).toBe(10_000);
      expect(p.cycle(k).headers[V3_HEADERS.timestamp]).toBe('10000');
    }
  });

  it('rejects when a request cannot be made, and stops signing the rest', async () => {
    let made = 0;
    const p = pool(
      () => 1_000,
      (n, t) => {
        if (n === 40) throw new Error('no body for 40');
        made++;
        return paymentBody('purchase', signer, 'r', n, t);
      },
    );
    await expect(p.fill(1_000, Number.POSITIVE_INFINITY, () => undefined)).rejects.toThrow('no body for 40');
    expect(made).toBeLessThan(1_000);
  });
});
