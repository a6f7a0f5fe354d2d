/**
 * 3-D Secure in a real browser (docs/three-ds.md). Each test runs the whole journey: the merchant
 * creates the payment through the SDK, headless Chromium opens the authentication_url, reads
 * the sandbox issuer's one-time code off the page, types it and presses a button found by its
 * accessible name; the gateway sends the browser back to the merchant's shop with the outcome
 * appended to return_url, the merchant's query and notification agree with it.
 *
 * Everything listens on 127.0.0.1 and the browser may reach nothing else. Each test leaves a
 * screenshot of the challenge page, as it was just before the shopper submitted, in
 * docs/screenshots/ (docs/three-ds.md shows them).
 */
import type { Order } from '@openkka/sdk';
import { describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
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

/** The merchant's side: a card payment through the SDK that must need 3-D Secure. */
async function createPayment(
  s: Scene,
  pan: string,
  overrides: Record<string, unknown> = {},
): Promise<{ order: Order; url: string; ref: string }> {
  const ref = `cart-${Math.random().toString(36).slice(2, 8)}`;
  const order = await s.merchant.client.payments.create(
    cardPayment(
      { amount: 4250, currency: 'USD', return_url: s.shop.returnUrl(ref), ...overrides },
      {
        card_no: pan,
        cvv: '737',
      },
    ),
  );
  expect(order.status).toBe('PROCESSING');
  const url = order.authentication_result?.authentication_url;
  expect(url).toMatch(new RegExp(`^${s.gw.baseUrl}/3ds/`));
  return { order, url: url!, ref };
}

describe('3-D Secure in headless Chromium', () => {
  it('pass: the shopper types the code and confirms → back at the shop with SUCCESS', async () => {
    const s = await scene();
    const { order, url, ref } = await createPayment(s, '4000002760003184');

    await s.page.goto(url);
    expect(await s.page.title()).toBe('Confirm your payment');
    expect(await text(s.page, 'h1')).toBe('Confirm your payment');
    expect(await text(s.page, '#merchant')).toBe(MERCHANT_NAME);
    expect(await text(s.page, '#amount')).toBe('42.50 USD');
    expect(await text(s.page, '#card')).toBe('VISA •••• 3184');
    const otp = await text(s.page, '#otp');
    expect(otp).toMatch(/^\d{6}$/);
    await s.page.fill('#code', otp);
    const shot = await captureScreenshot(s.page, { fullPage: true });

    const landed = await pressAndReturn(s, 'Confirm payment');
    await expectReturnPage(s, landed, {
      ref,
      trans_id: order.trans_id,
      order_id: order.order_id,
      status: 'SUCCESS',
    });
    expect(await s.merchant.client.payments.query({ order_id: order.order_id })).toMatchObject({
      status: 'SUCCESS',
      error_code: '0000',
      balances: { authed_amount: 4250, captured_amount: 4250 },
      authentication_result: { authentication_status: 'Y', eci: '05' },
    });
    const sent = await notification(s, order.order_id, 'PAYMENT.SUCCESS');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ status: 'SUCCESS', order_id: order.order_id });

    // Going back to the challenge shows it is over.
    await s.page.goto(url);
    expect(await s.page.locator('main p').textContent()).toBe('This authentication is finished.');
    expect(s.blocked).toEqual([]);
    saveScreenshot('3ds-pass', shot);
  });

  it('fail: a wrong code, then "Cancel and fail authentication" → FAILURE 5006', async () => {
    const s = await scene();
    const { order, url, ref } = await createPayment(s, '4000002760003184');

    await s.page.goto(url);
    const otp = await text(s.page, '#otp');
    const wrong = otp === '000000' ? '999999' : '000000';
    await s.page.fill('#code', wrong);
    await s.page.getByRole('button', { name: 'Confirm payment', exact: true }).click();
    await s.page.waitForLoadState();
    expect(await text(s.page, '[role="alert"]')).toBe('That code is not right. Attempts left: 2');
    expect(new URL(s.page.url()).pathname).toBe(new URL(url).pathname);
    const shot = await captureScreenshot(s.page, { fullPage: true });

    const landed = await pressAndReturn(s, 'Cancel and fail authentication');
    await expectReturnPage(s, landed, {
      ref,
      trans_id: order.trans_id,
      order_id: order.order_id,
      status: 'FAILURE',
    });
    expect(await s.merchant.client.payments.query({ order_id: order.order_id })).toMatchObject({
      status: 'FAILURE',
      error_code: '5006',
      error_description: '3-D Secure authentication failed',
      authentication_result: { authentication_status: 'N', eci: '07' },
    });
    const sent = await notification(s, order.order_id, 'PAYMENT.FAILURE');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ status: 'FAILURE', error_code: '5006' });
    expect(s.blocked).toEqual([]);
    saveScreenshot('3ds-fail', shot);
  });

  it('then decline: 4000008260003178 passes the challenge and the issuer declines → FAILURE 5002', async () => {
    const s = await scene();
    const { order, url, ref } = await createPayment(s, '4000008260003178', { amount: 125_000 });

    await s.page.goto(url);
    expect(await text(s.page, '#amount')).toBe('1250.00 USD');
    expect(await text(s.page, '#card')).toBe('VISA •••• 3178');
    await s.page.fill('#code', await text(s.page, '#otp'));
    const shot = await captureScreenshot(s.page, { fullPage: true });

    const landed = await pressAndReturn(s, 'Confirm payment');
    await expectReturnPage(s, landed, {
      ref,
      trans_id: order.trans_id,
      order_id: order.order_id,
      status: 'FAILURE',
    });
    expect(await s.merchant.client.payments.query({ order_id: order.order_id })).toMatchObject({
      status: 'FAILURE',
      error_code: '5002',
      error_description: 'Insufficient funds',
      authentication_result: { authentication_status: 'Y' },
    });
    const sent = await notification(s, order.order_id, 'PAYMENT.FAILURE');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ error_code: '5002' });
    expect(s.blocked).toEqual([]);
    saveScreenshot('3ds-decline', shot);
  });

  it('Chinese: ?lang=zh renders the page in Chinese and completes the payment', async () => {
    const s = await scene();
    const { order, url, ref } = await createPayment(s, '4242424242424242', {
      amount: 8800,
      currency: 'CNY',
      authentication: { challenge_indicator: 'CHALLENGE' },
    });

    await s.page.goto(`${url}?lang=zh`);
    expect(await s.page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await s.page.title()).toBe('确认您的付款');
    expect(await text(s.page, 'h1')).toBe('确认您的付款');
    expect(await text(s.page, 'label[for="code"]')).toBe('一次性验证码');
    expect(await text(s.page, '#amount')).toBe('88.00 CNY');
    expect(await text(s.page, '#card')).toBe('VISA •••• 4242');
    expect(await s.page.getByRole('button', { name: '取消并放弃验证', exact: true }).isVisible()).toBe(true);
    await s.page.fill('#code', await text(s.page, '#otp'));
    const shot = await captureScreenshot(s.page, { fullPage: true });

    const landed = await pressAndReturn(s, '确认付款');
    await expectReturnPage(s, landed, {
      ref,
      trans_id: order.trans_id,
      order_id: order.order_id,
      status: 'SUCCESS',
    });
    expect((await s.merchant.client.payments.query({ order_id: order.order_id })).status).toBe('SUCCESS');
    expect(await notification(s, order.order_id, 'PAYMENT.SUCCESS')).toHaveLength(1);
    expect(s.blocked).toEqual([]);
    saveScreenshot('3ds-zh', shot);
  });
});
