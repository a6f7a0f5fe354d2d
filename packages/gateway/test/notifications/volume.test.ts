/**
 * 1,000 notifications to a receiver that refuses 30% of requests at random (a seeded PRNG):
 * every one is delivered, none is acknowledged twice, every request the receiver saw has its
 * attempt row, and each order's notifications are still acknowledged in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type Receiver, startReceiver } from './receiver.ts';

const AUTOMATIC_PAYMENTS = 500;
/** Each gives two notifications: PAYMENT.AUTHORIZATION, then PAYMENT.SUCCESS on capture. */
const MANUAL_ORDERS = 250;
const TOTAL = AUTOMATIC_PAYMENTS + 2 * MANUAL_ORDERS;
const CONCURRENCY = 50;
const FAILURE_RATE = 0.3;
/**
 * 1 s between tries, 12 retries (13 attempts). With 30% refused, a notification exhausts 9
 * attempts with probability 0.3^9 (2e-5), which over 1,000 would fail about one run in 50 for
 * the receiver's luck alone; after 13 attempts it is 0.3^13 × 1,000 ≈ 2e-4 per run.
 */
const BACKOFF = Array(12).fill('1s').join(',');
const MAX_ROUNDS = 80;

/** mulberry32: a small seeded PRNG, so the receiver's refusals are reproducible in sequence. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

let clock: ManualClock;
let gw: TestGateway;
let merchant: TestMerchant;
let receiver: Receiver;

beforeAll(async () => {
  clock = new ManualClock();
  gw = await startGateway({ clock, env: { OPENKKA_NOTIFY_BACKOFF: BACKOFF } });
  // Nothing is sent while the orders are made; the test's loop does all the delivering.
  await gw.dispatcher.stop();
  const random = prng(20_260_101);
  receiver = await startReceiver({
    now: () => clock.now(),
    respond: () => (random() < FAILURE_RATE ? 'http500' : 'ok'),
  });
  merchant = await gw.createMerchant({ notifyUrl: receiver.url });
});

afterAll(async () => {
  await receiver?.close();
  await gw?.close();
});

async function inBatches<T>(count: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += CONCURRENCY) {
    const size = Math.min(CONCURRENCY, count - start);
    results.push(...(await Promise.all(Array.from({ length: size }, (_, k) => fn(start + k)))));
  }
  return results;
}

async function countRows(table: 'notifications' | 'notification_attempts', status?: string) {
  let query = gw.runtime.store.writer.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
  if (status && table === 'notifications') query = query.where('status', '=', status as 'PENDING');
  const { n } = await query.executeTakeFirstOrThrow();
  return Number(n);
}

describe('1,000 notifications, 30% of requests refused', () => {
  it('each is delivered exactly once, with one attempt row per request', async () => {
    const payments = merchant.client.payments;
    await inBatches(AUTOMATIC_PAYMENTS, async () => {
      expect((await payments.create(cardPayment())).status).toBe('SUCCESS');
    });
    const manual = await inBatches(MANUAL_ORDERS, async () => {
      const order = await payments.create(cardPayment({ capture_method: 'MANUAL', amount: 500 }));
      expect(order.status).toBe('AUTHORIZED');
      return order.order_id;
    });
    await inBatches(MANUAL_ORDERS, async (i) => {
      await payments.capture({ order_id: manual[i]!, amount: 500, currency: 'USD' });
    });
    expect(await countRows('notifications')).toBe(TOTAL);
    expect(await countRows('notifications', 'PENDING')).toBe(TOTAL);
    expect(receiver.received).toHaveLength(0);

    let rounds = 0;
    let attempts = 0;
    for (;;) {
      attempts += await gw.dispatcher.runDue();
      if ((await countRows('notifications', 'PENDING')) === 0) break;
      expect(++rounds, 'rounds until everything is delivered').toBeLessThan(MAX_ROUNDS);
      clock.advance(1_000);
    }

    expect(await countRows('notifications', 'DELIVERED')).toBe(TOTAL);
    expect(await countRows('notifications', 'FAILED')).toBe(0);

    // The receiver's ledger: 1,000 distinct ids, none twice, exactly the ids in the outbox.
    const acknowledged = receiver.acknowledgedIds();
    expect(acknowledged).toHaveLength(TOTAL);
    expect(new Set(acknowledged).size).toBe(TOTAL);
    const ids = await gw.runtime.store.writer.selectFrom('notifications').select('notify_id').execute();
    expect(new Set(acknowledged)).toEqual(new Set(ids.map((r) => r.notify_id)));

    // One attempt row per request received, each refusal recorded as such.
    const requests = receiver.received.length;
    const refused = receiver.received.filter((r) => r.behaviour === 'http500').length;
    expect(requests).toBe(TOTAL + refused);
    expect(attempts).toBe(requests);
    expect(await countRows('notification_attempts')).toBe(requests);
    const rows = await gw.runtime.store.writer
      .selectFrom('notification_attempts')
      .select(['delivered', 'http_status'])
      .execute();
    expect(rows.filter((r) => Number(r.delivered) === 1 && Number(r.http_status) === 200)).toHaveLength(
      TOTAL,
    );
    expect(rows.filter((r) => Number(r.delivered) === 0 && Number(r.http_status) === 500)).toHaveLength(
      refused,
    );
    const { total } = await gw.runtime.store.writer
      .selectFrom('notifications')
      .select((eb) => eb.fn.sum<number>('attempts').as('total'))
      .executeTakeFirstOrThrow();
    expect(Number(total)).toBe(requests);
    // The receiver did refuse about 30%, so the retries were real.
    expect(refused / requests).toBeGreaterThan(0.25);
    expect(refused / requests).toBeLessThan(0.35);

    // Per order, the capture's notification was never sent before the authorization's was acknowledged.
    const manualOrders = new Set(manual);
    const acknowledgedAuth = new Set<string>();
    for (const r of receiver.received) {
      if (!manualOrders.has(r.body.order_id)) continue;
      if (r.body.notify_type === 'PAYMENT.AUTHORIZATION') {
        expect(acknowledgedAuth.has(r.body.order_id)).toBe(false);
        if (r.behaviour === 'ok') acknowledgedAuth.add(r.body.order_id);
      } else {
        expect(r.body.notify_type).toBe('PAYMENT.SUCCESS');
        expect(acknowledgedAuth.has(r.body.order_id), `order ${r.body.order_id} out of order`).toBe(true);
      }
    }
    expect(acknowledgedAuth.size).toBe(MANUAL_ORDERS);

    // Nothing left to do, however long one waits.
    clock.advance(86_400_000);
    expect(await gw.dispatcher.runDue()).toBe(0);
    expect(receiver.received).toHaveLength(requests);
  }, 120_000);
});
