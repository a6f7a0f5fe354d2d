/**
 * Card validity is a business outcome (docs/api.md#the-envelope): the request is accepted (HTTP 200), the order
 * exists as FAILURE with 2099 (invalid card) or 2006 (brand not supported), the acquirer is
 * never asked, and the trans_id is used up.
 */
import type { OpenKKA } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import {
  CountingAcquirer,
  countOrders,
  post,
  RFC3339_WITH_OFFSET,
  randomPan,
  strictClient,
} from '../helpers/payments.ts';

let gw: TestGateway;
let merchant: TestMerchant;
let client: OpenKKA;
const acquirer = new CountingAcquirer();

beforeAll(async () => {
  gw = await startGateway({ acquirer });
  merchant = await gw.createMerchant();
  client = strictClient(gw, merchant);
});
afterAll(() => gw.close());

const thisYear = new Date().getUTCFullYear();
// The month before the current one (UTC), as [month, year]: expired since the 1st of this month.
const lastMonth = (() => {
  const now = new Date();
  const m = now.getUTCMonth(); // 0-based, so it names last month 1-based (0 → December last year)
  return m === 0 ? { month: 12, year: now.getUTCFullYear() - 1 } : { month: m, year: now.getUTCFullYear() };
})();

const cases: Array<{ name: string; card: Record<string, unknown>; code: string }> = [
  { name: 'a number failing Luhn (4242424242424241)', card: { card_no: '4242424242424241' }, code: '2099' },
  { name: 'an expiry year in the past', card: { exp_month: '01', exp_year: '2020' }, code: '2099' },
  { name: 'a two-digit expiry year in the past', card: { exp_month: 6, exp_year: 21 }, code: '2099' },
  {
    name: 'last month (expired since the 1st)',
    card: { exp_month: lastMonth.month, exp_year: lastMonth.year },
    code: '2099',
  },
  { name: 'exp_month 13', card: { exp_month: '13' }, code: '2099' },
  { name: 'exp_month 0', card: { exp_month: 0 }, code: '2099' },
  { name: 'a 2-digit CVV', card: { cvv: '12' }, code: '2099' },
  { name: 'a 4-digit CVV on a VISA', card: { cvv: '1234' }, code: '2099' },
  { name: 'a 3-digit CVV on an AMEX', card: { card_no: '378282246310005', cvv: '123' }, code: '2099' },
  { name: 'a VISA of a length VISA never has (15)', card: { card_no: randomPan('4', 15) }, code: '2099' },
  { name: 'fewer than 12 digits', card: { card_no: '42424242' }, code: '2099' },
  { name: 'a Luhn-valid number with an unknown BIN (9…)', card: { card_no: randomPan('9') }, code: '2006' },
];

describe('invalid cards become FAILURE orders', () => {
  it.each(cases)('$name → FAILURE $code', async ({ card, code }) => {
    const callsBefore = acquirer.calls.length;
    const order = await client.payments.create(cardPayment({ amount: 880 }, card));
    expect(order).toMatchObject({
      status: 'FAILURE',
      error_code: code,
      amount: 880,
      balances: {
        authed_amount: 0,
        captured_amount: 0,
        able_to_capture_amount: 0,
        able_to_void_amount: 0,
        able_to_refund_amount: 0,
      },
    });
    expect(order.error_description).not.toBe('');
    expect(order.order_id).toMatch(/^GW\d{20}$/);
    expect(order.pay_finish_time).toMatch(RFC3339_WITH_OFFSET);
    expect(acquirer.calls.length, 'an invalid card never reaches the acquirer').toBe(callsBefore);

    const queried = await client.payments.query({ trans_id: order.trans_id });
    expect(queried).toMatchObject({ order_id: order.order_id, status: 'FAILURE', error_code: code });
  });

  it('answers HTTP 200 with ret_code 000000 (a business result, not a refusal)', async () => {
    const res = await post(gw, merchant, cardPayment({}, { card_no: '4242424242424241' }));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ret_code: '000000', data: { status: 'FAILURE', error_code: '2099' } });
  });

  it('shows bin and last4 of a Luhn failure, and no card_info for an unknown brand', async () => {
    const luhn = await client.payments.create(cardPayment({}, { card_no: '4242424242424241' }));
    expect(luhn.card_info).toEqual({ bin: '424242', last4: '4241', card_brand: 'VISA' });
    const unknown = await client.payments.create(cardPayment({}, { card_no: randomPan('9') }));
    expect(unknown.error_code).toBe('2006');
    expect(unknown.card_info).toBeUndefined();
  });

  it('uses up the trans_id: the same request again is the same FAILURE order', async () => {
    const body = cardPayment({}, { card_no: '4242424242424241' });
    const first = await client.payments.create(body);
    const before = await countOrders(gw, merchant.merchantId);
    const again = await client.payments.create(body);
    expect(again).toMatchObject({ order_id: first.order_id, status: 'FAILURE', error_code: '2099' });
    expect(await countOrders(gw, merchant.merchantId)).toBe(before);
  });

  it('a card expiring this month is still valid', async () => {
    const now = new Date();
    const order = await client.payments.create(
      cardPayment({}, { exp_month: now.getUTCMonth() + 1, exp_year: thisYear }),
    );
    expect(order.status).toBe('SUCCESS');
  });

  it('a two-digit future expiry year is read as 20xx', async () => {
    const order = await client.payments.create(cardPayment({}, { exp_year: String((thisYear + 2) % 100) }));
    expect(order.status).toBe('SUCCESS');
  });
});
