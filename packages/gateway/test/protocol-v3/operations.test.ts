/**
 * One protocol is enough for a whole integration (docs/api.md#paykka-v3): every operation
 * openkka has answers under /v3/payment/acq, signed the v3 way, with the same data v1.2
 * answers; what one wire did the other sees; and the wire's own refusals for a path that is
 * not an operation or a method that is not POST.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { storingPayment } from '../helpers/tokens.ts';
import { type V3Signer, v3AnswerValid, v3Post } from '../helpers/v3.ts';

let gw: TestGateway;
let merchant: TestMerchant;
let signer: V3Signer;

beforeAll(async () => {
  gw = await startGateway();
  merchant = await gw.createMerchant({ name: 'Harbour Books' });
  signer = { appId: merchant.merchantId, privateKey: merchant.privateKey };
});
afterAll(() => gw?.close());

const ACQ = '/v3/payment/acq';

/** Posts over v3 and checks the answer's v3 signature; answers the parsed envelope. */
async function v3(path: string, body: Record<string, unknown>) {
  const full = ACQ + path;
  const res = await v3Post(
    gw.baseUrl,
    full,
    JSON.stringify({ merchant_id: merchant.merchantId, ...body }),
    signer,
  );
  expect(v3AnswerValid(res, full, gw.platformPublicKeyPem), res.text).toBe(true);
  return res;
}

async function ok(path: string, body: Record<string, unknown>) {
  const res = await v3(path, body);
  expect(res.status, res.text).toBe(200);
  expect(res.json.ret_code, res.text).toBe('000000');
  return res.json.data as Record<string, unknown> & { order_id: string; status: string };
}

let seq = 0;
const transId = (label: string) => `v3op-${label}-${Date.now()}-${seq++}`;

describe('payments over v3', () => {
  it('pays by card without data.timestamp, and v1.2 queries the same order', async () => {
    const order = await ok('/pay', cardPayment({ trans_id: transId('pay'), amount: 1234 }));
    expect(order).toMatchObject({ status: 'SUCCESS', amount: 1234, merchant_id: merchant.merchantId });
    expect(order.order_id).toMatch(/\S/);
    // v1.2 puts the signing timestamp into data; v3 signs in headers and leaves data alone.
    expect(order).not.toHaveProperty('timestamp');
    const seen = await merchant.client.payments.query({ order_id: order.order_id });
    expect(seen).toMatchObject({ order_id: order.order_id, status: 'SUCCESS', amount: 1234 });
  });

  it('captures and voids a MANUAL order', async () => {
    const authorized = await ok('/pay', cardPayment({ trans_id: transId('auth'), capture_method: 'MANUAL' }));
    expect(authorized.status).toBe('AUTHORIZED');
    const captured = await ok('/capture', { order_id: authorized.order_id, amount: 1000, currency: 'USD' });
    expect(captured).toMatchObject({ status: 'SUCCESS', balances: { captured_amount: 1000 } });

    const other = await ok('/pay', cardPayment({ trans_id: transId('void'), capture_method: 'MANUAL' }));
    const voided = await ok('/void', { order_id: other.order_id });
    expect(voided.status).toBe('CANCELED');
    // The same order over v1.2 says so too.
    expect((await merchant.client.payments.query({ order_id: other.order_id })).status).toBe('CANCELED');
  });

  it('refuses a capture of another merchant’s order as not found, moving nothing', async () => {
    const stranger = await gw.createMerchant();
    const theirs = await stranger.client.payments.create(
      cardPayment({ trans_id: transId('theirs'), capture_method: 'MANUAL' }),
    );
    const res = await v3('/capture', { order_id: theirs.order_id, capture_amount: 1000 });
    expect(res.json.ret_code).not.toBe('000000');
    expect((await stranger.client.payments.query({ order_id: theirs.order_id })).status).toBe('AUTHORIZED');
  });
});

describe('stored cards and recurring over v3', () => {
  it('lists the shopper’s tokens, removes one, and says so when it is gone', async () => {
    const shopper = `v3-shopper-${seq++}`;
    const paid = await ok('/pay', storingPayment(shopper));
    expect(paid.token).toMatch(/\S/);
    const listed = (await ok('/token/query', { shopper_reference: shopper })) as unknown as Array<{
      token: string;
      status: string;
    }>;
    expect(listed).toEqual([expect.objectContaining({ token: paid.token, status: 'ACTIVATE' })]);

    const removed = await v3('/token/remove', { token: paid.token, shopper_reference: shopper });
    expect(removed.json).toEqual({ ret_code: '000000', ret_msg: 'Success' });
    expect(await ok('/token/query', { shopper_reference: shopper })).toEqual([]);
    const again = await v3('/token/remove', { token: paid.token, shopper_reference: shopper });
    expect(again.json.ret_code).not.toBe('000000');
  });

  it('cancels a recurring agreement once', async () => {
    const shopper = `v3-sub-${seq++}`;
    const first = await ok(
      '/pay',
      cardPayment(
        { trans_id: transId('first'), payment_type: 'RECURRING', mit: false, amount: 999 },
        { store_payment_method: true, token_usage: 'SUBSCRIPTION', shopper_reference: shopper },
      ),
    );
    const agreement = first.recurring_agreement_id as string;
    expect(agreement).toMatch(/\S/);
    const body = { recurring_agreement_id: agreement, shopper_reference: shopper };
    expect((await v3('/recurring/cancel', body)).json.ret_code).toBe('000000');
    expect((await v3('/recurring/cancel', body)).json.ret_code).not.toBe('000000');
  });
});

describe('sessions, refunds and Apple Pay over v3', () => {
  it('queries a session created over v3 at session/query', async () => {
    const created = await ok('/session', {
      trans_id: transId('session'),
      payment_type: 'PURCHASE',
      currency: 'USD',
      amount: 500,
      session_mode: 'HOSTED',
      return_url: 'https://shop.example/return',
    });
    const seen = await ok('/session/query', { session_id: created.session_id });
    expect(seen).toMatchObject({ session_id: created.session_id, amount: 500 });
  });

  it('refunds over v3 and queries the refund over both wires', async () => {
    const paid = await ok('/pay', cardPayment({ trans_id: transId('refunded') }));
    const refundTransId = transId('r');
    const res = await v3('/refund', {
      ori_order_id: paid.order_id,
      refund_trans_id: refundTransId,
      refund_amount: 300,
      currency: 'USD',
    });
    expect(res.json.refund_order_id).toBe((res.json.data as { refund_order_id: string }).refund_order_id);
    const overV3 = await ok('/refund/query', { refund_trans_id: refundTransId });
    const overV12 = await merchant.client.refunds.query({ refund_trans_id: refundTransId });
    expect(overV3.refund_order_id).toBe(overV12.refund_order_id);
    expect(overV3.amount).toBe(300);
  });

  it('answers an Apple Pay merchant session as a JSON string', async () => {
    const data = (await v3('/apple-pay/create-session', { domain_name: 'shop.example.com' })).json.data;
    expect(typeof data).toBe('string');
    expect(JSON.parse(data as string)).toMatchObject({
      displayName: 'Harbour Books',
      domainName: 'shop.example.com',
    });
  });
});

describe('refusals of the v3 wire itself', () => {
  it('a GET of an operation is 405 and an unknown path 404, both in v3’s envelope and signed', async () => {
    const get = await fetch(`${gw.baseUrl}${ACQ}/pay`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(get.headers.get('x-paykka-sign')).toBeTruthy();
    expect(get.headers.get('signature')).toBeNull();
    expect(await get.json()).toMatchObject({ ret_code: '300004' });

    const unknown = await v3Post(gw.baseUrl, `${ACQ}/payments`, '{}', signer);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ ret_code: '300003' });
    expect(v3AnswerValid(unknown, `${ACQ}/payments`, gw.platformPublicKeyPem)).toBe(true);
  });

  it('a v1.2-signed request to a v3 path is refused before any operation runs', async () => {
    const trans = transId('v12-at-v3');
    const res = await fetch(`${gw.baseUrl}${ACQ}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', signature: 'x', type: 'RSA256', version: '1.2' },
      body: JSON.stringify(cardPayment({ trans_id: trans, merchant_id: merchant.merchantId })),
    });
    expect(res.status).toBe(401);
    await expect(merchant.client.payments.query({ trans_id: trans })).rejects.toThrow();
  });
});
