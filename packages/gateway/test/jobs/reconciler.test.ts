/**
 * Unknown outcomes (docs/api.md#order-status-and-balances, design principle 4): the acquirer does not answer within
 * OPENKKA_ACQUIRER_TIMEOUT, so the order stays PROCESSING; the reconciler asks the acquirer
 * what became of it on the OPENKKA_RECONCILE_BACKOFF schedule and completes the order exactly
 * once, through the same path as a live answer. Card 4000000000000408 never answers
 * `authorize`, but its authorization went through: asked later, the acquirer says APPROVED.
 *
 * The acquirer call is aborted after 200 ms of real time; the backoff runs on a manual clock.
 */
import type { OpenKKA } from '@openkka/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { BUSINESS_CODES } from '../../src/domain/errors.ts';
import { formatTime } from '../../src/domain/time.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import {
  DAY,
  eventsOf,
  eventTypes,
  orderRow,
  ProbeAcquirer,
  SECOND,
  Shop,
  secondGateway,
} from '../helpers/jobs.ts';

const NO_ANSWER = '4000000000000408';
const CVV = '739';
const TIMEOUT_MS = 200;

const clock = new ManualClock();
const acquirer = new ProbeAcquirer(new SimulatedAcquirer({ clock }));
let gw: TestGateway;
let shop: Shop;
let client: OpenKKA;

beforeAll(async () => {
  gw = await startGateway({
    clock,
    acquirer,
    env: { OPENKKA_ACQUIRER_TIMEOUT: `${TIMEOUT_MS}ms`, OPENKKA_RECONCILE_BACKOFF: '5s,30s' },
  });
  shop = new Shop(gw, await gw.createMerchant(), clock);
  client = shop.client;
});
afterAll(() => gw?.close());
afterEach(() => {
  acquirer.outcome = undefined;
});

/** A payment with the no-answer card: PROCESSING once the acquirer call has been given up. */
async function unanswered(overrides: Record<string, unknown> = {}) {
  const body = cardPayment({ amount: 4080, ...overrides }, { card_no: NO_ANSWER, cvv: CVV });
  const startedAt = clock.now();
  const started = Date.now();
  const order = await client.payments.create(body);
  // The acquirer call was aborted on real time, not on the manual clock.
  expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
  expect(order).toMatchObject({
    status: 'PROCESSING',
    balances: { authed_amount: 0, captured_amount: 0, able_to_capture_amount: 0 },
  });
  expect(order.pay_finish_time).toBeUndefined();
  expect(acquirer.count(acquirer.authorizeCalls, order.order_id)).toBe(1);
  return { body, order, startedAt };
}

describe('an unknown outcome learned by the reconciler', () => {
  it('stays PROCESSING until the first backoff (5 s) has passed, then completes as SUCCESS', async () => {
    const { body, order, startedAt } = await unanswered();
    const intent = await orderRow(gw, order.order_id);
    expect(intent).toMatchObject({
      status: 'PROCESSING',
      processing_until: null,
      next_reconcile_at: startedAt + 5 * SECOND,
      card_ciphertext: expect.any(String),
    });

    clock.advance(5 * SECOND - 1);
    expect(await gw.jobs.runDue()).toMatchObject({ reconciled: 0 });
    expect(acquirer.count(acquirer.outcomeCalls, order.order_id)).toBe(0);
    expect(await shop.query(order.order_id)).toMatchObject({ status: 'PROCESSING' });

    clock.advance(1);
    expect(await gw.jobs.runDue()).toMatchObject({ reconciled: 1 });
    expect(acquirer.count(acquirer.outcomeCalls, order.order_id)).toBe(1);

    const done = await shop.query(order.order_id);
    expect(done).toMatchObject({
      status: 'SUCCESS',
      capture_method: 'AUTOMATIC',
      error_code: BUSINESS_CODES.SUCCESS.code,
      balances: {
        authed_amount: 4080,
        captured_amount: 4080,
        able_to_capture_amount: 0,
        voided_amount: 0,
        able_to_refund_amount: 4080,
        refunding_amount: 0,
      },
    });
    expect(done.pay_finish_time).toBe(formatTime(startedAt + 5 * SECOND, gw.config.timeZone));

    const row = await orderRow(gw, order.order_id);
    expect(row).toMatchObject({
      card_ciphertext: null,
      next_reconcile_at: null,
      processing_until: null,
      acquirer_ref: expect.any(String),
      pay_finish_at: startedAt + 5 * SECOND,
    });
    const events = await eventsOf(gw, order.order_id);
    expect(events.map((e) => [e.type, e.amount, e.status])).toEqual([['AUTHORIZATION', 4080, 'SUCCESS']]);

    // Asking later sends the card as kept, without the CVV (it was never stored).
    const asked = acquirer.outcomeRequests.find((r) => r.orderId === order.order_id)!;
    expect(asked).toMatchObject({ amount: 4080, currency: 'USD', card: { pan: NO_ANSWER, brand: 'VISA' } });
    expect(asked.card.cvv).toBeUndefined();

    // The original request, replayed: the same order, now SUCCESS, and no second authorization.
    const replay = await client.payments.create(body);
    expect(replay).toMatchObject({ order_id: order.order_id, status: 'SUCCESS' });
    expect(acquirer.count(acquirer.authorizeCalls, order.order_id)).toBe(1);

    // Completed once: later passes find nothing to ask about.
    clock.advance(60 * SECOND);
    expect(await gw.jobs.runDue()).toMatchObject({ reconciled: 0 });
    expect(acquirer.count(acquirer.outcomeCalls, order.order_id)).toBe(1);
    expect(await eventTypes(gw, order.order_id)).toEqual(['AUTHORIZATION']);
  });

  it('a MANUAL order learned later is AUTHORIZED, capturable, and lapses about 7 d on', async () => {
    const { order, startedAt } = await unanswered({ capture_method: 'MANUAL' });
    clock.advance(5 * SECOND);
    const learnedAt = clock.now();
    expect(await gw.jobs.runDue()).toMatchObject({ reconciled: 1 });
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'AUTHORIZED',
      balances: { authed_amount: 4080, captured_amount: 0, able_to_capture_amount: 4080 },
    });
    // 7 d from the authorization, or from when the gateway learned of it: either is 7 d on.
    const expiresAt = (await orderRow(gw, order.order_id)).auth_expires_at!;
    expect(expiresAt).toBeGreaterThanOrEqual(startedAt + 7 * DAY);
    expect(expiresAt).toBeLessThanOrEqual(learnedAt + 7 * DAY);

    clock.set(expiresAt);
    expect(await gw.jobs.runDue()).toMatchObject({ expired: 1 });
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'CANCELED',
      balances: { voided_amount: 4080, able_to_capture_amount: 0 },
    });
  });

  it('a decline learned later: FAILURE with the reason, every balance 0, the card dropped', async () => {
    acquirer.outcome = async () => ({
      outcome: 'DECLINED',
      reason: 'INSUFFICIENT_FUNDS',
      acquirerRef: 'SIMDECLINED',
    });
    const { order } = await unanswered();
    clock.advance(5 * SECOND);
    expect(await gw.jobs.runDue()).toMatchObject({ reconciled: 1 });
    const done = await shop.query(order.order_id);
    expect(done).toMatchObject({
      status: 'FAILURE',
      error_code: BUSINESS_CODES.INSUFFICIENT_FUNDS.code,
      balances: { authed_amount: 0, captured_amount: 0, able_to_refund_amount: 0 },
    });
    expect(done.pay_finish_time).toEqual(expect.any(String));
    expect(await orderRow(gw, order.order_id)).toMatchObject({
      card_ciphertext: null,
      next_reconcile_at: null,
    });
    expect(await eventTypes(gw, order.order_id)).toEqual(['DECLINE']);
  });
});

describe('the acquirer cannot tell yet', () => {
  it("answers 'UNKNOWN': the order stays PROCESSING and is asked again after 5 s, then every 30 s", async () => {
    acquirer.outcome = async () => 'UNKNOWN';
    const { order, startedAt } = await unanswered();
    let row = await orderRow(gw, order.order_id);
    expect(row.next_reconcile_at).toBe(startedAt + 5 * SECOND);

    // The gaps between questions follow the schedule; its last entry repeats.
    const expectedGaps = [30 * SECOND, 30 * SECOND, 30 * SECOND];
    for (const [i, gap] of expectedGaps.entries()) {
      const due = row.next_reconcile_at!;
      const attempts = row.reconcile_attempts;
      clock.set(due - 1);
      expect(await gw.jobs.runDue()).toMatchObject({ reconciled: 0 });
      expect(acquirer.count(acquirer.outcomeCalls, order.order_id)).toBe(i);

      clock.set(due);
      expect(await gw.jobs.runDue()).toMatchObject({ reconciled: 0 });
      expect(acquirer.count(acquirer.outcomeCalls, order.order_id)).toBe(i + 1);
      row = await orderRow(gw, order.order_id);
      expect(row).toMatchObject({
        status: 'PROCESSING',
        reconcile_attempts: attempts + 1,
        next_reconcile_at: due + gap,
        card_ciphertext: expect.any(String),
        authed_amount: 0,
      });
    }
    expect(await eventsOf(gw, order.order_id)).toEqual([]);
    expect(await shop.query(order.order_id)).toMatchObject({ status: 'PROCESSING' });

    // Once the acquirer knows, the next question completes the order.
    acquirer.outcome = undefined;
    clock.set(row.next_reconcile_at!);
    expect(await gw.jobs.runDue()).toMatchObject({ reconciled: 1 });
    expect(await shop.query(order.order_id)).toMatchObject({ status: 'SUCCESS' });
    expect(await eventTypes(gw, order.order_id)).toEqual(['AUTHORIZATION']);
  });

  it('does not answer the question in time either: still PROCESSING, asked again on the schedule', async () => {
    // Hangs until the reconciler gives up (after the acquirer timeout, in real time).
    acquirer.outcome = (_request, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const { order } = await unanswered();
    clock.advance(5 * SECOND);
    const askedAt = clock.now();
    const started = Date.now();
    expect(await gw.jobs.runDue()).toMatchObject({ reconciled: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(await orderRow(gw, order.order_id)).toMatchObject({
      status: 'PROCESSING',
      next_reconcile_at: askedAt + 30 * SECOND,
      card_ciphertext: expect.any(String),
    });

    acquirer.outcome = undefined;
    clock.advance(30 * SECOND);
    expect(await gw.jobs.runDue()).toMatchObject({ reconciled: 1 });
    expect(await shop.query(order.order_id)).toMatchObject({ status: 'SUCCESS' });
  });
});

describe('several gateways on one store', () => {
  it('reconcile the same order at once: the acquirer is asked once and the order completed once', async () => {
    // A slow answer, so both passes are in flight together.
    acquirer.outcome = async (request, signal) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return new SimulatedAcquirer({ clock }).authorizationOutcome(request, signal);
    };
    const { order } = await unanswered();
    const others = [secondGateway(gw, clock, acquirer), secondGateway(gw, clock, acquirer)];
    clock.advance(5 * SECOND);

    const results = await Promise.all([gw.jobs.runDue(), ...others.map((o) => o.jobs.runDue())]);
    await Promise.all(others.map((o) => o.app.close()));
    expect(results.reduce((sum, r) => sum + r.reconciled, 0)).toBe(1);
    expect(acquirer.count(acquirer.outcomeCalls, order.order_id)).toBe(1);
    expect(await eventTypes(gw, order.order_id)).toEqual(['AUTHORIZATION']);
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'SUCCESS',
      balances: { authed_amount: 4080, captured_amount: 4080 },
    });
  });
});
