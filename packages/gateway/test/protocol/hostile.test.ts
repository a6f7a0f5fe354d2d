/**
 * No 500 for bad input (docs/api.md#the-envelope): correctly signed bodies that are odd in every way a client
 * or an attacker might make them. Each answers exactly the documented outcome, signed for the
 * merchant_id that could be read, and a refused one stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestMerchant } from '../helpers/gateway.ts';
import { Protocol } from '../helpers/protocol.ts';

let p: Protocol;

beforeAll(async () => {
  p = await Protocol.start();
});
afterAll(() => p.close());

type Outcome = 'accepted' | { http: number; code: string; names?: string };
type Body = (m: TestMerchant) => Record<string, unknown> | string;

const invalid = (names: string): Outcome => ({ http: 400, code: '010000', names });
const RAW = '@@raw@@';

/** A payment (or `base`) with `path` (dotted) set to `value`; `undefined` removes the field. */
function withField(path: string, value: unknown, base = (m: TestMerchant) => p.payment(m)): Body {
  return (m) => {
    const body = base(m);
    const keys = path.split('.');
    const last = keys.pop()!;
    let target = body;
    for (const key of keys) target = target[key] as Record<string, unknown>;
    if (value === undefined) delete target[last];
    else target[last] = value;
    return body;
  };
}

/** A payment whose `path` holds JSON text written by hand (what JSON.stringify cannot produce). */
function withRawField(path: string, json: string): Body {
  return (m) => JSON.stringify(withField(path, RAW)(m)).replace(`"${RAW}"`, () => json);
}

/** A payment with `"key": json` appended at the top level. */
function withRawMember(key: string, json: string, base: Body = (m) => p.payment(m)): Body {
  return (m) => {
    const built = base(m);
    const text = typeof built === 'string' ? built : JSON.stringify(built);
    return `${text.slice(0, -1)},${JSON.stringify(key)}:${json}}`;
  };
}

const deepObject = (levels: number) => '{"a":'.repeat(levels) + '0' + '}'.repeat(levels);
const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

const rows: Array<[string, Body, Outcome]> = [
  // Deep nesting: parsed without recursion limits, and never walked where it is not read.
  ['an extra field nested 9,000 objects deep', withRawMember('extra', deepObject(9000)), 'accepted'],
  ['an extra field nested 30,000 arrays deep', withRawMember('extra', deepArray(30_000)), 'accepted'],
  ['browser nested 9,000 objects deep', withRawField('browser', deepObject(9000)), 'accepted'],
  ['goods nested 30,000 arrays deep', withRawField('goods', deepArray(30_000)), 'accepted'],
  ['payment.token_data nested 9,000 deep', withRawField('payment.token_data', deepObject(9000)), 'accepted'],
  ['amount nested 30,000 arrays deep', withRawField('amount', deepArray(30_000)), invalid('amount')],
  [
    'payment.card_no nested 9,000 deep',
    withRawField('payment.card_no', deepObject(9000)),
    invalid('card_no'),
  ],
  [
    'merchant_id nested 30,000 arrays deep',
    withRawField('merchant_id', deepArray(30_000)),
    invalid('merchant_id'),
  ],
  ['trans_id nested 9,000 objects deep', withRawField('trans_id', deepObject(9000)), invalid('trans_id')],

  // Huge and odd numbers.
  ['amount 1e400 (Infinity once parsed)', withRawField('amount', '1e400'), invalid('amount')],
  ['amount with 30 digits', withRawField('amount', '123456789012345678901234567890'), invalid('amount')],
  ['amount 2^53', withRawField('amount', '9007199254740992'), invalid('amount')],
  ['amount "2^53" as a string', withField('amount', '9007199254740992'), invalid('amount')],
  ['amount of 400 digits as a string', withField('amount', '9'.repeat(400)), invalid('amount')],
  ['amount 2^53−1 (the largest allowed)', withRawField('amount', '9007199254740991'), 'accepted'],
  ['amount "2^53−1" as a string', withField('amount', '9007199254740991'), 'accepted'],
  ['amount -0', withRawField('amount', '-0'), invalid('amount')],
  ['amount 1e-400 (0 once parsed)', withRawField('amount', '1e-400'), invalid('amount')],
  ['timestamp 1e400', withRawField('timestamp', '1e400'), invalid('timestamp')],
  ['timestamp with 20 digits', withRawField('timestamp', '99999999999999999999'), invalid('timestamp')],
  ['timestamp as 17 digits in a string', withField('timestamp', '9'.repeat(17)), invalid('timestamp')],
  ['timestamp far in the future', withField('timestamp', '9'.repeat(16)), { http: 401, code: '206004' }],
  ['payment.exp_year 1e308', withRawField('payment.exp_year', '1e308'), invalid('payment.exp_year')],
  [
    'payment.exp_month 2^63',
    withRawField('payment.exp_month', '9223372036854775808'),
    invalid('payment.exp_month'),
  ],

  // __proto__ and friends are plain data, never prototypes.
  ['a top-level __proto__ member', withRawMember('__proto__', '{"amount":1,"polluted":true}'), 'accepted'],
  [
    'a constructor.prototype member',
    withRawMember('constructor', '{"prototype":{"polluted":true}}'),
    'accepted',
  ],
  [
    'merchant_id only inside __proto__',
    (m) =>
      withRawMember(
        '__proto__',
        JSON.stringify({ merchant_id: m.merchantId }),
        withField('merchant_id', undefined),
      )(m),
    invalid('merchant_id'),
  ],
  [
    'the card only inside payment.__proto__',
    withRawField('payment', '{"__proto__":{"payment_method":"BANKCARD","card_no":"4242424242424242"}}'),
    invalid('payment.payment_method'),
  ],
  [
    'a declining card_no inside payment.__proto__ next to a good one',
    (m) => {
      const text = JSON.stringify(p.payment(m));
      return text.replace('"payment":{', () => '"payment":{"__proto__":{"card_no":"4000000000000002"},');
    },
    'accepted',
  ],
  ['browser.__proto__', withRawField('browser', '{"__proto__":{"polluted":true}}'), 'accepted'],
  [
    'goods holding a __proto__ object',
    withRawField('goods', '[{"__proto__":{"polluted":true}}]'),
    'accepted',
  ],

  // Unicode.
  ['a trans_id in CJK, emoji and accents', withField('trans_id', '订单-🚀-Ünïcödé'), 'accepted'],
  // Lengths count characters (code points), not UTF-16 units or bytes.
  ['a trans_id of 64 emoji', withField('trans_id', '🚀'.repeat(64)), 'accepted'],
  ['a trans_id of 65 emoji', withField('trans_id', '🚀'.repeat(65)), invalid('trans_id')],
  ['a trans_id with a lone surrogate', withRawField('trans_id', '"a\\ud800"'), invalid('trans_id')],
  ['a trans_id with a lone low surrogate', withRawField('trans_id', '"\\udc00a"'), invalid('trans_id')],
  [
    'holder_name with a lone surrogate',
    withRawField('payment.holder_name', '"\\ud83d"'),
    invalid('holder_name'),
  ],
  [
    'return_url with a lone surrogate',
    withRawField('return_url', '"https://shop.example/\\ud800"'),
    invalid('return_url'),
  ],
  ['a trans_id with a NUL character', withField('trans_id', 'a\u0000b'), invalid('trans_id')],
  ['a trans_id of one escaped NUL', withRawField('trans_id', '"\\u0000"'), invalid('trans_id')],
  [
    'shopper_reference with a NUL',
    withField('payment.shopper_reference', 'shopper\u0000'),
    invalid('shopper_reference'),
  ],
  ['return_url with a NUL', withField('return_url', 'https://shop.example/r\u0000'), invalid('return_url')],
  ['notify_url with a NUL', withField('notify_url', 'https://shop.example/n\u0000'), invalid('notify_url')],
  ['a merchant_id with a NUL', withField('merchant_id', '1\u0000'), { http: 401, code: '206005' }],
  [
    'a merchant_id with a lone surrogate',
    withRawField('merchant_id', '"1\\ud800"'),
    { http: 401, code: '206005' },
  ],
  ['an unknown merchant_id in CJK', withField('merchant_id', '商户'), { http: 401, code: '206005' }],
  ['holder_name in Arabic with RTL marks', withField('payment.holder_name', '\u200fمحمد\u200f'), 'accepted'],
  ['currency with a zero-width space', withField('currency', 'U\u200bSD'), invalid('currency')],
  ['currency in lower case', withField('currency', 'usd'), invalid('currency')],
  ['amount in full-width digits', withField('amount', '１０００'), invalid('amount')],
  [
    'card_no in Arabic-Indic digits',
    withField('payment.card_no', '٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢'),
    invalid('payment.card_no'),
  ],
  [
    'payment_method with a NUL',
    withField('payment.payment_method', 'BANKCARD\u0000'),
    invalid('payment_method'),
  ],
];

/** Values of the wrong type (or shape) for every field of a payment. */
const wrongTypes: Array<[string, unknown[], Outcome]> = [
  ['merchant_id', [{}, [], true, 1.5, -1], invalid('merchant_id')],
  ['timestamp', [{}, [], true, 1.5, -1, 'now'], invalid('timestamp')],
  ['trans_id', [{}, [], true, 'x'.repeat(65), 1.5, -123, 2 ** 53], invalid('trans_id')],
  // An identifier sent as a JSON integer in plain digits is read as those digits.
  ['trans_id', [123, 0, Number.MAX_SAFE_INTEGER], 'accepted'],
  ['payment_type', [1, {}, [], 'SALE'], invalid('payment_type')],
  ['authorisation_type', [1, {}, true, 'AUTH'], invalid('authorisation_type')],
  ['capture_method', [1, [], true, 'LATER'], invalid('capture_method')],
  ['currency', [840, {}, [], true, 'XYZ', 'US'], invalid('currency')],
  ['amount', [{}, [], true, 1.5, -100, 0, '1.5', '-1', '1e3', ' 100', '0x10'], invalid('amount')],
  [
    'notify_url',
    [5, {}, [], true, 'not a url', 'ftp://shop.example/n', 'javascript:alert(1)'],
    invalid('notify_url'),
  ],
  ['return_url', [5, {}, [], true, 'shop.example/r', 'https://exa mple.com/'], invalid('return_url')],
  [
    'expire_time',
    [5, {}, [], true, 'tomorrow', '2025-13-01T00:00:00Z', '2025-02-30 10:00:00'],
    invalid('expire_time'),
  ],
  ['mit', ['yes', 1, {}, []], invalid('mit')],
  ['payment', ['card', 5, [], true], invalid('payment')],
  ['authentication', ['x', 5, [], true], invalid('authentication')],
  ['browser', ['x', 5, [], true], invalid('browser')],
  ['bill', ['x', 5, [], true], invalid('bill')],
  ['shipping', ['x', 5, [], true], invalid('shipping')],
  ['customer', ['x', 5, [], true], invalid('customer')],
  ['goods', ['x', 5, {}, true], invalid('goods')],
  ['recurring_agreement_id', [5, {}, [], true], invalid('recurring_agreement_id')],
  ['version', [1.2, {}, [], true, 'v1.3'], { http: 400, code: '206001' }],
  ['payment.payment_method', [5, {}, [], 'CASH'], invalid('payment.payment_method')],
  ['payment.card_no', [4242424242424242, {}, [], 'abcd-efgh'], invalid('payment.card_no')],
  ['payment.exp_month', [{}, [], 'Dec', 1.5, -1], invalid('payment.exp_month')],
  ['payment.exp_year', [{}, [], 'next', 20.5], invalid('payment.exp_year')],
  ['payment.cvv', [123, {}, [], '12a', '12345'], invalid('payment.cvv')],
  ['payment.store_payment_method', ['maybe', 1, {}], invalid('payment.store_payment_method')],
  ['payment.token_usage', [5, 'SOMETIMES'], invalid('payment.token_usage')],
  ['payment.shopper_reference', [{}, [], 's'.repeat(65), -5, 0.5], invalid('payment.shopper_reference')],
  ['payment.shopper_reference', [5], 'accepted'],
  ['payment.holder_name', [5, {}, []], invalid('payment.holder_name')],
  ['authentication.challenge_indicator', [5, {}], invalid('authentication.challenge_indicator')],
];

for (const [field, values, outcome] of wrongTypes) {
  const base = field.startsWith('authentication.')
    ? (m: TestMerchant) => p.payment(m, { authentication: {} })
    : undefined;
  for (const value of values)
    rows.push([`${field} = ${JSON.stringify(value)}`, withField(field, value, base), outcome]);
}

// Numbers that parse to integers but are not written in plain digits: refused, not rounded.
for (const [field, texts] of [
  ['merchant_id', ['1.2345678901234e13', '12345678901234.0']],
  ['trans_id', ['1e3', '1E3', '123.0', '-0', '9007199254740993']],
  ['payment.shopper_reference', ['5e0', '5.0']],
] as const) {
  for (const text of texts) rows.push([`${field} = ${text}`, withRawField(field, text), invalid(field)]);
}
rows.push([
  'merchant_id as a number in plain digits that names no merchant',
  withField('merchant_id', 12345678901234),
  { http: 401, code: '206005' },
]);

/**
 * The merchant_id the gateway could read from the body: what the response is signed for. A
 * JSON integer in plain digits is read as those digits.
 */
function readableMerchantId(text: string): string {
  const body = JSON.parse(text) as Record<string, unknown>;
  if (!Object.hasOwn(body, 'merchant_id')) return '';
  const id = body.merchant_id;
  if (typeof id === 'string') return id;
  // The bodies here are compact JSON: the digits are followed by the next member or the end.
  const plain = typeof id === 'number' && new RegExp(`"merchant_id":${id}[,}]`).test(text);
  return plain && Number.isSafeInteger(id) && (id as number) >= 0 ? String(id) : '';
}

describe('hostile bodies, each correctly signed', () => {
  it.each(rows)('%s', async (_name, build, outcome) => {
    const m = await p.merchant();
    const built = build(m);
    const text = typeof built === 'string' ? built : JSON.stringify(built);
    const res = await p.send(m, '/apis/payments', text);
    const signedFor = readableMerchantId(text);

    expect(res.status, res.text).not.toBe(500);
    expect(res.json.ret_code, res.text).not.toBe('999999');
    if (outcome === 'accepted') {
      const data = p.expectOk(res, signedFor);
      const sent = JSON.parse(text) as Record<string, unknown>;
      // The order is made of the body's own fields, never of anything smuggled beside them.
      expect({ status: data.status, trans_id: data.trans_id, amount: data.amount }).toEqual({
        status: 'SUCCESS',
        trans_id: String(sent.trans_id),
        amount: Number(sent.amount),
      });
      expect(await p.orderCount(m.merchantId)).toBe(1);
      return;
    }
    expect({ status: res.status, ret_code: res.json.ret_code }, res.text).toEqual({
      status: outcome.http,
      ret_code: outcome.code,
    });
    p.expectRefused(res, outcome.http, outcome.code, signedFor);
    if (outcome.names) expect(res.json.ret_msg).toContain(outcome.names);
    expect(await p.orderCount(m.merchantId)).toBe(0);
  });

  it.each([
    ['a trans_id with a NUL', { trans_id: 'a\u0000' }, invalid('trans_id')],
    ['an order_id with a NUL', { order_id: 'GW\u0000' }, invalid('order_id')],
    ['a numeric order_id', { order_id: 12 }, invalid('order_id')],
    ['an object trans_id', { trans_id: { $ne: '' } }, invalid('trans_id')],
    ['an array session_id', { session_id: ['CS1'] }, invalid('session_id')],
    ['only empty identifiers', { trans_id: '', order_id: '', session_id: '' }, invalid('one of')],
    [
      'an order_id of 64 characters nobody has',
      { order_id: 'GW'.padEnd(64, '9') },
      { http: 404, code: '206024' },
    ],
    ['a session_id (no sessions exist)', { session_id: 'CS1' }, { http: 404, code: '206011' }],
  ] as Array<[string, Record<string, unknown>, Exclude<Outcome, 'accepted'>]>)(
    'query with %s',
    async (_name, fields, outcome) => {
      const m = await p.merchant();
      const res = await p.send(m, '/apis/payments/query', {
        merchant_id: m.merchantId,
        timestamp: p.clock.now(),
        ...fields,
      });
      expect({ status: res.status, ret_code: res.json.ret_code }, res.text).toEqual({
        status: outcome.http,
        ret_code: outcome.code,
      });
      p.expectRefused(res, outcome.http, outcome.code, m.merchantId);
      if (outcome.names) expect(res.json.ret_msg).toContain(outcome.names);
    },
  );

  it('left no property on Object.prototype', () => {
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).amount).toBeUndefined();
  });
});
