/**
 * EFTPOS: eftpos Australia cards, sent like BANKCARD (card fields or a token), in AUD only.
 * It takes eftpos-only cards and the co-badged Visa and Mastercard cards most eftpos cards
 * are; an eftpos-only card pays with EFTPOS only. Storing, tokens and recurring payments work
 * as for BANKCARD.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { CountingAcquirer, countOrders } from '../helpers/payments.ts';
import {
  AGREEMENT_ID,
  expectFailure,
  expectRefused,
  firstRecurring,
  renewal,
  shopper,
  storingPayment,
  TOKEN_ID,
  TokenApi,
  tokenPayment,
} from '../helpers/tokens.ts';

const EFTPOS_CARDS = {
  approved: '5020000000000005',
  approved6: '6100000000000006',
  declined: '5020000000000021',
  insufficientFunds: '6100000000009957',
} as const;

let gw: TestGateway;
let api: TokenApi;
const acquirer = new CountingAcquirer();

beforeAll(async () => {
  gw = await startGateway({ acquirer });
  api = new TokenApi(gw, await gw.createMerchant());
});
afterAll(() => gw.close());

/** An EFTPOS payment in AUD with `card_no`; `overrides` and `card` as in cardPayment. */
function eftpos(
  card_no: string,
  overrides: Record<string, unknown> = {},
  card: Record<string, unknown> = {},
) {
  return cardPayment({ currency: 'AUD', ...overrides }, { payment_method: 'EFTPOS', card_no, ...card });
}

describe('paying with EFTPOS', () => {
  it('an eftpos card is approved and shows as EFTPOS, in both BIN ranges', async () => {
    const order = await api.pay(eftpos(EFTPOS_CARDS.approved));
    expect(order).toMatchObject({
      status: 'SUCCESS',
      error_code: '0000',
      payment: { payment_method: 'EFTPOS' },
      card_info: { bin: '502000', last4: '0005', card_brand: 'EFTPOS' },
    });
    expect(acquirer.callsFor(order.order_id)).toBe(1);
    const held = await api.pay(eftpos(EFTPOS_CARDS.approved6, { capture_method: 'MANUAL' }));
    expect(held).toMatchObject({ status: 'AUTHORIZED', card_info: { card_brand: 'EFTPOS' } });
  });

  it('the declining test cards decline with their codes', async () => {
    expectFailure(await api.pay(eftpos(EFTPOS_CARDS.declined)), '5001');
    expectFailure(await api.pay(eftpos(EFTPOS_CARDS.insufficientFunds)), '5002');
  });

  it('is spelt as clients spell it (eftpos, Eftpos) and answered EFTPOS', async () => {
    for (const name of ['eftpos', 'Eftpos']) {
      const order = await api.pay(eftpos(EFTPOS_CARDS.approved, {}, { payment_method: name }));
      expect(order.payment).toEqual({ payment_method: 'EFTPOS' });
    }
  });

  it('takes a co-badged Visa or Mastercard, not another scheme (2006, the acquirer not asked)', async () => {
    const visa = await api.pay(eftpos('4242424242424242'));
    expect(visa).toMatchObject({ status: 'SUCCESS', card_info: { card_brand: 'VISA' } });
    const amex = await api.pay(eftpos('378282246310005', {}, { cvv: '1234' }));
    expectFailure(amex, '2006');
    expect(acquirer.callsFor(amex.order_id)).toBe(0);
  });

  it('an eftpos-only card with BANKCARD is not supported (2006)', async () => {
    const order = await api.pay(cardPayment({ currency: 'AUD' }, { card_no: EFTPOS_CARDS.approved }));
    expectFailure(order, '2006');
    expect(order.card_info).toEqual({ bin: '502000', last4: '0005', card_brand: 'EFTPOS' });
    expect(acquirer.callsFor(order.order_id)).toBe(0);
  });

  it('runs the card checks of BANKCARD (Luhn 2099)', async () => {
    expectFailure(await api.pay(eftpos('5020000000000006')), '2099');
  });

  it('another currency than AUD is refused with 300040, and nothing is created', async () => {
    const before = await countOrders(gw, api.merchantId);
    const res = await api.post('/payments', eftpos(EFTPOS_CARDS.approved, { currency: 'USD' }));
    expectRefused(res, 400, '300040');
    expect(res.json.ret_msg).toBe(
      'Currency is not supported by this payment method: EFTPOS takes AUD, not USD',
    );
    expect(await countOrders(gw, api.merchantId)).toBe(before);
  });

  it('needs the card fields BANKCARD needs (010000)', async () => {
    const noExpiry = await api.post('/payments', eftpos(EFTPOS_CARDS.approved, {}, { exp_month: undefined }));
    expectRefused(noExpiry, 400, '010000');
    expect(noExpiry.json.ret_msg).toContain('payment.exp_month is required');
    const noCard = await api.post('/payments', eftpos('', {}, { card_no: undefined }));
    expectRefused(noCard, 400, '010000');
    expect(noCard.json.ret_msg).toContain('exactly one of card_no, token');
  });
});

describe('EFTPOS stores cards and pays recurring payments as BANKCARD does', () => {
  it('store_payment_method stores the card; its token pays again with EFTPOS', async () => {
    const who = shopper();
    const stored = await api.pay(
      storingPayment(who, {
        overrides: { currency: 'AUD' },
        card: { payment_method: 'EFTPOS', card_no: EFTPOS_CARDS.approved },
      }),
    );
    expect(stored.status).toBe('SUCCESS');
    expect(stored.token).toMatch(TOKEN_ID);
    const [listed] = await api.tokens(who);
    expect(listed).toMatchObject({
      token: stored.token,
      payment_method: 'EFTPOS',
      card_info: { bin: '502000', last4: '0005', card_brand: 'EFTPOS' },
    });

    const again = await api.pay(
      tokenPayment(stored.token!, who, { currency: 'AUD' }, { payment_method: 'EFTPOS' }),
    );
    expect(again).toMatchObject({
      status: 'SUCCESS',
      token: stored.token,
      card_info: { card_brand: 'EFTPOS' },
    });
    // The stored eftpos-only card cannot travel over BANKCARD any more than a typed one.
    expectFailure(await api.pay(tokenPayment(stored.token!, who, { currency: 'AUD' })), '2006');
  });

  it('a first recurring payment opens an agreement; renewals charge it without a return_url', async () => {
    const who = shopper();
    const first = await api.pay(
      firstRecurring(who, { currency: 'AUD' }, { payment_method: 'EFTPOS', card_no: EFTPOS_CARDS.approved6 }),
    );
    expect(first.status).toBe('SUCCESS');
    expect(first.recurring_agreement_id).toMatch(AGREEMENT_ID);
    const body = renewal(first.recurring_agreement_id, first.token!, who, { currency: 'AUD' });
    (body.payment as Record<string, unknown>).payment_method = 'EFTPOS';
    const renewed = await api.pay(body);
    expect(renewed).toMatchObject({
      status: 'SUCCESS',
      payment_type: 'RECURRING',
      payment: { payment_method: 'EFTPOS' },
      token: first.token,
      recurring_agreement_id: first.recurring_agreement_id,
    });
  });

  it('the recurring rules apply as to BANKCARD: a first payment that does not store is 2014', async () => {
    const who = shopper();
    const order = await api.pay(
      firstRecurring(
        who,
        { currency: 'AUD' },
        { payment_method: 'EFTPOS', card_no: EFTPOS_CARDS.approved, store_payment_method: false },
      ),
    );
    expectFailure(order, '2014');
  });
});
