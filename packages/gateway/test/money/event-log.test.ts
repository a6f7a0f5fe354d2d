/**
 * The order's event log explains its state: each accepted money movement appends one row (in
 * seq order, with the amount moved and the status after it), refusals append nothing, and the
 * last row's status is the order's status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { events, expectUnchanged, MoneyApi, type Order, type Refund } from '../helpers/money.ts';

let gw: TestGateway;
let api: MoneyApi;

beforeAll(async () => {
  gw = await startGateway();
  api = new MoneyApi(gw, await gw.createMerchant());
});
afterAll(() => gw.close());

describe('order_events', () => {
  it('authorize 1000, capture 400 (final=false), refund 100, void → five events that add up to the balances', async () => {
    const statuses: string[] = [];
    const order = await api.authorized(1000);
    statuses.push(order.status);

    const captured = await api.ok<Order>('/payments/capture', {
      order_id: order.order_id,
      amount: 400,
      currency: 'USD',
      capture_final: false,
    });
    expect(captured.status).toBe('SUCCESS');
    statuses.push(captured.status);

    const refund = await api.ok<Refund>('/payments/refund', {
      refund_trans_id: `log-${order.order_id}`,
      ori_order_id: order.order_id,
      refund_amount: 100,
      currency: 'USD',
    });
    expect(refund.status).toBe('SUCCESS');
    // Requested (refunding 100, still SUCCESS), then succeeded (PARTIALLY_REFUNDED).
    statuses.push('SUCCESS', (await api.order(order.order_id)).status);

    // A refusal in between leaves no trace in the log.
    await expectUnchanged(api, order.order_id, () => api.refund(order.order_id, 301), 409, '300015');

    const voided = await api.ok<Order>('/payments/void', { order_id: order.order_id, reason: 'OTHER' });
    statuses.push(voided.status);

    const final = await api.order(order.order_id);
    expect(final).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      balances: {
        authed_amount: 1000,
        captured_amount: 400,
        voided_amount: 600,
        refunded_amount: 100,
        refunding_amount: 0,
        able_to_capture_amount: 0,
        able_to_refund_amount: 300,
      },
    });

    const log = await events(gw, order.order_id);
    expect(log.map((e) => [e.seq, e.type, e.amount])).toEqual([
      [1, 'AUTHORIZATION', 1000],
      [2, 'CAPTURE', 400],
      [3, 'REFUND_REQUEST', 100],
      [4, 'REFUND_SUCCESS', 100],
      [5, 'VOID', 600],
    ]);
    expect(log.map((e) => e.status)).toEqual(statuses);
    expect(log.at(-1)!.status).toBe(final.status);
    expect(log.filter((e) => e.type.startsWith('REFUND_')).map((e) => e.refund_order_id)).toEqual([
      refund.refund_order_id,
      refund.refund_order_id,
    ]);
    expect(log.filter((e) => !e.type.startsWith('REFUND_')).every((e) => e.refund_order_id === null)).toBe(
      true,
    );

    // Replaying the log gives the balances.
    const sum = (type: string) => log.filter((e) => e.type === type).reduce((n, e) => n + e.amount, 0);
    expect({
      authed: sum('AUTHORIZATION'),
      captured: sum('CAPTURE'),
      voided: sum('VOID'),
      refunded: sum('REFUND_SUCCESS'),
      refunding: sum('REFUND_REQUEST') - sum('REFUND_SUCCESS') - sum('REFUND_FAILURE'),
    }).toEqual({
      authed: final.balances.authed_amount,
      captured: final.balances.captured_amount,
      voided: final.balances.voided_amount,
      refunded: final.balances.refunded_amount,
      refunding: final.balances.refunding_amount,
    });
  });

  it('an AUTOMATIC payment refunded in full: AUTHORIZATION then REFUND_REQUEST/REFUND_SUCCESS, ending REFUNDED', async () => {
    const order = await api.captured(800);
    await api.ok('/payments/refund', {
      refund_trans_id: `full-${order.order_id}`,
      ori_order_id: order.order_id,
      refund_amount: 800,
      currency: 'USD',
    });
    const final = await api.order(order.order_id);
    expect(final.status).toBe('REFUNDED');
    const log = await events(gw, order.order_id);
    expect(log.map((e) => [e.type, e.amount, e.status])).toEqual([
      ['AUTHORIZATION', 800, 'SUCCESS'],
      ['REFUND_REQUEST', 800, 'SUCCESS'],
      ['REFUND_SUCCESS', 800, 'REFUNDED'],
    ]);
  });
});
