/**
 * As docs/three-ds.md says: redirect payment methods. Each answers PROCESSING with redirect_url, an openkka page
 * standing in for the shopper's bank or wallet; approving, declining or cancelling there ends
 * the order through the same authorization path as a card (events, notifications) and returns
 * the browser to return_url with trans_id, order_id and status appended. A method refuses
 * currencies it does not take (300040) without creating an order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOrders, post } from '../helpers/payments.ts';
import { press, REDIRECT_METHODS, redirectBody, redirected } from '../helpers/redirects.ts';
import {
  getPage,
  MERCHANT_NAME,
  notified,
  paramsOf,
  queuedNotifications,
  setup,
  type ThreeDs,
} from '../helpers/three-ds.ts';

let t: ThreeDs;

beforeAll(async () => {
  t = await setup();
});
afterAll(() => t?.close());

describe('every redirect method', () => {
  it.each(REDIRECT_METHODS)(
    '%s: PROCESSING with redirect_url, a page naming merchant, amount and method; approve → SUCCESS',
    async (method, echoed, currency) => {
      const request = redirectBody(method, { currency, amount: 12345 });
      const { order, url } = await redirected(t, request);
      expect(order.payment).toEqual({ payment_method: echoed });
      expect(order.card_info).toBeUndefined();
      expect(order.authentication_result).toBeUndefined();
      expect(order.balances.authed_amount).toBe(0);

      const page = await getPage(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.html).toContain(`<dd id="merchant">${MERCHANT_NAME}</dd>`);
      expect(page.html).toContain(`123.45 ${currency}`);
      expect(page.html).toMatch(/<dd id="method">[^<]+<\/dd>/);
      for (const action of ['approve', 'decline', 'cancel']) expect(page.html).toContain(`value="${action}"`);

      const done = await press(url, 'approve');
      expect(done.status).toBe(303);
      const params = paramsOf(done.location);
      expect(Object.fromEntries(params)).toEqual({
        cart: '7',
        trans_id: request.trans_id,
        order_id: order.order_id,
        status: 'SUCCESS',
      });
      const after = await t.client.payments.query({ order_id: order.order_id });
      expect(after).toMatchObject({
        status: 'SUCCESS',
        error_code: '0000',
        payment: { payment_method: echoed },
      });
      expect(after.balances.captured_amount).toBe(12345);
      const note = await notified(t.inbox, order.order_id, 'PAYMENT.SUCCESS');
      expect(note.payment).toEqual({ payment_method: echoed });
    },
  );

  it('P24 takes EUR as well as PLN', async () => {
    await redirected(t, redirectBody('P24', { currency: 'EUR' }));
  });

  it('method spellings are accepted case-insensitively and with underscores', async () => {
    const { order } = await redirected(t, redirectBody('alipay_plus', { currency: 'USD' }));
    expect(order.payment.payment_method).toBe('ALIPAY_PLUS');
  });
});

describe.each([
  ['iDEAL', 'IDEAL', 'EUR'],
  ['AlipayPlus', 'ALIPAY_PLUS', 'CNY'],
])('%s outcomes', (method, echoed, currency) => {
  it('MANUAL capture: approve → AUTHORIZED, notified PAYMENT.AUTHORIZATION', async () => {
    const { order, url } = await redirected(t, redirectBody(method, { currency, capture_method: 'MANUAL' }));
    const done = await press(url, 'approve');
    expect(paramsOf(done.location).get('status')).toBe('AUTHORIZED');
    const after = await t.client.payments.query({ order_id: order.order_id });
    expect(after.balances.able_to_capture_amount).toBe(2500);
    await notified(t.inbox, order.order_id, 'PAYMENT.AUTHORIZATION');
  });

  it('decline → FAILURE 5001, redirected with status FAILURE, notified PAYMENT.FAILURE', async () => {
    const request = redirectBody(method, { currency });
    const { order, url } = await redirected(t, request);
    const done = await press(url, 'decline');
    expect(done.status).toBe(303);
    expect(Object.fromEntries(paramsOf(done.location))).toMatchObject({
      trans_id: request.trans_id,
      order_id: order.order_id,
      status: 'FAILURE',
    });
    const after = await t.client.payments.query({ trans_id: request.trans_id });
    expect(after).toMatchObject({
      status: 'FAILURE',
      error_code: '5001',
      payment: { payment_method: echoed },
    });
    expect(after.pay_finish_time).toBeDefined();
    const note = await notified(t.inbox, order.order_id, 'PAYMENT.FAILURE');
    expect(note.error_code).toBe('5001');
  });

  it('cancel → FAILURE 5008 (the shopper canceled), notified PAYMENT.FAILURE', async () => {
    const { order, url } = await redirected(t, redirectBody(method, { currency }));
    const done = await press(url, 'cancel');
    expect(paramsOf(done.location).get('status')).toBe('FAILURE');
    const after = await t.client.payments.query({ order_id: order.order_id });
    expect(after).toMatchObject({
      status: 'FAILURE',
      error_code: '5008',
      error_description: 'The shopper canceled the payment',
    });
    await notified(t.inbox, order.order_id, 'PAYMENT.FAILURE');
  });

  it('a finished page only redirects again: a second answer changes nothing', async () => {
    const { order, url } = await redirected(t, redirectBody(method, { currency }));
    await press(url, 'decline');
    const again = await press(url, 'approve');
    expect(again.status).toBe(303);
    expect(paramsOf(again.location).get('status')).toBe('FAILURE');
    expect((await getPage(url)).html).toContain('This payment is finished.');
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual(['PAYMENT.FAILURE']);
  });
});

describe('the page and idempotency', () => {
  it('a page id that was not handed out is 404 (the id carries a keyed MAC of the order)', async () => {
    const { order, url } = await redirected(t, redirectBody('iDEAL'));
    const forged = url.replace(/\.[\w-]+$/, '.AAAAAAAAAAAAAAAAAAAAAA');
    expect((await getPage(forged)).status).toBe(404);
    expect((await press(forged, 'approve')).status).toBe(404);
    expect((await getPage(`${t.gw.baseUrl}/redirect/${order.order_id}`)).status).toBe(404);
    expect((await t.client.payments.query({ order_id: order.order_id })).status).toBe('PROCESSING');
  });

  it('repeating the request answers the same order with the same redirect_url', async () => {
    const request = redirectBody('Sofort');
    const first = await redirected(t, request);
    const again = await t.client.payments.create(request);
    expect(again.order_id).toBe(first.order.order_id);
    expect(again.redirect_url).toBe(first.url);
  });

  it('store_payment_method with a redirect method → FAILURE 2013, no page', async () => {
    const body = redirectBody('iDEAL');
    const order = await t.client.payments.create({
      ...body,
      payment: {
        ...body.payment,
        store_payment_method: true,
        token_usage: 'CARD_ON_FILE',
        shopper_reference: 'shopper-r1',
      },
    });
    expect(order).toMatchObject({ status: 'FAILURE', error_code: '2013' });
    expect(order.redirect_url).toBeUndefined();
  });
});

describe('currencies each method takes (300040, HTTP 400, no order)', () => {
  it.each([
    ['iDEAL', 'USD'],
    ['Sofort', 'GBP'],
    ['EPS', 'PLN'],
    ['P24', 'USD'],
    ['Bancontact', 'CHF'],
    ['AlipayPlus', 'RUB'],
    ['WechatPayGlobal', 'INR'],
    ['SEPA', 'USD'],
  ])('%s in %s is refused', async (method, currency) => {
    const before = await countOrders(t.gw, t.merchant.merchantId);
    const res = await post(t.gw, t.merchant, redirectBody(method, { currency }));
    expect(res.status).toBe(400);
    expect(res.json.ret_code).toBe('300040');
    expect(String(res.json.ret_msg)).toContain(currency);
    expect(await countOrders(t.gw, t.merchant.merchantId)).toBe(before);
  });
});
