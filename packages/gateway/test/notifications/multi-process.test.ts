/**
 * Several gateways on one store, dispatching at the same moment (design principle 5: a claim
 * is a lease, taken with FOR UPDATE SKIP LOCKED on PostgreSQL, under SQLite's single writer
 * lock there). Every notification is delivered exactly once and no attempt is made twice:
 * first with two apps in this process, each pass started together on a manual clock (and a
 * redelivery while the other app's attempt is still in flight), then with two `openkka start`
 * processes on the store while notifications are being queued.
 */
import { OpenKKA } from '@openkka/sdk';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import { type App, buildApp } from '../../src/app.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { killChildren, startServer } from '../cli/run-cli.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type Receiver, startReceiver } from './receiver.ts';

const PER_TEST = 200;
const MAX_ROUNDS = 60;

let clock: ManualClock;
let gw: TestGateway;
let secondRuntime: Runtime | undefined;
let second: App;
let merchant: TestMerchant;
let receiver: Receiver;

beforeAll(async () => {
  clock = new ManualClock();
  gw = await startGateway({ clock, env: { OPENKKA_NOTIFY_BACKOFF: Array(12).fill('1s').join(',') } });
  // Only the test's concurrent passes deliver; no wake-up after each commit.
  await gw.dispatcher.stop();
  // On PostgreSQL the second app has a runtime of its own (its own pool), as another process
  // would. Two SQLite connections cannot share one process: better-sqlite3 waits for the
  // write lock synchronously (busy_timeout), blocking the event loop the holder needs to
  // commit, so there the second app shares the first's connection; the real second process
  // is in the last test.
  secondRuntime = gw.store.kind === 'postgres' ? await openRuntime(gw.config) : undefined;
  second = buildApp({
    ...(secondRuntime ?? gw.runtime),
    acquirer: new SimulatedAcquirer({ clock }),
    clock,
    logger: pino({ level: 'silent' }),
    settings: gw.config,
  });
  await second.dispatcher.stop();
  receiver = await startReceiver({ now: () => clock.now() });
  merchant = await gw.createMerchant({ notifyUrl: receiver.url });
});

afterAll(async () => {
  killChildren();
  await second?.app.close();
  await secondRuntime?.store.close();
  await receiver?.close();
  await gw?.close();
});

/**
 * `n` approved payments, 50 at a time, through `client` (the in-process gateway's unless
 * given); their notify_ids. Nothing is sent unless `dispatching`.
 */
async function queue(n: number, client = merchant.client, dispatching = false): Promise<Set<string>> {
  const orders: string[] = [];
  for (let start = 0; start < n; start += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, n - start) }, () => client.payments.create(cardPayment())),
    );
    orders.push(...batch.map((o) => o.order_id));
  }
  const wanted = new Set(orders);
  const rows = await gw.runtime.store.writer
    .selectFrom('notifications')
    .select(['notify_id', 'order_id', 'status'])
    .execute();
  const mine = rows.filter((r) => wanted.has(r.order_id));
  expect(mine).toHaveLength(n);
  if (!dispatching) expect(mine.every((r) => r.status === 'PENDING')).toBe(true);
  return new Set(mine.map((r) => r.notify_id));
}

async function pendingCount(): Promise<number> {
  const { n } = await gw.runtime.store.writer
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'PENDING')
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** Both gateways dispatch at once, round after round, until nothing is pending. */
async function dispatchTogether(): Promise<{ first: number; second: number; rounds: number }> {
  const made = { first: 0, second: 0, rounds: 0 };
  for (;;) {
    const [a, b] = await Promise.all([gw.dispatcher.runDue(), second.dispatcher.runDue()]);
    made.first += a;
    made.second += b;
    made.rounds++;
    if ((await pendingCount()) === 0) return made;
    expect(made.rounds, 'rounds until everything is delivered').toBeLessThan(MAX_ROUNDS);
    clock.advance(1_000);
  }
}

/** Every request the receiver got for `ids` has exactly one attempt row, numbered 1, 2, … per notification. */
async function expectOneAttemptPerRequest(ids: Set<string>): Promise<void> {
  const rows = await gw.runtime.store.writer
    .selectFrom('notification_attempts')
    .select(['notify_id', 'attempt', 'delivered'])
    .execute();
  const mine = rows.filter((r) => ids.has(r.notify_id));
  const requests = receiver.received.filter((r) => ids.has(r.body?.notify_id));
  expect(mine).toHaveLength(requests.length);
  const byId = new Map<string, number[]>();
  for (const r of mine) byId.set(r.notify_id, [...(byId.get(r.notify_id) ?? []), Number(r.attempt)]);
  for (const [id, attempts] of byId) {
    const sorted = attempts.sort((x, y) => x - y);
    expect(sorted, id).toEqual(sorted.map((_, i) => i + 1));
    expect(requests.filter((r) => r.body.notify_id === id)).toHaveLength(sorted.length);
  }
  expect(byId.size).toBe(ids.size);
  expect(mine.filter((r) => Number(r.delivered) === 1)).toHaveLength(ids.size);
}

function expectAcknowledgedOnce(ids: Set<string>): void {
  const acknowledged = receiver.acknowledgedIds().filter((id) => ids.has(id));
  expect(acknowledged).toHaveLength(ids.size);
  expect(new Set(acknowledged)).toEqual(ids);
}

/** Random refusals, reproducible in sequence (Lehmer / MINSTD). */
function refusing(rate: number, seed: number): () => 'ok' | 'http500' {
  let state = seed;
  return () => {
    state = (state * 48_271) % 2_147_483_647;
    return state / 2_147_483_647 < rate ? 'http500' : 'ok';
  };
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('two gateway apps dispatching the same outbox', () => {
  it('200 notifications, receiver always acknowledging: each sent once, the work shared', async () => {
    receiver.respond = () => 'ok';
    const ids = await queue(PER_TEST);
    const made = await dispatchTogether();
    expect(made.rounds).toBe(1);
    expect(made.first + made.second).toBe(PER_TEST);
    expect(made.first).toBeGreaterThan(0);
    expect(made.second).toBeGreaterThan(0);
    expectAcknowledgedOnce(ids);
    expect(receiver.received.filter((r) => ids.has(r.body?.notify_id))).toHaveLength(PER_TEST);
    await expectOneAttemptPerRequest(ids);
  });

  it('200 notifications, 30% of requests refused: retries claimed by either, never both', async () => {
    receiver.respond = refusing(0.3, 7);
    const ids = await queue(PER_TEST);
    const made = await dispatchTogether();
    expect(made.rounds).toBeGreaterThan(1);
    const requests = receiver.received.filter((r) => ids.has(r.body?.notify_id)).length;
    expect(made.first + made.second).toBe(requests);
    expect(requests).toBeGreaterThan(PER_TEST);
    expectAcknowledgedOnce(ids);
    await expectOneAttemptPerRequest(ids);

    // Neither finds anything left to send.
    clock.advance(86_400_000);
    expect(await Promise.all([gw.dispatcher.runDue(), second.dispatcher.runDue()])).toEqual([0, 0]);
  });
});

describe('a redelivery while another gateway is still attempting', () => {
  it('both attempts are recorded, and the late failure does not undo the delivery', async () => {
    // Its own receiver: the first request is held unanswered, any later one acknowledged.
    const holding = await startReceiver({ now: () => clock.now() });
    holding.respond = (_req, n) => (n === 1 ? 'hang' : 'ok');
    try {
      const order = await merchant.client.payments.create(cardPayment({ notify_url: holding.url }));
      const [queued] = await gw.notifications.list({ orderId: order.order_id });
      const id = queued!.notify_id;
      const first = gw.dispatcher.runDue();
      await holding.waitFor((all) => all.length === 1);
      // The operator sends it again now (admin API / CLI), and the other gateway does so at once.
      await gw.notifications.redeliver(id);
      expect(await second.dispatcher.runDue()).toBe(1);
      expect(await gw.notifications.get(id)).toMatchObject({ status: 'DELIVERED', attempts: 1 });

      // The held attempt fails afterwards (the receiver cuts it): recorded as attempt 2, and
      // the notification stays DELIVERED.
      await holding.close();
      expect(await first).toBe(1);
      const row = await gw.notifications.get(id);
      expect(row).toMatchObject({
        status: 'DELIVERED',
        attempts: 2,
        next_attempt_at: null,
        last_error: null,
      });
      expect(row.attempt_log).toMatchObject([
        { attempt: 1, http_status: 200, error: null, delivered: 1 },
        { attempt: 2, http_status: null, error: 'ECONNRESET', delivered: 0 },
      ]);
      expect(holding.received).toHaveLength(2);
      expect(holding.acknowledgedIds()).toEqual([id]);
      clock.advance(86_400_000);
      expect(await Promise.all([gw.dispatcher.runDue(), second.dispatcher.runDue()])).toEqual([0, 0]);
    } finally {
      await holding.close().catch(() => {});
    }
  });
});

describe('two gateway processes on the same store', () => {
  it('200 notifications queued while both run, 30% refused: each delivered once, by either', async () => {
    receiver.respond = refusing(0.3, 11);
    const env = {
      ...gw.store.env,
      OPENKKA_JOBS_INTERVAL: '50ms',
      OPENKKA_NOTIFY_BACKOFF: Array(15).fill('200ms').join(','),
      OPENKKA_NOTIFY_TIMEOUT: '5s',
    };
    const processes = await Promise.all([startServer(env), startServer(env)]);
    // The payments go through the first process, not the gateway in this test process: on
    // SQLite a writer here would wait for the lock synchronously, stalling the receiver (which
    // runs in this process) until the senders time out, and count acknowledgements the
    // senders never saw.
    const viaFirst = new OpenKKA({
      baseUrl: processes[0]!.url,
      merchantId: merchant.merchantId,
      privateKey: merchant.privateKeyPem,
      platformPublicKey: gw.platformPublicKeyPem,
      maxRetries: 0,
    });
    const ids = await queue(PER_TEST, viaFirst, true);
    await until('every notification delivered', async () => (await pendingCount()) === 0, 60_000);
    const stopped = await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    for (const s of stopped) expect(s.code, s.stderr).toBe(0);

    expectAcknowledgedOnce(ids);
    await expectOneAttemptPerRequest(ids);
    expect(await gw.notifications.list({ status: 'FAILED' })).toEqual([]);
    // Both processes made attempts: each logs the ones refused, with its pid.
    const pids = processes.map((p) => p.child.pid);
    const refusalsBy = stopped.map(
      (s) => s.stderr.split('\n').filter((line) => line.includes('notification not acknowledged')).length,
    );
    const refused = receiver.received.filter((r) => ids.has(r.body?.notify_id) && r.behaviour !== 'ok');
    expect(refusalsBy[0]! + refusalsBy[1]!).toBe(refused.length);
    expect(refusalsBy[0], `pid ${pids[0]} made no attempt`).toBeGreaterThan(0);
    expect(refusalsBy[1], `pid ${pids[1]} made no attempt`).toBeGreaterThan(0);
  }, 120_000);
});
