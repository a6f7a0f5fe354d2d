/**
 * /payments/capture (docs/api.md#routes, docs/api.md#order-status-and-balances): partial captures while capture_final=false, capture_final
 * (default true) releasing the remainder, and every refusal — amount above able_to_capture,
 * wrong currency, nothing capturable, unknown or foreign order, bad amount — changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { CARDS, expectRefused, expectUnchanged, MoneyApi, type Order } from '../helpers/money.ts';

let gw: TestGateway;
let api: MoneyApi;
let other: MoneyApi;

beforeAll(async () => {
  gw = await startGateway();
  api = new MoneyApi(gw, await gw.createMerchant({ name: 'Capturing merchant' }));
  other = new MoneyApi(gw, await gw.createMerchant({ name: 'Other merchant' }));
});
afterAll(() => gw.close());

describe('capture', () => {
  it('two partial captures with capture_final=false: SUCCESS at each step, captured in full', async () => {
    const order = await api.authorized(1000);

    const first = await api.ok<Order>('/payments/capture', {
      order_id: order.order_id,
      amount: 400,
      currency: 'USD',
      capture_final: false,
    });
    expect(first).toMatchObject({
      order_id: order.order_id,
      status: 'SUCCESS',
      balances: {
        authed_amount: 1000,
        captured_amount: 400,
        able_to_capture_amount: 600,
        voided_amount: 0,
        able_to_void_amount: 600,
        able_to_refund_amount: 400,
      },
    });
    expect(await api.order(order.order_id)).toMatchObject({ status: 'SUCCESS', balances: first.balances });

    const second = await api.ok<Order>('/payments/capture', {
      order_id: order.order_id,
      amount: 600,
      currency: 'USD',
      capture_final: false,
    });
    expect(second).toMatchObject({
      status: 'SUCCESS',
      balances: {
        captured_amount: 1000,
        able_to_capture_amount: 0,
        voided_amount: 0,
        able_to_refund_amount: 1000,
      },
    });
    expect(await api.order(order.order_id)).toMatchObject({ status: 'SUCCESS', balances: second.balances });
  });

  it('the unprefixed /payments/capture path works the same', async () => {
    const order = await api.authorized(500);
    const captured = await api.ok<Order>(
      '/payments/capture',
      { order_id: order.order_id, amount: '500', currency: 'USD', capture_final: 'false' },
      true,
    );
    expect(captured).toMatchObject({ status: 'SUCCESS', balances: { captured_amount: 500 } });
    expect((await api.order(order.order_id)).balances.captured_amount).toBe(500);
  });

  it('capture_final defaults to true: capturing 300 of 1000 releases 700 → PARTIALLY_REVERSED', async () => {
    const order = await api.authorized(1000);
    const res = await api.capture(order.order_id, 300);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      ret_code: '000000',
      data: {
        status: 'PARTIALLY_REVERSED',
        balances: {
          authed_amount: 1000,
          captured_amount: 300,
          voided_amount: 700,
          able_to_capture_amount: 0,
          able_to_void_amount: 0,
          able_to_refund_amount: 300,
        },
      },
    });
    const now = await api.order(order.order_id);
    expect(now).toMatchObject({
      status: 'PARTIALLY_REVERSED',
      balances: { captured_amount: 300, voided_amount: 700, able_to_capture_amount: 0 },
    });
    // Nothing is left to capture afterwards.
    await expectUnchanged(api, order.order_id, () => api.capture(order.order_id, 1), 409, '300010');
  });

  it('an explicit capture_final=true of the whole amount is a plain SUCCESS', async () => {
    const order = await api.authorized(1000);
    const data = await api.ok<Order>('/payments/capture', {
      order_id: order.order_id,
      amount: 1000,
      currency: 'USD',
      capture_final: true,
    });
    expect(data).toMatchObject({ status: 'SUCCESS', balances: { captured_amount: 1000, voided_amount: 0 } });
  });

  it('more than able_to_capture → 409 300011, nothing changes', async () => {
    const order = await api.authorized(1000);
    await expectUnchanged(api, order.order_id, () => api.capture(order.order_id, 1001), 409, '300011');
    await api.ok('/payments/capture', {
      order_id: order.order_id,
      amount: 400,
      currency: 'USD',
      capture_final: false,
    });
    await expectUnchanged(
      api,
      order.order_id,
      () => api.capture(order.order_id, 601, { capture_final: false }),
      409,
      '300011',
    );
    expect((await api.order(order.order_id)).balances).toMatchObject({
      captured_amount: 400,
      able_to_capture_amount: 600,
    });
  });

  it('a currency other than the order’s → 409 300012, nothing changes', async () => {
    const order = await api.authorized(1000);
    await expectUnchanged(
      api,
      order.order_id,
      () => api.capture(order.order_id, 100, { currency: 'EUR' }),
      409,
      '300012',
    );
  });

  it('nothing capturable → 409 300010: declined (FAILURE), voided (CANCELED), AUTOMATIC (captured)', async () => {
    const declined = await api.pay({ capture_method: 'MANUAL' }, { card_no: CARDS.declined });
    expect(declined.status).toBe('FAILURE');
    await expectUnchanged(api, declined.order_id, () => api.capture(declined.order_id, 100), 409, '300010');

    const voided = await api.authorized(1000);
    expect((await api.ok<Order>('/payments/void', { order_id: voided.order_id })).status).toBe('CANCELED');
    await expectUnchanged(api, voided.order_id, () => api.capture(voided.order_id, 100), 409, '300010');

    const automatic = await api.captured(1000);
    await expectUnchanged(api, automatic.order_id, () => api.capture(automatic.order_id, 100), 409, '300010');
  });

  it('an unknown order_id or another merchant’s order → 404 206024', async () => {
    expectRefused(await api.capture('GW00000000000000000000', 100), 404, '206024');
    const foreign = await other.authorized(1000);
    await expectUnchanged(other, foreign.order_id, () => api.capture(foreign.order_id, 100), 404, '206024');
    // The owner can still capture it in full.
    expect(
      (
        await other.ok<Order>('/payments/capture', {
          order_id: foreign.order_id,
          amount: 1000,
          currency: 'USD',
        })
      ).status,
    ).toBe('SUCCESS');
  });

  it.each([
    ['0', 0],
    ['missing', undefined],
    ['"abc"', 'abc'],
    ['negative', -5],
    ['a fraction', 10.5],
  ])('amount %s → 400 010000 naming the field, nothing changes', async (_label, amount) => {
    const order = await api.authorized(1000);
    const res = await expectUnchanged(
      api,
      order.order_id,
      () => api.capture(order.order_id, amount),
      400,
      '010000',
    );
    expect(String(res.json.ret_msg)).toContain('amount');
  });

  it('order_id or currency missing, or capture_final not a boolean → 400 010000', async () => {
    const order = await api.authorized(1000);
    expectRefused(await api.post('/payments/capture', { amount: 100, currency: 'USD' }), 400, '010000');
    await expectUnchanged(
      api,
      order.order_id,
      () => api.post('/payments/capture', { order_id: order.order_id, amount: 100 }),
      400,
      '010000',
    );
    await expectUnchanged(
      api,
      order.order_id,
      () => api.capture(order.order_id, 100, { capture_final: 'maybe' }),
      400,
      '010000',
    );
  });
});
