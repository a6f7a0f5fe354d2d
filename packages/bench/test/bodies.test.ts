// The bench's request bodies (docs/api.md#routes, docs/api.md#initiate-transaction-payments) and how answers are judged good or bad.
import { generateKeyPairSync } from 'node:crypto';
import { stringToSign, verifySignature } from '@openkka/sdk/signing';
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
import { signRequest } from '../src/signed-pool.ts';

const T = Date.UTC(2026, 0, 15, 12);

describe('request bodies', () => {
  it('purchase: a unique trans_id, PURCHASE, AUTOMATIC, 1000 USD, the 4242 card, a return_url', () => {
    const body = JSON.parse(paymentBody('purchase', 'M1', 'abc', 7, T));
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
    expect(JSON.parse(paymentBody('lifecycle', 'M1', 'abc', 1, T)).capture_method).toBe('MANUAL');
    expect(JSON.parse(captureBody('M1', 'GW1', T))).toEqual({
      merchant_id: 'M1',
      timestamp: T,
      order_id: 'GW1',
      amount: 1000,
      currency: 'USD',
      capture_final: true,
    });
    expect(JSON.parse(refundBody('M1', 'bench-abc-1', 'GW1', T))).toEqual({
      merchant_id: 'M1',
      timestamp: T,
      refund_trans_id: 'bench-abc-1-r',
      ori_order_id: 'GW1',
      refund_amount: 1000,
      currency: 'USD',
    });
    expect(JSON.parse(queryBody('M1', 'GW1', T))).toEqual({
      merchant_id: 'M1',
      timestamp: T,
      order_id: 'GW1',
    });
    expect(STEPS.lifecycle).toEqual(['authorize', 'capture', 'refund', 'query']);
  });

  it('encrypted: the purchase with its card as encrypted fields the gateway opens to the 4242 card', async () => {
    const gatewayKey = newGatewayKey(T - 1000);
    const merchant: ClientKeys = {
      client_key: 'ck_0123456789abcdef0123456789abcdef',
      previous_client_key: null,
      previous_client_key_expires_at: null,
    };
    const encryptTo = { key: publicKeyOf(gatewayKey), clientKey: merchant.client_key };
    const body = JSON.parse(paymentBody('encrypted', 'M1', 'abc', 3, T, encryptTo));
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
    const again = JSON.parse(paymentBody('encrypted', 'M1', 'abc', 4, T, encryptTo));
    expect(again.payment.encrypted_card_no.split('.')[0]).not.toBe(payment.encrypted_card_no.split('.')[0]);
    expect(STEPS.encrypted).toEqual(['purchase']);
    expect(() => paymentBody('encrypted', 'M1', 'abc', 5, T)).toThrow(/gateway key/);
  });

  it('is signed over docs/signing.md string-to-sign with its own timestamp', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const body = paymentBody('purchase', 'M1', 'abc', 1, T);
    const signed = await signRequest('M1', body, T, privateKey);
    expect(signed.body.toString()).toBe(body);
    expect(signed.signedAt).toBe(T);
    const signature = Buffer.from(signed.signature, 'base64');
    expect(verifySignature(stringToSign('M1', T, signed.body), signature, publicKey)).toBe(true);
    expect(verifySignature(stringToSign('M1', T + 1, signed.body), signature, publicKey)).toBe(false);
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
