/**
 * Drop-in and embedded checkout in a real browser. The merchant's page (the test's shop, its
 * own origin) calls openkka's /cp/card-checkout-ui.js as a PayKKa integration does; the card
 * is typed into the card frame (the gateway's origin) and paid from there. Proven here: a plain
 * card, 3-D Secure in Chinese, iDEAL, a double submit, expiry, another merchant's client key,
 * the embedded Card with the shop's own button (card.ref.payment()), and that the merchant's
 * page can neither read the frame nor receive the card from it, nor frame it for another origin,
 * and that a message from any other window or origin is ignored by the frame and the library.
 *
 * Screenshots of the drop-in (English, Chinese) and the embedded card go to docs/screenshots/.
 */
import type { SessionCreateParams } from '@openkka/sdk';
import type { FrameLocator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { type DropInPage, type DropInShop, dropInShop } from './drop-in-shop.ts';
import {
  captureScreenshot,
  notification,
  pressAndReturn,
  type Scene,
  saveScreenshot,
  scene,
  useScenes,
} from './scene.ts';

useScenes();

interface Logged {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read callback payloads directly
  arg: any;
}

interface DropInScene {
  s: Scene;
  shop: DropInShop;
  /** Every callback the library called on the page, in order (kept across navigations). */
  events: Logged[];
  /** Every message any frame posted to the merchant's page. */
  messages: { origin: string; data: unknown }[];
}

async function dropInScene(): Promise<DropInScene> {
  let shop: DropInShop | undefined;
  const s = await scene({
    shopRoutes: async (gw) => {
      shop = dropInShop(gw);
      return shop.routes;
    },
  });
  const events: Logged[] = [];
  const messages: DropInScene['messages'] = [];
  await s.page.exposeFunction('report', (entry: Logged) => events.push(entry));
  await s.page.exposeFunction('reportMessage', (entry: DropInScene['messages'][number]) =>
    messages.push(entry),
  );
  return { s, shop: shop!, events, messages };
}

async function createSession(d: DropInScene, ref: string, overrides: Partial<SessionCreateParams> = {}) {
  return d.s.merchant.client.sessions.create({
    trans_id: `order-${ref}-${Math.random().toString(36).slice(2, 8)}`,
    session_mode: 'DROP_IN',
    currency: 'EUR',
    amount: 4250,
    return_url: d.s.shop.returnUrl(ref),
    allowed_payment_methods: ['BANKCARD', 'iDEAL'],
    ...overrides,
  });
}

/** Opens the merchant's page and waits for the card frame to be there. */
async function open(
  d: DropInScene,
  name: string,
  page: Omit<DropInPage, 'clientKey'> & { clientKey?: string },
) {
  const path = d.shop.page(name, { clientKey: d.s.merchant.clientKey, ...page });
  await d.s.page.goto(`${d.s.shop.origin}${path}`);
  return d.s.page.frameLocator('iframe.paykka-checkout-frame');
}

async function typeCard(frame: FrameLocator, pan: string): Promise<void> {
  await frame.locator('#card_no').pressSequentially(pan);
  await frame.locator('#exp').pressSequentially(`12${FUTURE_YEAR.slice(2)}`);
  await frame.locator('#cvv').pressSequentially('123');
}

const named = (d: DropInScene, name: string) => d.events.filter((e) => e.name === name);
const waitFor = (d: DropInScene, name: string) =>
  eventually(`the library to call ${name}`, async () => named(d, name)[0]);

/** Back at the shop with SUCCESS: the redirect names the session's order; answers the order. */
async function paidReturn(
  d: DropInScene,
  landed: URL,
  ref: string,
  session: { session_id: string; trans_id: string },
) {
  const order = await d.s.merchant.client.payments.query({ session_id: session.session_id });
  expect(Object.fromEntries(landed.searchParams)).toEqual({
    ref,
    trans_id: session.trans_id,
    order_id: order.order_id,
    status: 'SUCCESS',
  });
  return order;
}

/** Nothing any frame posted to the page holds a digit of the card or its CVV. */
function expectNoCardData(d: DropInScene, pan: string): void {
  const told = JSON.stringify(d.messages);
  expect(told).not.toContain(pan.slice(6, 12));
  expect(told).not.toContain(pan.slice(-4) + '"');
  expect(told).not.toMatch(/"123"|card_no"?:"?\d/);
}

describe('drop-in checkout on the merchant’s page', () => {
  it('a plain card: typed in the frame, paid, onSuccess sends the shopper back with SUCCESS', async () => {
    const d = await dropInScene();
    const session = await createSession(d, 'plain');
    expect(session.session_mode).toBe('DROP_IN');
    const frame = await open(d, 'plain', {
      sessionId: session.session_id,
      component: 'DropIn',
      onSuccess: 'redirect',
    });

    await frame.getByRole('button', { name: 'Pay 42.50 EUR', exact: true }).waitFor();
    expect(await frame.getByRole('button', { name: 'Pay with iDEAL', exact: true }).isVisible()).toBe(true);
    expect((await waitFor(d, 'onPaymentMethodsReady')).arg).toEqual(['BANKCARD', 'IDEAL']);
    await typeCard(frame, '4242424242424242');
    expect(await frame.locator('#card_no').inputValue()).toBe('4242 4242 4242 4242');
    expect(await frame.locator('#brand').getAttribute('data-brand')).toBe('VISA');
    const shot = await captureScreenshot(d.s.page, { fullPage: true });

    await frame.getByRole('button', { name: 'Pay 42.50 EUR', exact: true }).click();
    await d.s.page.waitForURL((u) => u.origin === d.s.shop.origin && u.pathname === '/return');
    const landed = new URL(d.s.page.url());
    const order = await paidReturn(d, landed, 'plain', session);
    expect(order).toMatchObject({ status: 'SUCCESS', card_info: { last4: '4242', card_brand: 'VISA' } });
    expect(named(d, 'onSubmit').map((e) => e.arg)).toEqual([{ paymentMethod: 'BANKCARD' }]);
    expect(named(d, 'onSuccess')[0]!.arg).toMatchObject({
      sessionId: session.session_id,
      orderId: order.order_id,
      transId: session.trans_id,
      status: 'SUCCESS',
      returnUrl: landed.toString(),
    });
    expect(named(d, 'onError')).toEqual([]);
    expect((await notification(d.s, order.order_id, 'PAYMENT.SUCCESS'))[0]).toMatchObject({
      session_id: session.session_id,
    });
    expectNoCardData(d, '4242424242424242');
    expect(d.s.blocked).toEqual([]);
    saveScreenshot('drop-in-en', shot);
  });

  it('a 3-D Secure card, in Chinese: the window goes to the challenge and comes back with SUCCESS', async () => {
    const d = await dropInScene();
    const session = await createSession(d, 'zh', {
      currency: 'CNY',
      amount: 8800,
      allowed_payment_methods: ['BANKCARD'],
    });
    const frame = await open(d, 'zh', {
      sessionId: session.session_id,
      component: 'DropIn',
      locale: 'zh-CN',
    });

    await frame.getByRole('button', { name: '支付 88.00 CNY', exact: true }).waitFor();
    expect(await frame.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await frame.locator('label[for="card_no"]').textContent()).toBe('卡号');
    await typeCard(frame, '4000002760003184');
    const shot = await captureScreenshot(d.s.page, { fullPage: true });

    await frame.getByRole('button', { name: '支付 88.00 CNY', exact: true }).click();
    await d.s.page.waitForURL((u) => u.pathname.startsWith('/3ds/'));
    expect(await d.s.page.locator('h1').textContent()).toBe('确认您的付款');
    await d.s.page.fill('#code', ((await d.s.page.locator('#otp').textContent()) ?? '').trim());
    const landed = await pressAndReturn(d.s, '确认付款');
    const order = await d.s.merchant.client.payments.query({ session_id: session.session_id });
    expect(order).toMatchObject({ status: 'SUCCESS', authentication_result: { authentication_status: 'Y' } });
    expect(landed.searchParams.get('status')).toBe('SUCCESS');
    expectNoCardData(d, '4000002760003184');
    expect(d.s.blocked).toEqual([]);
    saveScreenshot('drop-in-zh', shot);
  });

  it('iDEAL: chosen in the drop-in, approved at the bank page, back at the shop with SUCCESS', async () => {
    const d = await dropInScene();
    const session = await createSession(d, 'ideal', { amount: 1500 });
    const frame = await open(d, 'ideal', { sessionId: session.session_id, component: 'DropIn' });

    await frame.getByRole('button', { name: 'Pay with iDEAL', exact: true }).click();
    await d.s.page.waitForURL((u) => u.pathname.startsWith('/redirect/'));
    const landed = await pressAndReturn(d.s, 'Approve payment');
    const order = await paidReturn(d, landed, 'ideal', session);
    // The shop served its page and saw the shopper come back: the card frame is not its page.
    expect(d.s.shop.visits).toEqual(['/pay/ideal', `${landed.pathname}${landed.search}`]);
    expect(order).toMatchObject({ status: 'SUCCESS', payment: { payment_method: 'IDEAL' } });
    expect(named(d, 'onSubmit').map((e) => e.arg)).toEqual([{ paymentMethod: 'IDEAL' }]);
  });

  it('a double submit (two clicks, two payment() calls) makes one payment, told to every caller', async () => {
    const d = await dropInScene();
    const session = await createSession(d, 'double');
    const frame = await open(d, 'double', {
      sessionId: session.session_id,
      component: 'DropIn',
      onSuccess: 'record',
    });
    await typeCard(frame, '4242424242424242');

    const pay = frame.getByRole('button', { name: 'Pay 42.50 EUR', exact: true });
    await pay.dblclick();
    const paid = await waitFor(d, 'onSuccess');
    // Asked again after the payment: both calls are answered with the same order.
    const again = await d.s.page.evaluate(async () => {
      const card = (window as unknown as { card: { ref: { payment(): Promise<{ orderId: string }> } } }).card;
      const [a, b] = await Promise.all([card.ref.payment(), card.ref.payment()]);
      return [a.orderId, b.orderId];
    });
    expect(again).toEqual([paid.arg.orderId, paid.arg.orderId]);
    expect(named(d, 'onSubmit')).toHaveLength(1);
    const sent = await notification(d.s, paid.arg.orderId, 'PAYMENT.SUCCESS');
    expect(sent).toHaveLength(1);
    const queried = await d.s.merchant.client.sessions.query({ session_id: session.session_id });
    expect(queried).toMatchObject({ status: 'COMPLETED', order_id: paid.arg.orderId });
  });

  it('expiry: the session runs out while the page is open → onExpired, nothing is charged', async () => {
    const d = await dropInScene();
    const deadline = new Date(Date.now() + 5_000).toISOString().slice(0, 19);
    const session = await createSession(d, 'expiry', { expire_time: `${deadline}+00:00` });
    const frame = await open(d, 'expiry', { sessionId: session.session_id, component: 'DropIn' });

    // On a slow machine the session may be gone before init(): onExpired either way.
    expect((await waitFor(d, 'onExpired')).arg).toEqual({ sessionId: session.session_id });
    if ((await d.s.page.locator('iframe').count()) > 0) {
      await frame.locator('#frame-message:not(:empty)').waitFor();
      expect(await frame.getByRole('button', { name: 'Pay 42.50 EUR', exact: true }).isDisabled()).toBe(true);
    }
    const queried = await d.s.merchant.client.sessions.query({ session_id: session.session_id });
    expect(queried.status).toBe('EXPIRED');
    expect(queried.order_id).toBeUndefined();
  });

  it("another merchant's client key: onInitError, and no frame is drawn", async () => {
    const d = await dropInScene();
    const other = await d.s.gw.createMerchant({ name: 'Another Shop' });
    const session = await createSession(d, 'wrong-key');
    await open(d, 'wrong-key', {
      sessionId: session.session_id,
      component: 'DropIn',
      clientKey: other.clientKey,
    });

    const failed = await waitFor(d, 'onInitError');
    expect(failed.arg).toMatchObject({ code: '206011' });
    expect(await d.s.page.evaluate(() => (window as unknown as { initFailed: string }).initFailed)).toBe(
      '206011',
    );
    expect(await d.s.page.locator('iframe').count()).toBe(0);
    expect(named(d, 'onPaymentMethodsReady')).toEqual([]);
  });

  it('option injection: a javascript: returnUrl or a markup locale is refused by init()', async () => {
    const d = await dropInScene();
    const session = await createSession(d, 'inject');
    await open(d, 'inject-url', {
      sessionId: session.session_id,
      component: 'DropIn',
      returnUrl: 'javascript:alert(document.domain)',
    });
    expect((await waitFor(d, 'onInitError')).arg).toMatchObject({ code: 'INVALID_OPTION' });
    d.events.length = 0;
    await open(d, 'inject-locale', {
      sessionId: session.session_id,
      component: 'DropIn',
      locale: '"><img src=x onerror=alert(1)>',
    });
    expect((await waitFor(d, 'onInitError')).arg).toMatchObject({ code: 'INVALID_OPTION' });
    expect(await d.s.page.locator('iframe').count()).toBe(0);
  });
});

describe('the embedded card component', () => {
  it('hidePaymentButton: the shop’s own button pays through card.ref.payment()', async () => {
    const d = await dropInScene();
    const session = await createSession(d, 'embedded', { session_mode: 'EMBEDDED' });
    expect(session.session_mode).toBe('COMPONENT');
    const frame = await open(d, 'embedded', {
      sessionId: session.session_id,
      component: 'Card',
      hidePaymentButton: true,
      shopButton: true,
      onSuccess: 'redirect',
    });
    await frame.locator('#card_no').waitFor();
    // The Card is the card alone, and its own button is hidden.
    expect(await frame.locator('#pay').isHidden()).toBe(true);
    expect(await frame.getByRole('button', { name: 'Pay with iDEAL' }).count()).toBe(0);

    // Nothing typed: payment() is refused and the frame says which fields.
    await d.s.page.getByRole('button', { name: 'Place order' }).click();
    await d.s.page.locator('#outcome:text("refused INVALID_FIELDS")').waitFor();
    expect(await frame.locator('#card_no-error').textContent()).toBe('Card number is not valid.');

    // The shopper starts again on a fresh page (the screenshot shows no error from before).
    await d.s.page.reload();
    await typeCard(frame, '4242424242424242');
    const shot = await captureScreenshot(d.s.page, { fullPage: true });
    await d.s.page.getByRole('button', { name: 'Place order' }).click();
    await d.s.page.waitForURL((u) => u.origin === d.s.shop.origin && u.pathname === '/return');
    const order = await d.s.merchant.client.payments.query({ session_id: session.session_id });
    expect(order.status).toBe('SUCCESS');
    expect(named(d, 'onSuccess')[0]!.arg).toMatchObject({ orderId: order.order_id, status: 'SUCCESS' });
    expectNoCardData(d, '4242424242424242');
    expect(d.s.blocked).toEqual([]);
    saveScreenshot('embedded-card', shot);
  });
});

describe('the card frame’s isolation', () => {
  it('the merchant’s page cannot read the frame, and cannot frame it for another origin', async () => {
    const d = await dropInScene();
    const session = await createSession(d, 'isolation');
    const frame = await open(d, 'isolation', { sessionId: session.session_id, component: 'DropIn' });
    await typeCard(frame, '5555555555554444');

    const reads = await d.s.page.evaluate(() => {
      const iframe = document.querySelector('iframe')!;
      let thrown = '';
      try {
        void iframe.contentWindow!.document.body;
      } catch (err) {
        thrown = (err as Error).name;
      }
      return { contentDocument: iframe.contentDocument === null, thrown };
    });
    expect(reads).toEqual({ contentDocument: true, thrown: 'SecurityError' });
    expectNoCardData(d, '5555555555554444');

    // A frame made for another origin is refused by its frame-ancestors: it never draws.
    const src = (await d.s.page.locator('iframe').getAttribute('src'))!.replace(
      encodeURIComponent(d.s.shop.origin),
      encodeURIComponent('https://elsewhere.example'),
    );
    await d.s.page.evaluate(
      (url) =>
        new Promise<void>((resolve) => {
          const iframe = document.createElement('iframe');
          iframe.id = 'foreign';
          iframe.addEventListener('load', () => resolve());
          iframe.src = url;
          document.body.appendChild(iframe);
        }),
      src,
    );
    const drawn = await Promise.all(d.s.page.frames().map((f) => f.locator('#card_no').count()));
    expect(drawn.reduce((a, b) => a + b, 0)).toBe(1);
    const readies = d.messages.filter((m) => (m.data as { type?: string }).type === 'ready');
    expect(readies).toHaveLength(1);
  });
});

describe('the frame’s messages', () => {
  it('are read only from the expected window and origin, both ways: a forged pay or outcome does nothing', async () => {
    const d = await dropInScene();
    const session = await createSession(d, 'forged');
    const frame = await open(d, 'forged', {
      sessionId: session.session_id,
      component: 'DropIn',
      onSuccess: 'record',
    });
    await frame.locator('#card_no').waitFor();

    // Another window in the page (a sandboxed ad frame, origin "null") asks the card frame to pay
    // and tells the page that the payment succeeded, and that it must go elsewhere.
    await d.s.page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const nonce = (document.querySelector('script[nonce]') as HTMLScriptElement).nonce;
          const evil = document.createElement('iframe');
          evil.setAttribute('sandbox', 'allow-scripts');
          evil.srcdoc = `<script nonce="${nonce}">
            parent.frames[0].postMessage({ source: 'openkka-library', type: 'pay' }, '*');
            const forged = { source: 'openkka-frame', type: 'done', payment: { status: 'SUCCESS', order_id: 'forged', return_url: 'javascript:alert(1)' } };
            parent.postMessage(forged, '*');
            parent.postMessage({ source: 'openkka-frame', type: 'redirect', url: 'https://elsewhere.example/' }, '*');
          </script>`;
          evil.addEventListener('load', () => resolve());
          document.body.appendChild(evil);
        }),
    );
    await eventually('the forged messages to reach the page', async () =>
      d.messages.filter((m) => m.origin === 'null').length === 2 ? true : undefined,
    );
    // The shop's own payment() comes after: the frame answers it (nothing typed: invalid), and
    // only it. Had the forged pay been read, there would be two answers.
    const refused = await d.s.page.evaluate(async () => {
      const card = (window as unknown as { card: { ref: { payment(): Promise<unknown> } } }).card;
      return card.ref.payment().then(
        () => 'paid',
        (err: { code: string }) => err.code,
      );
    });
    expect(refused).toBe('INVALID_FIELDS');
    const gateway = new URL(d.s.gw.baseUrl).origin;
    const invalid = d.messages.filter(
      (m) => m.origin === gateway && (m.data as { type?: string }).type === 'invalid',
    );
    expect(invalid).toHaveLength(1);
    expect(named(d, 'onSuccess')).toEqual([]);
    expect(new URL(d.s.page.url()).pathname).toBe('/pay/forged');
    const queried = await d.s.merchant.client.sessions.query({ session_id: session.session_id });
    expect(queried.status).toBe('OPEN');
  });
});
