/**
 * As docs/three-ds.md says: how a challenge ends. Passing authorizes, the cancel button or three wrong codes
 * fail it (5006), the decline-after-challenge card fails with the issuer's code (5002); every
 * ending redirects the browser to return_url with trans_id, order_id and status appended,
 * notifies the merchant once, and records the authentication_result. A finished challenge
 * only redirects again: it never authorizes twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHALLENGE_CARDS,
  challengeBody,
  challenged,
  challengeRow,
  getPage,
  notified,
  otpOf,
  paramsOf,
  pass,
  queuedNotifications,
  setup,
  submit,
  type ThreeDs,
} from '../helpers/three-ds.ts';

let t: ThreeDs;

beforeAll(async () => {
  t = await setup();
});
afterAll(() => t?.close());

/** A code that is not the one on the page. */
function wrongCode(right: string): string {
  return right === '111111' ? '222222' : '111111';
}

describe('passing the challenge', () => {
  it('authorizes once, redirects with the params appended to return_url (its query kept), notifies SUCCESS', async () => {
    const request = challengeBody(CHALLENGE_CARDS.approve, {
      return_url: 'https://shop.example/checkout/done?cart=42&step=pay',
    });
    const { order, url } = await challenged(t, request);
    const done = await pass(url);
    expect(done.status).toBe(303);
    const location = new URL(done.location!);
    expect(`${location.origin}${location.pathname}`).toBe('https://shop.example/checkout/done');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      cart: '42',
      step: 'pay',
      trans_id: request.trans_id,
      order_id: order.order_id,
      status: 'SUCCESS',
    });

    const final = await t.client.payments.query({ order_id: order.order_id });
    expect(final).toMatchObject({
      status: 'SUCCESS',
      error_code: '0000',
      balances: { authed_amount: 1999, captured_amount: 1999 },
      card_info: { bin: '400000', last4: '3184', card_brand: 'VISA' },
    });
    expect(final.pay_finish_time).toBeDefined();
    expect(t.acquirer.callsFor(order.order_id)).toBe(1);

    const body = await notified(t.inbox, order.order_id, 'PAYMENT.SUCCESS');
    expect(body).toMatchObject({ status: 'SUCCESS', trans_id: request.trans_id });
    expect(body.authentication_result).toMatchObject({ authentication_status: 'Y', eci: '05' });
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual(['PAYMENT.SUCCESS']);
  });

  it('records authentication_status Y, eci 05, the version and a cryptogram', async () => {
    const { order, url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    await pass(url);
    const final = await t.client.payments.query({ order_id: order.order_id });
    const result = final.authentication_result!;
    expect(result).toMatchObject({
      authentication_url: url,
      enroll_status: 'Y',
      version: '2.2.0',
      mode: 'CHALLENGE',
      authentication_status: 'Y',
      eci: '05',
    });
    expect(result.cryptogram).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(result.xid).toMatch(/^[0-9a-f]{32}$/);
  });

  it('with MANUAL capture the order is AUTHORIZED and PAYMENT.AUTHORIZATION is sent', async () => {
    const { order, url } = await challenged(
      t,
      challengeBody(CHALLENGE_CARDS.plain, {
        capture_method: 'MANUAL',
        authentication: { challenge_indicator: 'CHALLENGE' },
      }),
    );
    expect(paramsOf((await pass(url)).location).get('status')).toBe('AUTHORIZED');
    expect((await t.client.payments.query({ order_id: order.order_id })).status).toBe('AUTHORIZED');
    await notified(t.inbox, order.order_id, 'PAYMENT.AUTHORIZATION');
  });

  it('the decline-after-challenge card fails with 5002, authenticated (Y) but declined', async () => {
    const { order, url } = await challenged(t, challengeBody(CHALLENGE_CARDS.decline));
    const done = await pass(url);
    expect(done.status).toBe(303);
    expect(paramsOf(done.location).get('status')).toBe('FAILURE');
    const final = await t.client.payments.query({ order_id: order.order_id });
    expect(final).toMatchObject({
      status: 'FAILURE',
      error_code: '5002',
      error_description: 'Insufficient funds',
      balances: { authed_amount: 0 },
      authentication_result: { authentication_status: 'Y', eci: '05' },
    });
    expect(t.acquirer.callsFor(order.order_id)).toBe(1);
    expect((await notified(t.inbox, order.order_id, 'PAYMENT.FAILURE')).error_code).toBe('5002');
  });
});

describe('failing the challenge', () => {
  it('the cancel button fails it with 5006 without asking the acquirer; status N, eci 07', async () => {
    const request = challengeBody(CHALLENGE_CARDS.approve);
    const { order, url } = await challenged(t, request);
    // The cancel button posts no code at all.
    const done = await submit(url, { action: 'fail' });
    expect(done.status).toBe(303);
    expect(Object.fromEntries(paramsOf(done.location))).toEqual({
      trans_id: request.trans_id,
      order_id: order.order_id,
      status: 'FAILURE',
    });
    const final = await t.client.payments.query({ order_id: order.order_id });
    expect(final).toMatchObject({
      status: 'FAILURE',
      error_code: '5006',
      error_description: '3-D Secure authentication failed',
    });
    expect(final.pay_finish_time).toBeDefined();
    expect(final.authentication_result).toMatchObject({
      authentication_url: url,
      version: '2.2.0',
      authentication_status: 'N',
      eci: '07',
    });
    expect(final.authentication_result).not.toHaveProperty('cryptogram');
    expect(t.acquirer.callsFor(order.order_id)).toBe(0);
    expect((await notified(t.inbox, order.order_id, 'PAYMENT.FAILURE')).error_code).toBe('5006');
    expect((await challengeRow(t.gw, order.order_id)).status).toBe('FAILED');
  });

  it('a wrong code shows the page again with the attempts left; the third fails the payment (5006)', async () => {
    const { order, url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    const right = otpOf((await getPage(url)).html);
    const wrong = wrongCode(right);

    const first = await submit(url, { code: wrong });
    expect(first.status).toBe(200);
    expect(first.location).toBeNull();
    expect(first.html).toContain('That code is not right. Attempts left: 2');
    expect(first.html).toContain('role="alert"');
    expect(otpOf(first.html)).toBe(right);
    const second = await submit(url, { code: wrong });
    expect(second.html).toContain('Attempts left: 1');
    expect((await t.client.payments.query({ order_id: order.order_id })).status).toBe('PROCESSING');
    expect((await challengeRow(t.gw, order.order_id)).attempts).toBe(2);

    const third = await submit(url, { code: wrong });
    expect(third.status).toBe(303);
    expect(paramsOf(third.location).get('status')).toBe('FAILURE');
    expect(await t.client.payments.query({ order_id: order.order_id })).toMatchObject({
      status: 'FAILURE',
      error_code: '5006',
      authentication_result: { authentication_status: 'N', eci: '07' },
    });
    expect(t.acquirer.callsFor(order.order_id)).toBe(0);
    // The right code is too late now.
    const late = await submit(url, { code: right });
    expect(late.status).toBe(303);
    expect(paramsOf(late.location).get('status')).toBe('FAILURE');
    expect(t.acquirer.callsFor(order.order_id)).toBe(0);
    await notified(t.inbox, order.order_id, 'PAYMENT.FAILURE');
  });

  it('a wrong code in Chinese is answered in Chinese', async () => {
    const { url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    const right = otpOf((await getPage(url)).html);
    const retry = await submit(url, { code: wrongCode(right), lang: 'zh' });
    expect(retry.status).toBe(200);
    expect(retry.html).toContain('验证码不正确。剩余尝试次数： 2');
  });

  it('wrong codes sent all at once still count one by one: the limit holds', async () => {
    const { order, url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    const right = otpOf((await getPage(url)).html);
    const guesses = Array.from({ length: 12 }, (_, i) =>
      String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0'),
    );
    const answers = await Promise.all(guesses.map((code) => submit(url, { code })));
    // Two wrong guesses are answered with the form again; the rest end the challenge.
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
    expect(answers.filter((a) => a.status === 303)).toHaveLength(10);
    expect(await t.client.payments.query({ order_id: order.order_id })).toMatchObject({
      status: 'FAILURE',
      error_code: '5006',
    });
    expect(paramsOf((await submit(url, { code: right })).location).get('status')).toBe('FAILURE');
    expect(t.acquirer.callsFor(order.order_id)).toBe(0);
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual(['PAYMENT.FAILURE']);
  });
});

describe('a finished challenge', () => {
  it('shows "finished" and only redirects again: no second authorization, no second notification', async () => {
    const { order, url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    const code = otpOf((await getPage(url)).html);
    const first = await submit(url, { code });
    expect(paramsOf(first.location).get('status')).toBe('SUCCESS');
    await notified(t.inbox, order.order_id, 'PAYMENT.SUCCESS');

    const page = await getPage(url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('This authentication is finished.');
    expect(page.html).not.toContain('<form');
    expect((await getPage(`${url}?lang=zh`)).html).toContain('此验证已结束。');

    for (const form of [{ code }, { code: '000000' }, { action: 'fail' as const }]) {
      const again = await submit(url, form);
      expect(again.status).toBe(303);
      expect(again.location).toBe(first.location);
    }
    expect(t.acquirer.callsFor(order.order_id)).toBe(1);
    expect(await t.client.payments.query({ order_id: order.order_id })).toMatchObject({ status: 'SUCCESS' });
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual(['PAYMENT.SUCCESS']);
  });

  it('a double-clicked confirm authorizes once', async () => {
    const { order, url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    const code = otpOf((await getPage(url)).html);
    const answers = await Promise.all([submit(url, { code }), submit(url, { code }), submit(url, { code })]);
    for (const answer of answers) expect(answer.status).toBe(303);
    expect(t.acquirer.callsFor(order.order_id)).toBe(1);
    expect((await t.client.payments.query({ order_id: order.order_id })).status).toBe('SUCCESS');
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual(['PAYMENT.SUCCESS']);
  });

  it('a replay of the payment after the challenge answers the final order', async () => {
    const request = challengeBody(CHALLENGE_CARDS.approve);
    const { order, url } = await challenged(t, request);
    await pass(url);
    const replay = await t.client.payments.create(request);
    expect(replay).toMatchObject({ order_id: order.order_id, status: 'SUCCESS' });
    expect(replay.authentication_result).toMatchObject({ authentication_status: 'Y' });
    expect(t.acquirer.callsFor(order.order_id)).toBe(1);
  });
});
