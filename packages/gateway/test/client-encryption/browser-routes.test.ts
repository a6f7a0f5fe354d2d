/**
 * What a browser fetches from the gateway for encrypted cards, and the attacks each must
 * withstand:
 *
 * - `GET /cp/keys/<clientKey>` tells nothing but the public key (no private part, nothing about
 *   the merchant), answers any origin without credentials, is never cached, is signed by the
 *   platform key, and answers every key that does not name an active merchant now — unknown,
 *   malformed, oversized, injected, disabled, rotated out — with the same readable 404;
 * - `GET /cp/encrypted-card.js` is one static file: the same bytes whatever the request
 *   carried (query, headers), no secret in it, served as JavaScript that browsers will not
 *   sniff into anything else, cacheable and revalidated by its ETag.
 */
import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { fetchGatewayKey, OpenKKAApiError, OpenKKASignatureError } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { newKeyPair } from '../helpers/keys.ts';
import { responseSignatureValid } from '../helpers/raw.ts';

const clock = new ManualClock(Date.now());
let gw: TestGateway;
let merchant: TestMerchant;

beforeAll(async () => {
  gw = await startGateway({ clock });
  merchant = await gw.createMerchant({ name: 'Secret Name Ltd' });
});
afterAll(() => gw?.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.baseUrl}${path}`, { headers });

describe('GET /cp/keys/<clientKey>', () => {
  it('answers the public gateway key and the gateway time, in the signed envelope, to any origin', async () => {
    const res = await get(`/cp/keys/${merchant.clientKey}`, { origin: 'https://shop.example' });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('set-cookie')).toBeNull();
    const body = JSON.parse(text);
    expect(Object.keys(body).sort()).toEqual(['data', 'ret_code', 'ret_msg']);
    expect(body.ret_code).toBe('000000');
    expect(Object.keys(body.data).sort()).toEqual(['client_key', 'key', 'keys', 'timestamp']);
    expect(body.data.client_key).toBe(merchant.clientKey);
    expect(Math.abs(body.data.timestamp - clock.now())).toBe(0);
    expect(Object.keys(body.data.key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    // Both halves of one key, X25519 (cheaper to decrypt) first; `key` is the P-256 half.
    expect(body.data.keys).toEqual([
      {
        kty: 'OKP',
        crv: 'X25519',
        x: expect.stringMatching(/^[\w-]{43}$/),
        kid: body.data.key.kid,
        use: 'enc',
        alg: 'ECDH-ES',
      },
      body.data.key,
    ]);
    expect(body.data.key.crv).toBe('P-256');
    // Nothing private, nothing about the merchant.
    expect(text).not.toMatch(/"d"|merchant_id|Secret Name|private/);
    expect(text).not.toContain(merchant.merchantId);
    expect(
      responseSignatureValid(
        { status: res.status, headers: res.headers, text, json: body },
        '',
        gw.platformPublicKeyPem,
      ),
    ).toBe(true);
  });

  it('its signature is what the SDK checks: a tampered answer is refused before its key is used', async () => {
    const key = await fetchGatewayKey({
      baseUrl: gw.baseUrl,
      clientKey: merchant.clientKey,
      platformPublicKey: gw.platformPublicKeyPem,
    });
    expect(key.kid).toMatch(/^gk_/);
    const tampering: typeof fetch = async (input) => {
      const real = await fetch(input);
      const text = (await real.text()).replace(key.x, `${key.x.slice(1)}A`);
      return new Response(text, { status: real.status, headers: real.headers });
    };
    const refused = await fetchGatewayKey({
      baseUrl: gw.baseUrl,
      clientKey: merchant.clientKey,
      platformPublicKey: gw.platformPublicKeyPem,
      fetch: tampering,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenKKASignatureError);
    const otherPlatform = await fetchGatewayKey({
      baseUrl: gw.baseUrl,
      clientKey: merchant.clientKey,
      platformPublicKey: newKeyPair().publicKeyPem,
    }).catch((e: unknown) => e);
    expect(otherPlatform).toBeInstanceOf(OpenKKASignatureError);
  });

  it('every key that names no active merchant answers the same readable 404, echoing nothing', async () => {
    const disabled = await gw.createMerchant();
    await gw.merchants.setEnabled(disabled.merchantId, false);
    const rotated = await gw.createMerchant();
    await gw.merchants.rotateClientKey(rotated.merchantId, 0);
    const keys = [
      'ck_00000000000000000000000000000000',
      merchant.clientKey.toUpperCase(),
      `${merchant.clientKey}0`,
      'ck_' + 'a'.repeat(5000),
      encodeURIComponent('<script>alert(1)</script>'),
      encodeURIComponent("ck_' or '1'='1"),
      '..%2F..%2Fpayments',
      `${merchant.clientKey}%00`,
      disabled.clientKey,
      rotated.clientKey,
    ];
    for (const key of keys) {
      const res = await get(`/cp/keys/${key}`);
      const text = await res.text();
      expect(res.status, key.slice(0, 40)).toBe(404);
      expect(JSON.parse(text), key.slice(0, 40)).toEqual({
        ret_code: '300060',
        ret_msg: 'Client key does not exist',
      });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const sdk = await fetchGatewayKey({ baseUrl: gw.baseUrl, clientKey: 'ck_nope' }).catch((e: unknown) => e);
    expect(sdk).toBeInstanceOf(OpenKKAApiError);
    expect((sdk as OpenKKAApiError).retCode).toBe('300060');
  });

  it('answers a preflight with GET only, and never for credentials', async () => {
    const res = await fetch(`${gw.baseUrl}/cp/keys/${merchant.clientKey}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('GET /cp/encrypted-card.js', () => {
  let body: string;
  let etag: string;

  it('is JavaScript, cacheable, never sniffed, loadable from any origin (with SRI)', async () => {
    const res = await get('/cp/encrypted-card.js');
    body = await res.text();
    etag = res.headers.get('etag')!;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    // It compiles, and defines both globals the PayKKa clients look for.
    new Script(body);
    expect(body).toContain('globalThis.PayKKaCardCheckoutEncryptedCard = library');
    expect(body).toContain('globalThis.PaykkaCardCheckoutEncryptedCard = library');
  });

  it('answers a matching If-None-Match with 304 and no body; HEAD with headers only', async () => {
    const again = await get('/cp/encrypted-card.js', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const head = await fetch(`${gw.baseUrl}/cp/encrypted-card.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);
  });

  it('is the same bytes whatever the request carries: nothing of it is written into the script', async () => {
    const marker = '</script><script>alert(1)</script>';
    const variants = [
      await get(`/cp/encrypted-card.js?apiUrl=${encodeURIComponent(marker)}&callback=x`),
      await get('/cp/encrypted-card.js', {
        referer: `https://evil.example/${marker}`,
        'x-forwarded-host': 'evil.example',
        'accept-language': marker,
        cookie: `session=${marker}`,
      }),
    ];
    for (const res of variants) {
      const text = await res.text();
      expect(createHash('sha256').update(text).digest('hex')).toBe(
        createHash('sha256').update(body).digest('hex'),
      );
      expect(text).not.toContain('evil.example');
    }
  });

  it('holds no secret: no key, no client key, no merchant, no eval or innerHTML', async () => {
    const key = await gw.gatewayKeys.current();
    for (const secret of [key.x, key.y, key.kid, merchant.clientKey, merchant.merchantId, gw.baseUrl]) {
      expect(body).not.toContain(secret);
    }
    expect(body).not.toMatch(/ck_[0-9a-f]{32}|-----BEGIN/);
    expect(body).not.toMatch(/\beval\(|new Function|innerHTML|outerHTML|document\.write/);
  });
});
