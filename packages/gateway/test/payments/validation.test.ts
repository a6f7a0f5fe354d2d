/**
 * Request-level refusals of /payments (docs/api.md#transport-rules, docs/api.md#the-envelope): HTTP 400 with ret_code 010000 (or 2100xx),
 * a ret_msg that names the field, and nothing stored, so the trans_id stays free. Sent by hand,
 * because these are bodies the SDK's types would never let through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { CountingAcquirer, countOrders, post } from '../helpers/payments.ts';
import { rawPost, responseSignatureValid, signBody, signedPost } from '../helpers/raw.ts';

let gw: TestGateway;
let merchant: TestMerchant;
const acquirer = new CountingAcquirer();

beforeAll(async () => {
  gw = await startGateway({ acquirer });
  merchant = await gw.createMerchant();
});
afterAll(() => gw.close());

type Body = Record<string, unknown> & { payment: Record<string, unknown> };

function without(field: string): Body {
  const body: Body = cardPayment();
  delete body[field];
  return body;
}

function withoutCardField(field: string): Body {
  const body: Body = cardPayment();
  delete body.payment[field];
  return body;
}

/** Posts `body` and checks the refusal: status, code, a message naming `field`, no data, no order. */
async function expectRefused(body: Record<string, unknown>, field: string, retCode = '010000', http = 400) {
  const ordersBefore = await countOrders(gw);
  const callsBefore = acquirer.calls.length;
  const res = await post(gw, merchant, body);
  expect(res.status, res.text).toBe(http);
  expect(res.json.ret_code).toBe(retCode);
  expect(res.json.ret_msg).toContain(field);
  expect(res.json).not.toHaveProperty('data');
  expect(responseSignatureValid(res, merchant.merchantId, gw.platformPublicKeyPem)).toBe(true);
  expect(await countOrders(gw), 'a refused request stores nothing').toBe(ordersBefore);
  expect(acquirer.calls.length, 'a refused request never reaches the acquirer').toBe(callsBefore);
  return res;
}

async function expectAccepted(body: Record<string, unknown>) {
  const res = await post(gw, merchant, body);
  expect(res.status, res.text).toBe(200);
  expect(res.json.ret_code).toBe('000000');
  return res.json.data as Record<string, unknown>;
}

describe('missing required fields', () => {
  it.each(['trans_id', 'payment_type', 'amount', 'currency', 'payment', 'return_url'])(
    '%s missing → 010000 naming it',
    async (field) => {
      await expectRefused(without(field), field);
    },
  );

  it('payment.payment_method missing → 010000 naming it', async () => {
    await expectRefused(withoutCardField('payment_method'), 'payment.payment_method');
  });

  it.each(['card_no', 'exp_month', 'exp_year'])('payment.%s missing → 010000 naming it', async (field) => {
    await expectRefused(withoutCardField(field), field);
  });

  it('return_url is required when mit is false', async () => {
    const body = without('return_url');
    body.mit = false;
    await expectRefused(body, 'return_url');
  });

  it('and for a PURCHASE even with mit=true and a token: only subsequent RECURRING payments are exempt', async () => {
    const body = without('return_url');
    body.mit = true;
    await expectRefused(body, 'return_url');
    const byToken = without('return_url');
    byToken.mit = true;
    byToken.payment = { payment_method: 'BANKCARD', token: 'TK1', shopper_reference: 's-1' };
    await expectRefused(byToken, 'return_url');
  });

  it.each([
    ['trans_id', cardPayment({ trans_id: '' })],
    ['amount', cardPayment({ amount: '' })],
    ['currency', cardPayment({ currency: '' })],
    ['return_url', cardPayment({ return_url: '' })],
    ['trans_id', cardPayment({ trans_id: null })],
    ['card_no', cardPayment({}, { card_no: '' })],
  ])('an empty string or null counts as absent: %s', async (field, body) => {
    await expectRefused(body, field);
  });
});

describe('wrong types and shapes', () => {
  it.each([
    ['amount', { amount: true }],
    ['amount', { amount: {} }],
    ['amount', { amount: [100] }],
    ['currency', { currency: 5 }],
    // A number in plain digits is read as its digits (protocol/numeric-identifiers.test.ts); others are not.
    ['trans_id', { trans_id: 12345.5 }],
    ['trans_id', { trans_id: -12345 }],
    ['payment', { payment: 'x' }],
    ['payment', { payment: [] }],
    ['mit', { mit: 'yes' }],
    ['browser', { browser: 'Mozilla' }],
    ['goods', { goods: { id: 1 } }],
    ['notify_url', { notify_url: 'not a url' }],
    ['return_url', { return_url: 'javascript:alert(1)' }],
    ['expire_time', { expire_time: 'tomorrow' }],
    ['expire_time', { expire_time: '2031-02-30T10:00:00Z' }],
    // Valid RFC 3339 text, but an instant before year 0000 / after 9999 in the gateway's zone
    // (Hong Kong by default): not a time openkka can answer.
    ['expire_time', { expire_time: '0000-01-01T00:00:00+08:00' }],
    ['expire_time', { expire_time: '9999-12-31T23:59:59Z' }],
  ])('%s = %j → 010000', async (field, overrides) => {
    const body: Record<string, unknown> = { ...cardPayment(), ...overrides };
    await expectRefused(body, field);
  });

  it.each([
    ['payment.exp_month', { exp_month: 'ab' }],
    ['payment.exp_month', { exp_month: 1.5 }],
    ['payment.exp_year', { exp_year: 'next' }],
    ['payment.card_no', { card_no: '4242abcd42424242' }],
    ['payment.card_no', { card_no: 4242424242424242 }],
    ['payment.cvv', { cvv: 123 }],
    ['payment.cvv', { cvv: 'abc' }],
    ['payment.cvv', { cvv: '12345' }],
    ['payment.store_payment_method', { store_payment_method: 'sure' }],
  ])('%s = %j → 010000', async (field, card) => {
    await expectRefused(cardPayment({}, card), field);
  });
});

describe('amounts (integers in minor units, 1 … 2^53−1)', () => {
  it.each([
    ['0', 0],
    ['-1', -1],
    ['1.5', 1.5],
    ['"1.5"', '1.5'],
    ['"12.5"', '12.5'],
    ['"0"', '0'],
    ['"-5"', '-5'],
    ['"1e3"', '1e3'],
    ['" 300"', ' 300'],
    ['2^53', 2 ** 53],
    ['"2^53"', String(2 ** 53)],
    ['"99999999999999999999"', '99999999999999999999'],
  ])('%s is refused', async (_label, amount) => {
    await expectRefused(cardPayment({ amount }), 'amount');
  });

  it('"300" is accepted as 300', async () => {
    const data = await expectAccepted(cardPayment({ amount: '300' }));
    expect(data.amount).toBe(300);
    expect(data.balances).toMatchObject({ captured_amount: 300 });
  });

  it('2^53−1 is accepted, as a number and as a string', async () => {
    expect((await expectAccepted(cardPayment({ amount: 2 ** 53 - 1 }))).amount).toBe(2 ** 53 - 1);
    expect((await expectAccepted(cardPayment({ amount: String(2 ** 53 - 1) }))).amount).toBe(2 ** 53 - 1);
  });
});

describe('currencies and enums', () => {
  it.each(['XYZ', 'usd', 'US', 'USDX'])('currency %s → 010000', async (currency) => {
    await expectRefused(cardPayment({ currency }), 'currency');
  });

  it.each([
    ['payment_type', 'SALE'],
    ['authorisation_type', 'AUTH'],
    ['authorisation_type', 'final_auth '],
    ['capture_method', 'LATER'],
  ])('%s %j → 010000', async (field, value) => {
    await expectRefused(cardPayment({ [field]: value }), field);
  });

  it('payment.token_usage outside the enum → 010000', async () => {
    await expectRefused(cardPayment({}, { token_usage: 'ALWAYS' }), 'payment.token_usage');
  });

  it('empty enum fields take their defaults', async () => {
    const data = await expectAccepted(cardPayment({ authorisation_type: '', capture_method: '' }));
    expect(data).toMatchObject({ authorisation_type: 'FINAL_AUTH', capture_method: 'AUTOMATIC' });
  });
});

describe('trans_id length', () => {
  it('65 characters → 010000', async () => {
    await expectRefused(cardPayment({ trans_id: 'x'.repeat(65) }), 'trans_id');
  });

  it('64 characters is accepted', async () => {
    const transId = `y${Date.now()}`.padEnd(64, 'y');
    expect(await expectAccepted(cardPayment({ trans_id: transId }))).toMatchObject({ trans_id: transId });
  });
});

describe('leniencies that are not refusals', () => {
  it('empty-string optional fields count as absent (notify_url, expire_time, browser)', async () => {
    const data = await expectAccepted(cardPayment({ notify_url: '', expire_time: '', browser: '' }));
    expect(data).toMatchObject({ status: 'SUCCESS' });
    expect(data.expire_time).toBeTypeOf('string');
  });

  it('unknown extra fields are ignored', async () => {
    const body = cardPayment({ loyalty_tier: 'gold', nested: { a: [1, 2] } });
    (body.payment as Record<string, unknown>).wallet_hint = 'none';
    expect(await expectAccepted(body)).toMatchObject({ status: 'SUCCESS' });
  });

  it('numbers sent as strings where PayKKa examples do (exp_month, exp_year)', async () => {
    const data = await expectAccepted(
      cardPayment({}, { exp_month: 7, exp_year: Number(cardPayment().payment.exp_year) }),
    );
    expect(data).toMatchObject({ status: 'SUCCESS' });
  });

  it.each(['BANKCARD', 'BankCard', 'bankcard', 'bank_card'])(
    'payment_method %s is BANKCARD in the answer',
    async (method) => {
      const data = await expectAccepted(cardPayment({}, { payment_method: method }));
      expect(data.payment).toEqual({ payment_method: 'BANKCARD' });
    },
  );

  it('is served at /payments as well as /apis/payments', async () => {
    const res = await post(gw, merchant, cardPayment(), '/payments');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ret_code: '000000', data: { status: 'SUCCESS' } });
  });
});

describe('payment methods and storage rules (2100xx)', () => {
  it.each([
    ['eftpos', 'EFTPOS takes AUD, not USD'],
    ['EFTPOS', 'EFTPOS takes AUD, not USD'],
  ])(
    '%s is EFTPOS, which takes AUD only: in USD → 300040 (payments/eftpos.test.ts)',
    async (method, named) => {
      await expectRefused(cardPayment({}, { payment_method: method }), named, '300040');
    },
  );

  it('a payment method that does not exist at all → 010000', async () => {
    await expectRefused(cardPayment({}, { payment_method: 'Cheque' }), 'payment.payment_method');
  });

  it('store_payment_method true without shopper_reference → 210002', async () => {
    await expectRefused(
      cardPayment({}, { store_payment_method: true, token_usage: 'CARD_ON_FILE' }),
      'shopper_reference',
      '210002',
    );
  });

  it('a refused trans_id is still free afterwards', async () => {
    const body = cardPayment({ currency: 'usd' });
    await expectRefused(body, 'currency');
    const data = await expectAccepted({ ...body, currency: 'USD' });
    expect(data).toMatchObject({ trans_id: body.trans_id, status: 'SUCCESS' });
  });
});

describe('bodies that are not a payment at all', () => {
  async function sendRaw(text: string) {
    const timestamp = Date.now();
    const signature = signBody(merchant.merchantId, timestamp, text, merchant.privateKey);
    return rawPost(gw.baseUrl, '/apis/payments', text, { signature, type: 'RSA256', version: 'v1.2' });
  }

  it('malformed JSON → 400 010000, nothing stored', async () => {
    const before = await countOrders(gw);
    const res = await sendRaw(`{"merchant_id":"${merchant.merchantId}","timestamp":${Date.now()},"amount":`);
    expect(res.status).toBe(400);
    expect(res.json.ret_code).toBe('010000');
    expect(await countOrders(gw)).toBe(before);
  });

  it('a JSON array → 400 010000', async () => {
    const res = await sendRaw('[1,2,3]');
    expect(res.status).toBe(400);
    expect(res.json.ret_code).toBe('010000');
  });

  it('a body over 64 KiB → 413 010000, nothing stored', async () => {
    const before = await countOrders(gw);
    const body = { merchant_id: merchant.merchantId, ...cardPayment(), padding: 'p'.repeat(70_000) };
    const res = await signedPost(gw.baseUrl, '/apis/payments', { ...body, timestamp: Date.now() }, merchant);
    expect(res.status).toBe(413);
    expect(res.json.ret_code).toBe('010000');
    expect(await countOrders(gw)).toBe(before);
  });
});

describe('no odd value is a server error', () => {
  const TOP = [
    'trans_id',
    'payment_type',
    'authorisation_type',
    'capture_method',
    'currency',
    'amount',
    'notify_url',
    'return_url',
    'expire_time',
    'mit',
    'payment',
    'authentication',
    'browser',
    'bill',
    'shipping',
    'customer',
    'goods',
    'recurring_agreement_id',
  ];
  const CARD = [
    'payment_method',
    'store_payment_method',
    'token_usage',
    'shopper_reference',
    'token',
    'card_no',
    'exp_year',
    'exp_month',
    'cvv',
    'holder_name',
    'holder_email',
    'encrypted_card_no',
    'encrypted_exp_month',
    'encrypted_exp_year',
    'encrypted_cvv',
    'token_data',
  ];
  const ODD: unknown[] = [
    null,
    true,
    0,
    -1,
    1e308,
    'x'.repeat(3000),
    {},
    [],
    'a\u0000b',
    '\ud800',
    ' ',
    { a: [{}] },
  ];

  it('every field × odd values answers 200 or a 4xx refusal, never 5xx', async () => {
    const failures: string[] = [];
    const check = async (label: string, body: Record<string, unknown>) => {
      const res = await post(gw, merchant, body);
      if (res.status >= 500 || !/^\d{6}$/.test(String(res.json.ret_code))) {
        failures.push(`${label} → ${res.status} ${res.text.slice(0, 120)}`);
      }
    };
    for (const value of ODD) {
      const shown = JSON.stringify(value)?.slice(0, 12);
      await Promise.all([
        ...TOP.map((field) => check(`${field}=${shown}`, { ...cardPayment(), [field]: value })),
        ...CARD.map((field) => check(`payment.${field}=${shown}`, cardPayment({}, { [field]: value }))),
      ]);
    }
    expect(failures).toEqual([]);
  });
});
