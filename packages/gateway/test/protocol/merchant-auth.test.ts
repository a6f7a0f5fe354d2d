/**
 * Who may call (docs/signing.md): the merchant must exist, be enabled and have a key; the timestamp
 * must sit in the ±5 minute window; the version, from header or body, must be v1.2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestMerchant } from '../helpers/gateway.ts';
import { MINUTE, Protocol } from '../helpers/protocol.ts';

let p: Protocol;

beforeAll(async () => {
  p = await Protocol.start();
});
afterAll(() => p.close());

function merchant(): Promise<TestMerchant> {
  return p.merchant();
}

describe('the merchant', () => {
  it('an unknown merchant_id → 401 206005, the response signed for that id', async () => {
    const m = await merchant();
    const unknown = '99999999999999';
    const body = p.payment({ merchantId: unknown });
    p.expectRefused(await p.send(m, '/payments', body), 401, '206005', unknown);
    expect(await p.orderCount()).toBe(0);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it('a merchant whose keys were all removed → 401 206006', async () => {
    const m = await merchant();
    for (const key of await p.gw.merchants.keys(m.merchantId)) {
      await p.gw.merchants.removeKey(m.merchantId, key.key_id);
    }
    expect(await p.gw.merchants.keys(m.merchantId)).toEqual([]);
    const body = p.payment(m);
    p.expectRefused(await p.send(m, '/payments', body), 401, '206006', m.merchantId);
    expect(await p.orderCount(m.merchantId)).toBe(0);

    await p.gw.merchants.addKey(m.merchantId, m.publicKeyPem);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it('a disabled merchant → 403 206007; re-enabled, it is served again at once', async () => {
    const m = await merchant();
    await p.gw.merchants.setEnabled(m.merchantId, false);
    const body = p.payment(m);
    p.expectRefused(await p.send(m, '/payments', body), 403, '206007', m.merchantId);
    p.expectRefused(
      await p.send(m, '/payments/query', {
        merchant_id: m.merchantId,
        timestamp: p.clock.now(),
        trans_id: 'x',
      }),
      403,
      '206007',
      m.merchantId,
    );
    expect(await p.orderCount(m.merchantId)).toBe(0);

    await p.gw.merchants.setEnabled(m.merchantId, true);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });
});

describe('the timestamp window (±5 minutes of the gateway clock)', () => {
  it.each([
    ['6 minutes old', (now: number) => now - 6 * MINUTE],
    ['6 minutes ahead', (now: number) => now + 6 * MINUTE],
    ['5 minutes and 1 ms old', (now: number) => now - 5 * MINUTE - 1],
    ['5 minutes and 1 ms ahead', (now: number) => now + 5 * MINUTE + 1],
    ['0 (1970)', () => 0],
    ['in seconds, not milliseconds', (now: number) => Math.floor(now / 1000)],
  ])('%s → 401 206004', async (_name, at) => {
    const m = await merchant();
    const body = p.payment(m, { timestamp: at(p.clock.now()) });
    p.expectRefused(await p.send(m, '/payments', body), 401, '206004', m.merchantId);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it.each([
    ['4 minutes old', -4 * MINUTE],
    ['4 minutes ahead', 4 * MINUTE],
    ['exactly 5 minutes old', -5 * MINUTE],
    ['exactly 5 minutes ahead', 5 * MINUTE],
  ])('%s is accepted', async (_name, offset) => {
    const m = await merchant();
    const body = p.payment(m, { timestamp: p.clock.now() + offset });
    const data = p.expectOk(await p.send(m, '/payments', body), m.merchantId);
    expect(data.trans_id).toBe(body.trans_id);
  });

  it('is judged by the gateway clock, not by the timestamp the client put in the body', async () => {
    const m = await merchant();
    const body = p.payment(m);
    p.clock.advance(6 * MINUTE);
    try {
      p.expectRefused(await p.send(m, '/payments', body), 401, '206004', m.merchantId);
    } finally {
      p.clock.advance(-6 * MINUTE);
    }
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it('a stale timestamp under a bad signature is a signature error, not a timing hint', async () => {
    const m = await merchant();
    const body = p.payment(m, { timestamp: p.clock.now() - 6 * MINUTE });
    p.expectRefused(
      await p.send(m, '/payments', body, { tamper: (t) => t.replace('"USD"', '"EUR"') }),
      401,
      '206003',
      m.merchantId,
    );
  });
});

describe('the version', () => {
  it('header `version: v1.0` → 400 206001', async () => {
    const m = await merchant();
    const body = p.payment(m);
    const res = await p.send(m, '/payments', body, { headers: { version: 'v1.0' } });
    p.expectRefused(res, 400, '206001', m.merchantId);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it.each([
    ['"v3"', 'v3'],
    ['"V1.2" (case matters)', 'V1.2'],
    ['the number 1.2', 1.2],
    ['an object', { v: 'v1.2' }],
  ])('body field version %s → 400 206001', async (_name, version) => {
    const m = await merchant();
    const body = p.payment(m, { version });
    const res = await p.send(m, '/payments', body, { headers: { version: null } });
    p.expectRefused(res, 400, '206001', m.merchantId);
    const withHeader = await p.send(m, '/payments', body);
    p.expectRefused(withHeader, 400, '206001', m.merchantId);
    const { version: _dropped, ...rest } = body;
    await p.expectNothingStoredAndTransIdFree(m, rest);
  });

  it('no version anywhere is read as v1.2', async () => {
    const m = await merchant();
    const body = p.payment(m);
    expect(body).not.toHaveProperty('version');
    p.expectOk(await p.send(m, '/payments', body, { headers: { version: null } }), m.merchantId);
  });

  it('body version "v1.2" without a header is accepted', async () => {
    const m = await merchant();
    const body = p.payment(m, { version: 'v1.2' });
    p.expectOk(await p.send(m, '/payments', body, { headers: { version: null } }), m.merchantId);
  });

  it('an empty version header counts as absent', async () => {
    const m = await merchant();
    p.expectOk(await p.send(m, '/payments', p.payment(m), { headers: { version: '' } }), m.merchantId);
  });

  it('header and body that disagree → 400 206001', async () => {
    const m = await merchant();
    const body = p.payment(m, { version: 'v1.1' });
    p.expectRefused(await p.send(m, '/payments', body), 400, '206001', m.merchantId);
  });
});
