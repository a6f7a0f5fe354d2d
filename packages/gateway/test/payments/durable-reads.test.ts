/**
 * Query answers leave only once what they read is durable (Store.durable): on SQLite a reader
 * sees a group commit before its WAL sync. Here the store's durability is held by hand, to
 * show which answers wait for it and which do not: a write is answered after its own sync and
 * never waits for a later one.
 */
import type { OpenKKA } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { CEILING_MS } from '../helpers/eventually.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { strictClient } from '../helpers/payments.ts';

let gw: TestGateway;
let merchant: TestMerchant;
let client: OpenKKA;

beforeAll(async () => {
  gw = await startGateway();
  merchant = await gw.createMerchant();
  client = strictClient(gw, merchant);
});
afterAll(() => gw.close());

/** Replaces the store's durability with one the test settles; restores it when released. */
function holdDurability() {
  const store = gw.runtime.store;
  const real = store.durable;
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  store.durable = () => held;
  return () => {
    store.durable = real;
    release();
  };
}

const answeredWithin = async (call: Promise<unknown>, ms: number) =>
  Promise.race([call.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), ms))]);

describe('answers built from reads', () => {
  it('a payment query waits until the store is durable, then answers', async () => {
    const order = await client.payments.create(cardPayment());
    const release = holdDurability();
    try {
      const query = client.payments.query({ order_id: order.order_id });
      expect(await answeredWithin(query, 300)).toBe(false);
      release();
      expect(await query).toMatchObject({ order_id: order.order_id, status: 'SUCCESS' });
    } finally {
      release();
    }
  });

  it('a refund query waits too', async () => {
    const order = await client.payments.create(cardPayment({ amount: 500 }));
    const refund = await client.refunds.create({
      refund_trans_id: `r-${order.order_id}`,
      ori_order_id: order.order_id,
      refund_amount: 100,
      currency: 'USD',
      reason: 'REQUESTED_BY_CUSTOMER',
    });
    const release = holdDurability();
    try {
      const query = client.refunds.query({ refund_order_id: refund.refund_order_id });
      expect(await answeredWithin(query, 300)).toBe(false);
      release();
      expect(await query).toMatchObject({ refund_order_id: refund.refund_order_id });
    } finally {
      release();
    }
  });

  it('a payment (a write) does not wait for it', async () => {
    const release = holdDurability();
    try {
      const payment = client.payments.create(cardPayment());
      expect(await answeredWithin(payment, CEILING_MS)).toBe(true);
    } finally {
      release();
    }
  });
});
