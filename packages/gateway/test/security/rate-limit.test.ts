/**
 * Finding 4, rate limits: nothing was ever answered 429. Now each merchant has a bucket that
 * only its own verified requests draw on, and each client address one that every request
 * draws on before anything is read; an answer over either is 429 `300080` with Retry-After,
 * signed in the envelope of the wire the request came in on, and changes nothing.
 */
import type { KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { newKeyPair } from '../helpers/keys.ts';
import { countOrders } from '../helpers/payments.ts';
import { type RawResponse, responseSignatureValid, signedPost } from '../helpers/raw.ts';
import { v3AnswerValid, v3Post } from '../helpers/v3.ts';
import { send } from './raw-http.ts';

const V1_QUERY = '/apis/payments/query';
const V3_QUERY = '/v3/payment/acq/query';

let clock: ManualClock;

function v1(gw: TestGateway, m: TestMerchant, body: Record<string, unknown>, key: KeyObject = m.privateKey) {
  const signed = { merchant_id: m.merchantId, timestamp: clock.now(), ...body };
  return signedPost(gw.baseUrl, body.payment ? '/apis/payments' : V1_QUERY, signed, {
    merchantId: m.merchantId,
    privateKey: key,
  });
}

function v3(gw: TestGateway, m: TestMerchant, body: Record<string, unknown>) {
  const text = JSON.stringify({ merchant_id: m.merchantId, ...body });
  return v3Post(
    gw.baseUrl,
    V3_QUERY,
    text,
    { appId: m.merchantId, privateKey: m.privateKey },
    { timestamp: clock.now() },
  );
}

function expectTooMany(res: RawResponse, retryAfter: number): void {
  expect(res.status, res.text).toBe(429);
  expect(res.json.ret_code).toBe('300080');
  expect(String(res.json.ret_msg)).toMatch(/^Too many requests: /);
  expect(res.headers.get('retry-after')).toBe(String(retryAfter));
}

const unknownOrder = () => ({ trans_id: `missing-${Math.random().toString(36).slice(2)}` });

describe('per merchant (OPENKKA_RATE_LIMIT_MERCHANT=3/m), after authentication', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    gw = await startGateway({ clock, env: { OPENKKA_RATE_LIMIT_MERCHANT: '3/m' } });
  });
  afterAll(() => gw?.close());

  it('answers the fourth request 429 on both wires, signed for the merchant, and changes nothing', async () => {
    const m = await gw.createMerchant();
    for (let i = 0; i < 3; i++) expect((await v1(gw, m, unknownOrder())).status).toBe(404);

    const overV1 = await v1(gw, m, unknownOrder());
    expectTooMany(overV1, 20);
    expect(overV1.json.ret_msg).toBe('Too many requests: for this merchant (at most 3 per minute)');
    expect(responseSignatureValid(overV1, m.merchantId, gw.platformPublicKeyPem)).toBe(true);

    const overV3 = await v3(gw, m, unknownOrder());
    expectTooMany(overV3, 20);
    expect(v3AnswerValid(overV3, V3_QUERY, gw.platformPublicKeyPem)).toBe(true);

    const payment = await v1(gw, m, cardPayment());
    expectTooMany(payment, 20);
    expect(await countOrders(gw, m.merchantId)).toBe(0);

    // A token back after 20 s: served again.
    clock.advance(20_000);
    expect((await v1(gw, m, cardPayment())).status).toBe(200);
    expect(await countOrders(gw, m.merchantId)).toBe(1);
  });

  it("does not count another merchant's requests, nor forged ones in this merchant's name", async () => {
    const busy = await gw.createMerchant();
    for (let i = 0; i < 4; i++) await v1(gw, busy, unknownOrder());
    expect((await v1(gw, busy, unknownOrder())).status).toBe(429);

    const victim = await gw.createMerchant();
    const forgerKey = newKeyPair().privateKey;
    for (let i = 0; i < 6; i++) {
      const forged = await v1(gw, victim, unknownOrder(), forgerKey);
      expect(forged.json.ret_code).toBe('206003');
    }
    for (let i = 0; i < 3; i++) expect((await v1(gw, victim, unknownOrder())).status).toBe(404);
  });
});

describe('per address (OPENKKA_RATE_LIMIT_IP=4/m), before anything is read', () => {
  let gw: TestGateway;
  let m: TestMerchant;
  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    gw = await startGateway({ clock, env: { OPENKKA_RATE_LIMIT_IP: '4/m' } });
    m = await gw.createMerchant();
  });
  afterAll(() => gw?.close());

  it('counts the API, the /cp endpoints and the pages alike, and answers each wire in its envelope', async () => {
    expect((await send(gw.baseUrl, { method: 'GET', path: '/cp/encrypted-card.js' })).status).toBe(200);
    expect((await send(gw.baseUrl, { method: 'GET', path: '/checkout/CS0' })).status).not.toBe(429);
    expect((await v1(gw, m, unknownOrder())).status).toBe(404);
    expect((await v3(gw, m, unknownOrder())).status).not.toBe(429);

    // Refused before the body is read: signed over v1.2 for no merchant, like a 413, in the
    // envelope and headers of every v1.2 answer (docs/signing.md#responses).
    const payment = await v1(gw, m, cardPayment());
    expectTooMany(payment, 15);
    expect(payment.json).toEqual({
      ret_code: '300080',
      ret_msg: 'Too many requests: from this address (at most 4 per minute)',
    });
    expect(payment.headers.get('type')).toBe('RSA256');
    expect(payment.headers.get('version')).toBe('v1.2');
    expect(responseSignatureValid(payment, '', gw.platformPublicKeyPem)).toBe(true);
    expect(responseSignatureValid(payment, m.merchantId, gw.platformPublicKeyPem)).toBe(false);
    expect(await countOrders(gw, m.merchantId)).toBe(0);
    // A body over 64 KiB is not read either: the same signed 429, not a 413.
    const large = await send(gw.baseUrl, { path: '/apis/payments', body: 'x'.repeat(70_000) });
    expectTooMany(large, 15);
    expect(responseSignatureValid(large, '', gw.platformPublicKeyPem)).toBe(true);

    const overV3 = await v3(gw, m, unknownOrder());
    expectTooMany(overV3, 15);
    expect(v3AnswerValid(overV3, V3_QUERY, gw.platformPublicKeyPem)).toBe(true);
    expect(overV3.headers.get('signature')).toBeNull();

    for (const path of ['/cp/encrypted-card.js', '/checkout/CS0', '/3ds/CH0', '/no/such/path']) {
      expectTooMany(await send(gw.baseUrl, { method: 'GET', path }), 15);
    }
  });

  it('takes no X-Forwarded-For from a client that is not a trusted proxy', async () => {
    const spoofed = await send(gw.baseUrl, {
      method: 'GET',
      path: '/cp/encrypted-card.js',
      headers: { 'x-forwarded-for': '198.51.100.7' },
    });
    expect(spoofed.status).toBe(429);
  });

  it('serves another address meanwhile, and this one again once its bucket refilled', async () => {
    const other = await send(gw.baseUrl, { method: 'GET', path: '/cp/encrypted-card.js', from: '127.0.0.2' });
    expect(other.status).toBe(200);
    expect((await send(gw.baseUrl, { method: 'GET', path: '/cp/encrypted-card.js' })).status).toBe(429);
    clock.advance(15_000);
    expect((await send(gw.baseUrl, { method: 'GET', path: '/cp/encrypted-card.js' })).status).toBe(200);
  });
});

describe('behind a trusted proxy (OPENKKA_TRUSTED_PROXIES=127.0.0.1, OPENKKA_RATE_LIMIT_IP=2/m)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    gw = await startGateway({
      clock,
      env: { OPENKKA_TRUSTED_PROXIES: '127.0.0.1', OPENKKA_RATE_LIMIT_IP: '2/m' },
    });
  });
  afterAll(() => gw?.close());

  const via = (client: string) =>
    send(gw.baseUrl, {
      method: 'GET',
      path: '/cp/encrypted-card.js',
      headers: { 'x-forwarded-for': client },
    });

  it('counts each client the proxy names, not the proxy', async () => {
    expect((await via('198.51.100.1')).status).toBe(200);
    expect((await via('198.51.100.1')).status).toBe(200);
    expect((await via('198.51.100.1')).status).toBe(429);
    expect((await via('198.51.100.2')).status).toBe(200);
    // IPv6 clients count by their /64.
    expect((await via('2001:db8:1:2::1')).status).toBe(200);
    expect((await via('2001:db8:1:2:ffff::9')).status).toBe(200);
    expect((await via('2001:db8:1:2::3')).status).toBe(429);
    expect((await via('2001:db8:1:3::1')).status).toBe(200);
  });
});
