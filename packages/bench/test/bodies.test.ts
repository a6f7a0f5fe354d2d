// The bench's request bodies (docs/api.md#routes, docs/api.md#initiate-transaction-payments) and how answers are judged good or bad.
import {
  CardDecryption,
  type ClientKeys,
  decryptingKey,
  newGatewayKey,
  publicKeyOf,
} from 'openkka/card-decryption';
import { describe, expect, it } from 'vitest';
import {
  captureBody,
  judge,
  paymentBody,
  queryBody,
  refundBody,
  STEPS,
  transIdPrefix,
} from '../src/bodies.ts';
import type { PostOutcome } from '../src/http-post.ts';
import { verdictOf } from '../src/mix-iteration.ts';
import type { Protocol } from '../src/options.ts';

const T = Date.UTC(2026, 0, 15, 12);
const V12 = { protocol: 'v1.2', merchantId: 'M1' } as const;
const V3 = { protocol: 'v3', merchantId: 'M1' } as const;

describe('request bodies', () => {
  it('purchase: a unique trans_id, PURCHASE, AUTOMATIC, 1000 USD, the 4242 card, a return_url', () => {
    const body = JSON.parse(paymentBody('purchase', V12, 'abc', 7, T));
    expect(body).toEqual({
      merchant_id: 'M1',
      trans_id: 'bench-abc-7',
      timestamp: T,
      payment_type: 'PURCHASE',
      capture_method: 'AUTOMATIC',
      currency: 'USD',
      amount: 1000,
      return_url: expect.stringMatching(/^https:\/\//),
      payment: {
        payment_method: 'BANKCARD',
        card_no: '4242424242424242',
        exp_month: '12',
        exp_year: '2029',
        cvv: '123',
      },
    });
    expect(body.trans_id.startsWith(transIdPrefix('abc'))).toBe(true);
  });

  it('lifecycle: a manual-capture authorization, then capture, refund and query of its order', () => {
    expect(JSON.parse(paymentBody('lifecycle', V12, 'abc', 1, T)).capture_method).toBe('MANUAL');
    expect(JSON.parse(captureBody(V12, 'GW1', T))).toEqual({
      merchant_id: 'M1',
      timestamp: T,
      order_id: 'GW1',
      amount: 1000,
      currency: 'USD',
      capture_final: true,
    });
    expect(JSON.parse(refundBody(V12, 'bench-abc-1', 'GW1', T))).toEqual({
      merchant_id: 'M1',
      timestamp: T,
      refund_trans_id: 'bench-abc-1-r',
      ori_order_id: 'GW1',
      refund_amount: 1000,
      currency: 'USD',
    });
    expect(JSON.parse(queryBody(V12, 'GW1', T))).toEqual({
      merchant_id: 'M1',
      timestamp: T,
      order_id: 'GW1',
    });
    expect(STEPS.lifecycle).toEqual(['authorize', 'capture', 'refund', 'query']);
  });

  it('v3: the same bodies without `timestamp` (its headers carry the time)', () => {
    const v12 = JSON.parse(paymentBody('purchase', V12, 'abc', 7, T));
    const v3 = JSON.parse(paymentBody('purchase', V3, 'abc', 7, T));
    expect(v3).not.toHaveProperty('timestamp');
    expect({ ...v3, timestamp: T }).toEqual(v12);
    expect(JSON.parse(captureBody(V3, 'GW1', T))).toEqual({
      merchant_id: 'M1',
      order_id: 'GW1',
      amount: 1000,
      currency: 'USD',
      capture_final: true,
    });
    expect(JSON.parse(refundBody(V3, 'bench-abc-1', 'GW1', T))).not.toHaveProperty('timestamp');
    expect(JSON.parse(queryBody(V3, 'GW1', T))).toEqual({ merchant_id: 'M1', order_id: 'GW1' });
  });

  it('encrypted: the purchase with its card as encrypted fields the gateway opens to the 4242 card', async () => {
    const gatewayKey = newGatewayKey(T - 1000);
    const merchant: ClientKeys = {
      client_key: 'ck_0123456789abcdef0123456789abcdef',
      previous_client_key: null,
      previous_client_key_expires_at: null,
    };
    const encryptTo = { key: publicKeyOf(gatewayKey), clientKey: merchant.client_key };
    const body = JSON.parse(paymentBody('encrypted', V12, 'abc', 3, T, encryptTo));
    expect(body).toMatchObject({
      trans_id: 'bench-abc-3',
      payment_type: 'PURCHASE',
      capture_method: 'AUTOMATIC',
    });
    expect(Object.keys(body.payment).sort()).toEqual([
      'encrypted_card_no',
      'encrypted_cvv',
      'encrypted_exp_month',
      'encrypted_exp_year',
      'payment_method',
    ]);
    expect(JSON.stringify(body)).not.toContain('4242424242424242');

    const decryption = new CardDecryption(
      { forKid: async (kid) => (kid === gatewayKey.kid ? decryptingKey(gatewayKey) : undefined) },
      { now: () => T },
    );
    const { payment } = body;
    expect(
      await decryption.open(merchant, {
        card_no: payment.encrypted_card_no,
        exp_month: payment.encrypted_exp_month,
        exp_year: payment.encrypted_exp_year,
        cvv: payment.encrypted_cvv,
      }),
    ).toEqual({ kind: 'card', pan: '4242424242424242', expMonth: 12, expYear: 2029, cvv: '123' });
    // Every body its own ephemeral key, as every shopper's card would have.
    const again = JSON.parse(paymentBody('encrypted', V12, 'abc', 4, T, encryptTo));
    expect(again.payment.encrypted_card_no.split('.')[0]).not.toBe(payment.encrypted_card_no.split('.')[0]);
    expect(STEPS.encrypted).toEqual(['purchase']);
    expect(() => paymentBody('encrypted', V12, 'abc', 5, T)).toThrow(/gateway key/);
  });
});

describe('judge', () => {
  const answer = (data: Record<string, unknown>, retCode = '000000') =>
    JSON.stringify({ ret_code: retCode, ret_msg: 'x', data });

  it('accepts HTTP 200, ret_code 000000 and the status each step must reach', () => {
    expect(judge('purchase', 200, answer({ status: 'SUCCESS', order_id: 'GW1' }))).toEqual({
      ok: true,
      orderId: 'GW1',
    });
    expect(judge('authorize', 200, answer({ status: 'AUTHORIZED', order_id: 'GW2' }))).toEqual({
      ok: true,
      orderId: 'GW2',
    });
    expect(judge('capture', 200, answer({ status: 'SUCCESS' })).ok).toBe(true);
    expect(judge('refund', 200, answer({ status: 'PROCESSING' })).ok).toBe(true);
    expect(judge('query', 200, answer({ status: 'REFUNDED' })).ok).toBe(true);
  });

  it('names what went wrong otherwise', () => {
    expect(judge('purchase', 200, answer({ status: 'FAILURE' }))).toEqual({
      ok: false,
      kind: 'purchase: status FAILURE',
    });
    expect(judge('authorize', 200, answer({ status: 'SUCCESS' }))).toEqual({
      ok: false,
      kind: 'authorize: status SUCCESS',
    });
    expect(judge('capture', 404, JSON.stringify({ ret_code: '010000', ret_msg: 'no route' }))).toEqual({
      ok: false,
      kind: 'capture: HTTP 404 ret_code 010000',
    });
    expect(judge('purchase', 200, answer({ status: 'SUCCESS' }, '999999')).ok).toBe(false);
    expect(judge('purchase', 502, '<html>')).toEqual({ ok: false, kind: 'purchase: HTTP 502, not JSON' });
  });
});

describe('verdictOf', () => {
  const ok = JSON.stringify({
    ret_code: '000000',
    ret_msg: 'Success',
    data: { status: 'SUCCESS', order_id: 'GW1' },
  });
  const answer = (signedAs: Protocol | null): PostOutcome => ({
    kind: 'answer',
    status: 200,
    body: ok,
    bytes: ok.length,
    ms: 1,
    endedAt: 1,
    signedAs,
  });

  it('counts a good answer only when it is signed the way of the wire it was asked on', () => {
    expect(verdictOf('purchase', answer('v3'), 'v3')).toEqual({ ok: true, orderId: 'GW1' });
    expect(verdictOf('purchase', answer('v1.2'), 'v1.2').ok).toBe(true);
    expect(verdictOf('purchase', answer('v1.2'), 'v3')).toEqual({
      ok: false,
      kind: 'purchase: answer not signed the v3 way',
    });
    expect(verdictOf('capture', answer(null), 'v1.2')).toEqual({
      ok: false,
      kind: 'capture: answer not signed the v1.2 way',
    });
  });

  it('names a request that got no answer by its error', () => {
    expect(verdictOf('query', { kind: 'failed', error: 'ECONNRESET', ms: 1, endedAt: 1 }, 'v3')).toEqual({
      ok: false,
      kind: 'query: ECONNRESET',
    });
  });
});
