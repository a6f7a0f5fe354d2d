/**
 * PayKKa's current (v3) WooCommerce plugin, end to end in a real browser, against an unchanged
 * integration as plugin-v3-shop.ts describes it: configured with the gateway's base URL, app id
 * = merchant id, its private key and the platform public key. In all three session modes the
 * shopper pays and lands on the shop's own order; the shop queries, refunds, queries the
 * refund, and verifies and acknowledges the gateway's v3-signed notifications.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway } from '../helpers/gateway.ts';
import { type SessionMode, startPluginV3Shop } from './plugin-v3-shop.ts';
import { afterThisTest, guardedPage, MERCHANT_NAME, text, useScenes } from './scene.ts';

useScenes();

async function pluginScene() {
  const gw = await startGateway();
  afterThisTest(() => gw.close());
  const merchant = await gw.createMerchant({ name: MERCHANT_NAME });
  const shop = await startPluginV3Shop({
    baseUrl: gw.baseUrl,
    merchantId: merchant.merchantId,
    privateKey: merchant.privateKey,
    clientKey: merchant.clientKey,
    platformPublicKeyPem: gw.platformPublicKeyPem,
  });
  afterThisTest(() => shop.close());
  const { page, blocked } = await guardedPage([new URL(gw.baseUrl).origin, shop.origin]);
  return { gw, merchant, shop, page, blocked };
}

const newOrderNumber = () => 2100 + Math.floor(Math.random() * 100_000);

/** Types the card where `page` shows the card form (the hosted page, or the library's frame). */
async function typeCard(form: Page | ReturnType<Page['frameLocator']>, pan: string) {
  await form.locator('#card_no').pressSequentially(pan);
  await form.locator('#exp').pressSequentially(`12${FUTURE_YEAR.slice(2)}`);
  await form.locator('#cvv').pressSequentially('123');
}

describe("the v3 WooCommerce plugin's checkout in headless Chromium", () => {
  for (const mode of ['HOSTED', 'COMPONENT', 'DROP_IN'] as SessionMode[]) {
    it(`${mode}: paid, back at the shop's own order, refunded, every notification verified`, async () => {
      const s = await pluginScene();
      const orderId = newOrderNumber();
      const { sessionUrl } = await s.shop.checkout(orderId, 2500, mode);

      if (mode === 'HOSTED') {
        expect(sessionUrl.startsWith(`${s.gw.baseUrl}/checkout/CS`)).toBe(true);
        await s.page.goto(sessionUrl);
        await typeCard(s.page, '4242424242424242');
        await s.page.getByRole('button', { name: 'Pay 25.00 USD', exact: true }).click();
      } else {
        await s.page.goto(`${s.shop.origin}/pay/${orderId}`);
        const frame = s.page.frameLocator('iframe.paykka-checkout-frame');
        await frame.getByRole('button', { name: 'Pay 25.00 USD', exact: true }).waitFor();
        await typeCard(frame, '4242424242424242');
        await frame.getByRole('button', { name: 'Pay 25.00 USD', exact: true }).click();
      }
      await s.page.waitForURL((u) => u.origin === s.shop.origin && u.searchParams.has('wc-api'));

      // The shop's own parameters came back as it wrote them, and its query said paid.
      const landed = new URL(s.page.url());
      expect(landed.searchParams.getAll('order_id')).toEqual([String(orderId)]);
      expect(await text(s.page, '#order')).toBe(String(orderId));
      expect(await text(s.page, '#status')).toBe('paid');

      // The payment's notification arrives signed the v3 way, and the shop acts on it.
      const order = await eventually('the payment webhook', async () => {
        const o = s.shop.orders.get(String(orderId))!;
        return o.via.includes('webhook') ? o : undefined;
      });
      expect(order.status).toBe('SUCCESS');
      expect(order.gatewayOrderId).toMatch(/\S/);

      // A partial refund from the shop's admin, then its notification.
      expect(['SUCCESS', 'PROCESSING']).toContain(await s.shop.refund(orderId, 1000));
      await eventually('the refund webhook', async () =>
        order.via.includes('refund-webhook') ? true : undefined,
      );
      expect(order.refunds).toEqual([expect.objectContaining({ status: 'SUCCESS' })]);
      const after = await s.merchant.client.payments.query({ order_id: order.gatewayOrderId! });
      expect(after).toMatchObject({
        status: 'PARTIALLY_REFUNDED',
        balances: { able_to_refund_amount: 1500 },
      });

      expect(s.shop.rejected).toBe(0);
      expect(s.blocked).toEqual([]);
    });
  }

  it('a declined card: back at the shop unpaid; a return before paying is 4032, not an error', async () => {
    const s = await pluginScene();
    const orderId = newOrderNumber();
    const { sessionUrl } = await s.shop.checkout(orderId, 2500, 'HOSTED');

    // The shopper comes back (e.g. with the back button) before paying: the session has no payment.
    await s.page.goto(`${s.shop.origin}/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=${orderId}`);
    expect(await text(s.page, '#status')).toBe('not paid');
    expect(await text(s.page, '#code')).toBe('4032');

    await s.page.goto(sessionUrl);
    await typeCard(s.page, '4000000000000002');
    await s.page.getByRole('button', { name: 'Pay 25.00 USD', exact: true }).click();
    await s.page.waitForURL((u) => u.origin === s.shop.origin);
    expect(await text(s.page, '#order')).toBe(String(orderId));
    expect(await text(s.page, '#status')).toBe('not paid');
    expect(s.shop.rejected).toBe(0);
    expect(s.blocked).toEqual([]);
  });
});
