/**
 * The status table of docs/api.md#order-status-and-balances, walked through the public API: every status is reached by the
 * operations a merchant can send, and every order object on the way satisfies the balance
 * invariants (checked by the client on each answer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { CARDS, expectInvariants, MoneyApi, type Order, STATUSES } from '../helpers/money.ts';

let gw: TestGateway;
let api: MoneyApi;

beforeAll(async () => {
  // A short acquirer timeout, so the no-answer card leaves its order PROCESSING quickly.
  gw = await startGateway({ env: { OPENKKA_ACQUIRER_TIMEOUT: '200ms' } });
  api = new MoneyApi(gw, await gw.createMerchant());
});
afterAll(() => gw.close());

describe('docs/api.md#order-status-and-balances status table', () => {
  it('every status is reachable, and the balances tell each one apart', async () => {
    const seen = new Map<string, Order>();
    const reach = async (expected: string, order: Order) => {
      expect(order.status, expected).toBe(expected);
      expectInvariants(order);
      const queried = await api.order(order.order_id);
      expect(queried.status).toBe(expected);
      expect(queried.balances).toEqual(order.balances);
      seen.set(expected, queried);
    };
    const capture = (orderId: string, amount: number, capture_final = true) =>
      api.ok<Order>('/payments/capture', { order_id: orderId, amount, currency: 'USD', capture_final });
    const refund = async (orderId: string, amount: number) => {
      const data = await api.ok<{ status: string }>('/payments/refund', {
        refund_trans_id: `s-${orderId}-${amount}`,
        ori_order_id: orderId,
        refund_amount: amount,
        currency: 'USD',
      });
      expect(data.status).toBe('SUCCESS');
      return api.order(orderId);
    };

    // waiting for the acquirer
    await reach('PROCESSING', await api.pay({ amount: 1000 }, { card_no: CARDS.noAnswer }));
    // declined
    await reach('FAILURE', await api.pay({ amount: 1000 }, { card_no: CARDS.declined }));
    // approved MANUAL, nothing captured
    const authorized = await api.pay({ amount: 1000, capture_method: 'MANUAL' });
    await reach('AUTHORIZED', authorized);
    // approved AUTOMATIC
    await reach('SUCCESS', await api.pay({ amount: 1000 }));
    // void before any capture
    await reach('CANCELED', await api.ok<Order>('/payments/void', { order_id: authorized.order_id }));
    // captured part, remainder released by capture_final
    const reversed = await api.pay({ amount: 1000, capture_method: 'MANUAL' });
    await reach('PARTIALLY_REVERSED', await capture(reversed.order_id, 300));
    // some refunded
    const partlyRefunded = await api.pay({ amount: 1000 });
    await reach('PARTIALLY_REFUNDED', await refund(partlyRefunded.order_id, 400));
    // refunded == captured, nothing left to capture
    await reach('REFUNDED', await refund(partlyRefunded.order_id, 600));

    expect([...seen.keys()].sort()).toEqual([...STATUSES].sort());
    const zero = {
      authed_amount: 0,
      captured_amount: 0,
      able_to_capture_amount: 0,
      voided_amount: 0,
      able_to_void_amount: 0,
      refunded_amount: 0,
      able_to_refund_amount: 0,
      refunding_amount: 0,
    };
    expect(seen.get('PROCESSING')!.balances).toEqual(zero);
    expect(seen.get('FAILURE')!.balances).toEqual(zero);
    expect(seen.get('AUTHORIZED')!.balances).toEqual({
      ...zero,
      authed_amount: 1000,
      able_to_capture_amount: 1000,
      able_to_void_amount: 1000,
    });
    expect(seen.get('SUCCESS')!.balances).toEqual({
      ...zero,
      authed_amount: 1000,
      captured_amount: 1000,
      able_to_refund_amount: 1000,
    });
    expect(seen.get('CANCELED')!.balances).toEqual({ ...zero, authed_amount: 1000, voided_amount: 1000 });
    expect(seen.get('PARTIALLY_REVERSED')!.balances).toEqual({
      ...zero,
      authed_amount: 1000,
      captured_amount: 300,
      voided_amount: 700,
      able_to_refund_amount: 300,
    });
    expect(seen.get('PARTIALLY_REFUNDED')!.balances).toEqual({
      ...zero,
      authed_amount: 1000,
      captured_amount: 1000,
      refunded_amount: 400,
      able_to_refund_amount: 600,
    });
    expect(seen.get('REFUNDED')!.balances).toEqual({
      ...zero,
      authed_amount: 1000,
      captured_amount: 1000,
      refunded_amount: 1000,
    });
  });

  it('a PROCESSING order can be neither captured, voided nor refunded', async () => {
    const pending = await api.pay({ amount: 1000, capture_method: 'MANUAL' }, { card_no: CARDS.noAnswer });
    expect(pending.status).toBe('PROCESSING');
    const capture = await api.capture(pending.order_id, 100);
    const voided = await api.void(pending.order_id);
    const refund = await api.refund(pending.order_id, 100);
    expect([capture, voided, refund].map((r) => [r.status, r.json.ret_code])).toEqual([
      [409, '300010'],
      [409, '300013'],
      [409, '300014'],
    ]);
    expect(await api.order(pending.order_id)).toMatchObject({ status: 'PROCESSING' });
  });

  it('SUCCESS while more is still capturable; REFUNDED only once nothing is left to capture', async () => {
    const order = await api.pay({ amount: 1000, capture_method: 'MANUAL' });
    const part = await api.ok<Order>('/payments/capture', {
      order_id: order.order_id,
      amount: 200,
      currency: 'USD',
      capture_final: false,
    });
    expect(part).toMatchObject({ status: 'SUCCESS', balances: { able_to_capture_amount: 800 } });
    await api.ok('/payments/refund', {
      refund_trans_id: `all-captured-${order.order_id}`,
      ori_order_id: order.order_id,
      refund_amount: 200,
      currency: 'USD',
    });
    expect(await api.order(order.order_id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      balances: { refunded_amount: 200, able_to_capture_amount: 800 },
    });
    const rest = await api.ok<Order>('/payments/void', { order_id: order.order_id });
    expect(rest).toMatchObject({
      status: 'REFUNDED',
      balances: { captured_amount: 200, refunded_amount: 200, voided_amount: 800, able_to_capture_amount: 0 },
    });
  });
});
