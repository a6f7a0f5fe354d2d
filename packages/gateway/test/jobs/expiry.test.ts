/**
 * Authorization expiry (docs/api.md#order-status-and-balances): an authorization can be captured for 7 days (FINAL_AUTH) or
 * 30 days (PRE_AUTH); when that lapses, whatever is still capturable is released into
 * `voided` — CANCELED if nothing was captured, else PARTIALLY_REVERSED. Orders with nothing
 * left to capture are never touched, and a pass that runs twice releases once.
 *
 * The clock is moved by hand and the jobs run with runDue(), so days pass without sleeping.
 * Every test moves the clock well past the validity of the orders it made, so each leaves
 * nothing due behind for the next.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import {
  accepted,
  DAY,
  eventsOf,
  eventTypes,
  orderRow,
  ProbeAcquirer,
  Shop,
  secondGateway,
} from '../helpers/jobs.ts';

const clock = new ManualClock();
let gw: TestGateway;
let shop: Shop;

beforeAll(async () => {
  gw = await startGateway({
    clock,
    env: { OPENKKA_AUTH_VALIDITY_FINAL: '7d', OPENKKA_AUTH_VALIDITY_PRE: '30d' },
  });
  shop = new Shop(gw, await gw.createMerchant(), clock);
});
afterAll(() => gw?.close());

async function authorized(amount: number, overrides: Record<string, unknown> = {}) {
  const order = await shop.client.payments.create(
    cardPayment({ amount, capture_method: 'MANUAL', ...overrides }),
  );
  expect(order.status).toBe('AUTHORIZED');
  return order;
}

describe('a FINAL_AUTH authorization (7 d)', () => {
  it('is capturable until 7 d − 1 ms, and at 7 d is released in full: CANCELED', async () => {
    const order = await authorized(5000);
    const authorizedAt = clock.now();
    expect((await orderRow(gw, order.order_id)).auth_expires_at).toBe(authorizedAt + 7 * DAY);

    clock.advance(7 * DAY - 1);
    expect(await gw.jobs.runDue()).toMatchObject({ expired: 0 });
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'AUTHORIZED',
      balances: { authed_amount: 5000, able_to_capture_amount: 5000, voided_amount: 0 },
    });

    clock.advance(1);
    expect(await gw.jobs.runDue()).toMatchObject({ expired: 1 });
    const after = await shop.query(order.order_id);
    expect(after).toMatchObject({
      status: 'CANCELED',
      balances: {
        authed_amount: 5000,
        captured_amount: 0,
        voided_amount: 5000,
        able_to_capture_amount: 0,
        able_to_void_amount: 0,
        refunded_amount: 0,
        able_to_refund_amount: 0,
        refunding_amount: 0,
      },
    });
    const events = await eventsOf(gw, order.order_id);
    expect(events.map((e) => e.type)).toEqual(['AUTHORIZATION', 'EXPIRY']);
    expect(events[1]).toMatchObject({ amount: 5000, status: 'CANCELED', created_at: authorizedAt + 7 * DAY });
    // Nothing left to lapse: the order is no longer due for expiry.
    expect((await orderRow(gw, order.order_id)).auth_expires_at).toBeNull();
  });

  it('a capture after the lapse but before the expiry pass is refused too, and the pass still releases', async () => {
    const order = await authorized(2500);
    clock.advance(7 * DAY);

    const res = await shop.capture(order.order_id, 1000, true);
    expect(res.status).toBe(409);
    expect(res.json.ret_code).toBe('300010');
    expect(res.json.ret_msg).toContain('expired');
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'AUTHORIZED',
      balances: { captured_amount: 0 },
    });

    expect(await gw.jobs.runDue()).toMatchObject({ expired: 1 });
    expect(await eventTypes(gw, order.order_id)).toEqual(['AUTHORIZATION', 'EXPIRY']);
  });

  it('a capture after it lapsed is refused with 409 300010 and moves nothing', async () => {
    const order = await authorized(2500);
    clock.advance(7 * DAY);
    await gw.jobs.runDue();

    const res = await shop.capture(order.order_id, 1000, true);
    expect(res.status).toBe(409);
    expect(res.json.ret_code).toBe('300010');
    const voided = await shop.void(order.order_id);
    expect(voided.status).toBe(409);
    expect(voided.json.ret_code).toBe('300013');
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'CANCELED',
      balances: { captured_amount: 0, voided_amount: 2500, able_to_capture_amount: 0 },
    });
    expect(await eventTypes(gw, order.order_id)).toEqual(['AUTHORIZATION', 'EXPIRY']);
  });

  it('partly captured (capture_final=false) then lapsing: PARTIALLY_REVERSED, the remainder voided', async () => {
    const order = await authorized(5000);
    clock.advance(DAY);
    expect(accepted(await shop.capture(order.order_id, 2000, false))).toMatchObject({
      status: 'SUCCESS',
      balances: { captured_amount: 2000, able_to_capture_amount: 3000 },
    });

    // The capture does not extend the validity: it still runs from the authorization.
    clock.advance(6 * DAY - 1);
    expect(await gw.jobs.runDue()).toMatchObject({ expired: 0 });
    expect(await shop.query(order.order_id)).toMatchObject({ status: 'SUCCESS' });

    clock.advance(1);
    expect(await gw.jobs.runDue()).toMatchObject({ expired: 1 });
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'PARTIALLY_REVERSED',
      balances: {
        authed_amount: 5000,
        captured_amount: 2000,
        voided_amount: 3000,
        able_to_capture_amount: 0,
        able_to_void_amount: 0,
        able_to_refund_amount: 2000,
      },
    });
    const events = await eventsOf(gw, order.order_id);
    expect(events.map((e) => [e.type, e.amount])).toEqual([
      ['AUTHORIZATION', 5000],
      ['CAPTURE', 2000],
      ['EXPIRY', 3000],
    ]);
    // What was captured can still be refunded after the authorization lapsed.
    expect(accepted(await shop.refund(order.order_id, 2000))).toMatchObject({ status: 'SUCCESS' });
  });
});

describe('a PRE_AUTH authorization (30 d)', () => {
  it('is still capturable at 7 d + 1 ms and lapses at 30 d', async () => {
    const order = await authorized(4000, { authorisation_type: 'PRE_AUTH' });
    const final = await authorized(1000);

    clock.advance(7 * DAY + 1);
    expect(await gw.jobs.runDue()).toMatchObject({ expired: 1 });
    expect(await shop.query(final.order_id)).toMatchObject({ status: 'CANCELED' });
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'AUTHORIZED',
      balances: { able_to_capture_amount: 4000, voided_amount: 0 },
    });

    clock.advance(30 * DAY - (7 * DAY + 1) - 1);
    expect(await gw.jobs.runDue()).toMatchObject({ expired: 0 });
    expect(await shop.query(order.order_id)).toMatchObject({ status: 'AUTHORIZED' });

    clock.advance(1);
    expect(await gw.jobs.runDue()).toMatchObject({ expired: 1 });
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'CANCELED',
      balances: { authed_amount: 4000, voided_amount: 4000, able_to_capture_amount: 0 },
    });
  });
});

describe('orders with nothing left to capture', () => {
  it('fully captured, voided, captured-final and AUTOMATIC orders are untouched by expiry', async () => {
    const captured = await authorized(3000);
    accepted(await shop.capture(captured.order_id, 3000, true));
    const capturedFinal = await authorized(3000);
    accepted(await shop.capture(capturedFinal.order_id, 1000, true));
    const voided = await authorized(3000);
    accepted(await shop.void(voided.order_id));
    const automatic = await shop.client.payments.create(cardPayment({ amount: 3000 }));
    const ids = [captured, capturedFinal, voided, automatic].map((o) => o.order_id);

    const before = await Promise.all(ids.map((id) => orderRow(gw, id)));
    expect(before.map((r) => r.status)).toEqual(['SUCCESS', 'PARTIALLY_REVERSED', 'CANCELED', 'SUCCESS']);
    expect(before.map((r) => r.auth_expires_at)).toEqual([null, null, null, null]);

    clock.advance(31 * DAY);
    expect(await gw.jobs.runDue()).toMatchObject({ expired: 0 });
    const after = await Promise.all(ids.map((id) => orderRow(gw, id)));
    // Not a column changed, updated_at and event_seq included.
    expect(after).toEqual(before);
    for (const id of ids) expect(await eventTypes(gw, id)).not.toContain('EXPIRY');
  });
});

describe('expiry is idempotent', () => {
  it('passes run twice, at once, and by two gateways on one store: one release, one EXPIRY event', async () => {
    const order = await authorized(6000);
    const other = secondGateway(gw, clock, new ProbeAcquirer());
    clock.advance(7 * DAY);

    const results = await Promise.all([gw.jobs.runDue(), other.jobs.runDue(), gw.jobs.runDue()]);
    await other.app.close();
    expect(results.reduce((sum, r) => sum + r.expired, 0)).toBe(1);
    expect(await gw.jobs.runDue()).toMatchObject({ expired: 0 });

    const events = await eventsOf(gw, order.order_id);
    expect(events.filter((e) => e.type === 'EXPIRY')).toHaveLength(1);
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'CANCELED',
      balances: { authed_amount: 6000, voided_amount: 6000, able_to_capture_amount: 0 },
    });
  });

  it('a void and the expiry pass racing at the lapse: the amount is released once', async () => {
    const order = await authorized(7000);
    clock.advance(7 * DAY);
    const [voided] = await Promise.all([shop.void(order.order_id), gw.jobs.runDue()]);
    // Whichever came first released everything; the other found nothing left.
    expect([200, 409]).toContain(voided.status);
    expect(await shop.query(order.order_id)).toMatchObject({
      status: 'CANCELED',
      balances: { authed_amount: 7000, voided_amount: 7000, able_to_capture_amount: 0 },
    });
    const released = (await eventsOf(gw, order.order_id)).filter(
      (e) => e.type === 'VOID' || e.type === 'EXPIRY',
    );
    expect(released).toHaveLength(1);
    expect(released[0]!.amount).toBe(7000);
  });
});
