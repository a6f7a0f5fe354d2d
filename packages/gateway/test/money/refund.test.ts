/**
 * /payments/refund and /payments/refund/query (docs/api.md#routes, docs/api.md#idempotency, docs/api.md#order-status-and-balances): partial and full refunds,
 * refusals (above able_to_refund, nothing captured, wrong currency, unknown order), and
 * idempotency by (merchant_id, refund_trans_id).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import {
  CARDS,
  expectRefused,
  expectUnchanged,
  MoneyApi,
  type Order,
  type Refund,
  refundRows,
} from '../helpers/money.ts';

let gw: TestGateway;
let api: MoneyApi;
let other: MoneyApi;

beforeAll(async () => {
  gw = await startGateway();
  api = new MoneyApi(gw, await gw.createMerchant());
  other = new MoneyApi(gw, await gw.createMerchant({ name: 'Other merchant' }));
});
afterAll(() => gw.close());

const REFUND_ORDER_ID = /^RG\d{20}$/;

describe('refund', () => {
  it('300 then 700 of a SUCCESS order of 1000: PARTIALLY_REFUNDED, then REFUNDED; more → 409 300015', async () => {
    const order = await api.captured(1000);

    const first = await api.ok<Refund>('/payments/refund', {
      refund_trans_id: 'refund-300',
      ori_order_id: order.order_id,
      refund_amount: 300,
      currency: 'USD',
      reason: 'REQUESTED_BY_CUSTOMER',
    });
    expect(first).toMatchObject({
      refund_trans_id: 'refund-300',
      ori_order_id: order.order_id,
      merchant_id: api.merchant.merchantId,
      status: 'SUCCESS',
      amount: 300,
      currency: 'USD',
      error_code: '0000',
    });
    expect(first.refund_order_id).toMatch(REFUND_ORDER_ID);
    expect(await api.order(order.order_id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      balances: {
        captured_amount: 1000,
        refunded_amount: 300,
        refunding_amount: 0,
        able_to_refund_amount: 700,
      },
    });

    const second = await api.ok<Refund>('/payments/refund', {
      refund_trans_id: 'refund-700',
      ori_order_id: order.order_id,
      refund_amount: '700',
      currency: 'USD',
    });
    expect(second).toMatchObject({ status: 'SUCCESS', amount: 700 });
    expect(second.refund_order_id).toMatch(REFUND_ORDER_ID);
    expect(second.refund_order_id).not.toBe(first.refund_order_id);
    expect(await api.order(order.order_id)).toMatchObject({
      status: 'REFUNDED',
      balances: { refunded_amount: 1000, able_to_refund_amount: 0 },
    });

    await expectUnchanged(api, order.order_id, () => api.refund(order.order_id, 1), 409, '300015');
  });

  it('more than able_to_refund in one go → 409 300015, nothing changes', async () => {
    const order = await api.captured(1000);
    await expectUnchanged(api, order.order_id, () => api.refund(order.order_id, 1001), 409, '300015');
    await api.ok('/payments/refund', {
      refund_trans_id: `r-${order.order_id}`,
      ori_order_id: order.order_id,
      refund_amount: 600,
      currency: 'USD',
    });
    await expectUnchanged(api, order.order_id, () => api.refund(order.order_id, 401), 409, '300015');
    expect((await api.order(order.order_id)).balances.able_to_refund_amount).toBe(400);
  });

  it('nothing captured → 409 300014: AUTHORIZED, CANCELED, FAILURE', async () => {
    const authorized = await api.authorized(1000);
    await expectUnchanged(
      api,
      authorized.order_id,
      () => api.refund(authorized.order_id, 100),
      409,
      '300014',
    );

    const canceled = await api.authorized(1000);
    await api.ok('/payments/void', { order_id: canceled.order_id });
    await expectUnchanged(api, canceled.order_id, () => api.refund(canceled.order_id, 100), 409, '300014');

    const declined = await api.pay({}, { card_no: CARDS.declined });
    expect(declined.status).toBe('FAILURE');
    await expectUnchanged(api, declined.order_id, () => api.refund(declined.order_id, 100), 409, '300014');
  });

  it('a partly captured order can be refunded up to what was captured', async () => {
    const order = await api.authorized(1000);
    await api.ok('/payments/capture', {
      order_id: order.order_id,
      amount: 400,
      currency: 'USD',
      capture_final: false,
    });
    await expectUnchanged(api, order.order_id, () => api.refund(order.order_id, 401), 409, '300015');
    expect((await api.refund(order.order_id, 400)).json).toMatchObject({ data: { status: 'SUCCESS' } });
    // Everything captured was refunded, but 600 is still capturable: not REFUNDED.
    expect(await api.order(order.order_id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      balances: { refunded_amount: 400, able_to_capture_amount: 600, able_to_refund_amount: 0 },
    });
  });

  it('a currency other than the order’s → 409 300012, nothing changes', async () => {
    const order = await api.captured(1000);
    await expectUnchanged(
      api,
      order.order_id,
      () => api.refund(order.order_id, 100, { currency: 'EUR' }),
      409,
      '300012',
    );
  });

  it('an unknown order or another merchant’s order → 404 206024, no refund recorded', async () => {
    expectRefused(await api.refund('GW00000000000000000000', 100), 404, '206024');
    const foreign = await other.captured(1000);
    await expectUnchanged(other, foreign.order_id, () => api.refund(foreign.order_id, 100), 404, '206024');
  });

  it.each([
    ['0', 0],
    ['missing', undefined],
    ['"abc"', 'abc'],
    ['negative', -1],
  ])('refund_amount %s → 400 010000 naming the field, nothing changes', async (_label, amount) => {
    const order = await api.captured(1000);
    const res = await expectUnchanged(
      api,
      order.order_id,
      () => api.refund(order.order_id, amount),
      400,
      '010000',
    );
    expect(String(res.json.ret_msg)).toContain('refund_amount');
  });

  it('refund_trans_id or ori_order_id missing, or a bad reason → 400 010000', async () => {
    const order = await api.captured(1000);
    for (const extra of [{ refund_trans_id: '' }, { ori_order_id: undefined }, { reason: 'BECAUSE' }]) {
      const res = await expectUnchanged(
        api,
        order.order_id,
        () => api.refund(order.order_id, 100, extra),
        400,
        '010000',
      );
      expect(String(res.json.ret_msg)).toContain(Object.keys(extra)[0]!);
    }
  });
});

describe('refund idempotency (merchant_id, refund_trans_id)', () => {
  it('the same refund_trans_id with the same parameters → the same refund, refunded once', async () => {
    const order = await api.captured(1000);
    const body = {
      refund_trans_id: 'same-refund',
      ori_order_id: order.order_id,
      refund_amount: 250,
      currency: 'USD',
    };
    const first = await api.ok<Refund>('/payments/refund', body);
    const again = await api.ok<Refund>('/payments/refund', { ...body, reason: 'OTHER' });
    const asString = await api.ok<Refund>('/payments/refund', { ...body, refund_amount: '250' });
    expect(again).toEqual(first);
    expect(asString).toEqual(first);
    expect(await api.order(order.order_id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      balances: { refunded_amount: 250, able_to_refund_amount: 750 },
    });
    expect(await refundRows(gw, order.order_id)).toBe(1);
  });

  it('the same refund_trans_id with another amount, currency or ori_order_id → 409 300016', async () => {
    const order = await api.captured(1000);
    const second = await api.captured(1000);
    const base = { refund_trans_id: `reuse-${order.order_id}` };
    await api.refund(order.order_id, 100, base);
    for (const [orderId, amount, extra] of [
      [order.order_id, 200, {}],
      [order.order_id, 100, { currency: 'EUR' }],
      [second.order_id, 100, {}],
    ] as const) {
      await expectUnchanged(
        api,
        orderId,
        () => api.refund(orderId, amount, { ...base, ...extra }),
        409,
        '300016',
      );
    }
    expect((await api.order(order.order_id)).balances.refunded_amount).toBe(100);
    expect((await api.order(second.order_id)).balances.refunded_amount).toBe(0);
  });

  it('is per merchant: another merchant may use the same refund_trans_id for its own refund', async () => {
    const mine = await api.captured(1000);
    const theirs = await other.captured(1000);
    const refundTransId = `shared-${mine.order_id}`;
    const a = await api.ok<Refund>('/payments/refund', {
      refund_trans_id: refundTransId,
      ori_order_id: mine.order_id,
      refund_amount: 100,
      currency: 'USD',
    });
    // Other amount and order: for this merchant it is a first request, not a reuse.
    const b = await other.ok<Refund>('/payments/refund', {
      refund_trans_id: refundTransId,
      ori_order_id: theirs.order_id,
      refund_amount: 200,
      currency: 'USD',
    });
    expect(b.refund_order_id).not.toBe(a.refund_order_id);
    expect(b).toMatchObject({ status: 'SUCCESS', merchant_id: other.merchant.merchantId, amount: 200 });
    expect(await api.ok<Refund>('/payments/refund/query', { refund_trans_id: refundTransId })).toEqual(a);
    expect(await other.ok<Refund>('/payments/refund/query', { refund_trans_id: refundTransId })).toEqual(b);
    expect((await api.order(mine.order_id)).balances.refunded_amount).toBe(100);
    expect((await other.order(theirs.order_id)).balances.refunded_amount).toBe(200);
  });
});

describe('refund query', () => {
  it('by refund_trans_id and by refund_order_id (both prefixes) → the refund object', async () => {
    const order = await api.captured(1000);
    const refund = await api.ok<Refund>(
      '/payments/refund',
      {
        refund_trans_id: `q-${order.order_id}`,
        ori_order_id: order.order_id,
        refund_amount: 150,
        currency: 'USD',
      },
      true,
    );
    expect(refund).toMatchObject({ status: 'SUCCESS', amount: 150, ori_order_id: order.order_id });
    const byTransId = await api.ok<Refund>('/payments/refund/query', {
      refund_trans_id: refund.refund_trans_id,
    });
    const byOrderId = await api.ok<Refund>(
      '/payments/refund/query',
      { refund_order_id: refund.refund_order_id, refund_trans_id: '' },
      true,
    );
    expect(byTransId).toEqual(refund);
    expect(byOrderId).toEqual(refund);
    // As docs/api.md#routes says: the refund object carries at least these fields.
    expect(Object.keys(refund)).toEqual(
      expect.arrayContaining([
        'refund_trans_id',
        'refund_order_id',
        'ori_order_id',
        'status',
        'amount',
        'currency',
        'error_code',
        'error_description',
      ]),
    );
  });

  it('unknown → 404 206024; neither id → 400 010000', async () => {
    expectRefused(await api.refundQuery({ refund_trans_id: 'never-used' }), 404, '206024');
    expectRefused(await api.refundQuery({ refund_order_id: 'RG00000000000000000000' }), 404, '206024');
    expectRefused(await api.refundQuery({}), 400, '010000');
  });

  it('both ids given but naming different refunds → 404 206024', async () => {
    const order = await api.captured(1000);
    const a = await api.ok<Refund>('/payments/refund', {
      refund_trans_id: `a-${order.order_id}`,
      ori_order_id: order.order_id,
      refund_amount: 100,
      currency: 'USD',
    });
    const b = await api.ok<Refund>('/payments/refund', {
      refund_trans_id: `b-${order.order_id}`,
      ori_order_id: order.order_id,
      refund_amount: 100,
      currency: 'USD',
    });
    expectRefused(
      await api.refundQuery({ refund_trans_id: a.refund_trans_id, refund_order_id: b.refund_order_id }),
      404,
      '206024',
    );
  });

  it('another merchant’s refund does not exist, by either id', async () => {
    const order = await api.captured(1000);
    const refund = await api.ok<Refund>('/payments/refund', {
      refund_trans_id: `mine-${order.order_id}`,
      ori_order_id: order.order_id,
      refund_amount: 100,
      currency: 'USD',
    });
    const foreignByTrans = await other.refundQuery({ refund_trans_id: refund.refund_trans_id });
    const foreignByOrder = await other.refundQuery({ refund_order_id: refund.refund_order_id });
    const missing = await other.refundQuery({ refund_order_id: 'RG00000000000000000000' });
    expectRefused(foreignByTrans, 404, '206024');
    expectRefused(foreignByOrder, 404, '206024');
    expect(foreignByOrder.json).toEqual(missing.json);
    expect((await api.order(order.order_id)).balances.refunded_amount).toBe(100);
  });
});

describe('the order object after refunds', () => {
  it('query by trans_id shows the same balances as by order_id', async () => {
    const order = await api.captured(1000);
    await api.refund(order.order_id, 100);
    const byTrans = await api.ok<Order>('/payments/query', { trans_id: order.trans_id });
    expect(byTrans).toEqual(await api.order(order.order_id));
  });
});
