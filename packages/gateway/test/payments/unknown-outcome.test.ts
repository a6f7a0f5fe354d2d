/**
 * Unknown outcomes (docs/api.md#order-status-and-balances, docs/testing.md#test-cards card 4000000000000408): the acquirer does not answer within
 * OPENKKA_ACQUIRER_TIMEOUT, so the order stays PROCESSING with nothing authed; it is neither
 * approved nor declined, and replays answer PROCESSING at once instead of waiting 10 s or
 * asking the acquirer again.
 */
import type { OpenKKA } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { CountingAcquirer, countOrders, refusal, strictClient } from '../helpers/payments.ts';

const NO_ANSWER = '4000000000000408';
const TIMEOUT_MS = 300;
/** A duplicate's wait for a request in flight: long, so that answering promptly is told apart. */
const IDEMPOTENCY_WAIT_MS = 60_000;

let gw: TestGateway;
let merchant: TestMerchant;
let client: OpenKKA;
const acquirer = new CountingAcquirer();

beforeAll(async () => {
  gw = await startGateway({
    acquirer,
    env: {
      OPENKKA_ACQUIRER_TIMEOUT: `${TIMEOUT_MS}ms`,
      OPENKKA_IDEMPOTENCY_WAIT: `${IDEMPOTENCY_WAIT_MS}ms`,
    },
  });
  merchant = await gw.createMerchant();
  client = strictClient(gw, merchant);
});
afterAll(() => gw.close());

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work;
  return { value, ms: Date.now() - started };
}

describe('the acquirer does not answer in time', () => {
  it('→ PROCESSING with every balance 0 and no pay_finish_time, after the timeout', async () => {
    const { value: order, ms } = await timed(
      client.payments.create(cardPayment({ amount: 4080 }, { card_no: NO_ANSWER })),
    );
    expect(order).toMatchObject({
      status: 'PROCESSING',
      amount: 4080,
      card_info: { bin: '400000', last4: '0408', card_brand: 'VISA' },
      balances: {
        authed_amount: 0,
        captured_amount: 0,
        able_to_capture_amount: 0,
        voided_amount: 0,
        able_to_void_amount: 0,
        refunded_amount: 0,
        able_to_refund_amount: 0,
        refunding_amount: 0,
      },
    });
    expect(order.pay_finish_time).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(ms).toBeLessThan(IDEMPOTENCY_WAIT_MS / 2);
    expect(acquirer.callsFor(order.order_id)).toBe(1);
  });

  it('a replay answers PROCESSING promptly and does not ask the acquirer again', async () => {
    const body = cardPayment({}, { card_no: NO_ANSWER });
    const first = await client.payments.create(body);
    const { value: again, ms } = await timed(client.payments.create(body));
    expect(again).toMatchObject({ order_id: first.order_id, status: 'PROCESSING' });
    // Far below the wait of a duplicate of a request still in flight: nothing is in flight.
    expect(ms).toBeLessThan(IDEMPOTENCY_WAIT_MS / 2);
    expect(acquirer.callsFor(first.order_id)).toBe(1);
    expect(await client.payments.query({ trans_id: body.trans_id })).toMatchObject({
      order_id: first.order_id,
      status: 'PROCESSING',
    });
  });

  it('duplicates arriving while the first waits answer PROCESSING when it gives up', async () => {
    const body = cardPayment({}, { card_no: NO_ANSWER });
    const before = await countOrders(gw, merchant.merchantId);
    const { value: answers, ms } = await timed(
      Promise.all(Array.from({ length: 5 }, () => client.payments.create(body))),
    );
    expect(new Set(answers.map((a) => a.order_id)).size).toBe(1);
    expect(answers.every((a) => a.status === 'PROCESSING')).toBe(true);
    expect(ms).toBeLessThan(IDEMPOTENCY_WAIT_MS / 2);
    expect(await countOrders(gw, merchant.merchantId)).toBe(before + 1);
    expect(acquirer.callsFor(answers[0]!.order_id)).toBe(1);
  });

  it('the trans_id is taken: another card under it is refused with 409', async () => {
    const body = cardPayment({}, { card_no: NO_ANSWER });
    await client.payments.create(body);
    const err = await refusal(client.payments.create(cardPayment({ trans_id: body.trans_id })));
    expect(err).toMatchObject({ retCode: '300001', httpStatus: 409 });
  });

  it('other cards on the same gateway are unaffected by the short timeout', async () => {
    const order = await client.payments.create(cardPayment());
    expect(order.status).toBe('SUCCESS');
  });
});
