/**
 * Paying with a stored card (docs/api.md#stored-cards-and-recurring-payments): the token and its shopper pay like the card itself; a
 * removed, unknown, another shopper's or another merchant's token is a business refusal
 * (FAILURE, 5010) that never reaches the acquirer; idempotency compares the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { CountingAcquirer, countOrders } from '../helpers/payments.ts';
import {
  CARDS,
  expectDone,
  expectFailure,
  expectRefused,
  type Order,
  shopper,
  TokenApi,
  tokenPayment,
  transId,
} from '../helpers/tokens.ts';

let gw: TestGateway;
let api: TokenApi;
let other: TokenApi;
const acquirer = new CountingAcquirer();

beforeAll(async () => {
  gw = await startGateway({ acquirer });
  api = new TokenApi(gw, await gw.createMerchant());
  other = new TokenApi(gw, await gw.createMerchant({ name: 'Other merchant' }));
});
afterAll(() => gw.close());

describe('a payment by token', () => {
  it("PURCHASE with CARD_ON_FILE → SUCCESS with the token's card_info, charging the stored card", async () => {
    const who = shopper();
    const stored = await api.store(who, { card: { card_no: CARDS.mastercard } });
    const order = await api.pay(tokenPayment(stored.token, who, {}, { token_usage: 'CARD_ON_FILE' }));
    expect(order).toMatchObject({
      status: 'SUCCESS',
      error_code: '0000',
      token: stored.token,
      shopper_reference: who,
      card_info: { bin: '555555', last4: '4444', card_brand: 'MASTERCARD' },
    });
    expect(order).not.toHaveProperty('recurring_agreement_id');
    const calls = acquirer.calls.filter((c) => c.orderId === order.order_id);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.card.pan).toBe(CARDS.mastercard);
    expect((await api.query({ order_id: order.order_id })).token).toBe(stored.token);
  });

  it('with a CVV, and with MANUAL capture, like a typed card', async () => {
    const who = shopper();
    const { token } = await api.store(who);
    const order = await api.pay(tokenPayment(token, who, { capture_method: 'MANUAL' }, { cvv: '321' }));
    expect(order.status).toBe('AUTHORIZED');
    const call = acquirer.calls.find((c) => c.orderId === order.order_id)!;
    expect(call.card.cvv).toBe('321');
  });

  it('a repeat with the same token answers the same order, charged once', async () => {
    const who = shopper();
    const { token } = await api.store(who);
    const body = tokenPayment(token, who);
    const first = await api.pay(body);
    const again = await api.pay(body);
    expect(again).toMatchObject({ order_id: first.order_id, status: 'SUCCESS', token });
    expect(acquirer.callsFor(first.order_id)).toBe(1);
  });

  it('the same trans_id with another token → 409 300001, nothing created', async () => {
    const who = shopper();
    const visa = await api.store(who);
    const mastercard = await api.store(who, { card: { card_no: CARDS.mastercard } });
    const trans = transId('by-token');
    const first = await api.pay(tokenPayment(visa.token, who, { trans_id: trans }));
    const orders = await countOrders(gw, api.merchantId);
    const res = await api.post('/payments', tokenPayment(mastercard.token, who, { trans_id: trans }));
    expectRefused(res, 409, '300001');
    expect(res.json.ret_msg).toContain('token');
    expect(await countOrders(gw, api.merchantId)).toBe(orders);
    expect((await api.query({ trans_id: trans })).order_id).toBe(first.order_id);
  });

  it('without shopper_reference → 400 210002, nothing created', async () => {
    const who = shopper();
    const { token } = await api.store(who);
    const orders = await countOrders(gw, api.merchantId);
    expectRefused(await api.post('/payments', tokenPayment(token, undefined)), 400, '210002');
    expect(await countOrders(gw, api.merchantId)).toBe(orders);
  });

  it('a token together with card_no → 400 010000', async () => {
    const who = shopper();
    const { token } = await api.store(who);
    const body = tokenPayment(token, who, {}, { card_no: CARDS.visa, exp_month: '12', exp_year: '2099' });
    expectRefused(await api.post('/payments', body), 400, '010000');
  });
});

describe('a token that cannot pay → 200, FAILURE 5010, the acquirer not asked', () => {
  /** Pays with `token` as `who` and checks the refusal; the answers must not tell the cases apart. */
  async function refusedPayment(token: string, who: string): Promise<Order> {
    const order = await api.pay(tokenPayment(token, who));
    expectFailure(order, '5010');
    expect(acquirer.callsFor(order.order_id)).toBe(0);
    // Nothing about the card: a removed or foreign token looks like one that never existed.
    expect(order).not.toHaveProperty('card_info');
    expect(await api.query({ order_id: order.order_id })).toMatchObject({
      status: 'FAILURE',
      error_code: '5010',
    });
    return order;
  }

  it('a removed token', async () => {
    const who = shopper();
    const { token } = await api.store(who);
    expectDone(await api.removeToken(token, who));
    await refusedPayment(token, who);
  });

  it('an unknown token', async () => {
    await refusedPayment('TK00000000000000000000', shopper());
  });

  it("another shopper's token", async () => {
    const { token } = await api.store(shopper('owner'));
    await refusedPayment(token, shopper('intruder'));
  });

  it("another merchant's token, even with its shopper_reference", async () => {
    const who = shopper();
    const { token } = await other.store(who);
    await refusedPayment(token, who);
  });

  it('the refusal uses the trans_id up: a repeat answers the same FAILURE', async () => {
    const body = tokenPayment('TK00000000000000000001', shopper());
    const first = await api.pay(body);
    const again = await api.pay(body);
    expectFailure(again, '5010');
    expect(again.order_id).toBe(first.order_id);
  });
});
