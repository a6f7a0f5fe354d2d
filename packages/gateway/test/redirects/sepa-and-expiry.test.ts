/**
 * As docs/three-ds.md and docs/api.md#initiate-transaction-payments says: what happens later, by the background jobs. A SEPA payment answers PROCESSING
 * with no page and settles to SUCCESS once OPENKKA_SEPA_SETTLEMENT_DELAY has passed; a redirect
 * payment the shopper never finishes fails with 5007 after expire_time. The clock is moved by
 * hand and the jobs run with runDue().
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { formatTime } from '../../src/domain/time.ts';
import { postAt, press, redirectBody, redirected } from '../helpers/redirects.ts';
import { notified, paramsOf, queuedNotifications, setup, type ThreeDs } from '../helpers/three-ds.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const clock = new ManualClock();
let t: ThreeDs;

beforeAll(async () => {
  t = await setup({ clock, env: { OPENKKA_PAYMENT_EXPIRY: '30m', OPENKKA_SEPA_SETTLEMENT_DELAY: '10s' } });
});
afterAll(() => t?.close());

describe('SEPA', () => {
  it('answers PROCESSING at once with no page, then settles to SUCCESS after the delay', async () => {
    const request = redirectBody('SEPA');
    const order = await t.client.payments.create(request);
    expect(order).toMatchObject({ status: 'PROCESSING', payment: { payment_method: 'SEPA' } });
    expect(order.redirect_url).toBeUndefined();
    expect(order.authentication_result).toBeUndefined();

    clock.advance(9 * SECOND);
    await t.gw.jobs.runDue();
    expect((await t.client.payments.query({ order_id: order.order_id })).status).toBe('PROCESSING');
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual([]);

    clock.advance(1 * SECOND);
    const ran = await t.gw.jobs.runDue();
    expect(ran.reconciled).toBeGreaterThanOrEqual(1);
    const settled = await t.client.payments.query({ order_id: order.order_id });
    expect(settled).toMatchObject({ status: 'SUCCESS', error_code: '0000' });
    expect(settled.balances.captured_amount).toBe(request.amount);
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual(['PAYMENT.SUCCESS']);
    await notified(t.inbox, order.order_id, 'PAYMENT.SUCCESS');

    // Settled once: later passes change nothing.
    clock.advance(MINUTE);
    await t.gw.jobs.runDue();
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual(['PAYMENT.SUCCESS']);
  });

  it('with capture_method MANUAL it settles to AUTHORIZED', async () => {
    const order = await t.client.payments.create(redirectBody('SEPA', { capture_method: 'MANUAL' }));
    clock.advance(10 * SECOND);
    await t.gw.jobs.runDue();
    expect((await t.client.payments.query({ order_id: order.order_id })).status).toBe('AUTHORIZED');
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual(['PAYMENT.AUTHORIZATION']);
  });

  it('takes EUR only (300040)', async () => {
    const res = await postAt(t.gw, t.merchant, redirectBody('SEPA', { currency: 'GBP' }), clock.now());
    expect(res.status).toBe(400);
    expect(res.json.ret_code).toBe('300040');
  });
});

describe('an abandoned redirect', () => {
  it('stays PROCESSING until expire_time, then the jobs fail it with 5007 and notify FAILURE', async () => {
    const { order, url } = await redirected(t, redirectBody('iDEAL'));
    clock.advance(30 * MINUTE - SECOND);
    await t.gw.jobs.runDue();
    expect((await t.client.payments.query({ order_id: order.order_id })).status).toBe('PROCESSING');

    clock.advance(SECOND);
    const ran = await t.gw.jobs.runDue();
    expect(ran.expired).toBeGreaterThanOrEqual(1);
    const expired = await t.client.payments.query({ order_id: order.order_id });
    expect(expired).toMatchObject({ status: 'FAILURE', error_code: '5007' });
    await notified(t.inbox, order.order_id, 'PAYMENT.FAILURE');

    // The shopper coming back later is only sent back to the shop.
    const late = await press(url, 'approve');
    expect(paramsOf(late.location).get('status')).toBe('FAILURE');
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual(['PAYMENT.FAILURE']);
  });

  it('an answer after expire_time, before the jobs ran, fails with 5007 instead of approving', async () => {
    const expireAt = formatTime(clock.now() + 5 * MINUTE, t.gw.config.timeZone);
    const { order, url } = await redirected(t, redirectBody('AlipayPlus', { expire_time: expireAt }));
    clock.advance(5 * MINUTE);
    const late = await press(url, 'approve');
    expect(paramsOf(late.location).get('status')).toBe('FAILURE');
    expect(await t.client.payments.query({ order_id: order.order_id })).toMatchObject({
      status: 'FAILURE',
      error_code: '5007',
    });
  });
});
