// /openapi.json against the gateway that serves it: the document is the one built from the
// gateway's own schemas, it names exactly the API routes the gateway registers, and real answers
// of every operation, over both wires, fit the answers it describes (refusals included).
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import { buildApp } from '../../src/app.ts';
import { systemClock } from '../../src/domain/clock.ts';
import type { OperationName } from '../../src/operations/index.ts';
import { buildDocument, componentNames, type OpenApiDocument } from '../../src/protocols/openapi/document.ts';
import { API_OPERATIONS } from '../../src/protocols/v1/index.ts';
import { V3_OPERATIONS } from '../../src/protocols/v3/index.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { schemaCheck } from '../helpers/openapi.ts';
import { type RawResponse, rawPost, signedPost } from '../helpers/raw.ts';
import { v3Post } from '../helpers/v3.ts';

type WireKey = 'V12' | 'V3';

let gw: TestGateway;
let merchant: TestMerchant;
let doc: OpenApiDocument;

beforeAll(async () => {
  gw = await startGateway();
  merchant = await gw.createMerchant();
  doc = (await (await fetch(`${gw.baseUrl}/openapi.json`)).json()) as OpenApiDocument;
});
afterAll(() => gw.close());

const unique = (what: string) => `${what}-${Math.random().toString(36).slice(2, 10)}`;

describe('GET /openapi.json', () => {
  it("is the description built from the gateway's own schemas, public and revalidated", async () => {
    const res = await fetch(`${gw.baseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = await res.json();
    expect(body).toEqual(
      JSON.parse(
        JSON.stringify(buildDocument({ v12: API_OPERATIONS, v3: V3_OPERATIONS }, gw.config.timeZone)),
      ),
    );
    expect(body.openapi).toBe('3.1.0');

    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const again = await fetch(`${gw.baseUrl}/openapi.json`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const stale = await fetch(`${gw.baseUrl}/openapi.json`, { headers: { 'if-none-match': '"other"' } });
    expect(stale.status).toBe(200);
  });

  it('holds no secret of the running gateway: no key, no merchant, no address', async () => {
    const text = await (await fetch(`${gw.baseUrl}/openapi.json`)).text();
    expect(text).not.toContain(merchant.merchantId);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(gw.platformPublicKeyPem.split('\n')[1]!);
    expect(text).not.toContain(new URL(gw.baseUrl).host);
  });

  it('refuses any other method in the envelope, never a 5xx', async () => {
    for (const path of ['/openapi.json', '/docs']) {
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const res = await fetch(`${gw.baseUrl}${path}`, { method, body: '{}' });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(await res.json()).toEqual({ ret_code: '300003', ret_msg: `No such operation: ${path}` });
      }
    }
    // A query string changes nothing; a path beside them is not served.
    expect((await fetch(`${gw.baseUrl}/openapi.json?<script>=1`)).status).toBe(200);
    for (const path of ['/docs/', '/docs/x', '/openapi.yaml', '/docs/index.html']) {
      const res = await fetch(`${gw.baseUrl}${path}`);
      expect(res.status, path).toBe(404);
    }
  });
});

describe('GET /docs', () => {
  it('is a page under a policy that lets nothing run or load, revalidated by its ETag', async () => {
    const res = await fetch(`${gw.baseUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/,
    );
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const page = await res.text();
    expect(/<(script|link|img|iframe|object|embed)\b|\ssrc=/i.test(page)).toBe(false);
    for (const path of Object.keys(doc.paths)) expect(page).toContain(`<code>${path}</code>`);
    const again = await fetch(`${gw.baseUrl}/docs`, {
      headers: { 'if-none-match': res.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('writes nothing of the request into the page', async () => {
    const probe = '<script>alert(1)</script>';
    const res = await fetch(`${gw.baseUrl}/docs?q=${encodeURIComponent(probe)}#${probe}`, {
      headers: { 'accept-language': probe, referer: `https://evil.example/${probe}` },
    });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).not.toContain('<script');
    expect(page).not.toContain('evil.example');
    expect(page).toBe(await (await fetch(`${gw.baseUrl}/docs`)).text());
  });
});

describe('the routes described are the routes served', () => {
  // What the gateway serves besides the API, each described in docs/api.md#routes instead.
  const NOT_API = /^\/(3ds|redirect|checkout|cp|admin|dashboard)(\/|$)|^\/(openapi\.json|docs)$/;

  it('names every API route the gateway registers, and only those', async () => {
    const app = buildApp({
      ...gw.runtime,
      acquirer: new SimulatedAcquirer({ clock: systemClock }),
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      settings: gw.config,
    }).app;
    const routes: string[] = [];
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
    });
    await app.ready();
    await app.close();

    const api = routes.filter((r) => !NOT_API.test(r.split(' ')[1]!));
    const described = Object.keys(doc.paths).map((path) => `POST ${path}`);
    expect([...new Set(api)].sort()).toEqual(described.sort());
    // And the routes that are not the API were seen too: the filter is not hiding everything.
    expect(routes).toContain('GET /openapi.json');
    expect(routes).toContain('GET /docs');
    expect(routes.some((r) => r.startsWith('GET /checkout/'))).toBe(true);
  });

  it('describes the request id on every operation: the header asked for and the one answered', () => {
    const operations = Object.entries(doc.paths);
    expect(operations.length).toBeGreaterThan(10);
    for (const [path, { post }] of operations) {
      const parameters = post.parameters as { name: string; in: string }[];
      expect(
        parameters.find((p) => p.name === 'x-request-id'),
        path,
      ).toMatchObject({ in: 'header' });
    }
    for (const wire of ['V12', 'V3']) expect(doc.components.headers).toHaveProperty(`${wire}-x-request-id`);
  });

  it('serves every path it describes, as a POST behind the signature', async () => {
    for (const path of Object.keys(doc.paths)) {
      const res = await rawPost(gw.baseUrl, path, '{}');
      expect(res.status, path).toBe(401);
      expect(res.json.ret_code, path).toBe('206002');
      expect(schemaCheck(doc, 'Refusal')(res.json), path).toBeUndefined();
    }
  });
});

describe('real answers fit the answers described', () => {
  const checked = new Set<string>();

  /** The path of `name` on `wire`; v1.2's n-th when it has several (bare, /apis, /session). */
  function pathOf(wire: WireKey, name: OperationName, n = 0): string {
    const routes = wire === 'V12' ? API_OPERATIONS : V3_OPERATIONS;
    const paths = Object.keys(routes).filter((p) => routes[p] === name);
    return paths[n % paths.length]!;
  }

  async function call(wire: WireKey, name: OperationName, fields: Record<string, unknown>, n = 0) {
    const path = pathOf(wire, name, n);
    const res: RawResponse =
      wire === 'V12'
        ? await signedPost(
            gw.baseUrl,
            path,
            { merchant_id: merchant.merchantId, timestamp: Date.now(), version: 'v1.2', ...fields },
            merchant,
          )
        : await v3Post(gw.baseUrl, path, JSON.stringify(fields), {
            appId: merchant.merchantId,
            privateKey: merchant.privateKey,
          });
    expect(res.status, `${path}: ${res.text}`).toBe(200);
    const problems = schemaCheck(doc, componentNames(name, wire).answer)(res.json);
    expect(problems, `${path} answered ${res.text}`).toBeUndefined();
    for (const header of Object.keys(doc.components.headers).filter((h) => h.startsWith(`${wire}-`))) {
      expect(res.headers.get(header.slice(wire.length + 1)), `${path}: ${header}`).not.toBeNull();
    }
    checked.add(`${wire} ${name}`);
    // biome-ignore lint/suspicious/noExplicitAny: tests read answer fields directly
    return res.json.data as any;
  }

  for (const wire of ['V12', 'V3'] as const) {
    it(`over ${wire === 'V12' ? 'v1.2' : 'v3'}: every operation, and the optional parts of the answers`, async () => {
      const shopper = unique('shopper');
      const stored = await call(
        wire,
        'pay',
        cardPayment(
          { trans_id: unique('pay') },
          { store_payment_method: true, shopper_reference: shopper, token_usage: 'CARD_ON_FILE' },
        ),
      );
      expect(stored.status).toBe('SUCCESS');
      expect(stored.token).toMatch(/^TK/);
      await call(wire, 'queryPayment', { order_id: stored.order_id }, 1);
      const declined = await call(
        wire,
        'pay',
        cardPayment({ trans_id: unique('pay') }, { card_no: '4000000000000002' }),
      );
      expect(declined.error_code).toBe('5001');
      const challenged = await call(
        wire,
        'pay',
        cardPayment({ trans_id: unique('pay') }, { card_no: '4000002760003184' }),
      );
      expect(challenged.authentication_result.authentication_url).toMatch(/\/3ds\//);
      const redirected = await call(wire, 'pay', {
        ...cardPayment({ trans_id: unique('pay'), currency: 'EUR' }),
        payment: { payment_method: 'IDEAL' },
      });
      expect(redirected.redirect_url).toMatch(/\/redirect\//);

      const authorized = await call(
        wire,
        'pay',
        cardPayment({ trans_id: unique('pay'), authorisation_type: 'PRE_AUTH', capture_method: 'MANUAL' }),
      );
      const captured = await call(wire, 'capture', {
        order_id: authorized.order_id,
        amount: 400,
        currency: 'USD',
        capture_final: false,
      });
      expect(captured.balances.captured_amount).toBe(400);
      await call(wire, 'void', { order_id: authorized.order_id, reason: 'OTHER' }, 1);

      const refundTransId = unique('refund');
      const refund = await call(wire, 'refund', {
        refund_trans_id: refundTransId,
        ori_order_id: stored.order_id,
        refund_amount: 300,
        currency: 'USD',
      });
      await call(wire, 'queryRefund', { refund_order_id: refund.refund_order_id }, 1);

      const tokens = await call(wire, 'queryTokens', { shopper_reference: shopper });
      expect(tokens.map((t: { token: string }) => t.token)).toEqual([stored.token]);
      await call(wire, 'removeToken', { token: stored.token, shopper_reference: shopper }, 1);

      const first = await call(
        wire,
        'pay',
        cardPayment(
          { trans_id: unique('pay'), payment_type: 'RECURRING', mit: false },
          { store_payment_method: true, shopper_reference: shopper, token_usage: 'SUBSCRIPTION' },
        ),
      );
      expect(first.recurring_agreement_id).toMatch(/^RA/);
      await call(wire, 'cancelRecurring', {
        recurring_agreement_id: first.recurring_agreement_id,
        shopper_reference: shopper,
      });

      const goods = [{ name: 'Oolong <b>tea</b>', price: 500, quantity: 2 }];
      for (const n of [0, 1, 2]) {
        const session = await call(
          wire,
          'createSession',
          {
            trans_id: unique('session'),
            currency: 'USD',
            amount: 1000,
            return_url: 'https://shop.example/return',
            cancel_url: 'https://shop.example/cancel',
            display_locale: 'en',
            goods,
            bill: { first_name: 'Mei', country: 'CN' },
            shipping: { first_name: 'Ada', country: 'GB' },
          },
          n,
        );
        await call(wire, 'querySession', { session_id: session.session_id }, n);
        if (n === 0 && wire === 'V3') {
          // Not paid yet: v3 answers it as a success with 4032.
          const unpaid = await call(wire, 'queryPayment', { session_id: session.session_id });
          expect(unpaid.error_code).toBe('4032');
        }
      }
      const apple = await call(wire, 'appleSession', { domain_name: 'shop.example.com' });
      expect(typeof apple).toBe('string');
    });
  }

  it('covered every operation of both wires', () => {
    const described = Object.values(doc.paths).map(({ post }) => `${post['x-wire']} ${post['x-operation']}`);
    expect([...checked].sort()).toEqual([...new Set(described)].sort());
  });

  it('refusals fit the refusal envelope, at a status the description lists', async () => {
    const refusals: RawResponse[] = [
      await signedPost(
        gw.baseUrl,
        '/payments/query',
        { merchant_id: merchant.merchantId, timestamp: Date.now(), order_id: 'GW0' },
        merchant,
      ),
      await signedPost(
        gw.baseUrl,
        '/payments',
        { merchant_id: merchant.merchantId, timestamp: Date.now(), amount: 'ten' },
        merchant,
      ),
      await v3Post(gw.baseUrl, '/v3/payment/acq/refund/query', '{}', {
        appId: merchant.merchantId,
        privateKey: merchant.privateKey,
      }),
      await rawPost(gw.baseUrl, '/v3/payment/acq/pay', '{}', {
        'x-paykka-sign': 'x',
        'x-paykka-appid': 'nobody',
        'x-paykka-timestamp': '1',
        'x-paykka-nonce': 'n',
      }),
      await rawPost(gw.baseUrl, '/payments', 'not json'),
    ];
    for (const res of refusals) {
      expect(schemaCheck(doc, 'Refusal')(res.json), res.text).toBeUndefined();
      expect(Object.keys(doc.paths['/payments']!.post.responses), res.text).toContain(String(res.status));
    }
    expect(refusals.map((r) => r.json.ret_code)).toEqual(['206024', '010000', '010000', '206005', '010000']);
  });
});
