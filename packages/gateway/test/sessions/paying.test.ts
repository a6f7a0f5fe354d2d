/**
 * Paying a session on its checkout page, the browser played by fetch: the page, server-side
 * checks that cost nothing, the order made through the PaymentService under the session's
 * trans_id (3-D Secure, redirect methods, declines, notifications), double submits, consent
 * to store the card, and what queries answer before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOrders, refusal } from '../helpers/payments.ts';
import {
  type Checkout,
  cardForm,
  createSession,
  getPage,
  paramsOf,
  postForm,
  setup,
} from '../helpers/sessions.ts';
import { notified } from '../helpers/three-ds.ts';

let t: Checkout;
beforeAll(async () => {
  t = await setup();
});
afterAll(() => t?.close());

describe('the checkout page', () => {
  it('shows the merchant, the amount, the card form, the other methods and the deadline, with no script from elsewhere', async () => {
    const session = await createSession(t, { allowed_payment_methods: ['BANKCARD', 'iDEAL'] });
    const page = await getPage(session.session_url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="en">');
    expect(page.html).toContain('Pay Lotus Tea House');
    expect(page.html).toContain('<strong id="amount">42.50 EUR</strong>');
    expect(page.html).toContain('<label for="card_no">Card number</label>');
    expect(page.html).toContain('Pay with iDEAL');
    expect(page.html).toContain(`datetime="${session.expire_time}"`);
    expect(page.html).toContain(`action="/checkout/${session.session_id}/cancel"`);
    expect(page.html).not.toContain('id="consent"');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(page.html).toContain(`<script nonce="${nonce}">`);
    expect(page.html).not.toMatch(/src="http|href="http/);
  });

  it('speaks Chinese for display_locale zh-CN or ?lang=zh, English for an unknown locale', async () => {
    const zh = await createSession(t, { display_locale: 'zh-CN', display_merchant_name: '莲花茶馆' });
    const page = await getPage(zh.session_url);
    expect(page.html).toContain('<html lang="zh-CN">');
    expect(page.html).toContain('向 莲花茶馆 付款');
    expect(page.html).toContain('卡号');
    expect((await getPage(`${zh.session_url}?lang=en`)).html).toContain('Pay 莲花茶馆');
    const es = await createSession(t, { display_locale: 'es-ES' });
    expect((await getPage(es.session_url)).html).toContain('<html lang="en">');
    expect((await getPage(`${es.session_url}?lang=zh`)).html).toContain('<html lang="zh-CN">');
  });

  it('an unknown session id is a 404 page', async () => {
    const page = await getPage(`${t.gw.baseUrl}/checkout/CS00000000000000000000`);
    expect(page.status).toBe(404);
    expect(page.html).toContain('This checkout page does not exist.');
    const post = await postForm(`${t.gw.baseUrl}/checkout/CS00000000000000000000`, cardForm());
    expect(post.status).toBe(404);
  });
});

describe('paying with a card', () => {
  it('4242…: SUCCESS, back at return_url with trans_id, order_id, status; the order and notification carry session_id', async () => {
    const session = await createSession(t);
    const paid = await postForm(session.session_url, cardForm());
    expect(paid.status).toBe(303);
    const back = paramsOf(paid.location);
    expect(paid.location!.startsWith('https://shop.example/return?cart=7&')).toBe(true);
    expect(back).toMatchObject({ cart: '7', trans_id: session.trans_id, status: 'SUCCESS' });

    const order = await t.client.payments.query({ session_id: session.session_id });
    expect(order).toMatchObject({
      order_id: back.order_id,
      trans_id: session.trans_id,
      session_id: session.session_id,
      status: 'SUCCESS',
      amount: 4250,
      currency: 'EUR',
      card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
    });
    expect(await t.client.sessions.query({ session_id: session.session_id })).toMatchObject({
      status: 'COMPLETED',
      order_id: order.order_id,
      order_status: 'SUCCESS',
      payment_method: 'BANKCARD',
    });
    const note = await notified(t.inbox, order.order_id, 'PAYMENT.SUCCESS');
    expect(note.session_id).toBe(session.session_id);
    // The page now only sends the shopper on to the outcome.
    const again = await getPage(session.session_url);
    expect(again.status).toBe(303);
    expect(paramsOf(again.location).order_id).toBe(order.order_id);
  });

  it('a card that fails Luhn, an expired date or a short CVV is a message on the page, not an order', async () => {
    const session = await createSession(t);
    const before = await countOrders(t.gw);
    const luhn = await postForm(session.session_url, cardForm('4242 4242 4242 4241'));
    expect(luhn.status).toBe(422);
    expect(luhn.html).toContain(
      '<p class="field-error" id="card_no-error" role="alert">Card number is not valid.</p>',
    );
    expect(luhn.html).not.toContain('4242 4242 4242 4241');
    const expired = await postForm(session.session_url, cardForm(undefined, { exp: '01 / 20' }));
    expect(expired.html).toContain('This card has expired.');
    expect(expired.html).toContain('value="01 / 20"');
    const cvv = await postForm(session.session_url, cardForm(undefined, { cvv: '12' }));
    expect(cvv.html).toContain('Security code is not valid.');
    const amex = await postForm(session.session_url, cardForm('378282246310005', { cvv: '123' }));
    expect(amex.html).toContain('Security code is not valid.');
    const method = await postForm(session.session_url, { method: 'ApplePay' });
    expect(method.html).toContain('This payment method is not available.');
    // An eftpos-only card pays with EFTPOS alone; the page's card form pays with BANKCARD.
    const eftpos = await postForm(session.session_url, cardForm('5020 0000 0000 0005'));
    expect(eftpos.status).toBe(422);
    expect(eftpos.html).toContain('This card brand is not accepted.');
    expect(await countOrders(t.gw)).toBe(before);
    expect((await t.client.sessions.query({ session_id: session.session_id })).status).toBe('OPEN');
  });

  it('a declined card ends the session: FAILURE, COMPLETED, and a second try answers the same order', async () => {
    const session = await createSession(t);
    const declined = await postForm(session.session_url, cardForm('4000 0000 0000 0002'));
    const back = paramsOf(declined.location);
    expect(back.status).toBe('FAILURE');
    expect(await t.client.sessions.query({ trans_id: session.trans_id })).toMatchObject({
      status: 'COMPLETED',
      order_status: 'FAILURE',
    });
    const retry = await postForm(session.session_url, cardForm());
    expect(retry.status).toBe(303);
    expect(paramsOf(retry.location)).toMatchObject({ order_id: back.order_id, status: 'FAILURE' });
    expect((await notified(t.inbox, back.order_id!, 'PAYMENT.FAILURE')).error_code).toBe('5001');
  });

  it('a double submit charges once: ten concurrent posts, one order, one authorization', async () => {
    const session = await createSession(t);
    const posts = await Promise.all(
      Array.from({ length: 10 }, () => postForm(session.session_url, cardForm())),
    );
    const orderIds = new Set(posts.map((p) => paramsOf(p.location).order_id));
    expect(orderIds.size).toBe(1);
    const [orderId] = [...orderIds];
    expect(t.acquirer.callsFor(orderId!)).toBe(1);
  });

  it('a 3-D Secure card goes to the challenge page, and from there back to the shop', async () => {
    const session = await createSession(t, { amount: 1999 });
    const paid = await postForm(session.session_url, cardForm('4000 0027 6000 3184'));
    expect(paid.location).toMatch(new RegExp(`^${t.gw.baseUrl}/3ds/`));
    const challenge = await getPage(paid.location!);
    const otp = /<strong id="otp">(\d{6})<\/strong>/.exec(challenge.html)![1]!;
    const done = await postForm(paid.location!, { code: otp, action: 'complete' });
    expect(paramsOf(done.location)).toMatchObject({ trans_id: session.trans_id, status: 'SUCCESS' });
    expect((await t.client.payments.query({ session_id: session.session_id })).status).toBe('SUCCESS');
  });

  it('on a Chinese page the challenge continues in Chinese', async () => {
    const session = await createSession(t, { display_locale: 'zh-CN' });
    const paid = await postForm(session.session_url, cardForm('4000002760003184', { lang: 'zh' }));
    expect(paid.location).toMatch(/\/3ds\/[0-9a-f]+\?lang=zh$/);
    expect((await getPage(paid.location!)).html).toContain('确认您的付款');
  });

  it('challenge_indicator CHALLENGE on the session challenges every card', async () => {
    const session = await createSession(t, { authentication: { challenge_indicator: 'CHALLENGE' } });
    const paid = await postForm(session.session_url, cardForm());
    expect(paid.location).toMatch(/\/3ds\//);
  });

  it('iDEAL goes to the bank page; approving returns SUCCESS', async () => {
    const session = await createSession(t, { allowed_payment_methods: ['BANKCARD', 'iDEAL'] });
    const chosen = await postForm(session.session_url, { method: 'IDEAL' });
    expect(chosen.location).toMatch(new RegExp(`^${t.gw.baseUrl}/redirect/`));
    const approved = await postForm(chosen.location!, { action: 'approve' });
    expect(paramsOf(approved.location)).toMatchObject({ trans_id: session.trans_id, status: 'SUCCESS' });
    expect(await t.client.payments.query({ session_id: session.session_id })).toMatchObject({
      status: 'SUCCESS',
      payment: { payment_method: 'IDEAL' },
    });
  });

  it('a method the session does not allow is refused on the page', async () => {
    const session = await createSession(t, { allowed_payment_methods: ['BANKCARD'] });
    const chosen = await postForm(session.session_url, { method: 'IDEAL' });
    expect(chosen.status).toBe(422);
  });
});

describe('storing the card needs the shopper’s consent', () => {
  const storing = {
    payment: { store_payment_method: true, token_usage: 'CARD_ON_FILE' as const, shopper_reference: 'mei-7' },
  };

  it('the page asks; without the tick no token is made', async () => {
    const session = await createSession(t, storing);
    const page = await getPage(session.session_url);
    expect(page.html).toContain('Save my card with Lotus Tea House for future payments');
    expect(page.html).not.toMatch(/id="consent"[^>]*required/);
    await postForm(session.session_url, cardForm('5555 5555 5555 4444'));
    const order = await t.client.payments.query({ session_id: session.session_id });
    expect(order.status).toBe('SUCCESS');
    expect(order.token).toBeUndefined();
    expect(await t.client.tokens.query({ shopper_reference: 'mei-7' })).toEqual([]);
  });

  it('with the tick the card is stored for the shopper', async () => {
    const session = await createSession(t, storing);
    await postForm(session.session_url, cardForm('4242424242424242', { consent: 'yes' }));
    const order = await t.client.payments.query({ session_id: session.session_id });
    expect(order.token).toMatch(/^TK\d{20}$/);
    expect(order.shopper_reference).toBe('mei-7');
    const tokens = await t.client.tokens.query({ shopper_reference: 'mei-7' });
    expect(tokens.map((k) => k.token)).toEqual([order.token]);
  });

  it('a RECURRING session requires the tick and starts the agreement with it', async () => {
    const session = await createSession(t, {
      payment_type: 'RECURRING',
      payment: { store_payment_method: true, token_usage: 'SUBSCRIPTION', shopper_reference: 'sub-1' },
    });
    expect(session.allowed_payment_methods).toEqual(['BANKCARD']);
    expect((await getPage(session.session_url)).html).toMatch(/id="consent"[^>]*required/);
    const refused = await postForm(session.session_url, cardForm());
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('Please agree to store your card');
    await postForm(session.session_url, cardForm(undefined, { consent: 'yes' }));
    const order = await t.client.payments.query({ session_id: session.session_id });
    expect(order).toMatchObject({ status: 'SUCCESS' });
    expect(order.recurring_agreement_id).toMatch(/^RA\d{20}$/);
  });
});

describe('queries', () => {
  it('/payments/query by session_id: 206011 for an unknown session, 206024 until something is paid', async () => {
    const unknown = await refusal(t.client.payments.query({ session_id: 'CS00000000000000000000' }));
    expect(unknown).toMatchObject({ retCode: '206011', httpStatus: 404 });
    const session = await createSession(t);
    const unpaid = await refusal(t.client.payments.query({ session_id: session.session_id }));
    expect(unpaid).toMatchObject({ retCode: '206024', httpStatus: 404 });
    expect(unpaid.retMsg).toContain('nothing was paid');
  });

  it('session query by session_id or trans_id; both must agree; unknown is 206011', async () => {
    const session = await createSession(t);
    expect((await t.client.sessions.query({ trans_id: session.trans_id })).session_id).toBe(
      session.session_id,
    );
    const mismatch = await refusal(
      t.client.sessions.query({ session_id: session.session_id, trans_id: 'other' }),
    );
    expect(mismatch.retCode).toBe('206011');
    expect((await refusal(t.client.sessions.query({ trans_id: 'never-made' }))).retCode).toBe('206011');
    const none = await refusal(t.client.sessions.query({}));
    expect(none).toMatchObject({ retCode: '010000' });
    expect(none.retMsg).toContain('one of session_id, trans_id is required');
  });

  it("another merchant's session does not exist, by either query", async () => {
    const session = await createSession(t);
    await postForm(session.session_url, cardForm());
    const other = await t.gw.createMerchant();
    expect((await refusal(other.client.sessions.query({ session_id: session.session_id }))).retCode).toBe(
      '206011',
    );
    expect((await refusal(other.client.sessions.query({ trans_id: session.trans_id }))).retCode).toBe(
      '206011',
    );
    expect((await refusal(other.client.payments.query({ session_id: session.session_id }))).retCode).toBe(
      '206011',
    );
  });

  it('a query by order_id naming another session_id is 206024', async () => {
    const session = await createSession(t);
    const paid = await postForm(session.session_url, cardForm());
    const orderId = paramsOf(paid.location).order_id!;
    const other = await createSession(t);
    const error = await refusal(t.client.payments.query({ order_id: orderId, session_id: other.session_id }));
    expect(error.retCode).toBe('206024');
  });
});

describe('cancel', () => {
  it('the cancel button closes the session and returns to cancel_url; nothing is charged', async () => {
    const session = await createSession(t);
    const left = await postForm(`${session.session_url}/cancel`, { lang: 'en' });
    expect(left.status).toBe(303);
    expect(left.location!.startsWith('https://shop.example/cart?')).toBe(true);
    expect(paramsOf(left.location)).toEqual({
      trans_id: session.trans_id,
      session_id: session.session_id,
      status: 'CANCELED',
    });
    expect((await t.client.sessions.query({ session_id: session.session_id })).status).toBe('CANCELED');
    const page = await getPage(session.session_url);
    expect(page.status).toBe(410);
    expect(page.html).toContain('This checkout was canceled. Nothing was charged.');
    const late = await postForm(session.session_url, cardForm());
    expect(late.status).toBe(410);
    expect((await refusal(t.client.payments.query({ session_id: session.session_id }))).retCode).toBe(
      '206024',
    );
  });

  it('without cancel_url the shopper returns to return_url', async () => {
    const session = await createSession(t, { cancel_url: undefined });
    const left = await postForm(`${session.session_url}/cancel`, {});
    expect(left.location!.startsWith('https://shop.example/return?cart=7&')).toBe(true);
  });

  it('cancel after paying changes nothing and returns the outcome', async () => {
    const session = await createSession(t);
    const paid = await postForm(session.session_url, cardForm());
    const left = await postForm(`${session.session_url}/cancel`, {});
    expect(paramsOf(left.location)).toEqual(paramsOf(paid.location));
    expect((await t.client.sessions.query({ session_id: session.session_id })).status).toBe('COMPLETED');
  });
});
