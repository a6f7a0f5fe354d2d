/** What each card answers (docs/testing.md#test-cards, cards without 3-D Secure), and the order object around it (§5, §6). */
import type { OpenKKA, Order } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS_CODES } from '../../src/domain/errors.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { expectNoMoreOfPan, RFC3339_WITH_OFFSET, randomPan, strictClient } from '../helpers/payments.ts';

let gw: TestGateway;
let client: OpenKKA;

beforeAll(async () => {
  gw = await startGateway();
  client = strictClient(gw, await gw.createMerchant());
});
afterAll(() => gw.close());

const ZERO_BALANCES = {
  authed_amount: 0,
  captured_amount: 0,
  able_to_capture_amount: 0,
  voided_amount: 0,
  able_to_void_amount: 0,
  refunded_amount: 0,
  able_to_refund_amount: 0,
  refunding_amount: 0,
};

function capturedInFull(amount: number) {
  return {
    authed_amount: amount,
    captured_amount: amount,
    able_to_capture_amount: 0,
    voided_amount: 0,
    able_to_void_amount: 0,
    refunded_amount: 0,
    able_to_refund_amount: amount,
    refunding_amount: 0,
  };
}

describe('approved test cards', () => {
  const approved = [
    { pan: '4242424242424242', brand: 'VISA', cvv: '123' },
    { pan: '5555555555554444', brand: 'MASTERCARD', cvv: '123' },
    { pan: '378282246310005', brand: 'AMEX', cvv: '1234' },
    { pan: '6011111111111117', brand: 'DISCOVER', cvv: '123' },
    { pan: '3566002020360505', brand: 'JCB', cvv: '123' },
  ];

  it.each(approved)('$brand $pan → SUCCESS, card_info is bin + last4 only', async ({ pan, brand, cvv }) => {
    const order = await client.payments.create(cardPayment({ amount: 1999 }, { card_no: pan, cvv }));
    expect(order).toMatchObject({
      status: 'SUCCESS',
      error_code: BUSINESS_CODES.SUCCESS.code,
      amount: 1999,
      currency: 'USD',
      authorisation_type: 'FINAL_AUTH',
      capture_method: 'AUTOMATIC',
      payment: { payment_method: 'BANKCARD' },
      card_info: { bin: pan.slice(0, 6), last4: pan.slice(-4), card_brand: brand },
      balances: capturedInFull(1999),
    });
    expect(Object.keys(order.card_info!).sort()).toEqual(['bin', 'card_brand', 'last4']);
    const queried = await client.payments.query({ order_id: order.order_id });
    for (const text of [JSON.stringify(order), JSON.stringify(queried)]) {
      expect(text).not.toContain(pan);
      expectNoMoreOfPan(text, pan);
      expect(text).not.toContain(`"${cvv}"`);
    }
  });

  it('card numbers typed with spaces or dashes are read as their digits', async () => {
    const spaced = await client.payments.create(cardPayment({}, { card_no: '4242 4242 4242 4242' }));
    const dashed = await client.payments.create(cardPayment({}, { card_no: '5555-5555-5555-4444' }));
    expect(spaced).toMatchObject({ status: 'SUCCESS', card_info: { bin: '424242', last4: '4242' } });
    expect(dashed).toMatchObject({
      status: 'SUCCESS',
      card_info: { bin: '555555', card_brand: 'MASTERCARD' },
    });
  });
});

describe('declining test cards', () => {
  const declines = [
    { pan: '4000000000000002', code: BUSINESS_CODES.DECLINED },
    { pan: '4000000000009995', code: BUSINESS_CODES.INSUFFICIENT_FUNDS },
    { pan: '4000000000000069', code: BUSINESS_CODES.EXPIRED_CARD },
    { pan: '4000000000000127', code: BUSINESS_CODES.INCORRECT_CVV },
    { pan: '4000000000000119', code: BUSINESS_CODES.ACQUIRER_ERROR },
  ];

  it('the decline codes are 5001..5005, one per reason', () => {
    expect(declines.map((d) => d.code.code)).toEqual(['5001', '5002', '5003', '5004', '5005']);
  });

  it.each(declines)('$pan → FAILURE $code.code with zero balances, HTTP 200', async ({ pan, code }) => {
    const order = await client.payments.create(cardPayment({ amount: 700 }, { card_no: pan }));
    expect(order).toMatchObject({
      status: 'FAILURE',
      error_code: code.code,
      error_description: code.description,
      amount: 700,
      card_info: { bin: '400000', last4: pan.slice(-4), card_brand: 'VISA' },
      balances: ZERO_BALANCES,
    });
    expect(order.pay_finish_time).toMatch(RFC3339_WITH_OFFSET);
    const queried = await client.payments.query({ trans_id: order.trans_id });
    expect(queried).toMatchObject({ order_id: order.order_id, status: 'FAILURE', error_code: code.code });
  });
});

describe('any other Luhn-valid card is approved', () => {
  const others = [
    { prefix: '4', length: 16, brand: 'VISA' },
    { prefix: '4', length: 13, brand: 'VISA' },
    { prefix: '51', length: 16, brand: 'MASTERCARD' },
    { prefix: '2221', length: 16, brand: 'MASTERCARD' },
    { prefix: '65', length: 16, brand: 'DISCOVER' },
    { prefix: '3530', length: 16, brand: 'JCB' },
    { prefix: '36', length: 14, brand: 'DINERS' },
    // 6200…, not any 62…: 622126–622925 is Discover's range inside UnionPay's.
    { prefix: '6200', length: 16, brand: 'UNIONPAY' },
  ];

  it.each(others)('$brand, $length digits from $prefix', async ({ prefix, length, brand }) => {
    const pan = randomPan(prefix, length);
    const order = await client.payments.create(cardPayment({}, { card_no: pan }));
    expect(order.status, `${pan} should be approved`).toBe('SUCCESS');
    expect(order.card_info).toEqual({ bin: pan.slice(0, 6), last4: pan.slice(-4), card_brand: brand });
    expectNoMoreOfPan(JSON.stringify(order), pan);
  });
});

describe('capture method and authorisation type', () => {
  it('MANUAL → AUTHORIZED: the whole amount capturable, nothing captured', async () => {
    const order = await client.payments.create(cardPayment({ amount: 4200, capture_method: 'MANUAL' }));
    expect(order).toMatchObject({
      status: 'AUTHORIZED',
      capture_method: 'MANUAL',
      error_code: '0000',
      balances: {
        authed_amount: 4200,
        captured_amount: 0,
        able_to_capture_amount: 4200,
        voided_amount: 0,
        able_to_void_amount: 4200,
        refunded_amount: 0,
        able_to_refund_amount: 0,
        refunding_amount: 0,
      },
    });
    expect(order.pay_finish_time).toMatch(RFC3339_WITH_OFFSET);
  });

  it('PRE_AUTH is echoed, with either capture method', async () => {
    const auto = await client.payments.create(cardPayment({ authorisation_type: 'PRE_AUTH' }));
    expect(auto).toMatchObject({ status: 'SUCCESS', authorisation_type: 'PRE_AUTH' });
    const manual = await client.payments.create(
      cardPayment({ authorisation_type: 'PRE_AUTH', capture_method: 'MANUAL' }),
    );
    expect(manual).toMatchObject({ status: 'AUTHORIZED', authorisation_type: 'PRE_AUTH' });
    expect((await client.payments.query({ order_id: manual.order_id })).authorisation_type).toBe('PRE_AUTH');
  });

  it('defaults are FINAL_AUTH and AUTOMATIC', async () => {
    const order = await client.payments.create(cardPayment());
    expect(order).toMatchObject({ authorisation_type: 'FINAL_AUTH', capture_method: 'AUTOMATIC' });
  });
});

describe('times', () => {
  it('pay_finish_time and expire_time are RFC 3339 with an offset; expire_time defaults to 30 min', async () => {
    const before = Date.now();
    const order = await client.payments.create(cardPayment());
    const after = Date.now();
    expect(order.pay_finish_time).toMatch(RFC3339_WITH_OFFSET);
    expect(order.expire_time).toMatch(RFC3339_WITH_OFFSET);
    const finished = Date.parse(order.pay_finish_time!);
    // Whole seconds on the wire: allow the truncated second.
    expect(finished).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(finished).toBeLessThanOrEqual(after);
    const expires = Date.parse(order.expire_time!);
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 30 * 60_000);
    expect(expires).toBeLessThanOrEqual(after + 30 * 60_000);
  });

  it.each([
    ['RFC 3339 with offset', '2031-05-06T14:40:43+08:00', '2031-05-06T06:40:43Z'],
    ['RFC 3339 in UTC', '2031-05-06T14:40:43Z', '2031-05-06T14:40:43Z'],
    ['a +0800-style offset', '2031-05-06T14:40:43+0800', '2031-05-06T06:40:43Z'],
    [
      'YYYY-MM-DD HH:mm:ss, read in Hong Kong (the default zone)',
      '2031-05-06 14:40:43',
      '2031-05-06T06:40:43Z',
    ],
    ['RFC 3339 without an offset, read in Hong Kong', '2031-05-06T14:40:43', '2031-05-06T06:40:43Z'],
  ])('the request expire_time is respected (%s)', async (_form, sent, instant) => {
    const order = await client.payments.create(cardPayment({ expire_time: sent }));
    expect(order.expire_time).toMatch(RFC3339_WITH_OFFSET);
    expect(Date.parse(order.expire_time!)).toBe(Date.parse(instant));
    // Answered in the gateway's zone, Hong Kong unless OPENKKA_TIMEZONE says otherwise.
    expect(order.expire_time).toBe(
      new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(0, 19) + '+08:00',
    );
    const queried = await client.payments.query({ order_id: order.order_id });
    expect(queried.expire_time).toBe(order.expire_time);
  });
});

describe('query', () => {
  it('by trans_id and by order_id returns the same order as create', async () => {
    const created = await client.payments.create(
      cardPayment(
        { amount: 321, currency: 'EUR', capture_method: 'MANUAL' },
        { card_no: '5555555555554444' },
      ),
    );
    const byTrans = await client.payments.query({ trans_id: created.trans_id });
    const byOrder = await client.payments.query({ order_id: created.order_id });
    const both = await client.payments.query({ trans_id: created.trans_id, order_id: created.order_id });
    const { timestamp: _t, ...expected } = created;
    for (const found of [byTrans, byOrder, both]) {
      const { timestamp, ...rest } = found;
      expect(rest).toEqual(expected);
      expect(timestamp).toBeTypeOf('number');
    }
  });

  it('an empty trans_id beside an order_id counts as absent', async () => {
    const created = await client.payments.create(cardPayment());
    const found = await client.payments.query({ trans_id: '', order_id: created.order_id });
    expect(found.order_id).toBe(created.order_id);
  });

  it('answers the same fields for an approved and a declined order', async () => {
    const ok: Order = await client.payments.create(cardPayment());
    const declined: Order = await client.payments.create(cardPayment({}, { card_no: '4000000000000002' }));
    const fields = (o: Order) => Object.keys(o).sort();
    expect(fields(declined)).toEqual(fields(ok));
  });
});

describe('amounts and currencies', () => {
  it.each([
    ['JPY', 5000],
    ['KWD', 1234],
    ['CNY', 1],
    ['GBP', 2 ** 53 - 1],
  ])('%s %d is kept exactly, as an integer', async (currency, amount) => {
    const order = await client.payments.create(cardPayment({ currency, amount }));
    expect(order).toMatchObject({ status: 'SUCCESS', currency, amount });
    expect(order.balances.captured_amount).toBe(amount);
    const queried = await client.payments.query({ order_id: order.order_id });
    expect(queried.amount).toBe(amount);
    expect(queried.balances.able_to_refund_amount).toBe(amount);
  });
});
