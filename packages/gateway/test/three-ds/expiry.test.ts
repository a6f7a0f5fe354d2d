/**
 * As docs/three-ds.md says: a challenge the shopper abandons. Once the payment's expire_time has passed, the
 * background jobs fail the order with 5007 and notify the merchant; a shopper who comes back
 * later only gets redirected. The clock is moved by hand and the jobs run with runDue().
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { formatTime } from '../../src/domain/time.ts';
import {
  CHALLENGE_CARDS,
  challengeBody,
  challenged,
  challengeRow,
  getPage,
  notified,
  otpOf,
  paramsOf,
  queuedNotifications,
  receivedFor,
  setup,
  submit,
  type ThreeDs,
} from '../helpers/three-ds.ts';

const MINUTE = 60_000;
const clock = new ManualClock();
let t: ThreeDs;

beforeAll(async () => {
  t = await setup({ clock, env: { OPENKKA_PAYMENT_EXPIRY: '30m' } });
});
afterAll(() => t?.close());

describe('an abandoned challenge', () => {
  it('stays PROCESSING until expire_time, then the jobs fail it with 5007 and notify FAILURE', async () => {
    const request = challengeBody(CHALLENGE_CARDS.approve);
    const { order, url } = await challenged(t, request);
    const createdAt = clock.now();
    // The clock starts at 2026-01-01T00:00:00Z; answers are in Hong Kong time, the default zone.
    expect(createdAt).toBe(Date.UTC(2026, 0, 1));
    expect(order.expire_time).toBe('2026-01-01T08:30:00+08:00');
    expect((await challengeRow(t.gw, order.order_id)).expires_at).toBe(createdAt + 30 * MINUTE);

    clock.advance(30 * MINUTE - 1);
    expect(await t.gw.jobs.runDue()).toMatchObject({ expired: 0 });
    expect((await t.client.payments.query({ order_id: order.order_id })).status).toBe('PROCESSING');
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual([]);

    clock.advance(2);
    expect(await t.gw.jobs.runDue()).toMatchObject({ expired: 1 });
    const final = await t.client.payments.query({ order_id: order.order_id });
    expect(final).toMatchObject({
      status: 'FAILURE',
      error_code: '5007',
      error_description: 'The shopper did not finish before expire_time',
      authentication_result: { authentication_url: url, authentication_status: 'N', eci: '07' },
      balances: { authed_amount: 0 },
    });
    expect(final.pay_finish_time).toBe(formatTime(clock.now(), t.gw.config.timeZone));
    expect((await challengeRow(t.gw, order.order_id)).status).toBe('EXPIRED');
    expect(t.acquirer.callsFor(order.order_id)).toBe(0);
    expect((await notified(t.inbox, order.order_id, 'PAYMENT.FAILURE')).error_code).toBe('5007');

    // Running the jobs again changes nothing.
    expect(await t.gw.jobs.runDue()).toMatchObject({ expired: 0 });
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual(['PAYMENT.FAILURE']);

    // The shopper comes back: the page says it is over, the form only redirects.
    expect((await getPage(url)).html).toContain('This authentication is finished.');
    const back = await submit(url, { code: '123456' });
    expect(back.status).toBe(303);
    expect(Object.fromEntries(paramsOf(back.location))).toEqual({
      trans_id: request.trans_id,
      order_id: order.order_id,
      status: 'FAILURE',
    });
    expect(t.acquirer.callsFor(order.order_id)).toBe(0);
  });

  it('follows the expire_time the request set', async () => {
    // expire_time carries whole seconds.
    const expireAt = Math.ceil((clock.now() + 5 * MINUTE) / 1000) * 1000;
    const { order } = await challenged(
      t,
      challengeBody(CHALLENGE_CARDS.decline, { expire_time: formatTime(expireAt, t.gw.config.timeZone) }),
    );
    expect((await challengeRow(t.gw, order.order_id)).expires_at).toBe(expireAt);
    clock.set(expireAt);
    expect(await t.gw.jobs.runDue()).toMatchObject({ expired: 1 });
    expect(await t.client.payments.query({ order_id: order.order_id })).toMatchObject({
      status: 'FAILURE',
      error_code: '5007',
    });
  });

  it('a shopper who answers after expire_time, before the jobs ran, is too late: 5007, no authorization', async () => {
    const { order, url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    const code = otpOf((await getPage(url)).html);
    clock.advance(30 * MINUTE);
    const late = await submit(url, { code });
    expect(late.status).toBe(303);
    expect(paramsOf(late.location).get('status')).toBe('FAILURE');
    expect(t.acquirer.callsFor(order.order_id)).toBe(0);
    expect(await t.client.payments.query({ order_id: order.order_id })).toMatchObject({
      status: 'FAILURE',
      error_code: '5007',
    });
    expect((await challengeRow(t.gw, order.order_id)).cvv_ciphertext).toBeNull();
    expect(await t.gw.jobs.runDue()).toMatchObject({ expired: 0 });
    await notified(t.inbox, order.order_id, 'PAYMENT.FAILURE');
    expect(receivedFor(t.inbox, order.order_id)).toEqual(['PAYMENT.FAILURE']);
  });

  it('a challenge finished in time is not touched by the expiry', async () => {
    const { order, url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    const code = otpOf((await getPage(url)).html);
    clock.advance(29 * MINUTE);
    expect(paramsOf((await submit(url, { code })).location).get('status')).toBe('SUCCESS');
    clock.advance(2 * MINUTE);
    expect(await t.gw.jobs.runDue()).toMatchObject({ expired: 0 });
    expect((await t.client.payments.query({ order_id: order.order_id })).status).toBe('SUCCESS');
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual(['PAYMENT.SUCCESS']);
  });
});
