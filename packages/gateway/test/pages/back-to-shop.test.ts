/**
 * Every page that sends the shopper back to the shop (hosted checkout, 3-D Secure, a redirect
 * method's bank page) keeps the shop's own URL: no parameter the shop wrote is replaced, and
 * openkka's trans_id, order_id, session_id and status are added only under names the URL
 * does not use. The v1.2 WooCommerce plugin's return_url carries its own order_id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { press, redirectBody, redirected } from '../helpers/redirects.ts';
import { cardForm, postForm, sessionBody } from '../helpers/sessions.ts';
import { type ShopperGateway, startShopperGateway } from '../helpers/shopper-gateway.ts';
import { CHALLENGE_CARDS, challengeBody, challenged, pass } from '../helpers/three-ds.ts';

const PLUGIN_RETURN = 'https://shop.example/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=1967860';

let t: ShopperGateway;
beforeAll(async () => {
  t = await startShopperGateway();
});
afterAll(() => t?.close());

describe("the shop's return_url keeps its own parameters", () => {
  it('after paying on the hosted checkout page', async () => {
    const session = await t.client.sessions.create(sessionBody({ return_url: PLUGIN_RETURN }));
    const paid = await postForm(session.session_url, cardForm());
    expect(paid.status).toBe(303);
    expect(paid.location).toBe(`${PLUGIN_RETURN}&trans_id=${session.trans_id}&status=SUCCESS`);
    // openkka's own order id is still there for the shop that wants it: in the session and the order.
    const queried = await t.client.sessions.query({ session_id: session.session_id });
    expect(queried.order_id).toMatch(/^GW\d{20}$/);
    expect(new URL(paid.location!).searchParams.getAll('order_id')).toEqual(['1967860']);
  });

  it('after leaving the checkout page by its cancel button', async () => {
    const cancelUrl = 'https://shop.example/cart?session_id=cart-9&status=open';
    const session = await t.client.sessions.create(sessionBody({ cancel_url: cancelUrl }));
    const left = await postForm(`${session.session_url}/cancel`, {});
    expect(left.status).toBe(303);
    expect(left.location).toBe(`${cancelUrl}&trans_id=${session.trans_id}`);
  });

  it('after a 3-D Secure challenge', async () => {
    const body = challengeBody(CHALLENGE_CARDS.approve, { return_url: PLUGIN_RETURN });
    const { url } = await challenged(t, body);
    const back = await pass(url);
    expect(back.status).toBe(303);
    expect(back.location).toBe(`${PLUGIN_RETURN}&trans_id=${body.trans_id}&status=SUCCESS`);
  });

  it("after a redirect method's bank page", async () => {
    const body = redirectBody('iDEAL', { return_url: PLUGIN_RETURN });
    const { url } = await redirected(t, body);
    const back = await press(url, 'decline');
    expect(back.status).toBe(303);
    expect(back.location).toBe(`${PLUGIN_RETURN}&trans_id=${body.trans_id}&status=FAILURE`);
  });

  it('adds all three where the shop named none, after its own query as written', async () => {
    const returnUrl = 'https://shop.example/done?q=a%20b&flag#receipt';
    const body = redirectBody('iDEAL', { return_url: returnUrl });
    const { order, url } = await redirected(t, body);
    const back = await press(url, 'approve');
    expect(back.location).toBe(
      `https://shop.example/done?q=a%20b&flag&trans_id=${body.trans_id}&order_id=${order.order_id}&status=SUCCESS#receipt`,
    );
  });
});
