/**
 * As docs/three-ds.md says: Apple Pay and Google Pay. `payment.token_data` (an object or a JSON string) carries
 * the wallet's decrypted data — DPAN, expiry, cryptogram, ECI — and is authorized like a card
 * through the simulated acquirer, so the DPAN decides the outcome; the answer echoes the wallet
 * as `payment.payment_method` and shows card_info from the DPAN. Wallets never get a 3-D Secure
 * challenge. Missing wallet data is a 010000 refusal; an invalid DPAN a business outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { countOrders, post } from '../helpers/payments.ts';
import { notified, setup, type ThreeDs } from '../helpers/three-ds.ts';

let t: ThreeDs;

beforeAll(async () => {
  t = await setup();
});
afterAll(() => t?.close());

const YY = FUTURE_YEAR.slice(2);

/** Apple Pay's decrypted payment data, with Apple's field names (snake_case). */
function applePayData(dpan: string, extra: Record<string, unknown> = {}) {
  return {
    application_primary_account_number: dpan,
    application_expiration_date: `${YY}1231`,
    currency_code: '840',
    transaction_amount: 1500,
    payment_data_type: '3DSecure',
    cryptogram: 'AgAAAAAABk4DWZ4C28yUQAAAAAA=',
    eci: '05',
    ...extra,
  };
}

/** Google Pay's decrypted data, sent as a JSON string. */
function googlePayData(dpan: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    dpan,
    exp_month: 11,
    exp_year: Number(FUTURE_YEAR),
    cryptogram: 'AQAAAAAAAAAAAAAAAAAAAAAAAAA=',
    eci: '7',
    ...extra,
  });
}

function walletBody(method: string, tokenData: unknown, overrides: Record<string, unknown> = {}) {
  return {
    trans_id: `w-${Math.random().toString(36).slice(2)}`,
    payment_type: 'PURCHASE' as const,
    currency: 'USD',
    amount: 1500,
    return_url: 'https://shop.example/return',
    ...overrides,
    payment: { payment_method: method, token_data: tokenData as Record<string, unknown> },
  };
}

describe.each([
  ['ApplePay', 'APPLE_PAY', applePayData],
  ['GooglePay', 'GOOGLE_PAY', googlePayData],
  ['GOOGLE_PAY', 'GOOGLE_PAY', googlePayData],
] as const)('%s', (method, echoed, data) => {
  it('approves with 4242… → SUCCESS, echoes the wallet, card_info from the DPAN, notified', async () => {
    const order = await t.client.payments.create(walletBody(method, data('4242424242424242')));
    expect(order).toMatchObject({
      status: 'SUCCESS',
      error_code: '0000',
      payment: { payment_method: echoed },
      card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
    });
    expect(order.authentication_result).toBeUndefined();
    expect(order.redirect_url).toBeUndefined();
    // The acquirer was asked with the DPAN, as for a card.
    expect(t.acquirer.calls.find((c) => c.orderId === order.order_id)?.card.pan).toBe('4242424242424242');
    const note = await notified(t.inbox, order.order_id, 'PAYMENT.SUCCESS');
    expect(note.payment).toEqual({ payment_method: echoed });
  });

  it('declines with 4000000000000002 → FAILURE 5001', async () => {
    const order = await t.client.payments.create(walletBody(method, data('4000000000000002')));
    expect(order).toMatchObject({
      status: 'FAILURE',
      error_code: '5001',
      payment: { payment_method: echoed },
      card_info: { last4: '0002' },
    });
  });

  it('MANUAL capture → AUTHORIZED', async () => {
    const order = await t.client.payments.create(
      walletBody(method, data('5555555555554444'), { capture_method: 'MANUAL' }),
    );
    expect(order).toMatchObject({ status: 'AUTHORIZED', card_info: { card_brand: 'MASTERCARD' } });
  });

  it('a 3-D Secure test card is not challenged: the wallet already authenticated the shopper', async () => {
    const order = await t.client.payments.create(walletBody(method, data('4000002760003184')));
    expect(order.status).toBe('SUCCESS');
    expect(order.authentication_result).toBeUndefined();
  });

  it('a DPAN failing Luhn → FAILURE 2099, like a typed card', async () => {
    const order = await t.client.payments.create(walletBody(method, data('4242424242424241')));
    expect(order).toMatchObject({ status: 'FAILURE', error_code: '2099' });
  });
});

describe('wallet data refusals (010000, no order)', () => {
  const apple = applePayData('4242424242424242');
  const { cryptogram: _c, ...noCryptogram } = apple;
  const { eci: _e, ...noEci } = apple;
  const { application_primary_account_number: _p, ...noDpan } = apple;
  const { application_expiration_date: _x, ...noExpiry } = apple;
  it.each([
    ['no token_data', 'ApplePay', undefined],
    ['token_data not JSON', 'GooglePay', '{not json'],
    ['token_data an array', 'ApplePay', [1, 2]],
    ['no DPAN', 'ApplePay', noDpan],
    ['no expiry', 'ApplePay', noExpiry],
    ['no cryptogram', 'ApplePay', noCryptogram],
    ['no ECI', 'ApplePay', noEci],
    ['a DPAN with letters', 'GooglePay', googlePayData('4242abcd42424242')],
    ['an expiry that is not YYMMDD', 'ApplePay', { ...apple, application_expiration_date: '2030-12' }],
  ])('%s', async (_name, method, data) => {
    const before = await countOrders(t.gw, t.merchant.merchantId);
    const res = await post(t.gw, t.merchant, walletBody(method, data));
    expect(res.status).toBe(400);
    expect(res.json.ret_code).toBe('010000');
    expect(String(res.json.ret_msg)).toContain('payment.token_data');
    expect(await countOrders(t.gw, t.merchant.merchantId)).toBe(before);
  });
});
