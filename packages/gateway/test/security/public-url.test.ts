/**
 * Finding 7: without OPENKKA_PUBLIC_URL the Host header decided the URLs handed out, so
 * `Host: attacker.example` made authentication_url http://attacker.example/3ds/…. Now they
 * name the address the gateway listens on, whatever the Host or X-Forwarded-* headers say;
 * OPENKKA_PUBLIC_URL, when set, is used as it is; and starting beyond loopback without it warns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { killChildren, startServer } from '../cli/run-cli.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { signBody } from '../helpers/raw.ts';
import { redirectBody } from '../helpers/redirects.ts';
import { cardForm, sessionBody } from '../helpers/sessions.ts';
import { createTestStore } from '../helpers/test-store.ts';
import { CHALLENGE_CARDS, challengeBody } from '../helpers/three-ds.ts';
import { newTestNonce, v3Sign } from '../helpers/v3.ts';
import { send } from './raw-http.ts';

/** Every header a client could use to name a host or scheme, all pointing at the attacker. */
const ATTACKER = {
  host: 'attacker.example',
  'x-forwarded-host': 'attacker.example',
  'x-forwarded-proto': 'https',
  forwarded: 'host=attacker.example;proto=https',
};

function v1(gw: TestGateway, m: TestMerchant, path: string, fields: object) {
  const timestamp = Date.now();
  const body = JSON.stringify({ merchant_id: m.merchantId, timestamp, ...fields });
  const signature = signBody(m.merchantId, timestamp, body, m.privateKey);
  return send(gw.baseUrl, {
    path,
    body,
    headers: { ...ATTACKER, signature, type: 'RSA256', version: 'v1.2' },
  });
}

function v3(gw: TestGateway, m: TestMerchant, path: string, fields: object) {
  const timestamp = String(Date.now());
  const nonce = newTestNonce();
  const body = JSON.stringify({ merchant_id: m.merchantId, ...fields });
  const sign = v3Sign({ appId: m.merchantId, privateKey: m.privateKey }, path, timestamp, nonce, body);
  return send(gw.baseUrl, {
    path,
    body,
    headers: {
      ...ATTACKER,
      'x-paykka-appid': m.merchantId,
      'x-paykka-timestamp': timestamp,
      'x-paykka-nonce': nonce,
      'x-paykka-sign-alg': 'SHA256_WITH_RSA',
      'x-paykka-sign': encodeURIComponent(sign),
    },
  });
}

/** What an answer's data may hand out. */
interface Handed {
  authentication_result?: { authentication_url: string };
  redirect_url?: string;
  session_url?: string;
}

const data = (res: { json: Record<string, unknown> }) => res.json.data as Handed;

describe('OPENKKA_PUBLIC_URL unset: the listen address, never a header', () => {
  let gw: TestGateway;
  let m: TestMerchant;
  beforeAll(async () => {
    gw = await startGateway();
    m = await gw.createMerchant();
  });
  afterAll(() => gw?.close());

  it('authentication_url, redirect_url and session_url over v1.2', async () => {
    const challenged = await v1(gw, m, '/apis/payments', challengeBody(CHALLENGE_CARDS.approve));
    expect(data(challenged).authentication_result?.authentication_url).toMatch(
      new RegExp(`^${gw.baseUrl}/3ds/`),
    );
    const redirected = await v1(gw, m, '/apis/payments', redirectBody('IDEAL'));
    expect(data(redirected).redirect_url).toMatch(new RegExp(`^${gw.baseUrl}/redirect/`));
    const session = await v1(gw, m, '/apis/payments/session', sessionBody());
    expect(data(session).session_url).toMatch(new RegExp(`^${gw.baseUrl}/checkout/CS`));
  });

  it('session_url over v3', async () => {
    const session = await v3(gw, m, '/v3/payment/acq/session', sessionBody());
    expect(session.status, session.text).toBe(200);
    expect(data(session).session_url).toMatch(new RegExp(`^${gw.baseUrl}/checkout/CS`));
  });

  it('the hosted checkout page sends the shopper to 3-D Secure at the listen address', async () => {
    const session = data(await v1(gw, m, '/apis/payments/session', sessionBody({ currency: 'USD' })));
    const sessionPath = new URL(session.session_url!).pathname;
    const paid = await send(gw.baseUrl, {
      path: sessionPath,
      body: new URLSearchParams(cardForm(CHALLENGE_CARDS.approve)).toString(),
      headers: { ...ATTACKER, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toMatch(new RegExp(`^${gw.baseUrl}/3ds/`));
  });
});

describe('OPENKKA_PUBLIC_URL set', () => {
  let gw: TestGateway;
  let m: TestMerchant;
  beforeAll(async () => {
    gw = await startGateway({ env: { OPENKKA_PUBLIC_URL: 'https://pay.example.com/' } });
    m = await gw.createMerchant();
  });
  afterAll(() => gw?.close());

  it('is used as it is, whatever the headers say', async () => {
    const challenged = await v1(gw, m, '/apis/payments', challengeBody(CHALLENGE_CARDS.approve));
    expect(data(challenged).authentication_result?.authentication_url).toMatch(
      /^https:\/\/pay\.example\.com\/3ds\//,
    );
  });

  it('must be an http(s) URL without query or credentials', () => {
    for (const url of [
      'javascript:alert(1)',
      'ftp://pay.example.com',
      'https://u:p@pay.example.com',
      'pay.example.com',
      'https://pay.example.com/?a=1',
    ]) {
      expect(() => loadConfig({ OPENKKA_PUBLIC_URL: url }), url).toThrow(/^OPENKKA_PUBLIC_URL: /);
    }
  });
});

describe('openkka start beyond loopback without OPENKKA_PUBLIC_URL', () => {
  afterAll(() => killChildren());

  it('warns in the log and in the banner', async () => {
    const store = await createTestStore();
    try {
      const server = await startServer({ ...store.env, HOST: '0.0.0.0' });
      expect(server.banner).toMatch(/^WARNING: OPENKKA_PUBLIC_URL is not set/m);
      await server.stop('SIGTERM');
      expect(server.stderr()).toMatch(/"level":40.*OPENKKA_PUBLIC_URL is not set/);
    } finally {
      await store.drop();
    }
  });

  it('stays quiet on loopback', async () => {
    const store = await createTestStore();
    try {
      const server = await startServer(store.env);
      expect(server.banner).not.toMatch(/WARNING/);
      await server.stop('SIGTERM');
    } finally {
      await store.drop();
    }
  });
});
