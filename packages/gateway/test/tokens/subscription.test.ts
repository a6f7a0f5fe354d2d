/**
 * The subscription walk-through of docs/subscriptions.md, step by step with the SDK: a first
 * payment (CIT) that stores the card and opens an agreement, three renewals (MIT), a
 * cancellation, and a fourth renewal refused with 2016. The request bodies the SDK sends must
 * be the ones the page shows, and the answers must have the fields the page shows.
 */
import { readFileSync } from 'node:fs';
import { OpenKKA, type Order } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { AGREEMENT_ID, agreementRow, TOKEN_ID } from '../helpers/tokens.ts';

const page = readFileSync(new URL('../../../../docs/subscriptions.md', import.meta.url), 'utf8');

/** The page's JSON examples in order: request bodies (with merchant_id) and answers (with ret_code). */
const examples = [...page.matchAll(/```json\n([\s\S]*?)\n```/g)].map(
  (m) => JSON.parse(m[1]!) as Record<string, unknown>,
);
const docRequests = examples.filter((e) => 'merchant_id' in e && !('ret_code' in e));
const docAnswers = examples.filter((e) => 'ret_code' in e);

let gw: TestGateway;
let merchant: TestMerchant;
let openkka: OpenKKA;
const sent: { path: string; body: Record<string, unknown> }[] = [];
const answered: string[] = [];

beforeAll(async () => {
  gw = await startGateway();
  merchant = await gw.createMerchant();
  // The client of the page, with a fetch that records what goes over the wire.
  openkka = new OpenKKA({
    baseUrl: gw.baseUrl,
    merchantId: merchant.merchantId,
    privateKey: merchant.privateKeyPem,
    platformPublicKey: gw.platformPublicKeyPem,
    maxRetries: 0,
    fetch: async (url, init) => {
      sent.push({ path: new URL(String(url)).pathname, body: JSON.parse(String(init?.body)) });
      const response = await fetch(url, init);
      answered.push(await response.clone().text());
      return response;
    },
  });
});
afterAll(() => gw.close());

/**
 * `body` as the page would show it: the values that differ per run (merchant, timestamp,
 * identifiers, expiry year) taken from the page's example, everything else (and the key order)
 * as sent.
 */
function asOnThePage(body: Record<string, unknown>, example: Record<string, unknown>): string {
  const copy = structuredClone(body);
  for (const key of ['merchant_id', 'timestamp', 'recurring_agreement_id'] as const) {
    if (key in copy) copy[key] = example[key];
  }
  const payment = copy.payment as Record<string, unknown> | undefined;
  const shown = example.payment as Record<string, unknown> | undefined;
  if (payment && shown) {
    if ('token' in payment) payment.token = shown.token;
    if ('exp_year' in payment) payment.exp_year = shown.exp_year;
  }
  return JSON.stringify(copy, null, 2);
}

describe('docs/subscriptions.md', () => {
  it('has the examples this test compares against', () => {
    expect(docRequests).toHaveLength(3);
    expect(docAnswers).toHaveLength(3);
  });

  it('works as the page says, step by step', async () => {
    // Step 1: the first payment (CIT).
    const first = await openkka.payments.createFirstRecurring({
      trans_id: 'sub-1001-1',
      currency: 'USD',
      amount: 999,
      return_url: 'https://shop.example/account',
      payment: {
        card_no: '4242424242424242',
        exp_month: '07',
        exp_year: FUTURE_YEAR,
        cvv: '123',
        shopper_reference: 'shopper-42',
      },
    });
    expect(first.status).toBe('SUCCESS');
    const { token, recurring_agreement_id } = first;
    expect(token).toMatch(TOKEN_ID);
    expect(recurring_agreement_id).toMatch(AGREEMENT_ID);
    if (!token || !recurring_agreement_id) throw new Error('no token or agreement');

    // Step 2: three renewals (MIT), each its own trans_id.
    const renewals: Order[] = [];
    for (const period of [2, 3, 4]) {
      renewals.push(
        await openkka.payments.createSubsequentRecurring({
          trans_id: `sub-1001-${period}`,
          currency: 'USD',
          amount: 999,
          recurring_agreement_id,
          token,
          shopper_reference: 'shopper-42',
        }),
      );
    }
    expect(renewals.map((r) => [r.trans_id, r.status])).toEqual([
      ['sub-1001-2', 'SUCCESS'],
      ['sub-1001-3', 'SUCCESS'],
      ['sub-1001-4', 'SUCCESS'],
    ]);
    expect(new Set([first.order_id, ...renewals.map((r) => r.order_id)]).size).toBe(4);
    for (const r of renewals) {
      expect(r).toMatchObject({ token, recurring_agreement_id, card_info: first.card_info, amount: 999 });
      expect(r.balances.captured_amount).toBe(999);
    }

    // Step 3: cancel the agreement.
    await expect(
      openkka.recurring.cancel({ recurring_agreement_id, shopper_reference: 'shopper-42' }),
    ).resolves.toBeUndefined();
    expect((await agreementRow(gw, recurring_agreement_id))!.status).toBe('INACTIVE');

    // Step 4: a fourth renewal is refused with 2016, as an order in FAILURE.
    const late = await openkka.payments.createSubsequentRecurring({
      trans_id: 'sub-1001-5',
      currency: 'USD',
      amount: 999,
      recurring_agreement_id,
      token,
      shopper_reference: 'shopper-42',
    });
    expect({ status: late.status, error_code: late.error_code }).toEqual({
      status: 'FAILURE',
      error_code: '2016',
    });
    expect(late.balances.captured_amount).toBe(0);

    // The token stays listed after the cancellation, as the page says.
    const cards = await openkka.tokens.query({ shopper_reference: 'shopper-42' });
    expect(cards).toEqual([
      {
        token,
        token_usage: 'SUBSCRIPTION',
        payment_method: 'BANKCARD',
        status: 'ACTIVATE',
        shopper_reference: 'shopper-42',
        card_info: {
          bin: '424242',
          last4: '4242',
          card_brand: 'VISA',
          exp_month: '07',
          exp_year: FUTURE_YEAR,
        },
      },
    ]);
  });

  it('the SDK sent the request bodies the page shows', () => {
    const paths = sent.map((s) => s.path);
    expect(paths.slice(0, 6)).toEqual([
      '/apis/payments',
      '/apis/payments',
      '/apis/payments',
      '/apis/payments',
      '/apis/payments/recurring/cancel',
      '/apis/payments',
    ]);
    const [firstShown, renewalShown, cancelShown] = docRequests;
    expect(asOnThePage(sent[0]!.body, firstShown!)).toBe(JSON.stringify(firstShown, null, 2));
    expect(asOnThePage(sent[1]!.body, renewalShown!)).toBe(JSON.stringify(renewalShown, null, 2));
    expect(asOnThePage(sent[4]!.body, cancelShown!)).toBe(JSON.stringify(cancelShown, null, 2));
  });

  it('the answers have the fields the page shows', () => {
    const [firstShown, cancelShown, lateShown] = docAnswers as {
      ret_code: string;
      data?: Record<string, unknown>;
    }[];
    const parse = (text: string) => JSON.parse(text) as { ret_code: string; data?: Record<string, unknown> };
    const [first, cancel, late] = [parse(answered[0]!), parse(answered[4]!), parse(answered[5]!)];

    expect(Object.keys(first.data!).sort()).toEqual(Object.keys(firstShown!.data!).sort());
    expect(first.data).toMatchObject({
      status: firstShown!.data!.status,
      error_code: '0000',
      payment_type: 'RECURRING',
      card_info: firstShown!.data!.card_info,
    });
    expect(cancel).toEqual(cancelShown);
    expect(Object.keys(late.data!).sort()).toEqual(Object.keys(lateShown!.data!).sort());
    expect(late.data).toMatchObject({
      status: 'FAILURE',
      error_code: lateShown!.data!.error_code,
      error_description: lateShown!.data!.error_description,
    });
  });
});
