/**
 * As docs/notifications.md says: notifications of one order arrive in the order their events happened. While an
 * earlier notification of an order is still pending (its receiver failing), a later one of the
 * same order is not sent at all; other orders are not held up; once the earlier one is
 * delivered the later ones follow, in order.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type Receiver, startReceiver } from './receiver.ts';

let clock: ManualClock;
let gw: TestGateway;
let merchant: TestMerchant;
let receiver: Receiver;
/** Orders (or single notifications) whose requests the receiver answers with HTTP 500. */
const failing = new Set<string>();

beforeAll(async () => {
  clock = new ManualClock();
  gw = await startGateway({ clock, env: { OPENKKA_NOTIFY_BACKOFF: '1s,2s,5s,10s' } });
  // Deliveries happen only when the test calls runDue().
  await gw.dispatcher.stop();
  receiver = await startReceiver({ now: () => clock.now() });
  receiver.respond = (req) =>
    failing.has(req.body?.order_id) || failing.has(req.body?.notify_id) ? 'http500' : 'ok';
  merchant = await gw.createMerchant({ notifyUrl: receiver.url });
});

afterAll(async () => {
  await receiver?.close();
  await gw?.close();
});

beforeEach(() => {
  failing.clear();
});

const api = () => merchant.client.payments;

async function authorize(capture: 'MANUAL' | 'AUTOMATIC'): Promise<string> {
  const order = await api().create(cardPayment({ capture_method: capture, amount: 1000 }));
  expect(order.status).toBe(capture === 'MANUAL' ? 'AUTHORIZED' : 'SUCCESS');
  return order.order_id;
}

/** The order's notifications, oldest event first. */
async function notificationsOf(orderId: string) {
  const rows = await gw.notifications.list({ orderId });
  return rows.sort((a, b) => a.event_seq - b.event_seq);
}

/** What reached the receiver for `orderId`, in arrival order, as `TYPE:answer`. */
function requestsFor(orderId: string): string[] {
  return receiver.received
    .filter((r) => r.body?.order_id === orderId)
    .map((r) => `${r.body.notify_type}:${r.behaviour}`);
}

describe('one order, several notifications', () => {
  it('a later notification waits for an earlier pending one; other orders go on', async () => {
    const a = await authorize('MANUAL');
    failing.add(a);
    expect(await gw.dispatcher.runDue()).toBe(1); // PAYMENT.AUTHORIZATION, refused
    // Two more events of the same order while its first notification is pending.
    await api().capture({ order_id: a, amount: 400, currency: 'USD', capture_final: false });
    await api().void({ order_id: a });
    const queued = await notificationsOf(a);
    expect(queued.map((n) => [n.notify_type, n.status, n.attempts])).toEqual([
      ['PAYMENT.AUTHORIZATION', 'PENDING', 1],
      ['PAYMENT.SUCCESS', 'PENDING', 0],
      ['PAYMENT.CANCELED', 'PENDING', 0],
    ]);

    // Other orders are delivered meanwhile: one notification, and one order with two.
    const b = await authorize('AUTOMATIC');
    const c = await authorize('MANUAL');
    await api().capture({ order_id: c, amount: 1000, currency: 'USD' });
    expect(await gw.dispatcher.runDue()).toBe(3);
    expect(requestsFor(b)).toEqual(['PAYMENT.SUCCESS:ok']);
    expect(requestsFor(c)).toEqual(['PAYMENT.AUTHORIZATION:ok', 'PAYMENT.SUCCESS:ok']);

    // The first keeps failing on its schedule; the later two are due all along, yet never sent.
    for (const wait of [1_000, 2_000, 5_000]) {
      clock.advance(wait);
      expect(await gw.dispatcher.runDue()).toBe(1);
      expect(requestsFor(a).every((r) => r.startsWith('PAYMENT.AUTHORIZATION:'))).toBe(true);
    }
    expect(requestsFor(a)).toEqual(Array(4).fill('PAYMENT.AUTHORIZATION:http500'));
    const held = await notificationsOf(a);
    expect(held.map((n) => [n.status, n.attempts])).toEqual([
      ['PENDING', 4],
      ['PENDING', 0],
      ['PENDING', 0],
    ]);
    expect(held[1]!.next_attempt_at).toBeLessThan(clock.now());

    // Delivered at last: the later two follow in the same pass, in order.
    failing.delete(a);
    clock.advance(10_000);
    expect(await gw.dispatcher.runDue()).toBe(3);
    expect(requestsFor(a)).toEqual([
      ...Array(4).fill('PAYMENT.AUTHORIZATION:http500'),
      'PAYMENT.AUTHORIZATION:ok',
      'PAYMENT.SUCCESS:ok',
      'PAYMENT.CANCELED:ok',
    ]);
    const done = await notificationsOf(a);
    expect(done.map((n) => [n.status, n.attempts])).toEqual([
      ['DELIVERED', 5],
      ['DELIVERED', 1],
      ['DELIVERED', 1],
    ]);
    expect(receiver.acknowledgedIds().filter((id) => done.some((n) => n.notify_id === id))).toEqual(
      done.map((n) => n.notify_id),
    );
    expect(await gw.dispatcher.runDue()).toBe(0);
  });

  it('a middle notification that fails holds up the ones after it, not the ones before', async () => {
    const a = await authorize('MANUAL');
    await api().capture({ order_id: a, amount: 300, currency: 'USD', capture_final: false });
    await api().capture({ order_id: a, amount: 300, currency: 'USD', capture_final: false });
    await api().void({ order_id: a });
    const [first, second, third, fourth] = await notificationsOf(a);
    expect([first, second, third, fourth].map((n) => n?.notify_type)).toEqual([
      'PAYMENT.AUTHORIZATION',
      'PAYMENT.SUCCESS',
      'PAYMENT.SUCCESS',
      'PAYMENT.CANCELED',
    ]);
    failing.add(second!.notify_id);

    // First delivered, second refused; third and fourth wait.
    expect(await gw.dispatcher.runDue()).toBe(2);
    clock.advance(1_000);
    expect(await gw.dispatcher.runDue()).toBe(1);
    expect(requestsFor(a)).toEqual([
      'PAYMENT.AUTHORIZATION:ok',
      'PAYMENT.SUCCESS:http500',
      'PAYMENT.SUCCESS:http500',
    ]);
    expect(receiver.received.some((r) => r.body?.notify_id === third!.notify_id)).toBe(false);
    expect(receiver.received.some((r) => r.body?.notify_id === fourth!.notify_id)).toBe(false);

    failing.delete(second!.notify_id);
    clock.advance(1_999);
    expect(await gw.dispatcher.runDue()).toBe(0);
    clock.advance(1);
    expect(await gw.dispatcher.runDue()).toBe(3);
    expect(receiver.received.filter((r) => r.body?.order_id === a).map((r) => r.body.notify_id)).toEqual([
      first!.notify_id,
      second!.notify_id,
      second!.notify_id,
      second!.notify_id,
      third!.notify_id,
      fourth!.notify_id,
    ]);
  });

  it('once an earlier notification has FAILED (retries spent), later ones are no longer held', async () => {
    const a = await authorize('MANUAL');
    failing.add(a);
    // Five attempts in all (four retries), every one refused: FAILED.
    expect(await gw.dispatcher.runDue()).toBe(1);
    for (const wait of [1_000, 2_000, 5_000, 10_000]) {
      clock.advance(wait);
      expect(await gw.dispatcher.runDue()).toBe(1);
    }
    const [auth] = await notificationsOf(a);
    expect(auth).toMatchObject({ status: 'FAILED', attempts: 5 });

    failing.delete(a);
    await api().capture({ order_id: a, amount: 1000, currency: 'USD' });
    expect(await gw.dispatcher.runDue()).toBe(1);
    expect(requestsFor(a).slice(-1)).toEqual(['PAYMENT.SUCCESS:ok']);
    // The failed one goes again only when an operator asks.
    expect(await notificationsOf(a)).toMatchObject([{ status: 'FAILED' }, { status: 'DELIVERED' }]);
    await gw.notifications.redeliver(auth!.notify_id);
    expect(await gw.dispatcher.runDue()).toBe(1);
    expect(await notificationsOf(a)).toMatchObject([{ status: 'DELIVERED' }, { status: 'DELIVERED' }]);
  });
});
