/**
 * A redirect payment method in a real browser (docs/three-ds.md): iDEAL (EUR) chosen on the checkout
 * page and approved at the bank page, and iDEAL created by the merchant directly and declined.
 * A Chinese checkout page leads to the bank page in Chinese. Back at the shop, the redirect, the
 * merchant's query and the notification agree. The bank page's screenshots go to
 * docs/screenshots/redirect-ideal.png and redirect-zh.png.
 */
import { describe, expect, it } from 'vitest';
import {
  captureScreenshot,
  expectReturnPage,
  MERCHANT_NAME,
  notification,
  pressAndReturn,
  saveScreenshot,
  scene,
  text,
  useScenes,
} from './scene.ts';

useScenes();

describe('iDEAL in headless Chromium', () => {
  it('approve: chosen on the checkout page, approved at the bank → back at the shop with SUCCESS', async () => {
    const s = await scene();
    const ref = 'cart-ideal-approve';
    const session = await s.merchant.client.sessions.create({
      trans_id: 'order-ideal-1',
      currency: 'EUR',
      amount: 1500,
      return_url: s.shop.returnUrl(ref),
      allowed_payment_methods: ['BANKCARD', 'iDEAL'],
    });

    await s.page.goto(session.session_url);
    await s.page.getByRole('button', { name: 'Pay with iDEAL', exact: true }).click();
    await s.page.waitForURL((u) => u.pathname.startsWith('/redirect/'));
    expect(await text(s.page, 'h1')).toBe('Pay with iDEAL');
    expect(await text(s.page, '#merchant')).toBe(MERCHANT_NAME);
    expect(await text(s.page, '#amount')).toBe('15.00 EUR');
    const shot = await captureScreenshot(s.page, { fullPage: true });

    const landed = await pressAndReturn(s, 'Approve payment');
    const order = await s.merchant.client.payments.query({ session_id: session.session_id });
    await expectReturnPage(s, landed, {
      ref,
      trans_id: 'order-ideal-1',
      order_id: order.order_id,
      status: 'SUCCESS',
    });
    expect(order).toMatchObject({ status: 'SUCCESS', payment: { payment_method: 'IDEAL' } });
    const sent = await notification(s, order.order_id, 'PAYMENT.SUCCESS');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ session_id: session.session_id, payment: { payment_method: 'IDEAL' } });
    expect(s.blocked).toEqual([]);
    saveScreenshot('redirect-ideal', shot);
  });

  it('decline: a direct iDEAL payment declined at the bank → back at the shop with FAILURE', async () => {
    const s = await scene();
    const ref = 'cart-ideal-decline';
    const order = await s.merchant.client.payments.create({
      trans_id: 'order-ideal-2',
      payment_type: 'PURCHASE',
      currency: 'EUR',
      amount: 2500,
      return_url: s.shop.returnUrl(ref),
      payment: { payment_method: 'iDEAL' },
    });
    expect(order.status).toBe('PROCESSING');

    await s.page.goto(order.redirect_url!);
    expect(await text(s.page, '#amount')).toBe('25.00 EUR');
    const landed = await pressAndReturn(s, 'Decline');
    await expectReturnPage(s, landed, {
      ref,
      trans_id: 'order-ideal-2',
      order_id: order.order_id,
      status: 'FAILURE',
    });
    expect(await s.merchant.client.payments.query({ order_id: order.order_id })).toMatchObject({
      status: 'FAILURE',
      error_code: '5001',
    });
    const sent = await notification(s, order.order_id, 'PAYMENT.FAILURE');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ status: 'FAILURE', error_code: '5001' });
    expect(s.blocked).toEqual([]);
  });

  it('Chinese: a zh-CN checkout page leads to the bank page in Chinese; cancel → back at the shop, FAILURE', async () => {
    const s = await scene();
    const ref = 'cart-ideal-zh';
    const session = await s.merchant.client.sessions.create({
      trans_id: 'order-ideal-3',
      currency: 'EUR',
      amount: 880,
      return_url: s.shop.returnUrl(ref),
      display_locale: 'zh-CN',
      allowed_payment_methods: ['iDEAL'],
    });

    await s.page.goto(session.session_url);
    await s.page.getByRole('button', { name: '使用 iDEAL 付款', exact: true }).click();
    await s.page.waitForURL((u) => u.pathname.startsWith('/redirect/'));
    expect(await s.page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await text(s.page, 'h1')).toBe('使用 iDEAL 付款');
    expect(await text(s.page, '#amount')).toBe('8.80 EUR');
    const shot = await captureScreenshot(s.page, { fullPage: true });

    const landed = await pressAndReturn(s, '取消并返回商户');
    const order = await s.merchant.client.payments.query({ session_id: session.session_id });
    await expectReturnPage(s, landed, {
      ref,
      trans_id: 'order-ideal-3',
      order_id: order.order_id,
      status: 'FAILURE',
    });
    expect(order.status).toBe('FAILURE');
    const sent = await notification(s, order.order_id, 'PAYMENT.FAILURE');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ status: 'FAILURE', session_id: session.session_id });
    expect(s.blocked).toEqual([]);
    saveScreenshot('redirect-zh', shot);
  });
});
