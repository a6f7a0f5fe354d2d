/**
 * PayKKa's v1.2 WooCommerce plugin's hosted checkout, end to end in a real browser: a shop that
 * talks to the gateway the way the plugin does (plugin-shop.ts) creates the session at
 * /apis/session with its order number as a numeric trans_id; the shopper pays on the gateway's
 * page and lands on the shop's own callback with the shop's own order_id; the shop finds its
 * order, asks the gateway, and the notification moves the same order.
 */
import { describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway } from '../helpers/gateway.ts';
import { startPluginShop } from './plugin-shop.ts';
import { afterThisTest, guardedPage, MERCHANT_NAME, text, useScenes } from './scene.ts';

useScenes();

async function pluginScene() {
  const gw = await startGateway();
  afterThisTest(() => gw.close());
  const merchant = await gw.createMerchant({ name: MERCHANT_NAME });
  const shop = await startPluginShop({
    baseUrl: gw.baseUrl,
    merchantId: merchant.merchantId,
    privateKey: merchant.privateKey,
  });
  afterThisTest(() => shop.close());
  const { page, blocked } = await guardedPage([new URL(gw.baseUrl).origin, shop.origin]);
  return { gw, merchant, shop, page, blocked };
}

describe("the v1.2 WooCommerce plugin's hosted checkout in headless Chromium", () => {
  for (const { card, status, shown } of [
    { card: '4242424242424242', status: 'SUCCESS', shown: 'paid' },
    { card: '4000000000000002', status: 'FAILURE', shown: 'not paid' },
  ]) {
    it(`${card}: back at the shop's own order ${status === 'SUCCESS' ? 'paid' : 'unpaid'}, and the webhook agrees`, async () => {
      const s = await pluginScene();
      const orderId = 1967000 + Math.floor(Math.random() * 1000);
      const { sessionUrl } = await s.shop.checkout(orderId, 2500);
      expect(sessionUrl.startsWith(`${s.gw.baseUrl}/checkout/CS`)).toBe(true);

      await s.page.goto(sessionUrl);
      await s.page.locator('#card_no').pressSequentially(card);
      await s.page.locator('#exp').pressSequentially(`12${FUTURE_YEAR.slice(2)}`);
      await s.page.locator('#cvv').pressSequentially('123');
      await s.page.getByRole('button', { name: 'Pay 25.00 USD', exact: true }).click();
      await s.page.waitForURL((u) => u.origin === s.shop.origin);

      // The shop's own parameters came back as it wrote them; the gateway only added its own.
      const landed = new URL(s.page.url());
      expect(landed.searchParams.get('wc-api')).toBe('WC_Gateway_Paykka_Payment_callback');
      expect(landed.searchParams.getAll('order_id')).toEqual([String(orderId)]);
      expect(await text(s.page, '#order')).toBe(String(orderId));
      expect(await text(s.page, '#status')).toBe(shown);

      // The notification moves the same order, found by its trans_id.
      const order = await eventually('the webhook', async () => {
        const o = s.shop.orders.get(String(orderId))!;
        return o.via.includes('webhook') ? o : undefined;
      });
      expect(order.status).toBe(status);
      expect(s.blocked).toEqual([]);
    });
  }
});
