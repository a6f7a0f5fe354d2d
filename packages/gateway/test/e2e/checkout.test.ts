/**
 * Hosted checkout in a real browser (docs/three-ds.md). The merchant creates a session through the SDK;
 * headless Chromium opens its session_url, types the card as a shopper would (the page formats
 * it and shows the brand), and pays; 3-D Secure cards continue on the challenge page. Back at
 * the shop, the redirect, the merchant's queries and the notification all agree. Also: the
 * page's own script stops a mistyped card without sending anything, and cancel leaves unpaid.
 *
 * Each test leaves a screenshot of the checkout page, as it was just before the shopper pressed
 * the button, in docs/screenshots/ (the README shows them).
 */
import type { CheckoutSession, SessionCreateParams } from '@openkka/sdk';
import { describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import {
  captureScreenshot,
  expectReturnPage,
  MERCHANT_NAME,
  notification,
  pressAndReturn,
  type Scene,
  saveScreenshot,
  scene,
  text,
  useScenes,
} from './scene.ts';

useScenes();

async function createSession(
  s: Scene,
  overrides: Partial<SessionCreateParams> = {},
): Promise<{ session: CheckoutSession; ref: string }> {
  const ref = `cart-${Math.random().toString(36).slice(2, 8)}`;
  const session = await s.merchant.client.sessions.create({
    trans_id: `order-${ref}`,
    currency: 'EUR',
    amount: 4250,
    return_url: s.shop.returnUrl(ref),
    cancel_url: s.shop.returnUrl(`${ref}-canceled`),
    ...overrides,
  });
  expect(session.session_url).toBe(`${s.gw.baseUrl}/checkout/${session.session_id}`);
  return { session, ref };
}

/** Types the card the way a shopper does, field by field. */
async function typeCard(s: Scene, pan: string): Promise<void> {
  await s.page.locator('#card_no').pressSequentially(pan);
  await s.page.locator('#exp').pressSequentially(`12${FUTURE_YEAR.slice(2)}`);
  await s.page.locator('#cvv').pressSequentially('123');
  await s.page.locator('#holder_name').fill('Mei Lin');
}

describe('hosted checkout in headless Chromium', () => {
  it('a plain card: the shopper types 4242…, sees the VISA mark, pays → back at the shop with SUCCESS', async () => {
    const s = await scene();
    const { session, ref } = await createSession(s, { allowed_payment_methods: ['BANKCARD', 'iDEAL'] });

    await s.page.goto(session.session_url);
    expect(await s.page.title()).toBe(`Checkout · ${MERCHANT_NAME}`);
    expect(await text(s.page, 'h1')).toBe(`Pay ${MERCHANT_NAME}`);
    expect(await text(s.page, '#amount')).toBe('42.50 EUR');
    expect(await s.page.getByRole('button', { name: 'Pay with iDEAL' }).isVisible()).toBe(true);
    await typeCard(s, '4242424242424242');
    expect(await s.page.inputValue('#card_no')).toBe('4242 4242 4242 4242');
    expect(await s.page.inputValue('#exp')).toBe(`12 / ${FUTURE_YEAR.slice(2)}`);
    expect(await s.page.getAttribute('#brand', 'data-brand')).toBe('VISA');
    expect(await s.page.locator('#brand svg').getAttribute('aria-label')).toBe('VISA');
    const shot = await captureScreenshot(s.page, { fullPage: true });

    const landed = await pressAndReturn(s, 'Pay 42.50 EUR');
    const order = await s.merchant.client.payments.query({ session_id: session.session_id });
    await expectReturnPage(s, landed, {
      ref,
      trans_id: session.trans_id,
      order_id: order.order_id,
      status: 'SUCCESS',
    });
    expect(order).toMatchObject({
      status: 'SUCCESS',
      session_id: session.session_id,
      card_info: { last4: '4242', card_brand: 'VISA' },
      balances: { captured_amount: 4250 },
    });
    expect(await s.merchant.client.sessions.query({ session_id: session.session_id })).toMatchObject({
      status: 'COMPLETED',
      order_id: order.order_id,
      order_status: 'SUCCESS',
    });
    const sent = await notification(s, order.order_id, 'PAYMENT.SUCCESS');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ status: 'SUCCESS', session_id: session.session_id });
    expect(s.blocked).toEqual([]);
    saveScreenshot('checkout-en', shot);
  });

  it('a 3-D Secure card on a Chinese page: checkout, the challenge, then back at the shop with SUCCESS', async () => {
    const s = await scene();
    const { session, ref } = await createSession(s, {
      currency: 'CNY',
      amount: 8800,
      display_locale: 'zh-CN',
      payment: { store_payment_method: true, token_usage: 'CARD_ON_FILE', shopper_reference: 'mei-lin' },
    });

    await s.page.goto(session.session_url);
    expect(await s.page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await text(s.page, 'h1')).toBe(`向 ${MERCHANT_NAME} 付款`);
    expect(await text(s.page, 'label[for="card_no"]')).toBe('卡号');
    expect(await text(s.page, '#amount')).toBe('88.00 CNY');
    await typeCard(s, '4000002760003184');
    await s.page.getByLabel(`保存我的银行卡，以便今后在 ${MERCHANT_NAME} 付款`).check();
    const shot = await captureScreenshot(s.page, { fullPage: true });

    await s.page.getByRole('button', { name: '支付 88.00 CNY', exact: true }).click();
    await s.page.waitForURL((u) => u.pathname.startsWith('/3ds/'));
    // The challenge continues in the checkout page's language.
    expect(await text(s.page, 'h1')).toBe('确认您的付款');
    expect(await text(s.page, '#amount')).toBe('88.00 CNY');
    expect(await text(s.page, '#card')).toBe('VISA •••• 3184');
    await s.page.fill('#code', await text(s.page, '#otp'));
    const landed = await pressAndReturn(s, '确认付款');

    const order = await s.merchant.client.payments.query({ session_id: session.session_id });
    await expectReturnPage(s, landed, {
      ref,
      trans_id: session.trans_id,
      order_id: order.order_id,
      status: 'SUCCESS',
    });
    expect(order).toMatchObject({ status: 'SUCCESS', authentication_result: { authentication_status: 'Y' } });
    // The shopper ticked the box: the card is stored for them.
    expect(order.token).toMatch(/^TK\d{20}$/);
    const sent = await notification(s, order.order_id, 'PAYMENT.SUCCESS');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ session_id: session.session_id, token: order.token });
    expect(s.blocked).toEqual([]);
    saveScreenshot('checkout-zh', shot);
  });

  it('cancel: the shopper leaves for cancel_url; the session is CANCELED and nothing is charged', async () => {
    const s = await scene();
    const { session, ref } = await createSession(s);

    await s.page.goto(session.session_url);
    const landed = await pressAndReturn(s, `Cancel and return to ${MERCHANT_NAME}`);
    await expectReturnPage(s, landed, {
      ref: `${ref}-canceled`,
      trans_id: session.trans_id,
      session_id: session.session_id,
      status: 'CANCELED',
    });
    expect((await s.merchant.client.sessions.query({ session_id: session.session_id })).status).toBe(
      'CANCELED',
    );
    await expect(s.merchant.client.payments.query({ session_id: session.session_id })).rejects.toMatchObject({
      retCode: '206024',
    });
    // Going back to the page shows it is over, and offers the way back to the shop.
    await s.page.goto(session.session_url);
    expect(await text(s.page, 'h1')).toBe('Checkout canceled');
    expect(await text(s.page, '#message')).toBe('This checkout was canceled. Nothing was charged.');
    expect(s.inbox.received.filter((r) => r.body?.trans_id === session.trans_id)).toEqual([]);
    expect(s.blocked).toEqual([]);
  });

  it('a card that fails Luhn is stopped by the page itself: an error on the field, no request sent', async () => {
    const s = await scene();
    const { session } = await createSession(s);
    await s.page.goto(session.session_url);
    const posts: string[] = [];
    s.page.on('request', (request) => {
      if (request.method() !== 'GET') posts.push(request.url());
    });

    await typeCard(s, '4242424242424241');
    await s.page.getByRole('button', { name: 'Pay 42.50 EUR', exact: true }).click();
    await expect.poll(() => text(s.page, '#card_no-error')).toBe('Card number is not valid.');
    expect(await s.page.getAttribute('#card_no', 'aria-invalid')).toBe('true');
    expect(await text(s.page, '#form-error')).toBe('Please check the highlighted fields.');
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('card_no');
    expect(new URL(s.page.url()).pathname).toBe(`/checkout/${session.session_id}`);
    expect(posts).toEqual([]);
    expect((await s.merchant.client.sessions.query({ session_id: session.session_id })).status).toBe('OPEN');

    // Corrected, the same form pays.
    await s.page.locator('#card_no').fill('');
    await s.page.locator('#card_no').pressSequentially('4242424242424242');
    expect(await text(s.page, '#card_no-error')).toBe('');
    const landed = await pressAndReturn(s, 'Pay 42.50 EUR');
    expect(landed.searchParams.get('status')).toBe('SUCCESS');
    expect(posts).toHaveLength(1);
  });
});
