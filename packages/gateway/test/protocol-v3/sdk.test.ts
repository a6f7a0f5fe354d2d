/**
 * The SDK speaking PayKKa v3 (`new OpenKKA({ protocol: 'v3' })`) to a real gateway: every
 * operation at its `/v3/payment/acq/…` path, signed with the `x-paykka-*` headers, every answer's
 * v3 signature verified by the SDK; a checkout session queried as not paid yet (4032) and then
 * as its order; orders shared with a v1.2 client; an app id of the merchant's own; a reused
 * nonce refused (300070); and a retry after a lost answer signed with a fresh nonce, which the
 * gateway accepts although the lost attempt used its nonce up.
 */
import {
  isUnpaidSession,
  OpenKKA,
  type OpenKKAOptions,
  OpenKKASignatureError,
  type Order,
} from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { newKeyPair } from '../helpers/keys.ts';
import { refusal } from '../helpers/payments.ts';
import { cardForm, postForm, sessionBody } from '../helpers/sessions.ts';

const clock = new ManualClock(Date.now());
let gw: TestGateway;
let merchant: TestMerchant;
let v3: OpenKKA<'v3'>;

/** A v3 client of `who`, on the gateway's clock. */
function v3Client(who: TestMerchant, options: Partial<OpenKKAOptions<'v3'>> = {}): OpenKKA<'v3'> {
  return new OpenKKA({
    baseUrl: gw.baseUrl,
    merchantId: who.merchantId,
    privateKey: who.privateKeyPem,
    platformPublicKey: gw.platformPublicKeyPem,
    protocol: 'v3',
    now: () => clock.now(),
    ...options,
  });
}

beforeAll(async () => {
  gw = await startGateway({ clock });
  merchant = await gw.createMerchant();
  v3 = v3Client(merchant);
});
afterAll(() => gw?.close());

let seq = 0;
const transId = (label: string) => `sdk-v3-${label}-${Date.now()}-${seq++}`;

/** An order for sure: narrows a v3 query's answer, failing the test on an UnpaidSession. */
function order(result: Awaited<ReturnType<OpenKKA<'v3'>['payments']['query']>>): Order {
  if (isUnpaidSession(result)) throw new Error(`expected an order, got ${JSON.stringify(result)}`);
  return result;
}

describe('a checkout session over v3', () => {
  it('is created, queried as not paid yet (4032) by session_id and trans_id, then as its order once paid', async () => {
    const trans_id = transId('session');
    const session = await v3.sessions.create(sessionBody({ trans_id }));
    expect(session).toMatchObject({ trans_id, status: 'OPEN', amount: 4250, currency: 'EUR' });
    expect(session.session_id).toMatch(/^CS\d{20}$/);
    expect(session.timestamp).toBeUndefined();

    for (const by of [{ session_id: session.session_id }, { trans_id }]) {
      const unpaid = await v3.payments.query(by);
      expect(isUnpaidSession(unpaid), JSON.stringify(unpaid)).toBe(true);
      expect(unpaid).toMatchObject({
        merchant_id: merchant.merchantId,
        trans_id,
        session_id: session.session_id,
        status: 'PROCESSING',
        error_code: '4032',
      });
    }
    // v1.2 refuses the same question.
    expect((await refusal(merchant.client.payments.query({ session_id: session.session_id }))).retCode).toBe(
      '206024',
    );

    const paid = await postForm(session.session_url, cardForm());
    expect(paid.status, paid.html).toBe(303);
    const queried = order(await v3.payments.query({ session_id: session.session_id }));
    expect(queried).toMatchObject({
      trans_id,
      session_id: session.session_id,
      status: 'SUCCESS',
      amount: 4250,
    });
    expect(queried.timestamp).toBeUndefined();
    expect(await v3.sessions.query({ session_id: session.session_id })).toMatchObject({
      status: 'COMPLETED',
      order_id: queried.order_id,
    });
  });

  it('an unknown session is refused (206011), signed the v3 way', async () => {
    const error = await refusal(v3.payments.query({ session_id: 'CS00000000000000000000' }));
    expect([error.retCode, error.httpStatus]).toEqual(['206011', 404]);
  });
});

describe('payments and refunds over v3', () => {
  it('pays, refunds and queries the refund both ways; a v1.2 client sees the same', async () => {
    const paid = await v3.payments.create(cardPayment({ trans_id: transId('pay'), amount: 1000 }));
    expect(paid).toMatchObject({ status: 'SUCCESS', amount: 1000, merchant_id: merchant.merchantId });
    expect(paid.timestamp).toBeUndefined();
    expect(order(await v3.payments.query({ trans_id: paid.trans_id })).order_id).toBe(paid.order_id);

    const refund_trans_id = transId('refund');
    const refund = await v3.refunds.create({
      refund_trans_id,
      ori_order_id: paid.order_id,
      refund_amount: 400,
      currency: 'USD',
      reason: 'REQUESTED_BY_CUSTOMER',
    });
    expect(refund).toMatchObject({ refund_trans_id, ori_order_id: paid.order_id, amount: 400 });
    expect(refund.refund_order_id).toMatch(/^RG/);
    // Safe to repeat: the same refund comes back.
    const again = await v3.refunds.create({
      refund_trans_id,
      ori_order_id: paid.order_id,
      refund_amount: 400,
      currency: 'USD',
    });
    expect(again.refund_order_id).toBe(refund.refund_order_id);

    for (const by of [{ refund_trans_id }, { refund_order_id: refund.refund_order_id }]) {
      expect(await v3.refunds.query(by)).toMatchObject({
        refund_order_id: refund.refund_order_id,
        amount: 400,
      });
    }
    expect((await merchant.client.refunds.query({ refund_trans_id })).refund_order_id).toBe(
      refund.refund_order_id,
    );
    const after = await merchant.client.payments.query({ order_id: paid.order_id });
    expect(after.balances.refunded_amount + after.balances.refunding_amount).toBe(400);
  });

  it('captures part of an authorization and voids the rest', async () => {
    const held = await v3.payments.create(
      cardPayment({ trans_id: transId('manual'), amount: 1000, capture_method: 'MANUAL' }),
    );
    expect(held.status).toBe('AUTHORIZED');
    const captured = await v3.payments.capture({
      order_id: held.order_id,
      amount: 400,
      currency: 'USD',
      capture_final: false,
    });
    expect(captured.balances).toMatchObject({ captured_amount: 400, able_to_capture_amount: 600 });
    const voided = await v3.payments.void({ order_id: held.order_id, reason: 'REQUESTED_BY_CUSTOMER' });
    expect(voided.status).toBe('PARTIALLY_REVERSED');
    expect(voided.balances).toMatchObject({ captured_amount: 400, able_to_capture_amount: 0 });
    // A capture the order cannot take is a refusal, signed and typed.
    const error = await refusal(v3.payments.capture({ order_id: held.order_id, amount: 1, currency: 'USD' }));
    expect(error.httpStatus).toBe(409);
  });

  it('stores a card, renews on it, cancels the agreement and removes the token', async () => {
    const shopper_reference = transId('shopper');
    const first = await v3.payments.createFirstRecurring({
      trans_id: transId('first'),
      currency: 'USD',
      amount: 999,
      return_url: 'https://shop.example/account',
      payment: { ...cardPayment().payment, shopper_reference },
    });
    expect(first.status).toBe('SUCCESS');
    const { token, recurring_agreement_id } = first;
    expect(token).toMatch(/^TK/);
    expect(recurring_agreement_id).toMatch(/^RA/);

    const cards = await v3.tokens.query({ shopper_reference });
    expect(cards.map((c) => c.token)).toEqual([token]);

    const renewal = {
      amount: 999,
      currency: 'USD',
      recurring_agreement_id: recurring_agreement_id!,
      token: token!,
    };
    const renewed = await v3.payments.createSubsequentRecurring({
      trans_id: transId('renewal'),
      shopper_reference,
      ...renewal,
    });
    expect(renewed.status).toBe('SUCCESS');

    await v3.recurring.cancel({ recurring_agreement_id: recurring_agreement_id!, shopper_reference });
    const refused = await v3.payments.createSubsequentRecurring({
      trans_id: transId('after-cancel'),
      shopper_reference,
      ...renewal,
    });
    expect([refused.status, refused.error_code]).toEqual(['FAILURE', '2016']);

    await v3.tokens.remove({ token: token!, shopper_reference });
    expect(await v3.tokens.query({ shopper_reference })).toEqual([]);
    expect((await refusal(v3.tokens.remove({ token: token!, shopper_reference }))).retCode).toBe('300030');
  });
});

describe('v3 authentication through the SDK', () => {
  it('signs with an app id of its own when the merchant has one', async () => {
    const own = await gw.createMerchant();
    const appId = `app-${own.merchantId}`;
    await gw.merchants.setAppId(own.merchantId, appId);
    const paid = await v3Client(own, { appId }).payments.create(cardPayment({ trans_id: transId('app') }));
    expect(paid.merchant_id).toBe(own.merchantId);
    // The merchant id no longer names the merchant over v3.
    expect((await refusal(v3Client(own).payments.query({ order_id: paid.order_id }))).retCode).toBe('206005');
  });

  it('is refused (206003) with another key, and distrusts an answer under another platform key', async () => {
    const forged = v3Client(merchant, { privateKey: newKeyPair().privateKeyPem });
    expect((await refusal(forged.payments.query({ trans_id: 'none' }))).retCode).toBe('206003');
    const suspicious = v3Client(merchant, { platformPublicKey: newKeyPair().publicKeyPem });
    await expect(suspicious.payments.query({ trans_id: 'none' })).rejects.toBeInstanceOf(
      OpenKKASignatureError,
    );
  });

  it('a reused nonce is refused with 300070', async () => {
    const nonce = transId('nonce');
    const fixed = v3Client(merchant, { nonce: () => nonce });
    const paid = await v3.payments.create(cardPayment({ trans_id: transId('nonce') }));
    expect(order(await fixed.payments.query({ order_id: paid.order_id })).order_id).toBe(paid.order_id);
    const error = await refusal(fixed.payments.query({ order_id: paid.order_id }));
    expect([error.retCode, error.httpStatus]).toEqual(['300070', 401]);
  });

  it('retries a refund whose answer was lost with a fresh nonce: the gateway answers the same refund', async () => {
    const paid = await v3.payments.create(cardPayment({ trans_id: transId('lost'), amount: 1000 }));
    const sent: Headers[] = [];
    let calls = 0;
    // The first attempt reaches the gateway, which refunds and uses its nonce up; its answer is lost.
    const losingFetch: typeof fetch = async (input, init) => {
      sent.push(new Headers(init?.headers));
      const res = await fetch(input, init);
      if (calls++ === 0) {
        await res.arrayBuffer();
        throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
      }
      return res;
    };
    const client = v3Client(merchant, { fetch: losingFetch, sleep: async () => {} });
    const refund_trans_id = transId('lost-refund');
    const refund = await client.refunds.create({
      refund_trans_id,
      ori_order_id: paid.order_id,
      refund_amount: 300,
      currency: 'USD',
    });

    expect(sent).toHaveLength(2);
    const [first, second] = sent.map((h) => h.get('x-paykka-nonce'));
    expect(first).toMatch(/^\d{16}$/);
    expect(second).toMatch(/^\d{16}$/);
    expect(second).not.toBe(first);
    expect(refund.refund_trans_id).toBe(refund_trans_id);
    const after = await merchant.client.payments.query({ order_id: paid.order_id });
    // Refunded once, although the request arrived twice.
    expect(after.balances.refunded_amount + after.balances.refunding_amount).toBe(300);
  });
});
