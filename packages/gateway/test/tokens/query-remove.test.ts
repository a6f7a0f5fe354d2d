/**
 * Token query and token remove (docs/api.md#routes, docs/api.md#stored-cards-and-recurring-payments): a shopper's active tokens as an array, only that
 * shopper's and only this merchant's; removal deletes the card data at once, answers no
 * `data`, and a removed token is neither listed nor removable again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import {
  CARDS,
  expectDone,
  expectRefused,
  shopper,
  TokenApi,
  type TokenView,
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

describe('token query', () => {
  it("answers an array of the shopper's tokens: token, usage, method, ACTIVATE, card_info with expiry", async () => {
    const who = shopper();
    const visa = await api.store(who, { card: { exp_month: '7' } });
    const amex = await api.store(who, {
      usage: 'SUBSCRIPTION',
      card: { card_no: CARDS.amex, cvv: '1234', exp_month: '11' },
    });
    const tokens = await api.tokens(who);
    expect(tokens).toHaveLength(2);
    const byToken = new Map(tokens.map((t) => [t.token, t]));
    expect(byToken.get(visa.token)).toMatchObject({
      token: visa.token,
      token_usage: 'CARD_ON_FILE',
      payment_method: 'BANKCARD',
      status: 'ACTIVATE',
    });
    expect(byToken.get(visa.token)!.card_info).toEqual({
      bin: '424242',
      last4: '4242',
      card_brand: 'VISA',
      exp_month: '07',
      exp_year: FUTURE_YEAR,
    });
    expect(byToken.get(amex.token)).toMatchObject({ token_usage: 'SUBSCRIPTION', status: 'ACTIVATE' });
    expect(byToken.get(amex.token)!.card_info).toEqual({
      bin: '378282',
      last4: '0005',
      card_brand: 'AMEX',
      exp_month: '11',
      exp_year: FUTURE_YEAR,
    });
  });

  it('shows a two-digit expiry year as the year it means (20xx), as the card checks read it', async () => {
    const who = shopper();
    const twoDigits = FUTURE_YEAR.slice(2);
    const stored = await api.store(who, { card: { exp_month: 3, exp_year: twoDigits } });
    const [token] = await api.tokens(who);
    expect(token!.token).toBe(stored.token);
    expect(token!.card_info).toMatchObject({ exp_month: '03', exp_year: FUTURE_YEAR });
  });

  it('never shows more of the card than bin and last4', async () => {
    const who = shopper();
    await api.store(who, { card: { card_no: CARDS.mastercard } });
    const text = JSON.stringify(await api.tokens(who));
    expect(text).not.toContain(CARDS.mastercard.slice(0, 7));
    expect(text).not.toContain(CARDS.mastercard.slice(-5));
  });

  it("lists only this shopper's tokens, not another shopper's or another merchant's", async () => {
    const who = shopper();
    const mine = await api.store(who);
    await api.store(shopper('neighbour'), { card: { card_no: CARDS.mastercard } });
    await other.store(who, { card: { card_no: CARDS.amex, cvv: '1234' } });
    expect((await api.tokens(who)).map((t) => t.token)).toEqual([mine.token]);
    const theirs = await other.tokens(who);
    expect(theirs.map((t) => t.card_info.card_brand)).toEqual(['AMEX']);
  });

  it('answers an empty array for a shopper without tokens', async () => {
    const res = await api.post('/payments/token/query', { shopper_reference: shopper('nobody') });
    expect({ status: res.status, ret_code: res.json.ret_code }).toEqual({ status: 200, ret_code: '000000' });
    expect(res.json.data).toEqual([]);
  });

  it('refuses a missing shopper_reference with 010000 naming it', async () => {
    const res = await api.post('/payments/token/query', {});
    expectRefused(res, 400, '010000');
    expect(res.json.ret_msg).toContain('shopper_reference');
  });
});

describe('token remove', () => {
  it('answers 000000 without data, deletes the card data and stops listing the token', async () => {
    const who = shopper();
    const kept = await api.store(who, { card: { card_no: CARDS.mastercard } });
    const removed = await api.store(who);
    expectDone(await api.removeToken(removed.token, who));

    const row = await tokenRow(gw, removed.token);
    expect(row).toMatchObject({ status: 'INACTIVE', card_ciphertext: null });
    expect((await tokenRow(gw, kept.token))!.card_ciphertext).toEqual(expect.any(String));
    expect((await api.tokens(who)).map((t: TokenView) => t.token)).toEqual([kept.token]);
  });

  it('removing it again → 404 300030', async () => {
    const who = shopper();
    const { token } = await api.store(who);
    expectDone(await api.removeToken(token, who));
    expectRefused(await api.removeToken(token, who), 404, '300030');
  });

  it("with another shopper's reference → 404 300030, and the token stays", async () => {
    const who = shopper();
    const { token } = await api.store(who);
    expectRefused(await api.removeToken(token, shopper('someone-else')), 404, '300030');
    expect((await tokenRow(gw, token))!.status).toBe('ACTIVE');
    expect((await api.tokens(who)).map((t) => t.token)).toEqual([token]);
  });

  it("another merchant's token → 404 300030, and it stays", async () => {
    const who = shopper();
    const { token } = await other.store(who);
    expectRefused(await api.removeToken(token, who), 404, '300030');
    expect((await tokenRow(gw, token))!.status).toBe('ACTIVE');
  });

  it('an unknown token → 404 300030', async () => {
    expectRefused(await api.removeToken('TK00000000000000000000', shopper()), 404, '300030');
  });

  it('refuses a missing token with 010000', async () => {
    expectRefused(await api.post('/payments/token/remove', { shopper_reference: shopper() }), 400, '010000');
  });

  it('storing the same card after a removal gives a new token', async () => {
    const who = shopper();
    const first = await api.store(who);
    expectDone(await api.removeToken(first.token, who));
    const again = await api.store(who);
    expect(again.token).not.toBe(first.token);
    const rows = await tokenRows(gw, api.merchantId, who);
    expect(rows.map((r) => r.status).sort()).toEqual(['ACTIVE', 'INACTIVE']);
  });
});
