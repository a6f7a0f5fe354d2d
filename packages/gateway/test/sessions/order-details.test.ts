/**
 * A session's goods, bill and shipping (docs/api.md#checkout-sessions): checked and normalised
 * on the way in over both wires, stored with the session, answered by session queries and by
 * every query of the order paid through it (never by a query of any other order), shown on
 * the page under a policy that loads only the pictures' own https hosts; and every bad value
 * refused with a message that names it, storing nothing.
 */
import type { SessionCreateParams } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { post } from '../helpers/payments.ts';
import {
  type Checkout,
  cardForm,
  countSessions,
  getPage,
  postForm,
  sessionBody,
  setup,
} from '../helpers/sessions.ts';
import { type V3Signer, v3Post } from '../helpers/v3.ts';
import { HOSTED_SESSION as V12_PLUGIN_SESSION } from '../protocol/paykka-plugin-bodies.ts';
import { PLUGIN_MERCHANT_ID, HOSTED_SESSION as V3_PLUGIN_SESSION } from '../protocol-v3/plugin-bodies.ts';

let t: Checkout;
let signer: V3Signer;
beforeAll(async () => {
  t = await setup();
  signer = { appId: t.merchant.merchantId, privateKey: t.merchant.privateKey };
});
afterAll(() => t?.close());

// Bodies as PayKKa's plugins write them: with nulls and numbers the SDK's types would not let in.
type Loose = Record<string, unknown>;
const fromPlugin = (body: string): Loose => {
  const { goods, bill, shipping, customer } = JSON.parse(body);
  return { goods, bill, shipping, customer };
};

/** The v1.2 plugin's goods, bill and shipping as every answer carries them. */
const PLUGIN_DETAILS = {
  goods: [
    {
      id: '501',
      name: 'Cotton T-shirt',
      description: 'A shirt',
      link: 'https://shop.example/product/t-shirt',
      price: 1250,
      quantity: 2,
    },
  ],
  bill: {
    first_name: 'Ada',
    last_name: 'Lovelace',
    address_line1: '1 Main St',
    country: 'GB',
    city: 'London',
    postal_code: 'N1 1AA',
    email: 'ada@example.com',
    area_code: '+44',
    phone_number: '2079460000',
  },
  shipping: {
    first_name: 'Ada',
    last_name: 'Lovelace',
    address_line1: '1 Main St',
    country: 'GB',
    city: 'London',
    postal_code: 'N1 1AA',
  },
};

const create = (fields: Loose) =>
  t.client.sessions.create(sessionBody(fields as Partial<SessionCreateParams>));

/** The shopper pays on the page; answers the order as the merchant queries it by session_id. */
async function payOnPage(sessionUrl: string, sessionId: string) {
  const paid = await postForm(sessionUrl, cardForm());
  expect(paid.status).toBe(303);
  return t.client.payments.query({ session_id: sessionId });
}

describe('stored with the session and answered by the queries', () => {
  it('the v1.2 plugin’s goods, bill and shipping: normalised, kept, and answered by every query', async () => {
    const created = await create({ currency: 'USD', amount: 2500, ...fromPlugin(V12_PLUGIN_SESSION) });
    expect(created).toMatchObject(PLUGIN_DETAILS);
    // Nulls, empty strings and members openkka does not read are left out, not stored.
    expect(created.goods![0]).toEqual(PLUGIN_DETAILS.goods[0]);
    expect(created.bill).toEqual(PLUGIN_DETAILS.bill);
    expect(created.shipping).toEqual(PLUGIN_DETAILS.shipping);
    for (const by of [{ session_id: created.session_id }, { trans_id: created.trans_id }]) {
      expect(await t.client.sessions.query(by)).toMatchObject(PLUGIN_DETAILS);
    }

    const order = await payOnPage(created.session_url, created.session_id);
    expect(order).toMatchObject({ status: 'SUCCESS', session_id: created.session_id, ...PLUGIN_DETAILS });
    for (const by of [{ trans_id: created.trans_id }, { order_id: order.order_id }]) {
      expect(await t.client.payments.query(by)).toMatchObject(PLUGIN_DETAILS);
    }
    expect(await t.client.sessions.query({ session_id: created.session_id })).toMatchObject({
      status: 'COMPLETED',
      order_id: order.order_id,
      ...PLUGIN_DETAILS,
    });
  });

  it('the v3 plugin’s session body over v3: the same fields, and the v3 query of its order carries them', async () => {
    const transId = `v3-goods-${Date.now()}`;
    const body = V3_PLUGIN_SESSION.replace(PLUGIN_MERCHANT_ID, t.merchant.merchantId)
      .replace(/"trans_id": "[^"]+"/, `"trans_id": "${transId}"`)
      // Its expire_time is the day the body was recorded: the default applies instead.
      .replace(/\n\s*"expire_time": "[^"]+",/, '');
    const res = await v3Post(t.gw.baseUrl, '/v3/payment/acq/session', body, signer);
    expect(res.status, res.text).toBe(200);
    const session = res.json.data as { session_id: string; session_url: string };
    const v3Details = {
      goods: [
        {
          id: '501',
          name: 'Cotton T-shirt',
          description: '<p>A plain <strong>cotton</strong> shirt</p>',
          link: 'https://shop.example/product/t-shirt/',
          price: 1250,
          quantity: 2,
        },
      ],
      bill: PLUGIN_DETAILS.bill,
      shipping: { ...PLUGIN_DETAILS.shipping, area_code: '+44', phone_number: '2079460000' },
    };
    expect(res.json.data).toMatchObject(v3Details);
    // A session made over v3 is the v1.2 wire's session too.
    expect(await t.client.sessions.query({ session_id: session.session_id })).toMatchObject(v3Details);

    const order = await payOnPage(session.session_url, session.session_id);
    const queried = await v3Post(
      t.gw.baseUrl,
      '/v3/payment/acq/query',
      JSON.stringify({ merchant_id: t.merchant.merchantId, trans_id: transId }),
      signer,
    );
    expect(queried.json.data).toMatchObject({ order_id: order.order_id, status: 'SUCCESS', ...v3Details });
  });

  it('normalises what it keeps: ids as text, digit strings as numbers, descriptions cut, spaces trimmed', async () => {
    const long = `<p>${'Tie Guan Yin, an oolong from Anxi. '.repeat(30)}</p>`;
    const session = await create({
      goods: [
        {
          id: 77,
          name: '  Tie Guan Yin  ',
          description: long,
          price: '1800',
          quantity: '3',
          category: null,
          brand: '',
          picture_url: 'https://pictures.example/tgy.jpg',
          color: 'green',
        },
        { name: 'Gift wrap', price: 0, quantity: 1, link: null },
      ],
      bill: { first_name: 'Mei', last_name: 'Lin', country: 'cn', postal_code: 200000, email: null },
      shipping: { first_name: null, middle_name: '', city: '  ' },
    });
    expect(session.goods).toEqual([
      {
        id: '77',
        name: 'Tie Guan Yin',
        description: Array.from(long).slice(0, 300).join(''),
        price: 1800,
        quantity: 3,
        picture_url: 'https://pictures.example/tgy.jpg',
      },
      { name: 'Gift wrap', price: 0, quantity: 1 },
    ]);
    expect(session.bill).toEqual({
      first_name: 'Mei',
      last_name: 'Lin',
      country: 'CN',
      postal_code: '200000',
    });
    // A ship-to with nothing in it is no ship-to.
    expect(session.shipping).toBeUndefined();
  });

  it('a session without them answers none, and neither do orders paid without a session', async () => {
    const session = await create({ goods: [], bill: null, shipping: {} });
    for (const field of ['goods', 'bill', 'shipping']) expect(session).not.toHaveProperty(field);
    const order = await payOnPage(session.session_url, session.session_id);
    for (const field of ['goods', 'bill', 'shipping']) expect(order).not.toHaveProperty(field);

    // /payments takes the fields and keeps none of them (docs/api.md#request-fields).
    const direct = await t.client.payments.create(
      cardPayment({ ...fromPlugin(V12_PLUGIN_SESSION), trans_id: `direct-${Date.now()}` }),
    );
    const queried = await t.client.payments.query({ order_id: direct.order_id });
    for (const field of ['goods', 'bill', 'shipping']) expect(queried).not.toHaveProperty(field);
  });
});

describe('refused, storing nothing', () => {
  const item = { name: 'Tea', price: 100, quantity: 1 };
  const cases: [string, Record<string, unknown>, string][] = [
    ['a negative price', { goods: [{ ...item, price: -1 }] }, 'goods.0.price must be an integer from 0'],
    ['a fractional price', { goods: [{ ...item, price: 12.5 }] }, 'goods.0.price must be an integer from 0'],
    ['a price as words', { goods: [{ ...item, price: 'ten' }] }, 'goods.0.price must be an integer from 0'],
    ['no price', { goods: [{ name: 'Tea', quantity: 1 }] }, 'goods.0.price is required'],
    ['a quantity of 0', { goods: [{ ...item, quantity: 0 }] }, 'goods.0.quantity must be an integer from 1'],
    ['no name', { goods: [{ price: 100, quantity: 1, name: ' ' }] }, 'goods.0.name is required'],
    ['a name too long', { goods: [{ ...item, name: 'x'.repeat(257) }] }, 'goods.0.name must be at most 256'],
    [
      'a javascript: link',
      { goods: [item, { ...item, link: 'javascript:alert(document.domain)' }] },
      'goods.1.link must be an http(s) URL',
    ],
    [
      'a javascript: picture',
      { goods: [{ ...item, picture_url: 'javascript:alert(1)' }] },
      'goods.0.picture_url must be an http(s) URL',
    ],
    [
      'a data: picture',
      { goods: [{ ...item, picture_url: 'data:image/svg+xml,<svg onload=alert(1)>' }] },
      'goods.0.picture_url must be an http(s) URL',
    ],
    [
      'a line total past 2^53',
      { goods: [{ ...item, price: 2 ** 52, quantity: 3 }] },
      'goods.0 price × quantity must not exceed',
    ],
    ['goods not a list', { goods: { name: 'Tea' } }, 'goods must be an array'],
    ['a goods line not an object', { goods: ['Tea'] }, 'goods.0 must be an object'],
    [
      '101 goods lines',
      { goods: Array.from({ length: 101 }, () => item) },
      'goods must list at most 100 items',
    ],
    ['bill not an object', { bill: 'Ada Lovelace' }, 'bill must be an object'],
    ['a three-letter country', { bill: { country: 'GBR' } }, 'bill.country must be an ISO 3166 alpha-2 code'],
    ['an e-mail without @', { shipping: { email: 'ada.example.com' } }, 'shipping.email must be an e-mail'],
    ['an area code too long', { bill: { area_code: '+44 (0) 207' } }, 'bill.area_code must be at most 10'],
    ['a NUL in a city', { shipping: { city: 'Lon\u0000don' } }, 'shipping.city must not contain NUL'],
  ];

  for (const [what, fields, message] of cases) {
    it(`${what}: 010000 naming the field`, async () => {
      const before = await countSessions(t.gw);
      const res = await post(t.gw, t.merchant, { ...sessionBody(), ...fields }, '/apis/payments/session');
      expect([res.status, res.json.ret_code]).toEqual([400, '010000']);
      expect(res.json.ret_msg).toContain(message);
      expect(await countSessions(t.gw)).toBe(before);
    });
  }

  it('more than 32 KiB of them together, though the body is within its limit', async () => {
    const goods = Array.from({ length: 60 }, (_, i) => ({
      name: `${i} ${'n'.repeat(250)}`,
      description: 'd'.repeat(300),
      price: 100,
      quantity: 1,
    }));
    const before = await countSessions(t.gw);
    const res = await post(t.gw, t.merchant, { ...sessionBody(), goods }, '/apis/payments/session');
    expect([res.status, res.json.ret_code]).toEqual([400, '010000']);
    expect(res.json.ret_msg).toMatch(
      /: goods, bill and shipping must be at most 32768 bytes together as JSON, not \d+$/,
    );
    expect(await countSessions(t.gw)).toBe(before);
  });

  it('over v3 alike', async () => {
    const body = JSON.stringify({
      merchant_id: t.merchant.merchantId,
      ...sessionBody(),
      goods: [{ name: 'Tea', price: 100, quantity: 1, link: 'javascript:void(0)' }],
    });
    const res = await v3Post(t.gw.baseUrl, '/v3/payment/acq/session', body, signer);
    expect([res.status, res.json.ret_code]).toEqual([400, '010000']);
    expect(res.json.ret_msg).toContain('goods.0.link must be an http(s) URL');
  });
});

describe('the hosted page', () => {
  it('lists the goods escaped, and its policy allows the https picture hosts only', async () => {
    const session = await create({
      currency: 'USD',
      amount: 3850,
      goods: [
        {
          name: '<script>alert(1)</script>',
          description: '<img src=x onerror=alert(2)>Fine &amp; dandy',
          price: 1250,
          quantity: 2,
          picture_url: 'https://cdn.shop.example/shirt.png?size=96&fit="crop"',
        },
        { name: 'Socks', price: 1350, quantity: 1, picture_url: 'http://plain.shop.example/socks.png' },
      ],
      bill: {
        first_name: 'Ada',
        last_name: 'Lovelace',
        city: 'London',
        country: 'GB',
        email: 'ada@example.com',
      },
      shipping: {
        first_name: 'Ada',
        last_name: 'Lovelace',
        city: 'N/A',
        country: 'GB',
        phone_number: '2079460000',
      },
    });
    const page = await getPage(session.session_url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page.html).not.toContain('<script>alert(1)');
    expect(page.html).not.toContain('onerror=alert(2)');
    expect(page.html).toContain('Fine &#38; dandy');
    expect(page.html).toContain('2 × 12.50 USD');
    expect(page.html).toContain('25.00 USD');
    expect(page.html).toContain('src="https://cdn.shop.example/shirt.png?size=96&#38;fit=%22crop%22"');
    // The http picture is not shown, and its host is not allowed.
    expect(page.html).not.toContain('plain.shop.example');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain('img-src data: https://cdn.shop.example; ');
    expect(page.html).toContain('<dd id="bill-to">Ada Lovelace, London, United Kingdom</dd>');
    expect(page.html).toContain('<dd id="ship-to">Ada Lovelace, United Kingdom</dd>');
    expect(page.html).not.toContain('ada@example.com');
    expect(page.html).not.toContain('2079460000');
  });

  it('without pictures, loads none: the policy stays img-src data:', async () => {
    const session = await create({ goods: [{ name: 'Tea', price: 4250, quantity: 1 }] });
    const page = await getPage(session.session_url);
    expect(page.headers.get('content-security-policy')).toContain('img-src data:; ');
  });

  it('past eight picture hosts, the policy names https: rather than grow', async () => {
    const goods = Array.from({ length: 9 }, (_, i) => ({
      name: `Tea ${i}`,
      price: 100,
      quantity: 1,
      picture_url: `https://img${i}.shop.example/t.png`,
    }));
    const session = await create({ amount: 900, goods });
    const page = await getPage(session.session_url);
    expect(page.headers.get('content-security-policy')).toContain('img-src data: https:; ');
  });
});
