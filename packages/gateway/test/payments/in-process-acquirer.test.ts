/**
 * An acquirer that answers in process (the simulator without latency) is asked before anything
 * is stored, and the order is written once, final, with its event, in one transaction: no
 * PROCESSING intent, no card kept. Duplicates find the stored order through the insert, also
 * when they race. Payments the simulator cannot answer at once, and payments that store their
 * card, still take the two-step path (intent, then outcome).
 */
import type { OpenKKA, Order } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import type { AuthorizeRequest, AuthorizeResult } from '../../src/acquirer/types.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { CountingAcquirer, countOrders, refusal, strictClient } from '../helpers/payments.ts';

/** Counts both ways of asking, keeping the simulator's in-process capability. */
class InProcessCounting extends CountingAcquirer {
  readonly inProcess: AuthorizeRequest[] = [];
  constructor(private readonly simulator = new SimulatedAcquirer()) {
    super(simulator);
  }
  answerInProcess(request: AuthorizeRequest): AuthorizeResult | null {
    const answer = this.simulator.answerInProcess(request);
    if (answer) this.inProcess.push(request);
    return answer;
  }
  inProcessFor(orderId: string): number {
    return this.inProcess.filter((c) => c.orderId === orderId).length;
  }
}

function stable(order: Order): Omit<Order, 'timestamp'> {
  const { timestamp: _timestamp, ...rest } = order;
  return rest;
}

let gw: TestGateway;
let merchant: TestMerchant;
let client: OpenKKA;
const acquirer = new InProcessCounting();

beforeAll(async () => {
  gw = await startGateway({ acquirer });
  merchant = await gw.createMerchant();
  client = strictClient(gw, merchant);
});
afterAll(() => gw.close());

const orderRow = (orderId: string) =>
  gw.runtime.store.writer
    .selectFrom('orders')
    .selectAll()
    .where('order_id', '=', orderId)
    .executeTakeFirstOrThrow();

describe('an acquirer that answers in process', () => {
  it('stores the order once, final, with one event and no card', async () => {
    const order = await client.payments.create(cardPayment({ amount: 1234 }));
    expect(order).toMatchObject({ status: 'SUCCESS', balances: { captured_amount: 1234 } });
    expect(acquirer.inProcessFor(order.order_id)).toBe(1);
    expect(acquirer.callsFor(order.order_id)).toBe(0);

    const row = await orderRow(order.order_id);
    expect(row).toMatchObject({ status: 'SUCCESS', card_ciphertext: null, processing_until: null });
    expect(Number(row.event_seq)).toBe(1);
    const events = await gw.runtime.store.writer
      .selectFrom('order_events')
      .select(['seq', 'type', 'status'])
      .where('order_id', '=', order.order_id)
      .execute();
    expect(events.map((e) => ({ ...e, seq: Number(e.seq) }))).toEqual([
      { seq: 1, type: 'AUTHORIZATION', status: 'SUCCESS' },
    ]);
  });

  it('a decline is stored the same way, FAILURE with its code', async () => {
    const order = await client.payments.create(cardPayment({}, { card_no: '4000000000009995' }));
    expect(order).toMatchObject({ status: 'FAILURE', error_code: '5002' });
    expect(Number((await orderRow(order.order_id)).event_seq)).toBe(1);
  });

  it('20 identical requests at once → one order, every answer the same', async () => {
    const body = cardPayment({ amount: 2020 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.payments.create(body)));
    for (const answer of answers) expect(stable(answer)).toEqual(stable(answers[0]!));
    expect(answers[0]!.status).toBe('SUCCESS');
    const rows = await gw.runtime.store.writer
      .selectFrom('orders')
      .select('order_id')
      .where('merchant_id', '=', merchant.merchantId)
      .where('trans_id', '=', body.trans_id)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('40 payments at once (written together) → each its own order, event and notification', async () => {
    // Half of them ask for a notification; PostgreSQL writes concurrent payments in one statement.
    const bodies = Array.from({ length: 40 }, (_, i) =>
      cardPayment({
        amount: 100 + i,
        ...(i % 2 === 0 ? { notify_url: `https://shop.example/notify/${i}` } : {}),
      }),
    );
    const answers = await Promise.all(bodies.map((body) => client.payments.create(body)));
    const { writer: db } = gw.runtime.store;
    for (const [i, answer] of answers.entries()) {
      expect(answer).toMatchObject({ status: 'SUCCESS', trans_id: bodies[i]!.trans_id });
      const row = await orderRow(answer.order_id);
      expect(row).toMatchObject({ trans_id: bodies[i]!.trans_id, currency: 'USD', card_last4: '4242' });
      expect(Number(row.amount)).toBe(100 + i);
      expect(Number(row.captured_amount)).toBe(100 + i);
      const events = await db
        .selectFrom('order_events')
        .select(['seq', 'amount'])
        .where('order_id', '=', answer.order_id)
        .execute();
      expect(events.map((e) => [Number(e.seq), Number(e.amount)])).toEqual([[1, 100 + i]]);
      const notifications = await db
        .selectFrom('notifications')
        .select(['url', 'notify_type'])
        .where('order_id', '=', answer.order_id)
        .execute();
      expect(notifications).toEqual(
        i % 2 === 0 ? [{ url: `https://shop.example/notify/${i}`, notify_type: 'PAYMENT.SUCCESS' }] : [],
      );
    }
  });

  it('the same trans_id with another card → 300001, the order unchanged', async () => {
    const body = cardPayment();
    const first = await client.payments.create(body);
    const before = await countOrders(gw, merchant.merchantId);
    const err = await refusal(
      client.payments.create({ ...body, payment: { ...body.payment, card_no: '5555555555554444' } }),
    );
    expect(err).toMatchObject({ retCode: '300001', httpStatus: 409 });
    expect(await countOrders(gw, merchant.merchantId)).toBe(before);
    expect(stable(await client.payments.query({ trans_id: body.trans_id }))).toMatchObject({
      order_id: first.order_id,
      status: 'SUCCESS',
    });
  });

  it('a payment that stores its card takes the two-step path', async () => {
    const order = await client.payments.create(
      cardPayment(
        {},
        { shopper_reference: 'shopper-in-process', store_payment_method: true, token_usage: 'CARD_ON_FILE' },
      ),
    );
    expect(order).toMatchObject({ status: 'SUCCESS', token: expect.any(String) });
    expect(acquirer.callsFor(order.order_id)).toBe(1);
    expect(acquirer.inProcessFor(order.order_id)).toBe(0);
  });

  it('the card that never answers takes the two-step path (PROCESSING, for the reconciler)', async () => {
    const slow = await startGateway({ acquirer, env: { OPENKKA_ACQUIRER_TIMEOUT: '200ms' } });
    try {
      const m = await slow.createMerchant();
      const order = await strictClient(slow, m).payments.create(
        cardPayment({}, { card_no: '4000000000000408' }),
      );
      expect(order.status).toBe('PROCESSING');
      expect(acquirer.callsFor(order.order_id)).toBe(1);
      const row = await slow.runtime.store.writer
        .selectFrom('orders')
        .select(['card_ciphertext', 'next_reconcile_at'])
        .where('order_id', '=', order.order_id)
        .executeTakeFirstOrThrow();
      expect(row.card_ciphertext).toEqual(expect.any(String));
      expect(row.next_reconcile_at).not.toBeNull();
    } finally {
      await slow.close();
    }
  });
});
