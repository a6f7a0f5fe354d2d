/**
 * Order ids are drawn (domain/ids.ts), and another process sharing the store can draw one that
 * is already taken. The payment then draws again: it is answered with a new id, nothing of the
 * taken draw is kept and the order that holds the id is untouched. Each way a new order is
 * written is covered: the in-process acquirer's answer, a card refused before the acquirer,
 * and the PROCESSING intent written before an acquirer is asked.
 */
import type { OpenKKA } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrderId } from '../../src/domain/ids.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { CountingAcquirer, countOrders, post, strictClient } from '../helpers/payments.ts';

/** Ids to hand out before drawing real ones, as another process's orders would hold them. */
class TakenIds {
  readonly queue: string[] = [];
  readonly draw = (now: number) => this.queue.shift() ?? newOrderId(now);
}

const ACQUIRERS = [
  { name: 'the in-process acquirer', acquirer: undefined },
  // No answerInProcess: the payment is first written as a PROCESSING intent.
  { name: 'an acquirer asked after the first write', acquirer: () => new CountingAcquirer() },
];

describe.each(ACQUIRERS)('with $name', ({ acquirer }) => {
  const taken = new TakenIds();
  let gw: TestGateway;
  let merchant: TestMerchant;
  let client: OpenKKA;

  beforeAll(async () => {
    gw = await startGateway({ orderIds: taken.draw, ...(acquirer ? { acquirer: acquirer() } : {}) });
    merchant = await gw.createMerchant();
    client = strictClient(gw, merchant);
  });
  afterAll(() => gw.close());

  it('an approved payment that draws a taken id is written under a new one', async () => {
    const first = await client.payments.create(cardPayment());
    const before = await countOrders(gw);
    taken.queue.push(first.order_id);

    const body = cardPayment({ amount: 2500 });
    const second = await client.payments.create(body);
    expect(taken.queue).toEqual([]); // the taken id was drawn
    expect(second.status).toBe('SUCCESS');
    expect(second.order_id).toMatch(/^GW\d{20}$/);
    expect(second.order_id).not.toBe(first.order_id);
    expect(await countOrders(gw)).toBe(before + 1);

    const holder = await client.payments.query({ order_id: first.order_id });
    expect(holder.trans_id).toBe(first.trans_id);
    expect(holder.amount).toBe(first.amount);
    const found = await client.payments.query({ trans_id: body.trans_id });
    expect(found.order_id).toBe(second.order_id);
  });

  it('a card refused before the acquirer is recorded under a new id too', async () => {
    const holder = await client.payments.create(cardPayment());
    taken.queue.push(holder.order_id);
    const refused = await client.payments.create(cardPayment({}, { exp_month: '01', exp_year: '2020' }));
    expect(taken.queue).toEqual([]);
    expect(refused.status).toBe('FAILURE');
    expect(refused.order_id).not.toBe(holder.order_id);
    expect((await client.payments.query({ order_id: holder.order_id })).status).toBe('SUCCESS');
  });

  it('after five taken draws the payment is refused whole, and its trans_id stays free', async () => {
    const holder = await client.payments.create(cardPayment());
    const before = await countOrders(gw, merchant.merchantId);
    taken.queue.push(...Array.from({ length: 5 }, () => holder.order_id));
    const body = cardPayment();

    const refused = await post(gw, merchant, body);
    expect(refused.status).toBe(500);
    expect(refused.json).toMatchObject({ ret_code: '999999' });
    expect(taken.queue).toEqual([]);
    expect(await countOrders(gw, merchant.merchantId)).toBe(before);

    const retried = await client.payments.create(body);
    expect(retried.status).toBe('SUCCESS');
    expect(retried.order_id).not.toBe(holder.order_id);
  });
});
