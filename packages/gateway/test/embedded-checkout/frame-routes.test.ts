/**
 * The gateway's side of drop-in and embedded checkout, without a browser: the session modes,
 * GET /cp/sessions/<id> and the card frame for the session's own merchant's client key only,
 * the frame's Content-Security-Policy (framed by the one declared origin), no reflected
 * injection through the frame's query, and the frame's payment: JSON only, the hosted page's
 * rules, and one order however many times it is sent at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { formatTime } from '../../src/domain/time.ts';
import type { TestMerchant } from '../helpers/gateway.ts';
import { type Checkout, cardForm, createSession, setup } from '../helpers/sessions.ts';

const clock = new ManualClock(Date.now());
let t: Checkout;
let other: TestMerchant;
const SHOP = 'https://shop.example';
beforeAll(async () => {
  t = await setup({ clock });
  other = await t.gw.createMerchant({ name: 'Another Shop' });
});
afterAll(() => t?.close());

const frameUrl = (sessionId: string, query: Record<string, string>) =>
  `${t.gw.baseUrl}/cp/frame/${sessionId}?${new URLSearchParams(query)}`;
const pay = (sessionId: string, body: unknown, type = 'application/json') =>
  fetch(`${t.gw.baseUrl}/cp/frame/${sessionId}/pay`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: JSON.stringify(body),
  });

describe('session modes', () => {
  it('creates DROP_IN and COMPONENT sessions, EMBEDDED read as COMPONENT', async () => {
    for (const [sent, stored] of [
      ['DROP_IN', 'DROP_IN'],
      ['COMPONENT', 'COMPONENT'],
      ['EMBEDDED', 'COMPONENT'],
    ] as const) {
      const session = await createSession(t, { session_mode: sent });
      expect(session.session_mode).toBe(stored);
      expect(session.session_id).toMatch(/^CS\d{20}$/);
      const queried = await t.client.sessions.query({ session_id: session.session_id });
      expect(queried.session_mode).toBe(stored);
    }
  });
});

describe('the static files', () => {
  it('serves the library, its stylesheet and the frame script: public, typed, revalidated, no secret', async () => {
    for (const [path, type, global] of [
      ['/cp/card-checkout-ui.js', 'text/javascript', 'PayKKaCardCheckoutUI'],
      ['/cp/card-frame.js', 'text/javascript', 'frame-config'],
      ['/cp/style.css', 'text/css', 'paykka-checkout-frame'],
    ] as const) {
      const res = await fetch(`${t.gw.baseUrl}${path}?client_key=${t.merchant.clientKey}`, {
        headers: { origin: SHOP },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(new RegExp(`^${type}`));
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const body = await res.text();
      expect(body).toContain(global);
      expect(body).not.toContain(t.merchant.clientKey);
      const again = await fetch(`${t.gw.baseUrl}${path}`, {
        headers: { 'if-none-match': res.headers.get('etag')! },
      });
      expect(again.status).toBe(304);
    }
  });
});

describe('GET /cp/sessions/<id>', () => {
  it("answers the session's status and methods to any origin, for its merchant's client key", async () => {
    const session = await createSession(t, {
      session_mode: 'DROP_IN',
      allowed_payment_methods: ['BANKCARD', 'iDEAL'],
    });
    const res = await fetch(
      `${t.gw.baseUrl}/cp/sessions/${session.session_id}?client_key=${t.merchant.clientKey}`,
      {
        headers: { origin: SHOP },
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = await res.json();
    expect(body.data).toMatchObject({
      session_id: session.session_id,
      session_mode: 'DROP_IN',
      status: 'OPEN',
      amount: 4250,
      currency: 'EUR',
      payment_methods: ['BANKCARD', 'IDEAL'],
    });
    expect(JSON.stringify(body)).not.toContain(t.merchant.merchantId);
  });

  it("refuses another merchant's client key as if the session did not exist, and an unknown key", async () => {
    const session = await createSession(t, { session_mode: 'DROP_IN' });
    const wrong = await fetch(
      `${t.gw.baseUrl}/cp/sessions/${session.session_id}?client_key=${other.clientKey}`,
    );
    expect(wrong.status).toBe(404);
    expect(wrong.headers.get('access-control-allow-origin')).toBe('*');
    expect(await wrong.json()).toMatchObject({ ret_code: '206011' });
    const unknown = await fetch(
      `${t.gw.baseUrl}/cp/sessions/CS00000000000000000000?client_key=${t.merchant.clientKey}`,
    );
    expect(await unknown.json()).toMatchObject({ ret_code: '206011' });
    for (const key of ['', 'ck_nope', `ck_${'0'.repeat(32)}`]) {
      const res = await fetch(`${t.gw.baseUrl}/cp/sessions/${session.session_id}?client_key=${key}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ ret_code: '300060' });
    }
  });
});

describe('GET /cp/frame/<id>', () => {
  it('may be framed by the declared origin only, loads only its own scripts, posts no form', async () => {
    const session = await createSession(t, { session_mode: 'COMPONENT' });
    const res = await fetch(
      frameUrl(session.session_id, { client_key: t.merchant.clientKey, origin: SHOP, component: 'card' }),
    );
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain(`frame-ancestors ${SHOP}`);
    expect(csp).toContain("form-action 'none'");
    expect(csp).toMatch(/script-src 'nonce-[^']+' 'self'/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<script src="/cp/card-frame.js"></script>');
    expect(html).toContain('id="card_no"');
  });

  it("shows a closed frame for another merchant's key, an unknown or expired session", async () => {
    const session = await createSession(t, { session_mode: 'DROP_IN' });
    const wrong = await fetch(frameUrl(session.session_id, { client_key: other.clientKey, origin: SHOP }));
    expect(wrong.status).toBe(404);
    const html = await wrong.text();
    expect(html).not.toContain('id="card_no"');
    expect(html).toContain('"closed":"missing"');
    const unknown = await fetch(frameUrl('CS1', { client_key: t.merchant.clientKey, origin: SHOP }));
    expect(unknown.status).toBe(404);

    const expiring = await createSession(t, {
      session_mode: 'DROP_IN',
      expire_time: formatTime(clock.now() + 60_000, t.gw.config.timeZone),
    });
    clock.advance(60_000);
    const expired = await fetch(
      frameUrl(expiring.session_id, { client_key: t.merchant.clientKey, origin: SHOP }),
    );
    expect(expired.status).toBe(410);
    const page = await expired.text();
    expect(page).toContain('"closed":"expired"');
    expect(page).toContain('The time to pay has run out.');
    const info = await fetch(
      `${t.gw.baseUrl}/cp/sessions/${expiring.session_id}?client_key=${t.merchant.clientKey}`,
    );
    expect((await info.json()).data.status).toBe('EXPIRED');
    const paid = await pay(expiring.session_id, { client_key: t.merchant.clientKey, ...cardForm() });
    expect((await paid.json()).data).toMatchObject({ result: 'closed', status: 'EXPIRED' });
  });

  it('reflects no injection through origin, locale or the session id', async () => {
    const session = await createSession(t, { session_mode: 'DROP_IN' });
    const attack = '"><script>alert(1)</script>';
    const badOrigin = await fetch(
      frameUrl(session.session_id, { client_key: t.merchant.clientKey, origin: `${SHOP}${attack}` }),
    );
    expect(badOrigin.status).toBe(400);
    expect(badOrigin.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await badOrigin.text()).not.toContain('<script>alert');
    const badLocale = await fetch(
      frameUrl(session.session_id, { client_key: t.merchant.clientKey, origin: SHOP, locale: attack }),
    );
    const html = await badLocale.text();
    expect(html).toContain('<html lang="en">');
    expect(html).not.toContain('<script>alert');
    const badId = await fetch(
      `${t.gw.baseUrl}/cp/frame/${encodeURIComponent(`CS${attack}`)}?client_key=${t.merchant.clientKey}&origin=${SHOP}`,
    );
    expect(badId.status).toBe(404);
    expect(await badId.text()).not.toContain('<script>alert');
  });
});

describe('POST /cp/frame/<id>/pay', () => {
  it('pays like the hosted page and answers the outcome with the return URL', async () => {
    const session = await createSession(t, { session_mode: 'DROP_IN' });
    const res = await pay(session.session_id, { client_key: t.merchant.clientKey, ...cardForm() });
    const body = await res.json();
    expect(body.data).toMatchObject({
      result: 'done',
      payment: { session_id: session.session_id, status: 'SUCCESS', payment_method: 'BANKCARD' },
    });
    expect(body.data.payment.return_url).toContain('status=SUCCESS');
    expect(JSON.stringify(body)).not.toContain('4242 4242');
  });

  it('sent five times at once: one order, every answer names it', async () => {
    const session = await createSession(t, { session_mode: 'COMPONENT' });
    const answers = await Promise.all(
      Array.from({ length: 5 }, async () =>
        (await pay(session.session_id, { client_key: t.merchant.clientKey, ...cardForm() })).json(),
      ),
    );
    const orders = new Set(answers.map((a) => a.data.payment.order_id));
    expect(orders.size).toBe(1);
    expect(t.acquirer.calls.filter((c) => orders.has(c.orderId))).toHaveLength(1);
  });

  it("refuses another merchant's key, a form post, and answers a mistyped card field by field", async () => {
    const session = await createSession(t, { session_mode: 'DROP_IN' });
    const wrong = await pay(session.session_id, { client_key: other.clientKey, ...cardForm() });
    expect(wrong.status).toBe(404);
    expect(await wrong.json()).toMatchObject({ ret_code: '206011' });
    const form = await pay(session.session_id, { client_key: t.merchant.clientKey }, 'text/plain');
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({
      ret_code: '010000',
      ret_msg: expect.stringMatching(/the body must be application\/json/),
    });
    const typo = await pay(session.session_id, {
      client_key: t.merchant.clientKey,
      ...cardForm('4242 4242 4242 4241'),
    });
    expect((await typo.json()).data).toMatchObject({ result: 'invalid', errors: { card_no: 'invalid' } });
    const stillOpen = await t.client.sessions.query({ session_id: session.session_id });
    expect(stillOpen.status).toBe('OPEN');
  });
});
