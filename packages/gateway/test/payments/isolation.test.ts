/**
 * Merchants see only their own orders (docs/api.md#routes): another merchant's order_id or trans_id
 * behaves exactly like one that does not exist, and trans_ids are scoped per merchant.
 */
import type { OpenKKA } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { countOrders, post, refusal, strictClient } from '../helpers/payments.ts';

let gw: TestGateway;
let merchantA: TestMerchant;
let merchantB: TestMerchant;
let a: OpenKKA;
let b: OpenKKA;

beforeAll(async () => {
  gw = await startGateway();
  merchantA = await gw.createMerchant({ name: 'Merchant A' });
  merchantB = await gw.createMerchant({ name: 'Merchant B' });
  a = strictClient(gw, merchantA);
  b = strictClient(gw, merchantB);
});
afterAll(() => gw.close());

const NOT_FOUND = { retCode: '206024', httpStatus: 404 };

describe('another merchant’s order does not exist', () => {
  it('by order_id, by trans_id, or both → 404 206024', async () => {
    const order = await a.payments.create(cardPayment());
    for (const query of [
      { order_id: order.order_id },
      { trans_id: order.trans_id },
      { trans_id: order.trans_id, order_id: order.order_id },
    ]) {
      expect(await refusal(b.payments.query(query)), JSON.stringify(query)).toMatchObject(NOT_FOUND);
    }
    expect((await a.payments.query({ order_id: order.order_id })).order_id).toBe(order.order_id);
  });

  it('answers exactly as for an order that never existed', async () => {
    const order = await a.payments.create(cardPayment());
    const foreign = await post(gw, merchantB, { order_id: order.order_id }, '/apis/payments/query');
    const missing = await post(gw, merchantB, { order_id: 'GW00000000000000000000' }, '/apis/payments/query');
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual(missing.json);
  });

  it('B can use the same trans_id as A, independently', async () => {
    const transId = `shared-${Date.now()}`;
    const fromA = await a.payments.create(cardPayment({ trans_id: transId, amount: 100 }));
    // Other amount and card: for B it is a first request, not a reuse.
    const fromB = await b.payments.create(
      cardPayment({ trans_id: transId, amount: 999, currency: 'EUR' }, { card_no: '5555555555554444' }),
    );
    expect(fromB.order_id).not.toBe(fromA.order_id);
    expect(fromB).toMatchObject({ status: 'SUCCESS', merchant_id: merchantB.merchantId, amount: 999 });
    expect(await a.payments.query({ trans_id: transId })).toMatchObject({
      order_id: fromA.order_id,
      amount: 100,
    });
    expect(await b.payments.query({ trans_id: transId })).toMatchObject({
      order_id: fromB.order_id,
      amount: 999,
    });
    // A replay by B returns B's order, not A's.
    const replay = await b.payments.create(
      cardPayment({ trans_id: transId, amount: 999, currency: 'EUR' }, { card_no: '5555555555554444' }),
    );
    expect(replay.order_id).toBe(fromB.order_id);
  });

  it('B’s declined payment under A’s trans_id leaves A’s order alone', async () => {
    const transId = `shared-decline-${Date.now()}`;
    const fromA = await a.payments.create(cardPayment({ trans_id: transId }));
    const fromB = await b.payments.create(
      cardPayment({ trans_id: transId }, { card_no: '4000000000000002' }),
    );
    expect(fromB.status).toBe('FAILURE');
    expect(await a.payments.query({ trans_id: transId })).toMatchObject({
      order_id: fromA.order_id,
      status: 'SUCCESS',
    });
  });
});

describe('queries that name nothing that exists', () => {
  it('an unknown order_id → 404 206024', async () => {
    expect(await refusal(a.payments.query({ order_id: 'GW12345678901234567890' }))).toMatchObject(NOT_FOUND);
  });

  it('an unknown trans_id → 404 206024', async () => {
    expect(await refusal(a.payments.query({ trans_id: 'never-used' }))).toMatchObject(NOT_FOUND);
  });

  it('an order_id with another order’s trans_id → 404 206024', async () => {
    const one = await a.payments.create(cardPayment());
    const two = await a.payments.create(cardPayment());
    const err = await refusal(a.payments.query({ order_id: one.order_id, trans_id: two.trans_id }));
    expect(err).toMatchObject(NOT_FOUND);
  });

  it('only a session_id → 404 206011', async () => {
    expect(await refusal(a.payments.query({ session_id: 'CS12345678901234567890' }))).toMatchObject({
      retCode: '206011',
      httpStatus: 404,
    });
  });

  it.each([{}, { trans_id: '' }, { trans_id: '', order_id: '', session_id: '' }])(
    'no identifier at all (%j) → 400 010000',
    async (query) => {
      expect(await refusal(a.payments.query(query))).toMatchObject({ retCode: '010000', httpStatus: 400 });
    },
  );

  it('a query never creates anything', async () => {
    const before = await countOrders(gw);
    await refusal(b.payments.query({ trans_id: 'nothing-here' }));
    expect(await countOrders(gw)).toBe(before);
  });
});
