/**
 * As docs/three-ds.md says: which payments are challenged, what they answer (PROCESSING with an
 * authentication_url, the same on a replay), and the page the shopper's browser gets there:
 * merchant, amount in major units, the card masked to brand and last four digits, the
 * sandbox issuer's one-time code, in English or Chinese.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoMoreOfPan } from '../helpers/payments.ts';
import {
  CHALLENGE_CARDS,
  challengeBody,
  challenged,
  getPage,
  MERCHANT_NAME,
  otpOf,
  queuedNotifications,
  receivedFor,
  setup,
  type ThreeDs,
} from '../helpers/three-ds.ts';

let t: ThreeDs;

beforeAll(async () => {
  t = await setup();
});
afterAll(() => t?.close());

describe('what triggers a challenge', () => {
  const triggers = [
    { name: 'test card 4000002760003184', body: () => challengeBody(CHALLENGE_CARDS.approve) },
    { name: 'test card 4000008260003178', body: () => challengeBody(CHALLENGE_CARDS.decline) },
    {
      name: 'challenge_indicator CHALLENGE on an ordinary card',
      body: () =>
        challengeBody(CHALLENGE_CARDS.plain, { authentication: { challenge_indicator: 'CHALLENGE' } }),
    },
  ];

  it.each(triggers)('$name → PROCESSING with an authentication_url on this gateway', async ({ body }) => {
    const request = body();
    const { order, url } = await challenged(t, request);
    expect(order).toMatchObject({
      trans_id: request.trans_id,
      error_code: '',
      amount: 1999,
      currency: 'USD',
      authentication_result: { enroll_status: 'Y', version: '2.2.0', mode: 'CHALLENGE' },
      balances: { authed_amount: 0, captured_amount: 0 },
    });
    expect(order.pay_finish_time).toBeUndefined();
    expect(url).toMatch(new RegExp(`^${t.gw.baseUrl}/3ds/[0-9a-f]{32}$`));
    // Nothing is asked of the acquirer and nothing is notified until the shopper is done.
    expect(t.acquirer.callsFor(order.order_id)).toBe(0);
    expect(await queuedNotifications(t.gw, order.order_id)).toEqual([]);
    expect(receivedFor(t.inbox, order.order_id)).toEqual([]);
  });

  it('an ordinary card without the indicator is authorized at once', async () => {
    const order = await t.client.payments.create(challengeBody(CHALLENGE_CARDS.plain));
    expect(order.status).toBe('SUCCESS');
    expect(order.authentication_result).toBeUndefined();
  });

  it('a replay answers the same PROCESSING order with the same URL, and a query shows it too', async () => {
    const request = challengeBody(CHALLENGE_CARDS.approve);
    const first = await challenged(t, request);
    const again = await challenged(t, request);
    expect(again.order.order_id).toBe(first.order.order_id);
    expect(again.url).toBe(first.url);
    const queried = await t.client.payments.query({ order_id: first.order.order_id });
    expect(queried.status).toBe('PROCESSING');
    expect(queried.authentication_result?.authentication_url).toBe(first.url);
    expect(
      await t.gw.runtime.store.writer
        .selectFrom('challenges')
        .selectAll()
        .where('order_id', '=', first.order.order_id)
        .execute(),
    ).toHaveLength(1);
  });
});

describe('the challenge page', () => {
  it('shows merchant, amount in major units with currency, masked card and the one-time code', async () => {
    const pan = CHALLENGE_CARDS.approve;
    const { url } = await challenged(t, challengeBody(pan, { amount: 1999 }));
    const page = await getPage(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.html).toContain('<html lang="en">');
    expect(page.html).toContain('Confirm your payment');
    expect(page.html).toContain(`<dd id="merchant">${MERCHANT_NAME}</dd>`);
    expect(page.html).toContain('<dd id="amount">19.99 USD</dd>');
    expect(page.html).toContain('<dd id="card">VISA •••• 3184</dd>');
    expect(otpOf(page.html)).toMatch(/^\d{6}$/);
    // bin + last4 is the most anything may show; the page shows only the last four.
    expectNoMoreOfPan(page.html, pan);
    expect(page.html).not.toContain(pan.slice(0, 6));
  });

  it('formats a zero-decimal currency without a fraction', async () => {
    const { url } = await challenged(
      t,
      challengeBody(CHALLENGE_CARDS.approve, { amount: 1500, currency: 'JPY' }),
    );
    expect((await getPage(url)).html).toContain('<dd id="amount">1500 JPY</dd>');
  });

  it('gives the same code on every load while the challenge is pending', async () => {
    const { url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    expect(otpOf((await getPage(url)).html)).toBe(otpOf((await getPage(url)).html));
  });

  it('renders Chinese for ?lang=zh', async () => {
    const { url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    const page = await getPage(`${url}?lang=zh`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="zh-CN">');
    expect(page.html).toContain('确认您的付款');
    expect(page.html).toContain('确认付款');
    expect(page.html).toContain('<input type="hidden" name="lang" value="zh">');
    expect(page.html).not.toContain('Confirm your payment');
    expect(page.html).toContain('<dd id="amount">19.99 USD</dd>');
  });

  it('renders Chinese for a browser that asks for zh-CN, English for one that asks for English', async () => {
    const { url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    const zh = await getPage(url, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' });
    expect(zh.html).toContain('确认您的付款');
    expect(zh.html).toContain('<html lang="zh-CN">');
    const en = await getPage(url, { 'accept-language': 'en-GB,en;q=0.9' });
    expect(en.html).toContain('Confirm your payment');
    // An explicit ?lang wins over the browser's preference.
    expect((await getPage(`${url}?lang=en`, { 'accept-language': 'zh-CN' })).html).toContain(
      'Confirm your payment',
    );
  });

  it('has a labelled code field and two buttons, and no script', async () => {
    const { url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve));
    const { html } = await getPage(url);
    expect(html).toContain('<label for="code">One-time code</label>');
    expect(html).toMatch(/<button type="submit" name="action" value="complete">Confirm payment<\/button>/);
    expect(html).toMatch(/<button[^>]*value="fail"[^>]*>Cancel and fail authentication<\/button>/);
    expect(html).not.toMatch(/<script/i);
  });

  it('escapes the merchant name', async () => {
    const merchant = await t.gw.createMerchant({ name: 'Tea & Cake <b>Shop</b>' });
    const order = await merchant.client.payments.create(challengeBody(CHALLENGE_CARDS.approve));
    const { html } = await getPage(order.authentication_result!.authentication_url!);
    expect(html).toContain('<dd id="merchant">Tea &#38; Cake &#60;b&#62;Shop&#60;/b&#62;</dd>');
    expect(html).not.toContain('<b>Shop</b>');
  });

  it('an unknown challenge is a 404 page, in English or Chinese', async () => {
    const missing = `${t.gw.baseUrl}/3ds/${'0'.repeat(32)}`;
    const en = await getPage(missing);
    expect(en.status).toBe(404);
    expect(en.headers.get('content-type')).toMatch(/^text\/html/);
    expect(en.html).toContain('This authentication does not exist.');
    const zh = await getPage(`${missing}?lang=zh`);
    expect(zh.status).toBe(404);
    expect(zh.html).toContain('此验证不存在。');
    const posted = await fetch(missing, {
      method: 'POST',
      body: new URLSearchParams({ code: '000000', action: 'complete' }),
      redirect: 'manual',
    });
    expect(posted.status).toBe(404);
    expect(await posted.text()).toContain('This authentication does not exist.');
  });
});
