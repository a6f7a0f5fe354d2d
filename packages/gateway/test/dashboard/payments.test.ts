/**
 * The dashboard's payments: the list with each filter and its keyset pages, and a payment's
 * page with balances, timeline, card (brand, BIN, last four only), refunds and notifications
 * with their attempts, redelivered from the page; merchant-controlled text shown escaped.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../src/domain/time.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { cardForm, postForm } from '../helpers/sessions.ts';
import { ACK, type AnsweringReceiver, answeringReceiver } from './answering.ts';
import { login, type Operator } from './client.ts';

const TOKEN = randomBytes(32).toString('base64url');
let gw: TestGateway;
let receiver: AnsweringReceiver;
let shop: TestMerchant;
let other: TestMerchant;
let operator: Operator;

beforeAll(async () => {
  // One retry 50 ms after the first attempt: a refused notification is FAILED quickly.
  gw = await startGateway({ env: { OPENKKA_ADMIN_TOKEN: TOKEN, OPENKKA_NOTIFY_BACKOFF: '50ms' } });
  receiver = await answeringReceiver();
  shop = await gw.createMerchant({ name: 'Shop', notifyUrl: receiver.url });
  other = await gw.createMerchant({ name: 'Other', notifyUrl: receiver.url });
  operator = await login(gw.baseUrl, TOKEN);
});
afterAll(async () => {
  await receiver?.close();
  await gw?.close();
});

/** Newest first: order ids begin with their 10 ms tick, and ids of one tick sort at random. */
const newestFirst = (ids: string[]) => [...ids].sort().reverse();

const listed = (html: string) =>
  [...html.matchAll(/<a href="\/dashboard\/payments\/(GW\d+)">/g)].map((m) => m[1]!);

async function listOf(query: string): Promise<string[]> {
  const page = await operator.get(`/dashboard/payments?${query}`);
  expect(page.status, query).toBe(200);
  return listed(page.body);
}

/** Waits until the order's notifications are all in `status`; returns them. */
function notificationsIn(orderId: string, status: string, count = 1) {
  return eventually(`${orderId} ${status}`, async () => {
    gw.dispatcher.poke();
    const rows = await gw.notifications.list({ orderId });
    return rows.length >= count && rows.every((r) => r.status === status) ? rows : undefined;
  });
}

describe('the payments list', () => {
  it('filters by merchant, status, method, amount, date and id, newest first', async () => {
    const small = await shop.client.payments.create(cardPayment({ amount: 1000 }));
    const middle = await shop.client.payments.create(cardPayment({ amount: 2500 }));
    const large = await shop.client.payments.create(cardPayment({ amount: 7000 }));
    const declined = await shop.client.payments.create(
      cardPayment({ amount: 1500 }, { card_no: '4000000000000002' }),
    );
    const elsewhere = await other.client.payments.create(cardPayment({ amount: 2600, currency: 'EUR' }));
    const mine = [small, middle, large, declined].map((o) => o.order_id);
    expect(declined.status).toBe('FAILURE');

    const all = await listOf('');
    expect(all.slice(0, 5)).toEqual(newestFirst([elsewhere.order_id, ...mine]));
    expect(await listOf(`merchant=${shop.merchantId}`)).toEqual(newestFirst(mine));
    expect(await listOf(`merchant=${other.merchantId}`)).toEqual([elsewhere.order_id]);
    const page = await operator.get(`/dashboard/payments?merchant=${other.merchantId}`);
    expect(page.body).toContain(`<a href="/dashboard/merchants/${other.merchantId}">`);
    expect(await listOf(`merchant=${shop.merchantId}&status=FAILURE`)).toEqual([declined.order_id]);
    expect(await listOf(`merchant=${shop.merchantId}&min=2000&max=7000`)).toEqual(
      newestFirst([large.order_id, middle.order_id]),
    );
    expect(await listOf('min=2500&max=2600')).toEqual(newestFirst([elsewhere.order_id, middle.order_id]));
    expect(await listOf(`merchant=${shop.merchantId}&method=SEPA`)).toEqual([]);
    expect(await listOf(`q=${middle.trans_id}`)).toEqual([middle.order_id]);
    expect(await listOf(`q=${large.order_id}`)).toEqual([large.order_id]);

    const today = formatTime(Date.now(), gw.config.timeZone).slice(0, 10);
    const day = (shift: number) =>
      new Date(Date.parse(`${today}T12:00:00Z`) + shift * 86_400_000).toISOString().slice(0, 10);
    expect(await listOf(`merchant=${shop.merchantId}&from=${today}&to=${today}`)).toEqual(newestFirst(mine));
    expect(await listOf(`merchant=${shop.merchantId}&from=${day(1)}`)).toEqual([]);
    expect(await listOf(`merchant=${shop.merchantId}&to=${day(-1)}`)).toEqual([]);
  });

  it('pages by keyset: 50 a page, every payment once, the filter kept', async () => {
    const many = await gw.createMerchant({ name: 'Many' });
    const made: string[] = [];
    for (let i = 0; i < 53; i += 1) made.push((await many.client.payments.create(cardPayment())).order_id);
    const first = await operator.get(`/dashboard/payments?merchant=${many.merchantId}`);
    const firstIds = listed(first.body);
    expect(firstIds).toHaveLength(50);
    const next = /<a rel="next" href="([^"]+)"/.exec(first.body)![1]!.replaceAll('&#38;', '&');
    expect(next).toContain(`merchant=${many.merchantId}`);
    const second = await operator.get(next);
    const secondIds = listed(second.body);
    expect(secondIds).toHaveLength(3);
    expect(second.body).not.toContain('rel="next"');
    expect([...firstIds, ...secondIds]).toEqual(newestFirst(made));
  });

  it('answers bad filters with what is wrong, HTTP 400', async () => {
    const page = await operator.get(
      '/dashboard/payments?status=NOPE&min=-1&from=2026-13-45&merchant=%3Cx%3E%20y',
    );
    expect(page.status).toBe(400);
    expect(page.body).toContain('status must be one of PROCESSING');
    expect(page.body).toContain('min must be a whole amount in minor units');
    expect(page.body).toContain('from must be a date, YYYY-MM-DD');
    expect(page.body).toContain('merchant must be 1 to 128 visible ASCII characters');
    expect(page.body).not.toContain('<x>');
  });
});

describe('a payment’s page', () => {
  it('shows balances, timeline, card, refund and the failed notification, and redelivers it', async () => {
    receiver.answer = { status: 500, body: '{"error":"down"}' };
    const pan = '4242424242424242';
    const order = await shop.client.payments.create(cardPayment({ amount: 1000 }, { card_no: pan }));
    await notificationsIn(order.order_id, 'FAILED');
    await shop.client.refunds.create({
      refund_trans_id: `r-${order.order_id}`,
      ori_order_id: order.order_id,
      refund_amount: 300,
      currency: 'USD',
      reason: 'REQUESTED_BY_CUSTOMER',
    });
    const [payment, refund] = await notificationsIn(order.order_id, 'FAILED', 2);

    const path = `/dashboard/payments/${order.order_id}`;
    const page = await operator.get(path);
    expect(page.status).toBe(200);
    const text = page.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Captured 10.00 USD');
    expect(text).toContain('Refunded 3.00 USD');
    expect(text).toContain('Refundable 7.00 USD');
    for (const step of ['Created', 'Refund requested', 'Refund succeeded']) expect(text).toContain(step);
    expect(text).toMatch(/VISA 424242••••4242|424242••••4242/);
    expect(page.body).not.toContain(pan);
    expect(text).toContain(`r-${order.order_id}`);
    for (const n of [payment!, refund!]) expect(page.body).toContain(`data-notify-id="${n.notify_id}"`);
    const attempts = (await gw.notifications.get(payment!.notify_id)).attempt_log;
    expect(attempts).toHaveLength(2);
    for (const a of attempts) expect(text).toContain(`#${a.attempt}`);
    // Each attempt: HTTP status, outcome, the start of the answer, the signature's timestamp.
    expect(attempts[0]!.answer_excerpt).toBe('{"error":"down"}');
    expect(text).toContain(`500 HTTP 500 {&#34;error&#34;:&#34;down&#34;} ${attempts[0]!.started_at}`);

    receiver.answer = ACK;
    const before = receiver.count();
    const done = await operator.post(`/dashboard/notifications/${payment!.notify_id}/redeliver`, {
      back: path,
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${path}?done=redelivered`);
    await eventually('redelivered', async () =>
      (await gw.notifications.get(payment!.notify_id)).status === 'DELIVERED' ? true : undefined,
    );
    expect(receiver.count()).toBeGreaterThan(before);
    const after = await operator.get(`${path}?done=redelivered`);
    expect(after.body).toContain('Queued for delivery again.');
    expect(after.body).toMatch(/n-DELIVERED/);
  });

  it('never leads a form back to another site, and refuses an unknown notification', async () => {
    const done = await operator.post('/dashboard/notifications/N-none/redeliver', {
      back: '/dashboard/payments',
    });
    expect(done.status).toBe(404);
    const order = await shop.client.payments.create(cardPayment());
    const [n] = await gw.notifications.list({ orderId: order.order_id });
    for (const back of [
      'https://evil.example/',
      '//evil.example/x',
      '/dashboard//evil.example',
      '/elsewhere',
    ]) {
      const answer = await operator.post(`/dashboard/notifications/${n!.notify_id}/redeliver`, { back });
      expect(answer.status, back).toBe(303);
      expect(answer.headers.get('location'), back).toBe('/dashboard/payments?done=redelivered');
    }
  });

  it('shows what the merchant and its receiver wrote as text, never as markup', async () => {
    const evil = await gw.createMerchant({ name: 'Evil', notifyUrl: receiver.url });
    receiver.answer = { status: 200, body: '{"ret_code":"<img src=x onerror=alert(3)>"}' };
    const order = await evil.client.payments.create(
      cardPayment({ trans_id: '<script>alert(1)</script>', shopper_reference: '"><svg onload=alert(2)>' }),
    );
    await notificationsIn(order.order_id, 'FAILED');
    const page = await operator.get(`/dashboard/payments/${order.order_id}`);
    expect(page.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page.body).toContain('&#60;img src=x onerror=alert(3)&#62;');
    for (const raw of ['<script>alert', '<svg', '<img src=x']) expect(page.body).not.toContain(raw);
    // A session's goods, named by the merchant, on the page of the payment made through it,
    // found by the session id.
    const session = await evil.client.sessions.create({
      trans_id: 'goods-xss',
      currency: 'EUR',
      amount: 4250,
      return_url: 'https://shop.example/return',
      goods: [{ name: '<img src=x onerror=alert(4)>', price: 4250, quantity: 1 }],
    });
    expect((await postForm(session.session_url, cardForm())).status).toBe(303);
    const found = await operator.get(`/dashboard/payments?q=${session.session_id}`);
    const [paidId] = listed(found.body);
    expect(paidId).toMatch(/^GW/);
    const goods = await operator.get(`/dashboard/payments/${paidId}`);
    expect(goods.body).toContain('<td>&#60;img src=x onerror=alert(4)&#62;</td>');
    expect(goods.body).not.toContain('<img src=x');

    const list = await operator.get(`/dashboard/payments?merchant=${evil.merchantId}`);
    expect(list.body).not.toContain('<script>alert');
    const failing = await operator.get('/dashboard/notifications');
    expect(failing.body).toContain(order.order_id);
    expect(failing.body).not.toContain('<img src=x');
    receiver.answer = ACK;
  });
});
