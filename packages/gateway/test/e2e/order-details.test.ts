/**
 * A session's goods, bill-to and ship-to in a real browser (docs/checkout.md#the-checkout-page):
 * the hosted page and the drop-in's frame list each line with its https picture, quantity ×
 * price and line total, then who the order is for; in English and in Chinese. A name and a
 * description written as markup are shown as text, run nothing and add no element; the
 * picture's own host is the only one the page may load an image from, and the http picture
 * is not shown at all. Paying still works, and the order's query answers the goods.
 */
import type { SessionCreateParams } from '@openkka/sdk';
import type { Frame, FrameLocator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { dropInShop } from './drop-in-shop.ts';
import { pressAndReturn, type Scene, scene, text, useScenes } from './scene.ts';

useScenes();

const PICTURES = 'https://pictures.example';
// A 1×1 PNG: what the test's picture host answers.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

const XSS_NAME = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>Oolong';
const XSS_DESCRIPTION =
  '&lt;b onclick=alert(3)&gt;bold&lt;/b&gt; <svg onload="window.__xss=4"></svg>Rolled leaves';

const GOODS: SessionCreateParams['goods'] = [
  {
    name: XSS_NAME,
    description: XSS_DESCRIPTION,
    price: 1250,
    quantity: 2,
    picture_url: `${PICTURES}/oolong.png`,
    link: 'https://shop.example/oolong',
  },
  { name: 'Tea cups', price: 1350, quantity: 1, picture_url: 'http://plain.example/cups.png' },
];
const DETAILS: Partial<SessionCreateParams> = {
  currency: 'USD',
  amount: 3850,
  goods: GOODS,
  bill: { first_name: 'Mei', last_name: 'Lin', city: 'Shanghai', country: 'CN', email: 'mei@example.com' },
  shipping: {
    first_name: 'Ada',
    last_name: 'Lovelace',
    city: 'London',
    country: 'GB',
    phone_number: '2079460000',
  },
};

/**
 * Serves the picture host (the only request to it the page may make), records what the
 * browser reports refused by a Content-Security-Policy, and any dialog a script opened.
 */
async function watch(page: Page) {
  const refused: string[] = [];
  const dialogs: string[] = [];
  const pictures: string[] = [];
  await page.route(`${PICTURES}/**`, (route) => {
    pictures.push(route.request().url());
    return route.fulfill({ status: 200, contentType: 'image/png', body: PNG });
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    return d.dismiss();
  });
  return { refused, dialogs, pictures };
}

/** The goods list as the shopper sees it, in a page or in the drop-in's frame. */
async function expectGoodsShown(root: Page | FrameLocator, quantity: string) {
  const lines = root.locator('#goods li');
  expect(await lines.count()).toBe(2);
  // The markup is text: same characters on screen, no element made from it.
  expect(await lines.nth(0).locator('.name').textContent()).toBe(XSS_NAME);
  expect(await lines.nth(0).locator('.description').textContent()).toBe(
    '<b onclick=alert(3)>bold</b> Rolled leaves',
  );
  expect(await root.locator('#goods script, #goods svg, #goods b, img[src="x"]').count()).toBe(0);
  expect(await lines.nth(0).locator('.quantity').textContent()).toBe(quantity);
  expect(await lines.nth(0).locator('.line-total').textContent()).toBe('25.00 USD');
  expect(await lines.nth(1).locator('.line-total').textContent()).toBe('13.50 USD');
  // The https picture is shown and loaded; the http one is left out, its place kept.
  const picture = lines.nth(0).locator('img.picture');
  expect(await picture.getAttribute('src')).toBe(`${PICTURES}/oolong.png`);
  await expect
    .poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(1);
  expect(await lines.nth(1).locator('img').count()).toBe(0);
  expect(await lines.nth(1).locator('span.picture').count()).toBe(1);
}

async function createSession(s: Scene, ref: string, overrides: Partial<SessionCreateParams> = {}) {
  return s.merchant.client.sessions.create({
    trans_id: `order-${ref}-${Math.random().toString(36).slice(2, 8)}`,
    return_url: s.shop.returnUrl(ref),
    ...DETAILS,
    ...overrides,
  } as SessionCreateParams);
}

async function typeCard(root: Page | FrameLocator): Promise<void> {
  await root.locator('#card_no').pressSequentially('4242424242424242');
  await root.locator('#exp').pressSequentially(`12${FUTURE_YEAR.slice(2)}`);
  await root.locator('#cvv').pressSequentially('123');
}

const xssRan = (target: Page | Frame) => target.evaluate(() => (window as { __xss?: number }).__xss ?? null);

describe('goods, bill-to and ship-to in headless Chromium', () => {
  it('the hosted page lists them escaped, loads the https picture only, and still pays', async () => {
    const s = await scene();
    const seen = await watch(s.page);
    const session = await createSession(s, 'goods-en');

    await s.page.goto(session.session_url);
    await expectGoodsShown(s.page, '2 × 12.50 USD');
    expect(await text(s.page, '#amount')).toBe('38.50 USD');
    expect(await text(s.page, '#bill-to')).toBe('Mei Lin, Shanghai, China');
    expect(await text(s.page, '#ship-to')).toBe('Ada Lovelace, London, United Kingdom');
    // Who the order is for, and nothing to reach them by.
    const body = (await s.page.locator('main').textContent()) ?? '';
    expect(body).not.toContain('mei@example.com');
    expect(body).not.toContain('2079460000');
    expect(await xssRan(s.page)).toBeNull();

    await typeCard(s.page);
    await pressAndReturn(s, 'Pay 38.50 USD');
    const order = await s.merchant.client.payments.query({ session_id: session.session_id });
    expect(order.status).toBe('SUCCESS');
    expect(order.goods).toHaveLength(2);
    expect(order.goods![0]).toMatchObject({ name: XSS_NAME, description: XSS_DESCRIPTION, price: 1250 });
    expect(seen.pictures).toEqual([`${PICTURES}/oolong.png`]);
    expect(seen.refused).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    expect(s.blocked).toEqual([]);
  });

  it('the Chinese page shows them in Chinese', async () => {
    const s = await scene();
    const seen = await watch(s.page);
    const session = await createSession(s, 'goods-zh', { display_locale: 'zh-CN' });

    await s.page.goto(session.session_url);
    expect(await s.page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await s.page.locator('#goods').getAttribute('aria-label')).toBe('您的订单');
    await expectGoodsShown(s.page, '2 件 × 12.50 USD');
    expect(await s.page.locator('#parties dt').allTextContents()).toEqual(['账单地址', '收货地址']);
    expect(await text(s.page, '#bill-to')).toBe('Mei Lin，Shanghai，中国');
    expect(await text(s.page, '#ship-to')).toBe('Ada Lovelace，London，英国');
    expect(await xssRan(s.page)).toBeNull();
    expect(seen.refused).toEqual([]);
    expect(s.blocked).toEqual([]);
  });

  it('the drop-in’s frame lists them too, escaped, with the picture; the Card component does not', async () => {
    let shop: ReturnType<typeof dropInShop> | undefined;
    const s = await scene({
      shopRoutes: async (gw) => {
        shop = dropInShop(gw);
        return shop.routes;
      },
    });
    const seen = await watch(s.page);
    const session = await createSession(s, 'goods-dropin', {
      session_mode: 'DROP_IN',
      allowed_payment_methods: ['BANKCARD'],
    });
    const path = shop!.page('goods', {
      sessionId: session.session_id,
      clientKey: s.merchant.clientKey,
      component: 'DropIn',
      onSuccess: 'redirect',
    });
    await s.page.goto(`${s.shop.origin}${path}`);
    const frame = s.page.frameLocator('iframe.paykka-checkout-frame');
    await frame.locator('#goods').waitFor();

    await expectGoodsShown(frame, '2 × 12.50 USD');
    expect(await frame.locator('#amount').textContent()).toBe('38.50 USD');
    expect(await frame.locator('#ship-to').textContent()).toBe('Ada Lovelace, London, United Kingdom');
    const inner = s.page.frames().find((f) => f.url().includes('/cp/frame/'))!;
    expect(await xssRan(inner)).toBeNull();
    expect(await xssRan(s.page)).toBeNull();

    await typeCard(frame);
    await frame.getByRole('button', { name: 'Pay 38.50 USD', exact: true }).click();
    await s.page.waitForURL((u) => u.origin === s.shop.origin && u.pathname === '/return');
    const order = await s.merchant.client.payments.query({ session_id: session.session_id });
    expect(order).toMatchObject({ status: 'SUCCESS', shipping: { city: 'London', country: 'GB' } });

    // The embedded Card is the card fields alone, whatever the session holds.
    const card = await createSession(s, 'goods-card', { session_mode: 'COMPONENT' });
    const cardPath = shop!.page('card', {
      sessionId: card.session_id,
      clientKey: s.merchant.clientKey,
      component: 'Card',
    });
    await s.page.goto(`${s.shop.origin}${cardPath}`);
    const cardFrame = s.page.frameLocator('iframe.paykka-checkout-frame');
    await cardFrame.locator('#card_no').waitFor();
    expect(await cardFrame.locator('#goods, #parties').count()).toBe(0);

    expect(seen.pictures).toEqual([`${PICTURES}/oolong.png`]);
    expect(seen.refused).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    expect(s.blocked).toEqual([]);
  });
});
