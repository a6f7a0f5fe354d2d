/**
 * Refunds still PROCESSING (docs/api.md#order-status-and-balances): the amount is reserved in `refunding_amount` until the
 * acquirer's answer is known. When the call to the acquirer never got an answer (a lost
 * connection, or the process died after recording the refund), the refund job asks again once
 * `next_check_at` (the acquirer timeout) has passed and settles what it hears; a refund the
 * acquirer is still processing is asked about again when it says to.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { BUSINESS_CODES } from '../../src/domain/errors.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { accepted, eventsOf, ProbeAcquirer, SECOND, Shop } from '../helpers/jobs.ts';

const REFUNDS_FAIL = '4000000000005126';
const TIMEOUT = 10 * SECOND;
const REFUND_FAILURE_DELAY = 5 * SECOND;

const clock = new ManualClock();
const acquirer = new ProbeAcquirer(
  new SimulatedAcquirer({ clock, refundFailureDelayMs: REFUND_FAILURE_DELAY }),
);
let gw: TestGateway;
let shop: Shop;

beforeAll(async () => {
  gw = await startGateway({ clock, acquirer, env: { OPENKKA_ACQUIRER_TIMEOUT: '10s' } });
  shop = new Shop(gw, await gw.createMerchant(), clock);
});
afterAll(() => gw?.close());
afterEach(() => {
  acquirer.rejectRefunds = 0;
});

async function paid(amount: number, card: Record<string, unknown> = {}) {
  const order = await shop.client.payments.create(cardPayment({ amount }, card));
  expect(order.status).toBe('SUCCESS');
  return order;
}

async function refundRow(refundOrderId: string) {
  return gw.runtime.store.writer
    .selectFrom('refunds')
    .selectAll()
    .where('refund_order_id', '=', refundOrderId)
    .executeTakeFirstOrThrow();
}

function queryRefund(refundOrderId: string) {
  return shop.post('/apis/payments/refund/query', { refund_order_id: refundOrderId });
}

describe('a refund whose acquirer call got no answer', () => {
  it('stays PROCESSING, counted in refunding, until next_check_at; then the job settles it SUCCESS', async () => {
    const order = await paid(5000);
    acquirer.rejectRefunds = 1;
    const requestedAt = clock.now();
    const refund = accepted(await shop.refund(order.order_id, 5000));
    expect(refund).toMatchObject({ status: 'PROCESSING', amount: 5000 });
    const refundId = refund.refund_order_id as string;
    expect(acquirer.count(acquirer.refundCalls, refundId)).toBe(1);
    expect(Number((await refundRow(refundId)).next_check_at)).toBe(requestedAt + TIMEOUT);
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'SUCCESS',
      balances: {
        captured_amount: 5000,
        refunding_amount: 5000,
        refunded_amount: 0,
        able_to_refund_amount: 0,
      },
    });

    clock.advance(TIMEOUT - 1);
    expect(await gw.jobs.runDue()).toMatchObject({ refundsSettled: 0 });
    expect(acquirer.count(acquirer.refundCalls, refundId)).toBe(1);
    expect(accepted(await queryRefund(refundId))).toMatchObject({ status: 'PROCESSING' });

    clock.advance(1);
    expect(await gw.jobs.runDue()).toMatchObject({ refundsSettled: 1 });
    // Asked again under the same refund id: the acquirer's refunds are idempotent by it.
    expect(acquirer.count(acquirer.refundCalls, refundId)).toBe(2);
    expect(accepted(await queryRefund(refundId))).toMatchObject({
      status: 'SUCCESS',
      error_code: BUSINESS_CODES.SUCCESS.code,
      amount: 5000,
    });
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'REFUNDED',
      balances: {
        captured_amount: 5000,
        refunding_amount: 0,
        refunded_amount: 5000,
        able_to_refund_amount: 0,
      },
    });
    const events = await eventsOf(gw, order.order_id);
    expect(events.map((e) => [e.type, e.amount])).toEqual([
      ['AUTHORIZATION', 5000],
      ['REFUND_REQUEST', 5000],
      ['REFUND_SUCCESS', 5000],
    ]);
    expect(events.slice(1).map((e) => e.refund_order_id)).toEqual([refundId, refundId]);

    // Settled once: later passes leave it alone.
    clock.advance(TIMEOUT);
    expect(await gw.jobs.runDue()).toMatchObject({ refundsSettled: 0 });
    expect(acquirer.count(acquirer.refundCalls, refundId)).toBe(2);
  });

  it('a partial refund settled later: PARTIALLY_REFUNDED, and the rest stays refundable', async () => {
    const order = await paid(5000);
    acquirer.rejectRefunds = 1;
    const refund = accepted(await shop.refund(order.order_id, 1500));
    expect(refund).toMatchObject({ status: 'PROCESSING' });
    expect(await shop.query(order.order_id)).toMatchObject({
      balances: { refunding_amount: 1500, able_to_refund_amount: 3500 },
    });

    clock.advance(TIMEOUT);
    expect(await gw.jobs.runDue()).toMatchObject({ refundsSettled: 1 });
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      balances: { refunding_amount: 0, refunded_amount: 1500, able_to_refund_amount: 3500 },
    });
  });
});

describe('a refund the acquirer is still processing (card 4000000000005126)', () => {
  it('is asked about again when the acquirer says, and a failure gives the amount back', async () => {
    const order = await paid(3000, { card_no: REFUNDS_FAIL });
    const requestedAt = clock.now();
    const refund = accepted(await shop.refund(order.order_id, 3000));
    expect(refund).toMatchObject({ status: 'PROCESSING' });
    const refundId = refund.refund_order_id as string;
    expect(Number((await refundRow(refundId)).next_check_at)).toBe(requestedAt + REFUND_FAILURE_DELAY);
    expect(await shop.query(order.order_id)).toMatchObject({
      balances: { refunding_amount: 3000, able_to_refund_amount: 0 },
    });

    clock.advance(REFUND_FAILURE_DELAY - 1);
    expect(await gw.jobs.runDue()).toMatchObject({ refundsSettled: 0 });
    clock.advance(1);
    expect(await gw.jobs.runDue()).toMatchObject({ refundsSettled: 1 });

    expect(accepted(await queryRefund(refundId))).toMatchObject({
      status: 'FAILURE',
      error_code: BUSINESS_CODES.REFUND_DECLINED.code,
    });
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'SUCCESS',
      balances: {
        captured_amount: 3000,
        refunding_amount: 0,
        refunded_amount: 0,
        able_to_refund_amount: 3000,
      },
    });
    expect((await eventsOf(gw, order.order_id)).map((e) => e.type)).toEqual([
      'AUTHORIZATION',
      'REFUND_REQUEST',
      'REFUND_FAILURE',
    ]);
  });
});
