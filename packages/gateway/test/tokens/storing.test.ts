/**
 * Storing a card (docs/api.md#stored-cards-and-recurring-payments): `store_payment_method: true` with `token_usage` and
 * `shopper_reference` on an approved payment returns a token; nothing is stored after a
 * decline or a refusal; one active token per (merchant, shopper, card), also under concurrency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { countOrders } from '../helpers/payments.ts';
import {
  CARDS,
  expectRefused,
  shopper,
  storingPayment,
  TOKEN_ID,
  TokenApi,
  type TokenUsage,
  tokenRow,
  tokenRows,
} from '../helpers/tokens.ts';

let gw: TestGateway;
let api: TokenApi;
let other: TokenApi;

beforeAll(async () => {
  gw = await startGateway();
  api = new TokenApi(gw, await gw.createMerchant());
  other = new TokenApi(gw, await gw.createMerchant({ name: 'Other merchant' }));
});
afterAll(() => gw.close());

describe('an approved payment with store_payment_method', () => {
  it('returns a token (TK + 20 digits) in the answer and in /payments/query', async () => {
    const who = shopper();
    const order = await api.store(who);
    expect(order).toMatchObject({
      status: 'SUCCESS',
      shopper_reference: who,
      token: expect.stringMatching(TOKEN_ID),
    });
    const queried = await api.query({ trans_id: order.trans_id });
    expect(queried.token).toBe(order.token);
    expect(queried.order_id).toBe(order.order_id);
    // No agreement: this is a PURCHASE, not a first recurring payment.
    expect(queried).not.toHaveProperty('recurring_agreement_id');

    const row = await tokenRow(gw, order.token);
    expect(row).toMatchObject({
      merchant_id: api.merchantId,
      shopper_reference: who,
      status: 'ACTIVE',
      card_bin: '424242',
      card_last4: '4242',
      card_brand: 'VISA',
    });
    expect(row!.card_ciphertext).toEqual(expect.any(String));
  });

  it('stores on an authorization too (MANUAL → AUTHORIZED)', async () => {
    const who = shopper();
    const order = await api.pay(storingPayment(who, { overrides: { capture_method: 'MANUAL' } }));
    expect(order.status).toBe('AUTHORIZED');
    expect(order.token).toMatch(TOKEN_ID);
  });

  it('a repeat of the request (same trans_id, same card) answers the same order and token', async () => {
    const who = shopper();
    const body = storingPayment(who);
    const first = await api.pay(body);
    const again = await api.pay(body);
    expect(again).toMatchObject({ order_id: first.order_id, token: first.token, status: 'SUCCESS' });
    expect(await tokenRows(gw, api.merchantId, who)).toHaveLength(1);
  });

  it.each<TokenUsage>(['CARD_ON_FILE', 'SUBSCRIPTION', 'UNSCHEDULED_CARD_ON_FILE'])(
    'token_usage %s is accepted and echoed by token query',
    async (usage) => {
      const who = shopper();
      const order = await api.store(who, { usage });
      expect(await api.tokens(who)).toEqual([
        expect.objectContaining({ token: order.token, token_usage: usage }),
      ]);
    },
  );
});

describe('nothing is stored', () => {
  it('after a decline (4000000000000002): FAILURE, no token in the answer, no token row', async () => {
    const who = shopper();
    const order = await api.pay(storingPayment(who, { card: { card_no: CARDS.declined } }));
    expect({ status: order.status, error_code: order.error_code }).toEqual({
      status: 'FAILURE',
      error_code: '5001',
    });
    expect(order).not.toHaveProperty('token');
    expect((await api.query({ order_id: order.order_id })).token).toBeUndefined();
    expect(await tokenRows(gw, api.merchantId, who)).toEqual([]);
    expect(await api.tokens(who)).toEqual([]);
  });

  it('without shopper_reference: 400 210002, no order, no token', async () => {
    const orders = await countOrders(gw, api.merchantId);
    const tokens = (await tokenRows(gw, api.merchantId)).length;
    expectRefused(await api.post('/payments', storingPayment(undefined)), 400, '210002');
    expect(await countOrders(gw, api.merchantId)).toBe(orders);
    expect(await tokenRows(gw, api.merchantId)).toHaveLength(tokens);
  });

  it('without token_usage: 400 010000 naming the field, no order, no token', async () => {
    const who = shopper();
    const orders = await countOrders(gw, api.merchantId);
    const body = storingPayment(who, { card: { token_usage: undefined } });
    const res = await api.post('/payments', body);
    expectRefused(res, 400, '010000');
    expect(res.json.ret_msg).toContain('token_usage');
    expect(await countOrders(gw, api.merchantId)).toBe(orders);
    expect(await tokenRows(gw, api.merchantId, who)).toEqual([]);
  });

  it('without store_payment_method: a plain payment with a shopper_reference stores nothing', async () => {
    const who = shopper();
    const order = await api.pay(storingPayment(who, { card: { store_payment_method: false } }));
    expect(order.status).toBe('SUCCESS');
    expect(order).not.toHaveProperty('token');
    expect(await tokenRows(gw, api.merchantId, who)).toEqual([]);
  });
});

describe('one token per (merchant, shopper, card)', () => {
  it('paying again with the same card, even with another expiry and CVV, returns the same token', async () => {
    const who = shopper();
    const first = await api.store(who);
    const second = await api.store(who, {
      card: { exp_month: '03', exp_year: String(Number(FUTURE_YEAR) + 1), cvv: '987' },
    });
    const spaced = await api.store(who, { usage: 'SUBSCRIPTION', card: { card_no: '4242 4242 4242 4242' } });
    expect(second.token).toBe(first.token);
    expect(spaced.token).toBe(first.token);
    expect(second.order_id).not.toBe(first.order_id);
    expect(await tokenRows(gw, api.merchantId, who)).toHaveLength(1);
  });

  it('another card → another token', async () => {
    const who = shopper();
    const visa = await api.store(who);
    const mastercard = await api.store(who, { card: { card_no: CARDS.mastercard } });
    expect(mastercard.token).not.toBe(visa.token);
    expect((await api.tokens(who)).map((t) => t.token).sort()).toEqual([visa.token, mastercard.token].sort());
  });

  it('another shopper → another token for the same card', async () => {
    const one = await api.store(shopper('one'));
    const two = await api.store(shopper('two'));
    expect(two.token).not.toBe(one.token);
  });

  it("another merchant's shopper with the same reference → another token", async () => {
    const who = shopper();
    const mine = await api.store(who);
    const theirs = await other.store(who);
    expect(theirs.token).not.toBe(mine.token);
    expect(await tokenRows(gw, api.merchantId, who)).toHaveLength(1);
    expect(await tokenRows(gw, other.merchantId, who)).toHaveLength(1);
  });

  it('10 concurrent storing payments of one card for one shopper → exactly one active token', async () => {
    const who = shopper();
    const orders = await Promise.all(Array.from({ length: 10 }, () => api.pay(storingPayment(who))));
    for (const order of orders) expect(order.status).toBe('SUCCESS');
    const tokens = new Set(orders.map((o) => o.token));
    expect(tokens.size).toBe(1);
    const rows = await tokenRows(gw, api.merchantId, who);
    expect(rows.filter((r) => r.status === 'ACTIVE')).toHaveLength(1);
    expect(rows[0]!.token).toBe([...tokens][0]);
  });
});
