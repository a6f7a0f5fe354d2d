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

/** The shop's card page opened in a fresh browser page; `before` runs ahead of the page's scripts. */
async function cardScene(before?: (s: Scene) => Promise<void>): Promise<{ s: Scene; shop: CardShop }> {
  let shop: CardShop | undefined;
  let returnTo = '';
  const s = await scene({
    shopRoutes: async (gw, merchant) => {
      shop = await cardShop(gw, merchant, () => returnTo);
      return shop.routes;
    },
  });
  returnTo = s.shop.returnUrl('card-checkout');
  await before?.(s);
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
  it('the shopper types 4242…, encrypt() yields the card as one JWE in all four fields; the shop pays → SUCCESS', async () => {
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
    // The card is one JWE, handed out as each of the four fields, with no card digit in the clear.
    expect(new Set(Object.values(fields)).size).toBe(1);
    const parts = fields.encryptedCardNumber!.split('.');
    expect(parts).toHaveLength(5);
    // Chromium has X25519 in WebCrypto, so the library takes the gateway key's X25519 half.
    expect(JSON.parse(Buffer.from(parts[0]!, 'base64url').toString())).toMatchObject({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      kid: (await s.gw.gatewayKeys.current()).kid,
      epk: { kty: 'OKP', crv: 'X25519' },
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

  it('a browser without X25519 in WebCrypto encrypts to the P-256 half of the same key, and pays', async () => {
    const { s, shop } = await cardScene(async (s) => {
      // As in a browser released before X25519 reached WebCrypto: every X25519 operation fails.
      await s.page.addInitScript(() => {
        const subtle = crypto.subtle;
        const refuse = <T extends (...args: never[]) => Promise<unknown>>(real: T) =>
          ((...args: Parameters<T>) => {
            const algorithm = args.find((a) => typeof a === 'object' && a !== null && 'name' in a) as
              | { name?: string }
              | undefined;
            if (algorithm?.name === 'X25519')
              return Promise.reject(new DOMException('unsupported', 'NotSupportedError'));
            return real.apply(subtle, args);
          }) as T;
        subtle.generateKey = refuse(subtle.generateKey);
        subtle.importKey = refuse(subtle.importKey);
      });
    });
    await typeCard(s, { number: '4242424242424242', expiry: `12${FUTURE_YEAR.slice(2)}`, cvv: '123' });
    await s.page.getByRole('button', { name: 'Pay' }).click();
    await s.page.locator('#status:text("SUCCESS")').waitFor();
    const header = JSON.parse(
      Buffer.from(shop.received[0]!.encryptedCardNumber!.split('.')[0]!, 'base64url').toString(),
    );
    expect(header.epk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(header.kid).toBe((await s.gw.gatewayKeys.current()).kid);
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
