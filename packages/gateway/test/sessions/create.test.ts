/**
 * POST /payments/session (docs/api.md#routes, docs/api.md#checkout-sessions): a HOSTED session with its page URL,
 * idempotent on (merchant, trans_id) like a payment, one session under concurrent duplicates,
 * and every bad request refused with a code that names the problem, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { post, refusal } from '../helpers/payments.ts';
import { type Checkout, countSessions, sessionBody, setup } from '../helpers/sessions.ts';

let t: Checkout;
beforeAll(async () => {
  t = await setup();
});
afterAll(() => t?.close());

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

describe('creating a session', () => {
  it('answers an OPEN HOSTED session with an unguessable CS id and its page URL', async () => {
    const body = sessionBody({ display_locale: 'zh-CN', display_merchant_name: 'Lotus Tea' });
    const session = await t.client.sessions.create(body);
    expect(session).toMatchObject({
      merchant_id: t.merchant.merchantId,
      trans_id: body.trans_id,
      status: 'OPEN',
      session_mode: 'HOSTED',
      amount: 4250,
      currency: 'EUR',
      payment_type: 'PURCHASE',
      return_url: body.return_url,
      cancel_url: body.cancel_url,
      display_locale: 'zh-CN',
      display_merchant_name: 'Lotus Tea',
    });
    expect(session.session_id).toMatch(/^CS\d{20}$/);
    expect(session.session_url).toBe(`${t.gw.baseUrl}/checkout/${session.session_id}`);
    expect(session.expire_time).toMatch(RFC3339);
    expect(session.order_id).toBeUndefined();
  });

  it('offers every method payable on a page in the currency unless told otherwise', async () => {
    const eur = await t.client.sessions.create(sessionBody());
    expect(eur.allowed_payment_methods).toEqual([
      'BANKCARD',
      'IDEAL',
      'SOFORT',
      'EPS',
      'P24',
      'BANCONTACT',
      'ALIPAY_PLUS',
      'WECHAT_PAY_GLOBAL',
    ]);
    const usd = await t.client.sessions.create(sessionBody({ currency: 'USD' }));
    expect(usd.allowed_payment_methods).toEqual(['BANKCARD', 'ALIPAY_PLUS', 'WECHAT_PAY_GLOBAL']);
    // AUD is EFTPOS's currency, but the page's card form pays with BANKCARD.
    const aud = await t.client.sessions.create(sessionBody({ currency: 'AUD' }));
    expect(aud.allowed_payment_methods).toEqual(['BANKCARD', 'ALIPAY_PLUS', 'WECHAT_PAY_GLOBAL']);
    const chosen = await t.client.sessions.create(
      sessionBody({ allowed_payment_methods: ['BankCard', 'iDEAL'] }),
    );
    expect(chosen.allowed_payment_methods).toEqual(['BANKCARD', 'IDEAL']);
  });

  it('defaults expire_time to 30 minutes and takes the one asked for', async () => {
    const before = Date.now();
    const session = await t.client.sessions.create(sessionBody());
    const expires = Date.parse(session.expire_time);
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 30 * 60_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
    const asked = new Date(Math.ceil((Date.now() + 3_600_000) / 1000) * 1000);
    const later = await t.client.sessions.create(sessionBody({ expire_time: asked.toISOString() }));
    expect(Date.parse(later.expire_time)).toBe(asked.getTime());
  });

  it('is served at /payments/session and /apis/payments/session, signed like every response', async () => {
    for (const path of ['/payments/session', '/apis/payments/session']) {
      const res = await post(t.gw, t.merchant, { ...sessionBody() }, path);
      expect(res.status).toBe(200);
      expect(res.json.ret_code).toBe('000000');
      expect(res.headers.get('signature')).toBeTruthy();
    }
  });

  it('GET on the path answers 405, like every operation', async () => {
    for (const path of ['/apis/payments/session', '/apis/session', '/session']) {
      const res = await fetch(`${t.gw.baseUrl}${path}`);
      expect(res.status, path).toBe(405);
      expect(((await res.json()) as { ret_code: string }).ret_code).toBe('300004');
    }
  });
});

describe("at PayKKa's v1.2 plugin's path, /apis/session (and /session)", () => {
  it('creates the same session as /payments/session, with the same answer and idempotency', async () => {
    const body = sessionBody();
    const created = await post(t.gw, t.merchant, { ...body }, '/apis/session');
    expect(created.status).toBe(200);
    expect(created.json.ret_code).toBe('000000');
    const session = created.json.data as Record<string, unknown>;
    expect(session).toMatchObject({ trans_id: body.trans_id, status: 'OPEN', session_mode: 'HOSTED' });
    expect(session.session_id).toMatch(/^CS\d{20}$/);
    expect(created.headers.get('signature')).toBeTruthy();

    // One trans_id, one session, whichever of the paths the repeat takes.
    for (const path of ['/session', '/apis/payments/session', '/payments/session']) {
      const again = await post(t.gw, t.merchant, { ...body }, path);
      expect(again.status, path).toBe(200);
      const { timestamp: _a, ...rest } = again.json.data as Record<string, unknown>;
      const { timestamp: _b, ...first } = session;
      expect(rest, path).toEqual(first);
    }
    const queried = await t.client.sessions.query({ session_id: session.session_id as string });
    expect(queried.trans_id).toBe(body.trans_id);
  });

  it('refuses as /payments/session does: another amount is 300001, a bad body 010000', async () => {
    const body = sessionBody();
    await t.client.sessions.create(body);
    const reused = await post(t.gw, t.merchant, { ...body, amount: 1 }, '/apis/session');
    expect(reused.status).toBe(409);
    expect(reused.json.ret_code).toBe('300001');
    const bad = await post(t.gw, t.merchant, { ...sessionBody(), return_url: undefined }, '/session');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      ret_code: '010000',
      ret_msg: 'Invalid request: return_url is required',
    });
  });
});

describe('idempotency on (merchant_id, trans_id)', () => {
  it('creating again with the same parameters answers the same session', async () => {
    const body = sessionBody();
    const first = await t.client.sessions.create(body);
    const again = await t.client.sessions.create({
      ...body,
      return_url: 'https://other.example/',
      display_locale: 'en',
    });
    expect(again.session_id).toBe(first.session_id);
    expect(again.session_url).toBe(first.session_url);
    // The first request's other fields stand.
    expect(again.return_url).toBe(body.return_url);
  });

  it('another amount or currency under the same trans_id is refused with 300001 (409)', async () => {
    const body = sessionBody();
    await t.client.sessions.create(body);
    const amount = await refusal(t.client.sessions.create({ ...body, amount: 4251 }));
    expect(amount).toMatchObject({ retCode: '300001', httpStatus: 409 });
    expect(amount.retMsg).toContain('amount');
    const currency = await refusal(t.client.sessions.create({ ...body, currency: 'USD' }));
    expect(currency.retMsg).toContain('currency');
  });

  it('a trans_id already paid by a direct /payments order cannot become a session', async () => {
    const payment = cardPayment();
    await t.client.payments.create(payment);
    const error = await refusal(t.client.sessions.create(sessionBody({ trans_id: payment.trans_id })));
    expect(error).toMatchObject({ retCode: '300001', httpStatus: 409 });
    expect(error.retMsg).toContain('without a session');
  });

  it("a session's trans_id cannot be paid by a direct /payments request", async () => {
    const session = await t.client.sessions.create(sessionBody());
    const error = await refusal(t.client.payments.create(cardPayment({ trans_id: session.trans_id })));
    expect(error).toMatchObject({ retCode: '300001', httpStatus: 409 });
    expect(error.retMsg).toContain('checkout session');
  });

  it("a merchant's first session marks it as using checkout (its direct payments then check trans_ids)", async () => {
    const usesCheckout = async () =>
      Number(
        (
          await t.gw.runtime.store.writer
            .selectFrom('merchants')
            .select('uses_checkout')
            .where('merchant_id', '=', t.merchant.merchantId)
            .executeTakeFirstOrThrow()
        ).uses_checkout,
      );
    await t.client.sessions.create(sessionBody());
    expect(await usesCheckout()).toBe(1);
    // A direct payment of a fresh trans_id still goes through once the lookup is on.
    expect((await t.client.payments.create(cardPayment())).status).toBe('SUCCESS');
  });

  it('20 concurrent duplicates create one session and all answer it', async () => {
    const body = sessionBody();
    const before = await countSessions(t.gw);
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.client.sessions.create(body)));
    expect(new Set(answers.map((a) => a.session_id)).size).toBe(1);
    expect(await countSessions(t.gw)).toBe(before + 1);
  });

  it('the same trans_id at another merchant is another session', async () => {
    const other = await t.gw.createMerchant();
    const body = sessionBody();
    const mine = await t.client.sessions.create(body);
    const theirs = await other.client.sessions.create(body);
    expect(theirs.session_id).not.toBe(mine.session_id);
  });
});

describe('bad requests are refused and store nothing', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['no return_url', { return_url: undefined }, '010000', /return_url is required/],
    ['no amount', { amount: undefined }, '010000', /amount is required/],
    ['a fractional amount', { amount: 10.5 }, '010000', /amount/],
    ['an unknown currency', { currency: 'XXY' }, '010000', /currency is not an ISO 4217/],
    [
      'a bad cancel_url',
      { cancel_url: 'javascript:alert(1)' },
      '010000',
      /cancel_url must be an http\(s\) URL/,
    ],
    ['an unknown session_mode', { session_mode: 'POPUP' }, '010000', /session_mode must be HOSTED/],
    [
      'an unknown method',
      { allowed_payment_methods: ['BANKCARD', 'Klarna'] },
      '210001',
      /Klarna is not a known/,
    ],
    ['a wallet', { allowed_payment_methods: ['ApplePay'] }, '210001', /APPLE_PAY cannot be paid on a hosted/],
    ['SEPA', { allowed_payment_methods: ['SEPA'] }, '210001', /SEPA cannot be paid on a hosted/],
    [
      'EFTPOS (its card form pays with BANKCARD)',
      { currency: 'AUD', allowed_payment_methods: ['eftpos'] },
      '210001',
      /EFTPOS cannot be paid on a hosted/,
    ],
    ['iDEAL in USD', { currency: 'USD', allowed_payment_methods: ['iDEAL'] }, '300040', /IDEAL takes EUR/],
    [
      'a method list that is not an array',
      { allowed_payment_methods: 'BANKCARD' },
      '010000',
      /allowed_payment_methods must be an array/,
    ],
    ['card data', { payment: { card_no: '4242424242424242' } }, '010000', /payment.card_no is not accepted/],
    [
      'storing without shopper_reference',
      { payment: { store_payment_method: true, token_usage: 'CARD_ON_FILE' } },
      '210002',
      /shopper_reference/,
    ],
    [
      'storing without token_usage',
      { payment: { store_payment_method: true, shopper_reference: 'mei' } },
      '010000',
      /token_usage is required/,
    ],
    [
      'RECURRING without storing',
      { payment_type: 'RECURRING' },
      '010000',
      /RECURRING session must set payment.store_payment_method=true/,
    ],
    ['mit=true', { mit: true }, '010000', /mit must not be true/],
    [
      'expire_time in the past',
      { expire_time: '2020-01-01T00:00:00+00:00' },
      '010000',
      /expire_time must be in the future/,
    ],
    [
      'expire_time two days ahead',
      { expire_time: new Date(Date.now() + 2 * 86_400_000).toISOString() },
      '010000',
      /at most 24 hours/,
    ],
    ['a bad expire_time', { expire_time: 'tomorrow' }, '010000', /expire_time must be an RFC 3339 time/],
    ['a trans_id of 65 characters', { trans_id: 'x'.repeat(65) }, '010000', /trans_id must be at most 64/],
  ];
  it.each(cases)('%s', async (_name, change, code, message) => {
    const before = await countSessions(t.gw);
    const body: Record<string, unknown> = { ...sessionBody(), ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete body[k];
    const res = await post(t.gw, t.merchant, body, '/apis/payments/session');
    expect(res.json.ret_code, res.text).toBe(code);
    expect(res.status).toBeLessThan(500);
    expect(res.json.ret_msg).toMatch(message);
    expect(await countSessions(t.gw)).toBe(before);
  });

  it('a non-object body is 010000', async () => {
    const res = await post(t.gw, t.merchant, { payment: 'card' }, '/apis/payments/session');
    expect(res.json.ret_code).toBe('010000');
  });
});

describe('hostile input', () => {
  const FIELDS = [
    'trans_id',
    'session_mode',
    'payment_type',
    'authorisation_type',
    'capture_method',
    'currency',
    'amount',
    'notify_url',
    'return_url',
    'cancel_url',
    'expire_time',
    'mit',
    'display_locale',
    'display_merchant_name',
    'theme_id',
    'allowed_payment_methods',
    'payment',
    'authentication',
    'browser',
    'goods',
  ];
  const PAYMENT = ['store_payment_method', 'token_usage', 'shopper_reference', 'payment_method', 'card_no'];
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
    [{}],
  ];

  it('every field × odd values answers 200 or a 4xx refusal, never 5xx', async () => {
    const failures: string[] = [];
    const check = async (label: string, body: Record<string, unknown>) => {
      const res = await post(t.gw, t.merchant, body, '/apis/payments/session');
      if (res.status >= 500 || !/^\d{6}$/.test(String(res.json.ret_code))) {
        failures.push(`${label} → ${res.status} ${res.text.slice(0, 120)}`);
      }
    };
    for (const value of ODD) {
      const shown = JSON.stringify(value)?.slice(0, 12);
      await Promise.all([
        ...FIELDS.map((field) => check(`${field}=${shown}`, { ...sessionBody(), [field]: value })),
        ...PAYMENT.map((field) =>
          check(`payment.${field}=${shown}`, {
            ...sessionBody(),
            payment: { shopper_reference: 'x', token_usage: 'CARD_ON_FILE', [field]: value },
          }),
        ),
      ]);
    }
    expect(failures).toEqual([]);
  });

  it('the checkout form takes anything a browser could send without a 5xx', async () => {
    const session = await t.client.sessions.create(sessionBody());
    for (const body of [
      '',
      'method=',
      'method=BANKCARD&card_no=%00&exp=%FF&cvv=' + 'x'.repeat(5000),
      '%%%',
      'a=b=c&&',
    ]) {
      const res = await fetch(session.session_url, { method: 'POST', body, redirect: 'manual' });
      expect(res.status, body.slice(0, 40)).toBeLessThan(500);
    }
    const query = await fetch(`${session.session_url}?lang=${'z'.repeat(5000)}`);
    expect(query.status).toBe(200);
  });
});
