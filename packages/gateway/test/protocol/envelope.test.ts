/**
 * The response side (docs/signing.md, docs/api.md#the-envelope): the success and refusal envelopes, the protocol headers and
 * platform signature on every response, both path prefixes, and unknown paths and methods.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Protocol } from '../helpers/protocol.ts';

let p: Protocol;

beforeAll(async () => {
  p = await Protocol.start();
});
afterAll(() => p.close());

describe('success envelope', () => {
  it('is {ret_code, ret_msg, data}, with data.timestamp equal to the signed timestamp header', async () => {
    const m = await p.merchant();
    const res = await p.send(m, '/payments', p.payment(m));
    const data = p.expectOk(res, m.merchantId);
    expect(Object.keys(res.json).sort()).toEqual(['data', 'ret_code', 'ret_msg']);
    expect(data.timestamp).toBe(p.clock.now());
    expect(data.merchant_id).toBe(m.merchantId);
  });

  it('signs with the time of the response, not the time of the request', async () => {
    const m = await p.merchant();
    const body = p.payment(m, { timestamp: p.clock.now() - 60_000 });
    const data = p.expectOk(await p.send(m, '/payments', body), m.merchantId);
    expect(data.timestamp).toBe(p.clock.now());
    expect(data.timestamp).not.toBe(body.timestamp);
  });
});

describe('both path prefixes are served', () => {
  it.each(['/payments', '/apis/payments'])('%s creates a payment', async (path) => {
    const m = await p.merchant();
    const body = p.payment(m);
    const data = p.expectOk(await p.send(m, path, body), m.merchantId);
    expect(data.trans_id).toBe(body.trans_id);
  });

  it.each(['/payments/query', '/apis/payments/query', '/apis/payments/query?ignored=1'])(
    '%s answers the order',
    async (path) => {
      const m = await p.merchant();
      const body = p.payment(m);
      const created = p.expectOk(await p.send(m, '/payments', body), m.merchantId);
      const query = { merchant_id: m.merchantId, timestamp: p.clock.now(), trans_id: body.trans_id };
      const data = p.expectOk(await p.send(m, path, query), m.merchantId);
      expect({ order_id: data.order_id, status: data.status }).toEqual({
        order_id: created.order_id,
        status: 'SUCCESS',
      });
    },
  );

  it('a query for an order that does not exist → 404 206024, signed for the merchant', async () => {
    const m = await p.merchant();
    const query = { merchant_id: m.merchantId, timestamp: p.clock.now(), trans_id: 'never-used' };
    p.expectRefused(await p.send(m, '/apis/payments/query', query), 404, '206024', m.merchantId);
  });
});

describe('unknown paths and methods', () => {
  it.each([
    '/',
    '/payment',
    '/payments/nope',
    '/apis/payments/nope',
    '/apis/payments/query/extra',
    '/apis/apis/payments',
    '/APIS/PAYMENTS',
    '/v1/payments',
  ])('POST %s → 404 300003, signed for no merchant', async (path) => {
    const m = await p.merchant();
    const body = p.payment(m);
    p.expectRefused(await p.send(m, path, body), 404, '300003', '');
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it.each([
    ['GET', '/apis/payments'],
    ['GET', '/payments'],
    ['GET', '/payments/query'],
    ['PUT', '/apis/payments'],
    ['DELETE', '/apis/payments/query'],
    ['PATCH', '/payments'],
  ])('%s %s → 405 300004', async (method, path) => {
    const res = await p.request(method, path);
    p.expectRefused(res, 405, '300004', '');
  });

  it('GET of an unknown path is 404, not 405', async () => {
    p.expectRefused(await p.request('GET', '/apis/nothing-here'), 404, '300003', '');
  });
});
