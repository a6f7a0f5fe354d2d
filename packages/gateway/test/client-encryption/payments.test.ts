/**
 * Payments whose card arrives encrypted (payment.encrypted_*): opened in memory, then exactly
 * the plain card's path — card checks, test cards, 3-D Secure, storing, idempotency. Fields
 * that cannot be used end in a FAILURE order with their own code, never a 5xx; a card half
 * plain and half encrypted, or missing a part, is refused (010000) and creates nothing. The
 * WooCommerce plugin's own encrypted-card body is accepted once its four fields are real.
 * Neither the answers, the store nor the logs hold more of the card than BIN and last 4.
 */
import { PassThrough } from 'node:stream';
import type { GatewayPublicKey } from '@openkka/sdk';
import { DistinctTimestamps } from '@openkka/sdk/timestamps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { publicKeyOf } from '../../src/modules/client-encryption/gateway-keys.ts';
import { BLOB_LIFETIME_MS, CLOCK_SKEW_MS, newGatewayKey } from '../../src/vault/card-encryption-keys.ts';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { type Card, encrypted, encryptedPayment, gatewayKey, VISA } from '../helpers/client-encryption.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { CountingAcquirer, countOrders, expectNoMoreOfPan, randomPan } from '../helpers/payments.ts';
import { signedPost } from '../helpers/raw.ts';
import { pass } from '../helpers/three-ds.ts';
import { BANKCARD_PAYMENT } from '../protocol/paykka-plugin-bodies.ts';

const clock = new ManualClock(Date.now());
const acquirer = new CountingAcquirer();
const logChunks: Buffer[] = [];
const answers: string[] = [];
// A canary: no fixture uses it, so finding more than its BIN and last 4 anywhere is a leak.
const CANARY: Card = { number: randomPan('4'), expiryMonth: '03', expiryYear: FUTURE_YEAR, cvv: '947' };
let gw: TestGateway;
let merchant: TestMerchant;
let other: TestMerchant;
let key: GatewayPublicKey;

beforeAll(async () => {
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logChunks.push(chunk));
  gw = await startGateway({ clock, acquirer, logStream });
  merchant = await gw.createMerchant({ name: 'Encrypting shop' });
  other = await gw.createMerchant({ name: 'Another shop' });
  key = await gatewayKey(gw, merchant);
});
afterAll(() => gw?.close());

/** A signature is accepted once: the same body sent again is signed again, a millisecond later. */
const timestamps = new DistinctTimestamps(() => clock.now());

/** Signs and posts with the gateway's clock; keeps the answer for the leak check at the end. */
async function pay(body: Record<string, unknown>, as: TestMerchant = merchant) {
  const timestamp = timestamps.next(JSON.stringify({ ...body, merchant_id: as.merchantId }));
  const res = await signedPost(
    gw.baseUrl,
    '/apis/payments',
    { merchant_id: as.merchantId, ...body, timestamp },
    as,
  );
  answers.push(res.text);
  expect(res.status, res.text).toBeLessThan(500);
  // biome-ignore lint/suspicious/noExplicitAny: tests read answer fields directly
  return res as typeof res & { json: { ret_code: string; ret_msg: string; data?: any } };
}

describe('an encrypted card takes the plain card’s path', () => {
  it.each([
    ['X25519', 'per-card', () => key],
    ['P-256', 'per-card', () => gw.gatewayKeys.current()],
    ['X25519', 'per-field', () => key],
    ['P-256', 'per-field', () => gw.gatewayKeys.current()],
  ] as const)(
    '4242… encrypted to the %s half, %s, is approved: SUCCESS, card_info as for a typed card, the acquirer asked with the decrypted card',
    async (_curve, layout, half) => {
      const res = await pay(encryptedPayment(await half(), merchant, { layout }));
      expect(res.json.ret_code).toBe('000000');
      expect(res.json.data).toMatchObject({
        status: 'SUCCESS',
        error_code: '0000',
        card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
      });
      const call = acquirer.calls.find((c) => c.orderId === res.json.data.order_id)!;
      expect(call.card).toMatchObject({
        pan: '4242424242424242',
        expMonth: 12,
        expYear: Number(FUTURE_YEAR),
        cvv: '123',
      });
    },
  );

  it('a declining test card declines (5001); a Luhn-invalid number fails the card checks (2099) unasked', async () => {
    const declined = await pay(
      encryptedPayment(key, merchant, { card: { ...VISA, number: '4000000000000002' } }),
    );
    expect(declined.json.data).toMatchObject({ status: 'FAILURE', error_code: '5001' });
    const before = acquirer.calls.length;
    const invalid = await pay(
      encryptedPayment(key, merchant, { card: { ...VISA, number: '4242424242424241' } }),
    );
    expect(invalid.json.data).toMatchObject({ status: 'FAILURE', error_code: '2099' });
    expect(acquirer.calls.length).toBe(before);
  });

  it('a 3-D Secure card is challenged; once the shopper passes, approved', async () => {
    const res = await pay(encryptedPayment(key, merchant, { card: { ...VISA, number: '4000002760003184' } }));
    expect(res.json.data.status).toBe('PROCESSING');
    const url = res.json.data.authentication_result.authentication_url as string;
    const submitted = await pass(url);
    expect(submitted.status).toBe(303);
    const order = await merchant.client.payments.query({ order_id: res.json.data.order_id });
    expect(order).toMatchObject({ status: 'SUCCESS', error_code: '0000' });
  });

  it('store_payment_method stores the decrypted card; the token then pays without any card', async () => {
    const stored = await pay(
      encryptedPayment(key, merchant, {
        payment: {
          store_payment_method: true,
          token_usage: 'CARD_ON_FILE',
          shopper_reference: 'enc-shopper',
        },
      }),
    );
    expect(stored.json.data).toMatchObject({ status: 'SUCCESS', token: expect.stringMatching(/^TK\d{20}$/) });
    const byToken = await merchant.client.payments.create({
      trans_id: `by-token-${Date.now()}`,
      payment_type: 'PURCHASE',
      currency: 'USD',
      amount: 500,
      return_url: 'https://shop.example/return',
      payment: {
        payment_method: 'BANKCARD',
        token: stored.json.data.token,
        shopper_reference: 'enc-shopper',
      },
    });
    expect(byToken).toMatchObject({ status: 'SUCCESS', card_info: { last4: '4242' } });
  });

  it('repeating the request answers the same order; so does repeating it after the fields expired', async () => {
    const body = encryptedPayment(key, merchant);
    const first = await pay(body);
    expect((await pay(body)).json.data.order_id).toBe(first.json.data.order_id);
    clock.advance(BLOB_LIFETIME_MS + 60_000);
    try {
      const late = await pay(body);
      expect(late.json.data).toMatchObject({ order_id: first.json.data.order_id, status: 'SUCCESS' });
      // A new trans_id with those old fields is refused as expired.
      const fresh = await pay({ ...body, trans_id: `${body.trans_id}-again` });
      expect(fresh.json.data).toMatchObject({ status: 'FAILURE', error_code: '2005' });
      expect(fresh.json.data).not.toHaveProperty('card_info');
    } finally {
      clock.set(Date.now());
    }
  });

  it('the canary card pays, and appears nowhere but as BIN and last 4', async () => {
    const res = await pay(encryptedPayment(key, merchant, { card: CANARY }));
    expect(res.json.data.status).toBe('SUCCESS');
  });
});

describe('fields that cannot be used: a FAILURE order with a specific code, HTTP 200', () => {
  const refused = async (body: Record<string, unknown>, code: string, description: string) => {
    const before = acquirer.calls.length;
    const res = await pay(body);
    expect(res.status).toBe(200);
    expect(res.json.ret_code).toBe('000000');
    expect(res.json.data).toMatchObject({
      status: 'FAILURE',
      error_code: code,
      error_description: description,
    });
    expect(res.json.data).not.toHaveProperty('card_info');
    expect(acquirer.calls.length).toBe(before);
  };

  it('tampered, truncated or not a JWE → 2004', async () => {
    /** The JWE with the first character of one of its parts changed. */
    const flip = (jwe: string, part: number) => {
      const parts = jwe.split('.');
      parts[part] = (parts[part]![0] === 'A' ? 'B' : 'A') + parts[part]!.slice(1);
      return parts.join('.');
    };
    const body = encryptedPayment(key, merchant);
    const p = body.payment;
    const variants = [
      { ...p, encrypted_card_no: flip(p.encrypted_card_no, 3) },
      { ...p, encrypted_cvv: flip(p.encrypted_cvv!, 4) },
      { ...p, encrypted_exp_month: flip(p.encrypted_exp_month, 2) },
      { ...p, encrypted_exp_year: p.encrypted_exp_year.slice(0, 40) },
      { ...p, encrypted_exp_month: 'not a jwe' },
      // The per-card JWE altered alike in all four fields.
      ...[2, 3, 4].map((part) => {
        const altered = flip(p.encrypted_card_no, part);
        return {
          ...p,
          encrypted_card_no: altered,
          encrypted_exp_month: altered,
          encrypted_exp_year: altered,
          encrypted_cvv: altered,
        };
      }),
    ];
    for (const [i, payment] of variants.entries()) {
      await refused(
        { ...body, trans_id: `${body.trans_id}-${i}`, payment },
        '2004',
        'Card decryption failed',
      );
    }
  });

  it('encrypted to a key this gateway never had → 5011', async () => {
    await refused(
      encryptedPayment(publicKeyOf(newGatewayKey(clock.now())), merchant),
      '5011',
      'Card was encrypted to a gateway key that is unknown or retired',
    );
  });

  it("made with another merchant's client key → 5012, and the other merchant can pay with it", async () => {
    const theirs = encryptedPayment(key, other);
    await refused({ ...theirs }, '5012', "Card was encrypted with a client key that is not this merchant's");
    const res = await pay(theirs, other);
    expect(res.json.data.status).toBe('SUCCESS');
  });

  it('made more than 24 h ago → 2005; further ahead than the skew → 5013', async () => {
    await refused(
      encryptedPayment(key, merchant, { now: clock.now() - BLOB_LIFETIME_MS - 1000 }),
      '2005',
      'Card encryption expired',
    );
    await refused(
      encryptedPayment(key, merchant, { now: clock.now() + CLOCK_SKEW_MS + 60_000 }),
      '5013',
      'Card encryption time is in the future',
    );
  });

  it('random garbage in each field never answers 5xx', async () => {
    const body = encryptedPayment(key, merchant);
    for (const field of ['encrypted_card_no', 'encrypted_exp_month', 'encrypted_exp_year', 'encrypted_cvv']) {
      for (const garbage of ['....', 'a.b.c.d.e', '\u00ff\u0001', `${'A'.repeat(4000)}`, 'eyJ9.e30..AA.AA']) {
        const res = await pay({
          ...body,
          trans_id: `${body.trans_id}-${field}-${garbage.length}`,
          payment: { ...body.payment, [field]: garbage },
        });
        expect(res.json.data?.error_code ?? res.json.ret_code, `${field}=${garbage.slice(0, 10)}`).toMatch(
          /^(2004|010000)$/,
        );
      }
    }
  });
});

describe('a card half plain, half encrypted, or missing a part: refused, nothing created', () => {
  const expectRefused = async (payment: Record<string, unknown>, message: RegExp) => {
    const before = await countOrders(gw, merchant.merchantId);
    const body = encryptedPayment(key, merchant);
    const res = await pay({ ...body, payment: { payment_method: 'BANKCARD', ...payment } });
    expect(res.status).toBe(400);
    expect(res.json.ret_code).toBe('010000');
    expect(res.json.ret_msg).toMatch(message);
    expect(await countOrders(gw, merchant.merchantId)).toBe(before);
  };
  const fields = () => encrypted(key, merchant.clientKey);

  it('plain card_no with encrypted fields, or encrypted card with a plain cvv or expiry', async () => {
    await expectRefused(
      { ...fields(), card_no: '4242424242424242' },
      /mixes plain and encrypted card fields \(card_no and encrypted_card_no\)/,
    );
    await expectRefused(
      { ...fields(), cvv: '123' },
      /mixes plain and encrypted card fields \(cvv and encrypted_card_no\)/,
    );
    const { encrypted_exp_month: _m, ...noMonth } = fields();
    await expectRefused({ ...noMonth, exp_month: '12' }, /mixes plain and encrypted card fields \(exp_month/);
    await expectRefused(
      {
        card_no: '4242424242424242',
        exp_month: '12',
        exp_year: FUTURE_YEAR,
        encrypted_cvv: fields().encrypted_cvv,
      },
      /mixes plain and encrypted card fields \(card_no and encrypted_cvv\)/,
    );
  });

  it('an encrypted card without its month or year; encrypted fields without the number; with a token', async () => {
    const { encrypted_exp_year: _y, ...noYear } = fields();
    await expectRefused(noYear, /payment\.encrypted_exp_year is required with encrypted_card_no/);
    const { encrypted_card_no: _n, ...noNumber } = fields();
    await expectRefused(noNumber, /payment\.encrypted_card_no is required with encrypted_exp_month/);
    await expectRefused(
      { ...fields(), token: 'TK00000000000000000000', shopper_reference: 's' },
      /cannot be sent with token/,
    );
  });
});

describe("the WooCommerce plugin's encrypted-card body", () => {
  it('pretty-printed with its null members, its four fields real, is accepted and approved', async () => {
    const f = encrypted(key, merchant.clientKey);
    // The plugin's bytes, with this test's ids.
    const body = BANKCARD_PAYMENT.replace('"13954142990646"', JSON.stringify(merchant.merchantId))
      .replace('1796196790583', String(clock.now()))
      .replace('"trans_id": 1967909', `"trans_id": ${Date.now()}`)
      .replace('"eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-card"', JSON.stringify(f.encrypted_card_no))
      .replace('"eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-year"', JSON.stringify(f.encrypted_exp_year))
      .replace('"eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-month"', JSON.stringify(f.encrypted_exp_month))
      .replace('"eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-cvv"', JSON.stringify(f.encrypted_cvv));
    expect(body).not.toContain('fake-ciphertext');
    const res = await signedPost(
      gw.baseUrl,
      '/apis/payments',
      body,
      { ...merchant, timestamp: clock.now() },
      {
        version: '',
      },
    );
    answers.push(res.text);
    expect(res.status, res.text).toBe(200);
    expect(res.json.ret_code).toBe('000000');
    expect(res.json.data).toMatchObject({ status: 'SUCCESS', amount: 2500, card_info: { last4: '4242' } });
  });

  it('with its placeholder fields (what a PayKKa-encrypted card looks like here): 2004, not 210001', async () => {
    const body = BANKCARD_PAYMENT.replace('"13954142990646"', JSON.stringify(merchant.merchantId))
      .replace('1796196790583', String(clock.now()))
      .replace('"trans_id": 1967909', `"trans_id": ${Date.now() + 1}`);
    const res = await signedPost(gw.baseUrl, '/apis/payments', body, { ...merchant, timestamp: clock.now() });
    expect(res.status, res.text).toBe(200);
    expect((res.json.data as { error_code: string }).error_code).toBe('2004');
  });
});

describe('leaks', () => {
  it('no answer, no order row and no log line holds more of the canary than BIN and last 4, nor its CVV', async () => {
    const rows = await gw.runtime.store.writer.selectFrom('orders').selectAll().execute();
    const texts = [...answers, JSON.stringify(rows), Buffer.concat(logChunks).toString('utf8')];
    for (const text of texts) {
      expectNoMoreOfPan(text, CANARY.number);
      expect(text).not.toMatch(new RegExp(`(?<![0-9A-Za-z_-])${CANARY.cvv}(?![0-9A-Za-z_-])`));
    }
    expect(answers.length).toBeGreaterThan(20);
  });
});
