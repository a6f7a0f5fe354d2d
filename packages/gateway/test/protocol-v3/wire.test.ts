/**
 * PayKKa v3 beside v1.2 (docs/api.md#paykka-v3, docs/signing.md#v3): the plugin's session body
 * as it sends it, queries that tell "not paid yet" (4032) from an order, refunds with
 * `refund_order_id` at the top level, orders and refunds shared with v1.2, every answer signed
 * the v3 way, and each refusal layer, the replayed nonce included (also across two gateway
 * processes on one store).
 */

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import { buildApp } from '../../src/app.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { openRuntime } from '../../src/runtime.ts';
import { listen } from '../../src/server.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { newKeyPair } from '../helpers/keys.ts';
import { type V3Signer, v3AnswerValid, v3Post } from '../helpers/v3.ts';
import { HOSTED_SESSION, HOSTED_SESSION_SENT_AT, PLUGIN_MERCHANT_ID } from './plugin-bodies.ts';

const clock = new ManualClock(Date.now());
let gw: TestGateway;
let merchant: TestMerchant;
let signer: V3Signer;

beforeAll(async () => {
  gw = await startGateway({ clock });
  merchant = await gw.createMerchant();
  signer = { appId: merchant.merchantId, privateKey: merchant.privateKey };
});
afterAll(() => gw?.close());

const QUERY = '/v3/payment/acq/query';
const REFUND = '/v3/payment/acq/refund';
const REFUND_QUERY = '/v3/payment/acq/refund/query';
const SESSION = '/v3/payment/acq/session';

/** Posts over v3 at the gateway's clock, and checks the answer's v3 signature. */
async function v3(path: string, body: Record<string, unknown> | string, options = {}) {
  const text =
    typeof body === 'string' ? body : JSON.stringify({ merchant_id: merchant.merchantId, ...body });
  const res = await v3Post(gw.baseUrl, path, text, signer, { timestamp: clock.now(), ...options });
  expect(v3AnswerValid(res, path, gw.platformPublicKeyPem), res.text).toBe(true);
  // v1.2's response signature is not added to a v3 answer.
  expect(res.headers.get('signature')).toBeNull();
  return res;
}

let seq = 0;
const transId = (label: string) => `v3-${label}-${Date.now()}-${seq++}`;

async function paidOverV12(amount = 1000) {
  return merchant.client.payments.create(cardPayment({ trans_id: transId('paid'), amount }));
}

describe('v3 query and refund of an order paid over v1.2', () => {
  it('answers the order by trans_id and by order_id, as v1.2 does', async () => {
    const order = await paidOverV12();
    for (const by of [{ trans_id: order.trans_id }, { order_id: order.order_id }]) {
      const res = await v3(QUERY, by);
      expect(res.status, res.text).toBe(200);
      expect(res.json).toMatchObject({ ret_code: '000000', ret_msg: 'Success' });
      expect(res.json.data).toMatchObject({
        order_id: order.order_id,
        trans_id: order.trans_id,
        status: 'SUCCESS',
        balances: { able_to_refund_amount: 1000 },
      });
    }
  });

  it('refunds it, with refund_order_id at the top level too, and both wires see the refund', async () => {
    const order = await paidOverV12();
    const refundTransId = transId('refund');
    const res = await v3(REFUND, {
      ori_order_id: order.order_id,
      refund_trans_id: refundTransId,
      refund_amount: 400,
      currency: 'USD',
      reason: 'REQUESTED_BY_CUSTOMER',
    });
    expect(res.status, res.text).toBe(200);
    const data = res.json.data as Record<string, unknown>;
    expect(data).toMatchObject({ refund_trans_id: refundTransId, ori_order_id: order.order_id });
    expect(res.json.refund_order_id).toBe(data.refund_order_id);

    const queried = await v3(REFUND_QUERY, { refund_trans_id: refundTransId });
    expect(queried.json.data).toMatchObject({ refund_order_id: data.refund_order_id, amount: 400 });
    const overV12 = await merchant.client.refunds.query({ refund_trans_id: refundTransId });
    expect(overV12.refund_order_id).toBe(data.refund_order_id);
    const after = await merchant.client.payments.query({ order_id: order.order_id });
    expect(after.balances.refunded_amount + after.balances.refunding_amount).toBe(400);
  });
});

describe("the v3 plugin's hosted session", () => {
  it('is created from the body as the plugin sends it, and queried as not paid yet (4032)', async () => {
    expect(HOSTED_SESSION).toContain(`"merchant_id": "${PLUGIN_MERCHANT_ID}"`);
    const pluginTransId = /"trans_id": "([^"]+)"/.exec(HOSTED_SESSION)![1]!;
    const ownTransId = transId('session');
    const body = HOSTED_SESSION.replace(PLUGIN_MERCHANT_ID, merchant.merchantId).replace(
      pluginTransId,
      ownTransId,
    );
    const at = clock.now();
    clock.set(HOSTED_SESSION_SENT_AT);
    try {
      const res = await v3(SESSION, body);
      expect(res.status, res.text).toBe(200);
      const session = res.json.data as Record<string, unknown>;
      expect(session.session_id).toEqual(expect.any(String));
      expect(String(session.session_url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      expect(session).toMatchObject({ trans_id: ownTransId, amount: 2500, currency: 'USD' });

      for (const by of [{ session_id: session.session_id }, { trans_id: ownTransId }]) {
        const queried = await v3(QUERY, by);
        expect(queried.status, queried.text).toBe(200);
        expect(queried.json.ret_code).toBe('000000');
        expect(queried.json.data).toMatchObject({
          session_id: session.session_id,
          trans_id: ownTransId,
          status: 'PROCESSING',
          error_code: '4032',
        });
      }
    } finally {
      clock.set(at);
    }
  });
});

describe('v3 refusals, each signed the v3 way', () => {
  const query = () => JSON.stringify({ merchant_id: merchant.merchantId, trans_id: 'nothing-here' });

  it('a missing signature is 206002, a wrong one 206003, an old timestamp 206004', async () => {
    const missing = await v3(QUERY, query(), { headers: { 'x-paykka-sign': undefined } });
    expect([missing.status, missing.json.ret_code]).toEqual([401, '206002']);
    const other = { appId: merchant.merchantId, privateKey: newKeyPair().privateKey };
    const forged = await v3Post(gw.baseUrl, QUERY, query(), other, {
      timestamp: clock.now(),
      nonce: '9999000099990000',
    });
    expect([forged.status, forged.json.ret_code]).toEqual([401, '206003']);
    // A forged request stores nothing: the merchant's own request with that nonce still passes.
    const genuine = await v3(QUERY, query(), { nonce: '9999000099990000' });
    expect([genuine.status, genuine.json.ret_code]).toEqual([404, '206024']);
    const elsewhere = await v3(QUERY, query(), { signedPath: REFUND });
    expect([elsewhere.status, elsewhere.json.ret_code]).toEqual([401, '206003']);
    const old = await v3(QUERY, query(), { timestamp: clock.now() - 6 * 60_000 });
    expect([old.status, old.json.ret_code]).toEqual([401, '206004']);
  });

  it('an unknown app id is 206005; malformed headers and another merchant_id are 010000', async () => {
    const unknown = await v3(QUERY, query(), { headers: { 'x-paykka-appid': '99999999999999' } });
    expect([unknown.status, unknown.json.ret_code]).toEqual([401, '206005']);
    for (const headers of [
      { 'x-paykka-timestamp': 'yesterday' },
      { 'x-paykka-nonce': 'has space' },
      { 'x-paykka-sign-alg': 'MD5' },
      { 'x-paykka-appid': undefined },
    ]) {
      const res = await v3(QUERY, query(), { headers });
      expect([res.status, res.json.ret_code], JSON.stringify(headers)).toEqual([400, '010000']);
    }
    const someoneElse = await gw.createMerchant();
    const res = await v3(QUERY, JSON.stringify({ merchant_id: someoneElse.merchantId, trans_id: 'x' }));
    expect([res.status, res.json.ret_code]).toEqual([400, '010000']);
  });

  it('a nonce is accepted once: a replayed refund is refused with 300070 and refunds nothing', async () => {
    const order = await paidOverV12();
    const body = JSON.stringify({
      merchant_id: merchant.merchantId,
      ori_order_id: order.order_id,
      refund_trans_id: transId('replayed'),
      refund_amount: 100,
      currency: 'USD',
    });
    const first = await v3(REFUND, body, { nonce: '1234567890123456' });
    expect(first.json.ret_code, first.text).toBe('000000');
    const again = await v3(REFUND, body, { nonce: '1234567890123456' });
    expect([again.status, again.json.ret_code]).toEqual([401, '300070']);
    // The same nonce is still another merchant's to use.
    const other = await gw.createMerchant();
    const theirs = await v3Post(
      gw.baseUrl,
      QUERY,
      JSON.stringify({ merchant_id: other.merchantId, trans_id: 'none' }),
      { appId: other.merchantId, privateKey: other.privateKey },
      { timestamp: clock.now(), nonce: '1234567890123456' },
    );
    expect(theirs.json.ret_code).not.toBe('300070');
    const after = await merchant.client.payments.query({ order_id: order.order_id });
    expect(after.balances.refunded_amount + after.balances.refunding_amount).toBe(100);
  });

  it('a nonce used on one gateway process is refused by another on the same store', async () => {
    const runtime = await openRuntime(gw.config);
    const second = buildApp({
      ...runtime,
      acquirer: new SimulatedAcquirer({ clock }),
      clock,
      logger: pino({ level: 'silent' }),
      settings: gw.config,
    });
    const secondUrl = await listen(second.app, '127.0.0.1', 0);
    try {
      const order = await paidOverV12();
      const body = JSON.stringify({ merchant_id: merchant.merchantId, order_id: order.order_id });
      const nonce = '6543210987654321';
      const first = await v3Post(gw.baseUrl, QUERY, body, signer, { timestamp: clock.now(), nonce });
      expect(first.json.ret_code).toBe('000000');
      const replay = await v3Post(secondUrl, QUERY, body, signer, { timestamp: clock.now(), nonce });
      expect([replay.status, replay.json.ret_code]).toEqual([401, '300070']);
    } finally {
      await second.app.close();
      await runtime.store.close();
    }
  });
});

describe('another merchant over v3', () => {
  it('can neither see nor refund an order that is not its own', async () => {
    const order = await paidOverV12();
    const intruder = await gw.createMerchant();
    const as = { appId: intruder.merchantId, privateKey: intruder.privateKey };
    const post = (path: string, body: Record<string, unknown>) =>
      v3Post(gw.baseUrl, path, JSON.stringify({ merchant_id: intruder.merchantId, ...body }), as, {
        timestamp: clock.now(),
      });
    for (const by of [{ order_id: order.order_id }, { trans_id: order.trans_id }]) {
      const res = await post(QUERY, by);
      expect([res.status, res.json.ret_code]).toEqual([404, '206024']);
    }
    const refund = await post(REFUND, {
      ori_order_id: order.order_id,
      refund_trans_id: transId('intruder'),
      refund_amount: 100,
      currency: 'USD',
    });
    expect(refund.status).toBe(404);
    const after = await merchant.client.payments.query({ order_id: order.order_id });
    expect(after.balances.refunded_amount + after.balances.refunding_amount).toBe(0);
  });
});

describe('the nonces kept against replay', () => {
  const kept = async () =>
    (await gw.runtime.store.writer.selectFrom('request_nonces').select('nonce').execute()).map(
      (r) => r.nonce,
    );

  it('are deleted by the expiry job once no request could use them', async () => {
    const body = JSON.stringify({ merchant_id: merchant.merchantId, trans_id: 'none' });
    await v3(QUERY, body, { nonce: '1111222233334444' });
    expect(await kept()).toContain('1111222233334444');
    await gw.jobs.runDue();
    expect(await kept()).toContain('1111222233334444');
    const at = clock.now();
    clock.set(at + gw.config.signatureWindowMs + 120_000);
    try {
      await gw.jobs.runDue();
      expect(await kept()).not.toContain('1111222233334444');
    } finally {
      clock.set(at);
    }
  });
});

describe('hostile v3 requests', () => {
  it('are refused in the signed envelope, never with a 5xx', async () => {
    const bodies = ['', 'not json', '[1,2]', 'null', '{"merchant_id":', '\u0000', '{"merchant_id":"\u0000"}'];
    for (const body of bodies) {
      const res = await v3(QUERY, body);
      expect(res.status, body).toBeLessThan(500);
      expect(res.json.ret_code, body).toMatch(/^\d{6}$/);
    }
    for (const headers of [
      { 'x-paykka-appid': 'app\u00e9 id' },
      { 'x-paykka-appid': 'x'.repeat(5000) },
      { 'x-paykka-nonce': 'n'.repeat(65) },
      { 'x-paykka-sign': '%%%' },
      { 'x-paykka-timestamp': '99999999999999999999' },
    ]) {
      const res = await v3Post(gw.baseUrl, QUERY, '{}', signer, { timestamp: clock.now(), headers });
      expect(res.status, JSON.stringify(headers).slice(0, 80)).toBeLessThan(500);
      expect(res.json.ret_code).toMatch(/^\d{6}$/);
    }
  });
});

describe('an app id of its own', () => {
  it('names the merchant once given, and its merchant id no longer does until taken back', async () => {
    const shop = await gw.createMerchant();
    const appId = `shop-app-${Date.now()}-${seq++}`;
    await gw.merchants.setAppId(shop.merchantId, appId);
    const body = JSON.stringify({ merchant_id: shop.merchantId, trans_id: 'none' });
    const post = (id: string) =>
      v3Post(gw.baseUrl, QUERY, body, { appId: id, privateKey: shop.privateKey }, { timestamp: clock.now() });

    const byApp = await post(appId);
    expect([byApp.status, byApp.json.ret_code]).toEqual([404, '206024']);
    const byMerchantId = await post(shop.merchantId);
    expect([byMerchantId.status, byMerchantId.json.ret_code]).toEqual([401, '206005']);

    const other = await gw.createMerchant();
    await expect(gw.merchants.setAppId(other.merchantId, appId)).rejects.toThrow(/another merchant/);
    await expect(gw.merchants.setAppId(other.merchantId, shop.merchantId)).rejects.toThrow(
      /another merchant/,
    );
    await expect(gw.merchants.setAppId(other.merchantId, 'has space')).rejects.toThrow(/visible ASCII/);

    await gw.merchants.setAppId(shop.merchantId, null);
    expect((await post(shop.merchantId)).json.ret_code).toBe('206024');
    expect((await post(appId)).json.ret_code).toBe('206005');
  });
});
