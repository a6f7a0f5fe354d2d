/**
 * Deliveries that fail (docs/notifications.md: anything but HTTP 200 with ret_code 000000 is retried with
 * backoff): a 500, a wrong body, a receiver that never answers, one that drops the connection,
 * and no receiver at all. The clock is moved by hand, so the schedule is checked to the
 * millisecond: nothing is due before its wait has passed. Each try leaves one attempt row;
 * after the last retry the notification is FAILED until an operator redelivers it.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type Behaviour, type Receiver, startReceiver } from './receiver.ts';

/** OPENKKA_NOTIFY_BACKOFF=1s,2s,5s: three retries, so four attempts in all. */
const BACKOFF = [1_000, 2_000, 5_000];
const TIMEOUT_MS = 300;

let clock: ManualClock;
let gw: TestGateway;
let merchant: TestMerchant;
const receivers: Receiver[] = [];
const forwarders: Server[] = [];

beforeAll(async () => {
  clock = new ManualClock();
  gw = await startGateway({
    clock,
    env: { OPENKKA_NOTIFY_BACKOFF: '1s,2s,5s', OPENKKA_NOTIFY_TIMEOUT: `${TIMEOUT_MS}ms` },
  });
  // The test drives every delivery itself: stop() ends the wake-up after each commit, and
  // runDue() still delivers whatever is due on the manual clock.
  await gw.dispatcher.stop();
  merchant = await gw.createMerchant();
});

afterAll(async () => {
  for (const server of forwarders) {
    await new Promise((resolve) => server.close(resolve));
  }
  await Promise.all(receivers.map((r) => r.close().catch(() => {})));
  await gw?.close();
});

async function receiver(behaviour: Behaviour): Promise<Receiver> {
  const r = await startReceiver({ now: () => clock.now() });
  r.respond = () => behaviour;
  receivers.push(r);
  return r;
}

/** An approved AUTOMATIC payment notifying `notifyUrl`; its one notification's id. */
async function payment(notifyUrl: string): Promise<string> {
  const order = await merchant.client.payments.create(cardPayment({ notify_url: notifyUrl }));
  expect(order.status).toBe('SUCCESS');
  const queued = await gw.notifications.list({ orderId: order.order_id });
  expect(queued).toHaveLength(1);
  expect(queued[0]).toMatchObject({ status: 'PENDING', attempts: 0, url: notifyUrl });
  return queued[0]!.notify_id;
}

/** Attempts 1..4 at t0, t0+1s, t0+3s, t0+8s: before each, nothing is due one millisecond early. */
async function attemptOnSchedule(index: number): Promise<void> {
  if (index > 0) {
    clock.advance(BACKOFF[index - 1]! - 1);
    expect(await gw.dispatcher.runDue(), `attempt ${index + 1} is not due yet`).toBe(0);
    clock.advance(1);
  }
  expect(await gw.dispatcher.runDue(), `attempt ${index + 1}`).toBe(1);
  expect(await gw.dispatcher.runDue(), 'nothing else is due').toBe(0);
}

function count(ids: string[], id: string): number {
  return ids.filter((x) => x === id).length;
}

/**
 * Listens on `port` again (where a receiver was stopped) and passes every connection on to
 * `target`: the URL queued with the notification points at that port, and no test receiver
 * can be told which port to take.
 */
async function forward(port: number, target: Receiver): Promise<void> {
  const targetPort = Number(new URL(target.url).port);
  const server = createServer((inbound: Socket) => {
    const outbound = connect(targetPort, '127.0.0.1');
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  forwarders.push(server);
}

interface Variant {
  name: string;
  /** The receiver the notification is queued for, failing as this variant fails. */
  failing(): Promise<Receiver>;
  /** Makes delivery work again; returns the receiver that will take the successful attempt. */
  recover(failing: Receiver): Promise<Receiver>;
  /** What each failed attempt row says. */
  attempt: { http_status: number | null; error: string };
  /** Whether the failing receiver saw the failed requests. */
  seen: boolean;
}

const recoverInPlace = async (r: Receiver) => {
  r.respond = () => 'ok';
  return r;
};

const VARIANTS: Variant[] = [
  {
    name: 'HTTP 500',
    failing: () => receiver('http500'),
    recover: recoverInPlace,
    attempt: { http_status: 500, error: 'HTTP 500' },
    seen: true,
  },
  {
    name: 'HTTP 200 with a body other than ret_code 000000',
    failing: () => receiver('wrong-body'),
    recover: recoverInPlace,
    attempt: { http_status: 200, error: 'ret_code "999999"' },
    seen: true,
  },
  {
    name: 'no answer within OPENKKA_NOTIFY_TIMEOUT',
    failing: () => receiver('hang'),
    recover: recoverInPlace,
    attempt: { http_status: null, error: 'timed out' },
    seen: true,
  },
  {
    name: 'the connection is dropped without an answer',
    failing: () => receiver('destroy'),
    recover: recoverInPlace,
    attempt: { http_status: null, error: 'ECONNRESET' },
    seen: true,
  },
  {
    name: 'the connection is refused (nothing listening)',
    failing: async () => {
      const r = await receiver('ok');
      await r.close();
      return r;
    },
    recover: async (stopped) => {
      const next = await receiver('ok');
      await forward(Number(new URL(stopped.url).port), next);
      return next;
    },
    attempt: { http_status: null, error: 'ECONNREFUSED' },
    seen: false,
  },
];

describe('a failing receiver is retried on the backoff schedule', () => {
  for (const variant of VARIANTS) {
    it(`${variant.name}: one attempt row per try, then delivered exactly once after recovery`, async () => {
      const failing = await variant.failing();
      const notifyId = await payment(failing.url);
      const t0 = clock.now();

      // Attempts 1-3 fail; the receiver recovers before attempt 4 (after the 5 s wait).
      let succeeding: Receiver = failing;
      for (let i = 0; i < 4; i++) {
        if (i === 3) succeeding = await variant.recover(failing);
        await attemptOnSchedule(i);
        const row = await gw.notifications.get(notifyId);
        expect(row.attempt_log).toHaveLength(i + 1);
        if (i < 3) {
          expect(row).toMatchObject({
            status: 'PENDING',
            attempts: i + 1,
            next_attempt_at: clock.now() + BACKOFF[i]!,
            delivered_at: null,
          });
          expect(row.last_error).toBe(variant.attempt.error);
        }
      }

      const done = await gw.notifications.get(notifyId);
      expect(done).toMatchObject({
        status: 'DELIVERED',
        attempts: 4,
        delivered_at: t0 + 8_000,
        next_attempt_at: null,
        last_error: null,
      });
      const starts = [t0, t0 + 1_000, t0 + 3_000, t0 + 8_000];
      done.attempt_log.forEach((a, i) => {
        expect(a.notify_id).toBe(notifyId);
        expect(a.attempt).toBe(i + 1);
        expect(a.started_at).toBe(starts[i]);
        expect(Number.isInteger(a.latency_ms) && a.latency_ms >= 0).toBe(true);
      });
      for (const failed of done.attempt_log.slice(0, 3)) {
        expect(failed).toMatchObject({ ...variant.attempt, delivered: 0 });
        if (variant.name.startsWith('no answer')) {
          // The attempt waited for its own timeout, not the 10 s default nor the answer.
          expect(failed.latency_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
          expect(failed.latency_ms).toBeLessThan(10_000);
        }
      }
      expect(done.attempt_log[3]).toMatchObject({ http_status: 200, error: null, delivered: 1 });

      // What the receivers saw: the same notify_id on every try, each signed at its own time.
      const requests = variant.seen ? failing.received : succeeding.received;
      expect(requests.map((r) => r.body?.notify_id)).toEqual(Array(variant.seen ? 4 : 1).fill(notifyId));
      expect(requests.map((r) => r.body?.timestamp)).toEqual(variant.seen ? starts : [t0 + 8_000]);
      expect(requests.every((r) => r.body?.notify_type === 'PAYMENT.SUCCESS')).toBe(true);
      expect(count(succeeding.acknowledgedIds(), notifyId)).toBe(1);

      // Delivered means done: no later pass sends it again.
      clock.advance(86_400_000);
      expect(await gw.dispatcher.runDue()).toBe(0);
      expect(count(succeeding.acknowledgedIds(), notifyId)).toBe(1);
      expect((await gw.notifications.get(notifyId)).attempt_log).toHaveLength(4);
    });
  }
});

describe('after the last retry', () => {
  async function exhaust(r: Receiver): Promise<string> {
    const notifyId = await payment(r.url);
    for (let i = 0; i < 4; i++) await attemptOnSchedule(i);
    return notifyId;
  }

  it('the notification is FAILED, stays listed as failed, and a redelivery that succeeds delivers it', async () => {
    const r = await receiver('http500');
    const notifyId = await exhaust(r);
    const failed = await gw.notifications.get(notifyId);
    expect(failed).toMatchObject({
      status: 'FAILED',
      attempts: 4,
      next_attempt_at: null,
      delivered_at: null,
      last_error: 'HTTP 500',
    });
    expect(failed.attempt_log.map((a) => a.http_status)).toEqual([500, 500, 500, 500]);
    expect(r.received).toHaveLength(4);

    // No fifth try of its own, however long one waits.
    for (const wait of [5_000, 3_600_000, 7 * 86_400_000]) {
      clock.advance(wait);
      expect(await gw.dispatcher.runDue()).toBe(0);
      const listed = await gw.notifications.list({ status: 'FAILED' });
      expect(listed.map((n) => n.notify_id)).toContain(notifyId);
      expect((await gw.notifications.list({ status: 'PENDING' })).map((n) => n.notify_id)).not.toContain(
        notifyId,
      );
    }
    expect(r.received).toHaveLength(4);

    r.respond = () => 'ok';
    const requeued = await gw.notifications.redeliver(notifyId);
    expect(requeued).toMatchObject({ status: 'PENDING', attempts: 4, next_attempt_at: clock.now() });
    expect(await gw.dispatcher.runDue()).toBe(1);

    const delivered = await gw.notifications.get(notifyId);
    expect(delivered).toMatchObject({ status: 'DELIVERED', attempts: 5, delivered_at: clock.now() });
    expect(delivered.attempt_log.map((a) => [a.attempt, a.http_status, a.delivered])).toEqual([
      [1, 500, 0],
      [2, 500, 0],
      [3, 500, 0],
      [4, 500, 0],
      [5, 200, 1],
    ]);
    expect(r.acknowledgedIds()).toEqual([notifyId]);
    expect((await gw.notifications.list({ status: 'FAILED' })).map((n) => n.notify_id)).not.toContain(
      notifyId,
    );
    clock.advance(86_400_000);
    expect(await gw.dispatcher.runDue()).toBe(0);
    expect(r.acknowledgedIds()).toEqual([notifyId]);
  });

  it('a redelivery that fails again is one more attempt, then FAILED again (no new schedule)', async () => {
    const r = await receiver('wrong-body');
    const notifyId = await exhaust(r);
    expect((await gw.notifications.get(notifyId)).status).toBe('FAILED');

    await gw.notifications.redeliver(notifyId);
    expect(await gw.dispatcher.runDue()).toBe(1);
    expect(await gw.notifications.get(notifyId)).toMatchObject({
      status: 'FAILED',
      attempts: 5,
      next_attempt_at: null,
      last_error: 'ret_code "999999"',
    });
    clock.advance(86_400_000);
    expect(await gw.dispatcher.runDue()).toBe(0);
    expect(r.received).toHaveLength(5);

    r.respond = () => 'ok';
    await gw.notifications.redeliver(notifyId);
    expect(await gw.dispatcher.runDue()).toBe(1);
    const row = await gw.notifications.get(notifyId);
    expect(row).toMatchObject({ status: 'DELIVERED', attempts: 6 });
    expect(row.attempt_log).toHaveLength(6);
    expect(r.acknowledgedIds()).toEqual([notifyId]);
  });
});
