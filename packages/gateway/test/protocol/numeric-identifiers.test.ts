/**
 * Identifiers sent as JSON integers (PayKKa's v1.2 WooCommerce plugin sends `"trans_id":
 * 1967860`): a non-negative safe integer in plain digits is read as its digits everywhere
 * (idempotency, store, answers, queries, notifications); any other number is refused with
 * 010000 naming the field, and nothing is created.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { countOrders } from '../helpers/payments.ts';
import { type RawResponse, responseSignatureValid, signedPost } from '../helpers/raw.ts';
import { sessionBody } from '../helpers/sessions.ts';
import { type ShopperGateway, startShopperGateway } from '../helpers/shopper-gateway.ts';

let t: ShopperGateway;
beforeAll(async () => {
  t = await startShopperGateway();
});
afterAll(() => t?.close());

/** A fresh number to use as an id: unique per call, well inside the safe integers. */
const freshNumber = () => randomInt(1, 2 ** 47);

/** Signs and posts `text` (JSON written by hand or by JSON.stringify) for the test merchant. */
function send(path: string, text: string): Promise<RawResponse> {
  const timestamp = Date.now();
  const body = text.replace('"@timestamp"', String(timestamp));
  return signedPost(t.gw.baseUrl, path, body, { ...t.merchant, timestamp });
}

/** `fields` as JSON, with merchant_id (a number unless told otherwise) and a timestamp added. */
function json(fields: Record<string, unknown>, merchantId: unknown = Number(t.merchant.merchantId)): string {
  return JSON.stringify({ merchant_id: merchantId, ...fields, timestamp: '@timestamp' });
}

function data(res: RawResponse): Record<string, unknown> {
  expect(res.status, res.text).toBe(200);
  expect(res.json.ret_code).toBe('000000');
  return res.json.data as Record<string, unknown>;
}

describe('identifiers sent as JSON integers are read as their digits', () => {
  it('a payment: answered, stored, queried, repeated and notified with the digits as strings', async () => {
    const transId = freshNumber();
    const body = cardPayment({ trans_id: transId }, { shopper_reference: 42 });
    const res = await send('/apis/payments', json(body));
    const order = data(res);
    expect(order).toMatchObject({
      merchant_id: t.merchant.merchantId,
      trans_id: String(transId),
      shopper_reference: '42',
      status: 'SUCCESS',
    });
    // The answer is signed for the merchant id as digits: the client signed it that way too.
    expect(responseSignatureValid(res, t.merchant.merchantId, t.gw.platformPublicKeyPem)).toBe(true);

    const stored = await t.gw.runtime.store.writer
      .selectFrom('orders')
      .select(['trans_id', 'shopper_reference'])
      .where('order_id', '=', order.order_id as string)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ trans_id: String(transId), shopper_reference: '42' });

    // One payment, whether the trans_id comes back as a number or as a string.
    const again = data(await send('/apis/payments', json(body)));
    expect(again.order_id).toBe(order.order_id);
    const asString = await t.client.payments.create({ ...body, trans_id: String(transId) } as never);
    expect(asString.order_id).toBe(order.order_id);
    const queried = data(await send('/apis/payments/query', json({ trans_id: transId })));
    expect(queried.order_id).toBe(order.order_id);

    const received = await t.inbox.waitFor((all) => all.some((r) => r.body?.order_id === order.order_id));
    const sent = received.find((r) => r.body?.order_id === order.order_id)!;
    expect(sent.body.trans_id).toBe(String(transId));
    expect(sent.rawBody).toContain(`"trans_id":"${transId}"`);
  });

  it('a checkout session: created at /apis/session and queried with numbers', async () => {
    const transId = freshNumber();
    const body = {
      ...sessionBody({ trans_id: transId as never }),
      payment: { store_payment_method: true, token_usage: 'CARD_ON_FILE', shopper_reference: 7 },
    };
    const session = data(await send('/apis/session', json(body)));
    expect(session).toMatchObject({ trans_id: String(transId), shopper_reference: '7' });
    const queried = data(await send('/apis/payments/session/query', json({ trans_id: transId })));
    expect(queried.session_id).toBe(session.session_id);
    const asString = await t.client.sessions.create({ ...body, trans_id: String(transId) } as never);
    expect(asString.session_id).toBe(session.session_id);
  });

  it('a refund: refund_trans_id answered, queried and notified as its digits', async () => {
    const order = await t.client.payments.create(cardPayment());
    const refundTransId = freshNumber();
    const refundBody = {
      refund_trans_id: refundTransId,
      ori_order_id: order.order_id,
      refund_amount: 300,
      currency: 'USD',
    };
    const refund = data(await send('/apis/payments/refund', json(refundBody)));
    expect(refund).toMatchObject({ refund_trans_id: String(refundTransId), status: 'SUCCESS' });
    const again = data(await send('/apis/payments/refund', json(refundBody)));
    expect(again.refund_order_id).toBe(refund.refund_order_id);
    const queried = data(await send('/apis/payments/refund/query', json({ refund_trans_id: refundTransId })));
    expect(queried.refund_order_id).toBe(refund.refund_order_id);
    const received = await t.inbox.waitFor((all) =>
      all.some((r) => r.body?.refund_order_id === refund.refund_order_id),
    );
    const sent = received.find((r) => r.body?.refund_order_id === refund.refund_order_id)!;
    expect(sent.rawBody).toContain(`"refund_trans_id":"${refundTransId}"`);
  });

  it('stored cards and agreements: shopper_reference as a number names the same shopper', async () => {
    const shopper = freshNumber();
    const first = await t.client.payments.create(
      cardPayment(
        { payment_type: 'RECURRING', mit: false },
        {
          store_payment_method: true,
          token_usage: 'SUBSCRIPTION',
          shopper_reference: String(shopper),
        },
      ) as never,
    );
    expect(first.recurring_agreement_id).toMatch(/^RA\d{20}$/);

    const listed = await send('/apis/payments/token/query', json({ shopper_reference: shopper }));
    expect(listed.status, listed.text).toBe(200);
    const tokens = listed.json.data as Array<Record<string, unknown>>;
    expect(tokens.map((tk) => [tk.token, tk.shopper_reference])).toEqual([[first.token, String(shopper)]]);

    const cancelled = await send(
      '/apis/payments/recurring/cancel',
      json({ recurring_agreement_id: first.recurring_agreement_id, shopper_reference: shopper }),
    );
    expect(cancelled.json.ret_code, cancelled.text).toBe('000000');
    const removed = await send(
      '/apis/payments/token/remove',
      json({ token: first.token, shopper_reference: shopper }),
    );
    expect(removed.json.ret_code, removed.text).toBe('000000');
    expect(await t.client.tokens.query({ shopper_reference: String(shopper) })).toEqual([]);
  });

  it('0 and 2^53−1 are read; a merchant_id sent as a string is still read as before', async () => {
    const zero = data(await send('/apis/payments', json(cardPayment({ trans_id: 0 }))));
    expect(zero.trans_id).toBe('0');
    const max = data(
      await send(
        '/apis/payments',
        json(cardPayment({ trans_id: Number.MAX_SAFE_INTEGER }), t.merchant.merchantId),
      ),
    );
    expect(max.trans_id).toBe('9007199254740991');
  });
});

describe('other numbers are refused with 010000 naming the field, and create nothing', () => {
  const READ = 'must be a string, or an integer from 0 to 9007199254740991 written in plain digits';
  /** A body for `path` whose `field` (dotted) holds `text`, JSON written by hand. */
  const cases: Array<[string, string, (raw: string) => Record<string, unknown>]> = [
    ['/apis/payments', 'trans_id', (raw) => cardPayment({ trans_id: raw })],
    ['/apis/payments', 'payment.shopper_reference', (raw) => cardPayment({}, { shopper_reference: raw })],
    ['/apis/session', 'trans_id', (raw) => ({ ...sessionBody(), trans_id: raw })],
    ['/apis/payments/query', 'trans_id', (raw) => ({ trans_id: raw })],
    [
      '/apis/payments/refund',
      'refund_trans_id',
      (raw) => ({ refund_trans_id: raw, ori_order_id: 'GW1', refund_amount: 1, currency: 'USD' }),
    ],
    ['/apis/payments/refund/query', 'refund_trans_id', (raw) => ({ refund_trans_id: raw })],
    ['/apis/payments/token/query', 'shopper_reference', (raw) => ({ shopper_reference: raw })],
  ];
  const texts = ['1e3', '1E+3', '1000.0', '1.5', '-1', '-0', '9007199254740992', '12345678901234567890'];

  it.each(cases.flatMap(([path, field, build]) => texts.map((text) => [path, field, text, build] as const)))(
    '%s %s = %s',
    async (path, field, text, build) => {
      const before = await countOrders(t.gw, t.merchant.merchantId);
      const res = await send(path, json(build('@raw')).replace('"@raw"', text));
      expect(res.status, res.text).toBe(400);
      expect(res.json.ret_code).toBe('010000');
      expect(res.json.ret_msg).toContain(`${field} ${READ}`);
      expect(await countOrders(t.gw, t.merchant.merchantId)).toBe(before);
    },
  );

  it.each(['1.3954142990646e13', `${'1'.repeat(20)}`, '-1'])('merchant_id = %s', async (text) => {
    const res = await send('/apis/payments', json(cardPayment(), '@raw').replace('"@raw"', text));
    expect(res.status, res.text).toBe(400);
    expect(res.json).toMatchObject({ ret_code: '010000' });
    expect(res.json.ret_msg).toContain(`merchant_id ${READ}`);
  });

  it('NaN and Infinity are not JSON: malformed, 010000', async () => {
    for (const text of ['NaN', 'Infinity']) {
      const res = await send(
        '/apis/payments',
        json(cardPayment({ trans_id: '@raw' })).replace('"@raw"', text),
      );
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ ret_code: '010000', ret_msg: 'Invalid request: malformed JSON' });
    }
  });
});
