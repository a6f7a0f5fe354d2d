/**
 * Refunds that fail asynchronously (docs/api.md#order-status-and-balances, docs/testing.md#test-cards card 4000000000005126): the refund answers
 * PROCESSING with its amount held in refunding_amount; when the configured delay has passed,
 * the refund job learns it failed (5101) and the amount becomes refundable again. The gateway
 * runs on a hand-moved clock, so no test waits for the delay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { CARDS, eventCount, events, expectUnchanged, MoneyApi, type Refund } from '../helpers/money.ts';

const DELAY_MS = 5_000;

let gw: TestGateway;
let api: MoneyApi;
const clock = new ManualClock();

beforeAll(async () => {
  gw = await startGateway({ clock, env: { OPENKKA_SIM_REFUND_FAILURE_DELAY: '5s' } });
  api = new MoneyApi(gw, await gw.createMerchant(), clock);
});
afterAll(() => gw.close());

describe('card 4000000000005126: refunds fail asynchronously', () => {
  it('PROCESSING, held in refunding_amount; after the delay FAILURE 5101 and the amount is refundable again', async () => {
    const order = await api.captured(1000, { card_no: CARDS.refundsFail });

    const refund = await api.ok<Refund>('/payments/refund', {
      refund_trans_id: 'slow-300',
      ori_order_id: order.order_id,
      refund_amount: 300,
      currency: 'USD',
    });
    expect(refund).toMatchObject({ status: 'PROCESSING', amount: 300, ori_order_id: order.order_id });
    expect(refund.refund_order_id).toMatch(/^RG\d{20}$/);
    const held = {
      status: 'SUCCESS',
      balances: {
        captured_amount: 1000,
        refunded_amount: 0,
        refunding_amount: 300,
        able_to_refund_amount: 700,
      },
    };
    expect(await api.order(order.order_id)).toMatchObject(held);

    // While it is held, only the rest can be refunded.
    await expectUnchanged(api, order.order_id, () => api.refund(order.order_id, 701), 409, '300015');

    // Before the delay the job leaves it alone.
    clock.advance(DELAY_MS - 1);
    await gw.jobs.runDue();
    expect(await api.ok<Refund>('/payments/refund/query', { refund_trans_id: 'slow-300' })).toMatchObject({
      status: 'PROCESSING',
    });
    expect(await api.order(order.order_id)).toMatchObject(held);

    clock.advance(1);
    const ran = await gw.jobs.runDue();
    expect(ran.refundsSettled).toBe(1);
    const failed = await api.ok<Refund>('/payments/refund/query', {
      refund_order_id: refund.refund_order_id,
    });
    expect(failed).toMatchObject({
      refund_order_id: refund.refund_order_id,
      status: 'FAILURE',
      amount: 300,
      error_code: '5101',
    });
    expect(failed.error_description).not.toBe('');
    expect(await api.order(order.order_id)).toMatchObject({
      status: 'SUCCESS',
      balances: {
        captured_amount: 1000,
        refunded_amount: 0,
        refunding_amount: 0,
        able_to_refund_amount: 1000,
      },
    });
    expect((await events(gw, order.order_id)).map((e) => [e.type, e.amount])).toEqual([
      ['AUTHORIZATION', 1000],
      ['REFUND_REQUEST', 300],
      ['REFUND_FAILURE', 300],
    ]);

    // Running the job again changes nothing: the refund is settled.
    const settledEvents = await eventCount(gw, order.order_id);
    expect((await gw.jobs.runDue()).refundsSettled).toBe(0);
    expect(await eventCount(gw, order.order_id)).toBe(settledEvents);

    // A replay of the failed refund answers it as it is, without reserving again.
    const replay = await api.ok<Refund>('/payments/refund', {
      refund_trans_id: 'slow-300',
      ori_order_id: order.order_id,
      refund_amount: 300,
      currency: 'USD',
    });
    expect(replay).toMatchObject({ refund_order_id: refund.refund_order_id, status: 'FAILURE' });
    expect((await api.order(order.order_id)).balances.refunding_amount).toBe(0);

    // The whole amount can be asked for again.
    const full = await api.ok<Refund>('/payments/refund', {
      refund_trans_id: 'slow-1000',
      ori_order_id: order.order_id,
      refund_amount: 1000,
      currency: 'USD',
    });
    expect(full).toMatchObject({ status: 'PROCESSING', amount: 1000 });
    expect(full.refund_order_id).not.toBe(refund.refund_order_id);
    expect(await api.order(order.order_id)).toMatchObject({
      status: 'SUCCESS',
      balances: { refunding_amount: 1000, able_to_refund_amount: 0 },
    });
  });

  it('an ordinary card’s refund on the same gateway answers SUCCESS at once', async () => {
    const order = await api.captured(500);
    const refund = await api.ok<Refund>('/payments/refund', {
      refund_trans_id: 'fast',
      ori_order_id: order.order_id,
      refund_amount: 500,
      currency: 'USD',
    });
    expect(refund.status).toBe('SUCCESS');
    expect(await api.order(order.order_id)).toMatchObject({
      status: 'REFUNDED',
      balances: { refunded_amount: 500, refunding_amount: 0 },
    });
  });
});
