/**
 * openkka's encrypted-card library in a real browser. The merchant's card page is served by the
 * test's shop, another origin than the gateway, under a strict Content-Security-Policy; it
 * loads /cp/encrypted-card.js from the gateway (with Subresource Integrity) and draws the
 * fields. Headless Chromium types the card as a shopper would; encrypt() yields the four
 * encrypted fields (and hands them to onCardEncrypted); the shop's server posts them, signed,
 * to /apis/payments; the order is approved. A mistyped card never leaves the page, and 3-D
 * Secure continues on the gateway's challenge page and returns to the shop.
 */
import { describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { type CardShop, cardShop } from './card-shop.ts';
import { pressAndReturn, type Scene, scene, text, useScenes } from './scene.ts';

useScenes();

async function cardScene(): Promise<{ s: Scene; shop: CardShop }> {
  let shop: CardShop | undefined;
  let returnTo = '';
  const s = await scene({
    shopRoutes: async (gw, merchant) => {
      shop = await cardShop(gw, merchant, () => returnTo);
      return shop.routes;
    },
  });
  returnTo = s.shop.returnUrl('card-checkout');
  await s.page.goto(`${s.shop.origin}/card-checkout`);
  return { s, shop: shop! };
}

/** Types the card into the library's fields, key by key. */
async function typeCard(s: Scene, card: { number: string; expiry: string; cvv: string }): Promise<void> {
  await s.page.getByLabel('Card number').pressSequentially(card.number);
  await s.page.getByLabel('Expiry date').pressSequentially(card.expiry);
  await s.page.getByLabel('Security code').pressSequentially(card.cvv);
}

describe('encrypted card fields on the merchant’s own page', () => {
  it('the shopper types 4242…, encrypt() yields four JWEs, the shop pays with them → SUCCESS', async () => {
    const { s, shop } = await cardScene();
    await typeCard(s, { number: '4242424242424242', expiry: `12${FUTURE_YEAR.slice(2)}`, cvv: '123' });
    expect(await s.page.getByLabel('Card number').inputValue()).toBe('4242 4242 4242 4242');
    expect(await s.page.getByLabel('Expiry date').inputValue()).toBe(`12 / ${FUTURE_YEAR.slice(2)}`);
    // The inputs have no name: a form around them never submits the plain card.
    expect(await s.page.evaluate(() => [...new FormData(document.querySelector('form')!).keys()])).toEqual(
      [],
    );

    await s.page.getByRole('button', { name: 'Pay' }).click();
    await s.page.locator('#status:text("SUCCESS")').waitFor();

    expect(shop.received).toHaveLength(1);
    const fields = shop.received[0]!;
    expect(Object.keys(fields).sort()).toEqual([
      'encryptedCVV',
      'encryptedCardNumber',
      'encryptedExpireMonth',
      'encryptedExpireYear',
    ]);
    const parts = Object.values(fields).map((jwe) => jwe.split('.'));
    for (const p of parts) expect(p).toHaveLength(5);
    // One ephemeral key for the card, an IV per field, and no card digit in the clear.
    expect(new Set(parts.map((p) => p[0])).size).toBe(1);
    expect(new Set(parts.map((p) => p[2])).size).toBe(4);
    expect(JSON.parse(Buffer.from(parts[0]![0]!, 'base64url').toString())).toMatchObject({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      kid: (await s.gw.gatewayKeys.current()).kid,
    });
    expect(JSON.stringify(fields)).not.toMatch(/4242|123"/);
    // encrypt() resolved with the same fields it handed to onCardEncrypted.
    const { resolved, callbacks } = await s.page.evaluate(() => ({
      resolved: (window as unknown as { resolved: unknown }).resolved,
      callbacks: (window as unknown as { callbacks: unknown[] }).callbacks,
    }));
    expect(resolved).toEqual(fields);
    expect(callbacks).toEqual([fields]);

    const orderId = (await s.page.locator('#status').getAttribute('data-order-id'))!;
    const order = await s.merchant.client.payments.query({ order_id: orderId });
    expect(order).toMatchObject({
      status: 'SUCCESS',
      amount: 2500,
      card_info: { bin: '424242', last4: '4242' },
    });
    expect(s.blocked).toEqual([]);
  });

  it('a mistyped card is stopped on the page: encrypt() rejects with each field’s problem, nothing is sent', async () => {
    const { s, shop } = await cardScene();
    await typeCard(s, { number: '4242424242424241', expiry: '1320', cvv: '' });
    await s.page.getByRole('button', { name: 'Pay' }).click();
    await s.page.locator('#error:not(:empty)').waitFor();
    expect(await text(s.page, '#error')).toBe(
      'EncryptedCardError INVALID_FIELDS {"cardNumber":"invalid","expiryDate":"invalid","securityCode":"required"}',
    );
    expect(await s.page.getByLabel('Card number').getAttribute('aria-invalid')).toBe('true');
    expect(
      await s.page.getByLabel('Card number').evaluate((el) => (el as HTMLInputElement).style.color),
    ).toBe('rgb(180, 35, 24)');
    // An expiry in the past is its own problem.
    await s.page.getByLabel('Expiry date').fill('');
    await s.page.getByLabel('Expiry date').pressSequentially('0120');
    await s.page.getByLabel('Card number').fill('');
    await s.page.getByLabel('Card number').pressSequentially('4242424242424242');
    await s.page.getByLabel('Security code').pressSequentially('123');
    await s.page.getByRole('button', { name: 'Pay' }).click();
    await s.page.locator('#error:text("expired")').waitFor();
    expect(await text(s.page, '#error')).toBe('EncryptedCardError INVALID_FIELDS {"expiryDate":"expired"}');
    expect(shop.received).toEqual([]);
    expect(s.blocked).toEqual([]);
  });

  it('a 3-D Secure card goes on to the challenge page and comes back to the shop approved', async () => {
    const { s } = await cardScene();
    await typeCard(s, { number: '4000002760003184', expiry: `12${FUTURE_YEAR.slice(2)}`, cvv: '737' });
    await s.page.getByRole('button', { name: 'Pay' }).click();
    await s.page.waitForURL((u) => u.pathname.startsWith('/3ds/'));
    const code = await text(s.page, '#otp');
    await s.page.fill('#code', code);
    const landed = await pressAndReturn(s, 'Confirm payment');
    const order = await s.merchant.client.payments.query({ order_id: landed.searchParams.get('order_id')! });
    expect(order.status).toBe('SUCCESS');
    expect(Object.fromEntries(landed.searchParams)).toEqual({
      ref: 'card-checkout',
      trans_id: order.trans_id,
      order_id: order.order_id,
      status: 'SUCCESS',
    });
    expect(await text(s.page, '#status')).toBe('SUCCESS');
    // The shop saw its page, its payment call, and the shopper coming back: nothing else.
    expect(s.shop.visits).toEqual([
      '/card-checkout',
      '/card-checkout/pay',
      `${landed.pathname}${landed.search}`,
    ]);
    expect(s.blocked).toEqual([]);
  });
});
