/**
 * Response headers (docs/security.md#response-headers): every shopper page says where its forms
 * may lead (form-action: the gateway, and the shop's return and cancel URLs its posts redirect
 * to; a card frame nowhere), every answer is nosniff, and API answers of both wires, refusals
 * included, are never stored by a cache. The static browser files keep their ETag caching.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type RawResponse, rawPost, signedPost } from '../helpers/raw.ts';
import { newTestNonce, v3Post } from '../helpers/v3.ts';

let gw: TestGateway;
let merchant: TestMerchant;
beforeAll(async () => {
  gw = await startGateway();
  merchant = await gw.createMerchant();
});
afterAll(() => gw?.close());

const RETURN_URL = 'https://shop.example/return?cart=7';
const CANCEL_URL = 'https://cart.shop.example:8443/cart';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function get(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url.startsWith('http') ? url : `${gw.baseUrl}${url}`, {
    redirect: 'manual',
    ...init,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const postForm = (url: string, fields: Record<string, string>) =>
  get(url, { method: 'POST', body: new URLSearchParams(fields) });

/** The form-action directive of an answer's Content-Security-Policy. */
function formAction(answer: Answer): string | undefined {
  const csp = answer.headers.get('content-security-policy') ?? '';
  return /(?:^|;\s*)form-action ([^;]+)/.exec(csp)?.[1];
}

function expectNosniff(answer: { headers: Headers }): void {
  expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
}

/** A JSON answer of the API: never stored, never sniffed. */
function expectApiHeaders(answer: RawResponse | Answer, status: number): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expectNosniff(answer);
}

describe('form-action on every shopper page', () => {
  it("3-D Secure: the challenge (shown and after a wrong code) may lead only back to the gateway and return_url's origin", async () => {
    const order = await merchant.client.payments.create(
      cardPayment({ return_url: RETURN_URL }, { card_no: '4000002760003184', cvv: '737' }),
    );
    const url = order.authentication_result!.authentication_url!;
    for (const page of [await get(url), await postForm(url, { action: 'complete', code: 'x' })]) {
      expect(page.status).toBe(200);
      expect(formAction(page)).toBe("'self' https://shop.example");
      expect(page.headers.get('cache-control')).toBe('no-store');
      expectNosniff(page);
    }
    // The pass redirects to return_url: the origin named above.
    const otp = /id="otp">(\d+)</.exec((await get(url)).text)![1]!;
    const passed = await postForm(url, { action: 'complete', code: otp });
    expect(passed.status).toBe(303);
    expect(new URL(passed.headers.get('location')!).origin).toBe('https://shop.example');
    expectNosniff(passed);
    // Finished, the page has no form that leads to the shop.
    const done = await get(url);
    expect(formAction(done)).toBe("'self'");
  });

  it("a bank page may lead only back to the gateway and return_url's origin; a missing one to the gateway", async () => {
    const order = await merchant.client.payments.create({
      trans_id: `h-${Date.now()}-${Math.random()}`,
      payment_type: 'PURCHASE',
      currency: 'EUR',
      amount: 2500,
      return_url: RETURN_URL,
      payment: { payment_method: 'iDEAL' },
    } as never);
    const page = await get(order.redirect_url!);
    expect(page.status).toBe(200);
    expect(formAction(page)).toBe("'self' https://shop.example");
    expectNosniff(page);
    const missing = await get('/redirect/GW1.nothing');
    expect(missing.status).toBe(404);
    expect(formAction(missing)).toBe("'self'");
  });

  it("hosted checkout may lead to the gateway, return_url's origin and cancel_url's origin", async () => {
    const session = await merchant.client.sessions.create({
      trans_id: `h-${Date.now()}-${Math.random()}`,
      currency: 'EUR',
      amount: 4250,
      return_url: RETURN_URL,
      cancel_url: CANCEL_URL,
    });
    const page = await get(session.session_url);
    expect(page.status).toBe(200);
    expect(formAction(page)).toBe("'self' https://shop.example https://cart.shop.example:8443");
    expect(page.headers.get('cache-control')).toBe('no-store');
    expectNosniff(page);
    // The cancel button posts to the gateway, which redirects to cancel_url.
    const left = await postForm(`${session.session_url}/cancel`, {});
    expect(left.status).toBe(303);
    expect(new URL(left.headers.get('location')!).origin).toBe('https://cart.shop.example:8443');
    // A closed session only links back: its page's forms lead nowhere but the gateway.
    const closed = await get(session.session_url);
    expect(closed.status).toBe(410);
    expect(formAction(closed)).toBe("'self'");
  });

  it('the card frame posts no form anywhere', async () => {
    const session = await merchant.client.sessions.create({
      trans_id: `h-${Date.now()}-${Math.random()}`,
      currency: 'EUR',
      amount: 4250,
      return_url: RETURN_URL,
    });
    const query = new URLSearchParams({ client_key: merchant.clientKey, origin: 'https://shop.example' });
    const frame = await get(`/cp/frame/${session.session_id}?${query}`);
    expect(frame.status).toBe(200);
    expect(formAction(frame)).toBe("'none'");
    expectNosniff(frame);
  });
});

describe('API answers: no-store and nosniff, refusals included', () => {
  it('over v1.2: an answer, a bad signature, malformed JSON, an unknown path, a wrong method', async () => {
    const body = { merchant_id: merchant.merchantId, timestamp: Date.now(), ...cardPayment() };
    expectApiHeaders(await signedPost(gw.baseUrl, '/apis/payments', body, merchant), 200);
    expectApiHeaders(
      await rawPost(gw.baseUrl, '/apis/payments', JSON.stringify(body), { signature: 'AAAA' }),
      401,
    );
    expectApiHeaders(await rawPost(gw.baseUrl, '/apis/payments', '{'), 400);
    expectApiHeaders(await rawPost(gw.baseUrl, '/no/such/path', '{}'), 404);
    expectApiHeaders(await get('/apis/payments'), 405);
  });

  it('over v3: an answer, a bad signature, an unknown path', async () => {
    const signer = { appId: merchant.merchantId, privateKey: merchant.privateKey };
    const body = JSON.stringify({ merchant_id: merchant.merchantId, ...cardPayment() });
    expectApiHeaders(await v3Post(gw.baseUrl, '/v3/payment/acq/pay', body, signer), 200);
    const forged = await v3Post(gw.baseUrl, '/v3/payment/acq/pay', body, signer, {
      headers: { 'x-paykka-sign': 'AAAA', 'x-paykka-nonce': newTestNonce() },
    });
    expectApiHeaders(forged, 401);
    expectApiHeaders(await v3Post(gw.baseUrl, '/v3/payment/acq/nothing', body, signer), 404);
  });

  it("the browser library's key lookup, answered or refused", async () => {
    expectApiHeaders(await get(`/cp/keys/${merchant.clientKey}`), 200);
    expectApiHeaders(await get('/cp/keys/unknown'), 404);
  });
});

describe('answers written before Fastify reads a request', () => {
  it('a malformed request is answered 400 in the envelope, nosniff and no-store', async () => {
    const { port } = new URL(gw.baseUrl);
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('latin1');
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head.toLowerCase()).toContain('x-content-type-options: nosniff\r\n');
    expect(head.toLowerCase()).toContain('cache-control: no-store\r\n');
  });
});

describe('static browser files', () => {
  it.each(['/cp/encrypted-card.js', '/cp/card-checkout-ui.js', '/cp/card-frame.js', '/cp/style.css'])(
    '%s keeps its public caching with an ETag, and is nosniff',
    async (path) => {
      const first = await get(path);
      expect(first.status).toBe(200);
      expect(first.headers.get('cache-control')).toBe('public, max-age=3600');
      expectNosniff(first);
      const etag = first.headers.get('etag')!;
      const again = await get(path, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expectNosniff(again);
    },
  );
});
