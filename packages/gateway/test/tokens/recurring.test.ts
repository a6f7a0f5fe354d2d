/**
 * Recurring payments (docs/api.md#stored-cards-and-recurring-payments): the first payment (CIT) opens an agreement on a new token,
 * renewals (MIT) charge it without a return_url. Every rule broken is a business refusal:
 * HTTP 200, an order in FAILURE with the rule's code, the acquirer never asked, nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { CountingAcquirer } from '../helpers/payments.ts';
import {
  AGREEMENT_ID,
  agreementRow,
  CARDS,
  countAgreements,
  expectDone,
  expectFailure,
  expectRefused,
  firstRecurring,
  type Order,
  renewal,
  shopper,
  TOKEN_ID,
  TokenApi,
  tokenRows,
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

/** Posts `body`, expects FAILURE with `code`, and checks the acquirer was never asked. */
async function refusedWith(body: Record<string, unknown>, code: string, as: TokenApi = api): Promise<Order> {
  const res = await as.post('/payments', body);
  expect({ status: res.status, ret_code: res.json.ret_code }, res.text).toEqual({
    status: 200,
    ret_code: '000000',
  });
  const order = res.json.data as Order;
  expectFailure(order, code);
  expect(acquirer.callsFor(order.order_id)).toBe(0);
  return order;
}

describe('the first recurring payment (CIT)', () => {
  it('answers SUCCESS with a token and a recurring_agreement_id, also in /payments/query', async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    expect(first).toMatchObject({
      payment_type: 'RECURRING',
      shopper_reference: who,
      token: expect.stringMatching(TOKEN_ID),
      recurring_agreement_id: expect.stringMatching(AGREEMENT_ID),
    });
    const queried = await api.query({ order_id: first.order_id });
    expect(queried).toMatchObject({
      token: first.token,
      recurring_agreement_id: first.recurring_agreement_id,
    });
    expect(await agreementRow(gw, first.recurring_agreement_id)).toMatchObject({
      merchant_id: api.merchantId,
      shopper_reference: who,
      token: first.token,
      first_order_id: first.order_id,
      status: 'ACTIVE',
    });
    expect(await api.tokens(who)).toEqual([
      expect.objectContaining({ token: first.token, token_usage: 'SUBSCRIPTION', status: 'ACTIVATE' }),
    ]);
  });

  it('a repeat of it answers the same order, token and agreement, and opens no second agreement', async () => {
    const who = shopper();
    const body = firstRecurring(who);
    const first = await api.pay(body);
    const agreements = await countAgreements(gw, api.merchantId);
    const again = await api.pay(body);
    expect(again).toMatchObject({
      order_id: first.order_id,
      token: first.token,
      recurring_agreement_id: first.recurring_agreement_id,
    });
    expect(await countAgreements(gw, api.merchantId)).toBe(agreements);
  });

  it('with a card the shopper already stored: the same token, a new agreement on it', async () => {
    const who = shopper();
    const stored = await api.store(who);
    const first = await api.subscribe(who);
    const second = await api.subscribe(who);
    expect(first.token).toBe(stored.token);
    expect(second.token).toBe(stored.token);
    expect(second.recurring_agreement_id).not.toBe(first.recurring_agreement_id);
    expect((await agreementRow(gw, second.recurring_agreement_id))!.token).toBe(stored.token);
  });

  it('declined: FAILURE with the decline code, no token, no agreement', async () => {
    const who = shopper();
    const agreements = await countAgreements(gw, api.merchantId);
    const order = await api.pay(firstRecurring(who, {}, { card_no: CARDS.declined }));
    expectFailure(order, '5001');
    expect(order).not.toHaveProperty('token');
    expect(order).not.toHaveProperty('recurring_agreement_id');
    expect(await countAgreements(gw, api.merchantId)).toBe(agreements);
    expect(await tokenRows(gw, api.merchantId, who)).toEqual([]);
  });
});

describe('renewals (MIT)', () => {
  it('need no return_url and answer SUCCESS with the token, the agreement and its card', async () => {
    const who = shopper();
    const first = await api.subscribe(who, { card_no: CARDS.mastercard });
    const body = renewal(first.recurring_agreement_id, first.token, who);
    expect(body).not.toHaveProperty('return_url');
    const order = await api.pay(body);
    expect(order).toMatchObject({
      status: 'SUCCESS',
      error_code: '0000',
      payment_type: 'RECURRING',
      token: first.token,
      recurring_agreement_id: first.recurring_agreement_id,
      card_info: { bin: '555555', last4: '4444', card_brand: 'MASTERCARD' },
    });
    expect(acquirer.calls.find((c) => c.orderId === order.order_id)!.card.pan).toBe(CARDS.mastercard);
  });

  it('a repeat of a renewal answers the same order, charged once', async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    const body = renewal(first.recurring_agreement_id, first.token, who);
    const one = await api.pay(body);
    const two = await api.pay(body);
    expect(two.order_id).toBe(one.order_id);
    expect(acquirer.callsFor(one.order_id)).toBe(1);
  });
});

describe('the rules, each a business refusal', () => {
  it('2010: RECURRING without mit', async () => {
    const who = shopper();
    await refusedWith(firstRecurring(who, { mit: undefined }), '2010');
    expect(await tokenRows(gw, api.merchantId, who)).toEqual([]);
  });

  it('2010: a renewal without mit, and without a return_url, which no subsequent payment needs', async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    const body = renewal(first.recurring_agreement_id, first.token, who, { mit: undefined });
    expect(body).not.toHaveProperty('return_url');
    await refusedWith(body, '2010');
    // A token alone (no agreement) makes the payment subsequent too.
    const byToken = renewal(undefined, first.token, who, { mit: undefined });
    await refusedWith(byToken, '2010');
  });

  it('2011: a subsequent payment with mit=false needs no return_url either', async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    await refusedWith(renewal(first.recurring_agreement_id, first.token, who, { mit: false }), '2011');
  });

  it('a first recurring payment (a card, no agreement) needs its return_url, even with mit=true: 010000', async () => {
    const who = shopper();
    for (const mit of [false, true, undefined]) {
      const res = await api.post('/payments', firstRecurring(who, { mit, return_url: undefined }));
      expectRefused(res, 400, '010000');
      expect(res.json.ret_msg).toContain('return_url is required');
    }
    expect(await tokenRows(gw, api.merchantId, who)).toEqual([]);
  });

  it('2011: a subsequent payment with mit=false', async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    const body = renewal(first.recurring_agreement_id, first.token, who, {
      mit: false,
      return_url: 'https://shop.example/return',
    });
    await refusedWith(body, '2011');
  });

  it('2012: a first payment (a card, no agreement) with mit=true', async () => {
    const who = shopper();
    await refusedWith(firstRecurring(who, { mit: true }), '2012');
    expect(await tokenRows(gw, api.merchantId, who)).toEqual([]);
  });

  it('2013: store_payment_method with a method other than BANKCARD (ApplePay)', async () => {
    const who = shopper();
    const order = await refusedWith(firstRecurring(who, {}, { payment_method: 'ApplePay' }), '2013');
    expect(order.payment).toEqual({ payment_method: 'APPLE_PAY' });
    expect(await tokenRows(gw, api.merchantId, who)).toEqual([]);
  });

  it('2013: also for a PURCHASE that asks to store with another method', async () => {
    const who = shopper();
    const body = firstRecurring(
      who,
      { payment_type: 'PURCHASE', mit: undefined },
      { payment_method: 'GooglePay' },
    );
    await refusedWith(body, '2013');
  });

  it('2014: a first payment without store_payment_method', async () => {
    const who = shopper();
    await refusedWith(firstRecurring(who, {}, { store_payment_method: false }), '2014');
    expect(await tokenRows(gw, api.merchantId, who)).toEqual([]);
  });

  it('2015: an agreement that does not exist', async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    await refusedWith(renewal('RA00000000000000000000', first.token, who), '2015');
  });

  it("2015: another merchant's agreement, even with its token and shopper", async () => {
    const who = shopper();
    const theirs = await other.subscribe(who);
    await refusedWith(renewal(theirs.recurring_agreement_id, theirs.token, who), '2015');
  });

  it('2015: the agreement of another shopper', async () => {
    const owner = shopper('owner');
    const intruder = shopper('intruder');
    const first = await api.subscribe(owner);
    const own = await api.subscribe(intruder);
    await refusedWith(renewal(first.recurring_agreement_id, own.token, intruder), '2015');
  });

  it('2015: a token with mit=true but no agreement named', async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    await refusedWith(renewal(undefined, first.token, who), '2015');
  });

  it('2016: a cancelled agreement', async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    expectDone(await api.cancel(first.recurring_agreement_id, who));
    const order = await refusedWith(renewal(first.recurring_agreement_id, first.token, who), '2016');
    expect(order.recurring_agreement_id).toBe(first.recurring_agreement_id);
  });

  it("5010: a token that is not the agreement's (another card of the same shopper)", async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    const otherCard = await api.store(who, { card: { card_no: CARDS.mastercard } });
    await refusedWith(renewal(first.recurring_agreement_id, otherCard.token, who), '5010');
  });

  it("5010: the agreement's token was removed (the agreement stays active)", async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    expectDone(await api.removeToken(first.token, who));
    expect((await agreementRow(gw, first.recurring_agreement_id))!.status).toBe('ACTIVE');
    await refusedWith(renewal(first.recurring_agreement_id, first.token, who), '5010');
  });
});

describe('recurring cancel', () => {
  it('answers 000000 without data and makes the agreement inactive; the token stays', async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    expectDone(await api.cancel(first.recurring_agreement_id, who));
    expect((await agreementRow(gw, first.recurring_agreement_id))!.status).toBe('INACTIVE');
    expect((await api.tokens(who)).map((t) => t.token)).toEqual([first.token]);
  });

  it('cancelling again → 404 300031', async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    expectDone(await api.cancel(first.recurring_agreement_id, who));
    expectRefused(await api.cancel(first.recurring_agreement_id, who), 404, '300031');
  });

  it('an unknown agreement → 404 300031', async () => {
    expectRefused(await api.cancel('RA00000000000000000000', shopper()), 404, '300031');
  });

  it("with another shopper's reference → 404 300031, and the agreement stays active", async () => {
    const who = shopper();
    const first = await api.subscribe(who);
    expectRefused(await api.cancel(first.recurring_agreement_id, shopper('other')), 404, '300031');
    expect((await agreementRow(gw, first.recurring_agreement_id))!.status).toBe('ACTIVE');
  });

  it("another merchant's agreement → 404 300031, and it stays active", async () => {
    const who = shopper();
    const theirs = await other.subscribe(who);
    expectRefused(await api.cancel(theirs.recurring_agreement_id, who), 404, '300031');
    expect((await agreementRow(gw, theirs.recurring_agreement_id))!.status).toBe('ACTIVE');
  });

  it('refuses a missing shopper_reference with 010000', async () => {
    expectRefused(
      await api.post('/payments/recurring/cancel', { recurring_agreement_id: 'RA00000000000000000000' }),
      400,
      '010000',
    );
  });
});
