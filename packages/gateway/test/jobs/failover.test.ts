/**
 * Three `openkka start` processes on one PostgreSQL database, as behind a load balancer, and
 * one of them SIGKILLed in the middle of a load of signed payments. They share what a
 * deployment of several gateways must share: DATABASE_URL, OPENKKA_MASTER_KEY, the platform key
 * file and OPENKKA_PUBLIC_URL; each has a data dir of its own, which stays empty. The simulated
 * acquirer answers one survivor in process, the other after 300 ms and the victim after 1.5 s,
 * so the victim dies with authorizations in flight. Half of the payments ask for a
 * notification, to a real receiver.
 *
 * Afterwards: every answered payment is stored once, with the answered status; every unanswered
 * one is absent, or finished (by the survivors' reconciler, or by the victim before its answer
 * was lost); every notification event has one notify_id and is delivered, more than once only
 * where the victim died between the receiver's answer and recording it; and no request to a
 * survivor failed, during the kill or after it.
 *
 * Only the postgres project runs it (vitest.config.ts): gateways on several machines behind a
 * balancer can share a PostgreSQL database, while a SQLite file is shared only by the
 * processes of one machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenKKA, type Order, verifyWebhook } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { killChildren, runCli, type ServerProcess, startServer } from '../cli/run-cli.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { newKeyPair } from '../helpers/keys.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { type Receiver, startReceiver } from '../notifications/receiver.ts';

/** Payments in all; the kill comes once KILL_AFTER are answered, with more than half still to send. */
const PAYMENTS = 300;
const KILL_AFTER = 110;
/** Payments in flight at once, each sent to the next live gateway. */
const CONCURRENCY = 12;
/** The window around the kill whose survivor latencies the p99 is taken over. */
const AROUND_KILL_MS = 3_000;
/**
 * The acquirer latency of each gateway; the last one is killed. The acquirer timeout is far
 * above the longest, so a slow machine never leaves an answered authorization to the
 * reconciler, and the intents the victim leaves are reconciled once it has passed.
 */
const LATENCIES = ['0', '300ms', '1500ms'];
const VICTIM = 2;
/** The kill waits for an intent of the victim younger than this: its acquirer answer is far off. */
const FRESH_INTENT_MS = 300;
const JOBS = {
  OPENKKA_ACQUIRER_TIMEOUT: '10s',
  OPENKKA_RECONCILE_BACKOFF: '500ms',
  OPENKKA_JOBS_INTERVAL: '200ms',
  // A delivery the victim held is taken over once its lease (timeout + 5 s) has run out.
  OPENKKA_NOTIFY_TIMEOUT: '5s',
  OPENKKA_NOTIFY_BACKOFF: Array(10).fill('500ms').join(','),
  OPENKKA_LOG_LEVEL: 'warn',
};
/** Slack for a request the victim sent before it died that the receiver read just after. */
const RECEIVER_SLACK_MS = 2_000;
const CEILING_MS = 120_000;

/** What each test card does; the last fails the Luhn check and never reaches the acquirer. */
const CARDS = [
  { card_no: '4242424242424242', status: 'SUCCESS' },
  { card_no: '5555555555554444', status: 'SUCCESS' },
  { card_no: '4000000000000002', status: 'FAILURE' },
  { card_no: '4000000000009995', status: 'FAILURE' },
  { card_no: '4242424242424241', status: 'FAILURE' },
] as const;

/** One payment as the load sent it, and what came back. */
interface Sent {
  transId: string;
  gateway: number;
  /** The outcome of its card. */
  expected: string;
  notified: boolean;
  startedAt: number;
  endedAt?: number;
  answer?: Order;
  failure?: string;
}

let store: TestStore;
const dirs: string[] = [];
let shared: Record<string, string>;
/** The test's own view of the database. */
let rt: Runtime;
let receiver: Receiver;
let merchantId: string;
let privateKeyPem: string;
const platform = newKeyPair();

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  store = await createTestStore();
  expect(store.kind, 'this file runs in the postgres project only').toBe('postgres');
  const platformKeyFile = join(tempDir('openkka-failover-platform-'), 'platform.pem');
  writeFileSync(platformKeyFile, platform.privateKeyPem, { mode: 0o600 });
  shared = {
    DATABASE_URL: store.databaseUrl!,
    OPENKKA_MASTER_KEY: `failover:${randomBytes(32).toString('base64')}`,
    OPENKKA_PLATFORM_KEY_FILE: platformKeyFile,
    OPENKKA_PUBLIC_URL: 'https://pay.failover.example',
  };
  const cliEnv = { ...shared, OPENKKA_DATA_DIR: tempDir('openkka-failover-cli-') };
  const created = await runCli(
    [
      'merchant',
      'create',
      '--name',
      'failover',
      '--generate-key',
      tempDir('openkka-failover-keys-'),
      '--json',
    ],
    cliEnv,
  );
  expect(created.code, created.stderr).toBe(0);
  const merchant = JSON.parse(created.stdout) as { merchant_id: string; private_key_file: string };
  merchantId = merchant.merchant_id;
  privateKeyPem = readFileSync(merchant.private_key_file, 'utf8');
  rt = await openRuntime(loadConfig(cliEnv));
  receiver = await startReceiver();
});

// Children first, even when a test failed half-way: nothing may outlive the file.
afterAll(async () => {
  killChildren();
  await receiver?.close();
  await rt?.store.close();
  await store?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const db = () => rt.store.writer;

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/** p99 by nearest rank, in ms to a tenth. */
function p99(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.ceil(0.99 * sorted.length) - 1]! * 10) / 10;
}

/** Polls until `rows` finds nothing left; the database holds this test's merchant only. */
async function untilNone(what: string, rows: () => Promise<unknown[]>): Promise<void> {
  await eventually(what, async () => ((await rows()).length === 0 ? true : undefined), CEILING_MS, 100);
}

/**
 * The load, as a balancer spreads it: PAYMENTS payments, CONCURRENCY at a time, each to the
 * next gateway of `live` (which the caller may shrink), every one recorded in `sent`.
 */
function sendPayments(clients: OpenKKA[], live: number[], sent: Sent[]): Promise<void> {
  let next = 0;
  let turn = 0;
  const loop = async () => {
    for (let i = next++; i < PAYMENTS; i = next++) {
      const card = CARDS[i % CARDS.length]!;
      const notified = i % 2 === 0;
      const body = cardPayment(
        { amount: 1000 + i, ...(notified ? { notify_url: receiver.url } : {}) },
        { card_no: card.card_no },
      );
      const gateway = live[turn++ % live.length]!;
      const entry: Sent = {
        transId: body.trans_id,
        gateway,
        expected: card.status,
        notified,
        startedAt: Date.now(),
      };
      sent.push(entry);
      try {
        entry.answer = await clients[gateway]!.payments.create(body);
      } catch (err) {
        entry.failure = String(err);
      }
      entry.endedAt = Date.now();
    }
  };
  return Promise.all(Array.from({ length: CONCURRENCY }, loop)).then(() => {});
}

/** Resolves once KILL_AFTER payments are answered and the victim has just written an intent it is still asking about. */
function victimMidAuthorization(sent: Sent[]): Promise<unknown> {
  return eventually(
    'the victim holds an authorization in flight',
    async () => {
      if (sent.filter((s) => s.answer).length < KILL_AFTER) return undefined;
      const inFlight = sent.filter((s) => s.gateway === VICTIM && s.endedAt === undefined);
      if (inFlight.length === 0) return undefined;
      const pending = await db()
        .selectFrom('orders')
        .select('trans_id')
        .where('status', '=', 'PROCESSING')
        .where('created_at', '>=', Date.now() - FRESH_INTENT_MS)
        .where(
          'trans_id',
          'in',
          inFlight.map((s) => s.transId),
        )
        .execute();
      return pending.length > 0 ? pending : undefined;
    },
    CEILING_MS,
    10,
  );
}

/**
 * Every answered payment is one order, the one answered, with the answered status (a PROCESSING
 * answer promises no outcome: the reconciler then records the card's); every unanswered one is
 * absent or finished once with its card's outcome. Returns how each was finished.
 */
async function expectPaymentsStoredOnce(sent: Sent[]) {
  const rows = await db()
    .selectFrom('orders')
    .select(['trans_id', 'order_id', 'status', 'amount', 'reconcile_attempts', 'notify_url'])
    .execute();
  const byTransId = groupBy(rows, (r) => r.trans_id);
  const sentIds = new Set(sent.map((s) => s.transId));
  expect(
    [...byTransId.keys()].filter((id) => !sentIds.has(id)),
    'orders nobody sent',
  ).toEqual([]);
  const counts = { answeredThenReconciled: 0, absent: 0, byReconciler: 0, beforeTheKill: 0 };
  for (const s of sent) {
    const found = byTransId.get(s.transId) ?? [];
    expect(found.length, s.transId).toBeLessThanOrEqual(1);
    const row = found[0];
    if (!row) {
      expect(s.answer, `${s.transId} was answered but is not stored`).toBeUndefined();
      counts.absent++;
      continue;
    }
    expect(row.status, s.transId).toBe(s.expected);
    expect(row.notify_url !== null, s.transId).toBe(s.notified);
    const reconciled = Number(row.reconcile_attempts) > 0;
    if (s.answer) {
      expect(row.order_id).toBe(s.answer.order_id);
      expect(Number(row.amount)).toBe(s.answer.amount);
      if (s.answer.status === 'PROCESSING') {
        expect(reconciled, s.transId).toBe(true);
        counts.answeredThenReconciled++;
      } else expect(row.status, s.transId).toBe(s.answer.status);
    } else if (reconciled) counts.byReconciler++;
    // Recorded by the victim, its answer lost on the wire.
    else counts.beforeTheKill++;
  }
  // One event per order, written once.
  const events = await db().selectFrom('order_events').select('order_id').execute();
  const eventsByOrder = groupBy(events, (e) => e.order_id);
  for (const row of rows) expect(eventsByOrder.get(row.order_id), row.order_id).toHaveLength(1);
  return { ...counts, notifiedOrders: rows.filter((r) => r.notify_url !== null).map((r) => r.order_id) };
}

/**
 * One notification per event of a payment that asked for one, delivered and signed with the
 * one platform key; received more than once only where an attempt reached the receiver and was
 * never recorded, which only the victim can have left, before it died. Returns the counts.
 */
async function expectNotificationsDelivered(notifiedOrders: string[], exitSeenAt: number) {
  const notifications = await db()
    .selectFrom('notifications')
    .select(['notify_id', 'order_id', 'event_seq', 'status'])
    .execute();
  expect(notifiedOrders.length).toBeGreaterThan(0);
  expect(new Set(notifications.map((n) => n.order_id))).toEqual(new Set(notifiedOrders));
  for (const [event, rows] of groupBy(notifications, (n) => `${n.order_id}/${n.event_seq}`))
    expect(rows, event).toHaveLength(1);
  expect(notifications.filter((n) => n.status !== 'DELIVERED')).toEqual([]);

  const attempts = await db()
    .selectFrom('notification_attempts')
    .select(['notify_id', 'delivered'])
    .execute();
  const recordedById = groupBy(attempts, (a) => a.notify_id);
  const receivedById = groupBy(receiver.received, (r) => String(r.body?.notify_id));
  expect([...receivedById.keys()].sort()).toEqual(notifications.map((n) => n.notify_id).sort());
  let repeats = 0;
  for (const { notify_id: id } of notifications) {
    const received = receivedById.get(id)!;
    const recorded = recordedById.get(id) ?? [];
    for (const r of received) {
      expect(r.behaviour).toBe('ok');
      expect(verifyWebhook(r.rawBody, r.headers, platform.publicKeyPem, { merchantId })).toMatchObject({
        notify_id: id,
      });
    }
    expect(
      recorded.filter((a) => Number(a.delivered) === 1),
      id,
    ).toHaveLength(1);
    const lost = received.length - recorded.length;
    expect([0, 1], `${id}: ${received.length} received, ${recorded.length} recorded`).toContain(lost);
    if (lost === 1) {
      repeats++;
      expect(received[0]!.at, `${id}: the unrecorded attempt came after the kill`).toBeLessThanOrEqual(
        exitSeenAt + RECEIVER_SLACK_MS,
      );
    }
  }
  return { notifications: notifications.length, requests: receiver.received.length, repeats };
}

describe('three gateways on one PostgreSQL database, one killed under load', () => {
  it('loses no answered payment, finishes or leaves absent the unanswered ones, and delivers every notification', async () => {
    const dataDirs = LATENCIES.map(() => tempDir('openkka-failover-data-'));
    const gateways: ServerProcess[] = await Promise.all(
      LATENCIES.map((latency, g) =>
        startServer({
          ...shared,
          ...JOBS,
          OPENKKA_DATA_DIR: dataDirs[g]!,
          OPENKKA_ACQUIRER_LATENCY: latency,
        }),
      ),
    );
    const clients = gateways.map(
      (g) =>
        new OpenKKA({
          baseUrl: g.url,
          merchantId,
          privateKey: privateKeyPem,
          platformPublicKey: platform.publicKeyPem,
          maxRetries: 0,
          timeoutMs: 60_000,
        }),
    );
    const live = gateways.map((_, g) => g);
    const sent: Sent[] = [];
    const load = sendPayments(clients, live, sent);

    await victimMidAuthorization(sent);
    const killAt = Date.now();
    // The balancer takes the victim out of the rotation; what it was serving gets no answer.
    live.splice(live.indexOf(VICTIM), 1);
    gateways[VICTIM]!.child.kill('SIGKILL');
    expect(await gateways[VICTIM]!.exited).toMatchObject({ signal: 'SIGKILL' });
    const exitSeenAt = Date.now();
    await load;
    expect(sent).toHaveLength(PAYMENTS);

    // The survivors answered every request, before, during and after the kill.
    const toSurvivors = sent.filter((s) => s.gateway !== VICTIM);
    expect(toSurvivors.filter((s) => s.failure).map((s) => s.failure)).toEqual([]);
    expect(toSurvivors.filter((s) => s.startedAt > exitSeenAt).length).toBeGreaterThan(50);
    const unanswered = sent.filter((s) => !s.answer);
    expect(unanswered.length, 'requests in flight to the victim when it died').toBeGreaterThan(0);
    for (const s of unanswered) expect(s.gateway).toBe(VICTIM);
    // Each card did what it does (or was left PROCESSING by an acquirer timeout).
    for (const s of sent.filter((s) => s.answer))
      expect([s.expected, 'PROCESSING'], s.transId).toContain(s.answer!.status);

    // The survivors' jobs finish every intent (the victim's included) and every notification.
    await untilNone('payments left PROCESSING', () =>
      db().selectFrom('orders').select('trans_id').where('status', '=', 'PROCESSING').execute(),
    );
    await untilNone('notifications not delivered', () =>
      db().selectFrom('notifications').select('notify_id').where('status', '!=', 'DELIVERED').execute(),
    );
    const stopped = await Promise.all(gateways.filter((_, g) => g !== VICTIM).map((g) => g.stop('SIGTERM')));
    for (const s of stopped) expect(s.code, s.stderr).toBe(0);

    const payments = await expectPaymentsStoredOnce(sent);
    expect(payments.byReconciler, 'intents the victim left, finished by the survivors').toBeGreaterThan(0);
    const notified = await expectNotificationsDelivered(payments.notifiedOrders, exitSeenAt);
    // Nothing of the deployment lives in a data dir: every one is still empty.
    for (const dir of dataDirs) expect(readdirSync(dir), dir).toEqual([]);

    const around = toSurvivors.filter((s) => Math.abs(s.startedAt - killAt) <= AROUND_KILL_MS);
    expect(around.length).toBeGreaterThan(0);
    console.log(
      JSON.stringify({
        failover: {
          survivor_p99_ms_around_kill: p99(around.map((s) => s.endedAt! - s.startedAt)),
          around_kill_ms: AROUND_KILL_MS,
          survivor_requests_around_kill: around.length,
          payments: PAYMENTS,
          answered: PAYMENTS - unanswered.length,
          answered_processing_then_reconciled: payments.answeredThenReconciled,
          unanswered: unanswered.length,
          unanswered_absent: payments.absent,
          unanswered_completed_by_reconciler: payments.byReconciler,
          unanswered_recorded_before_kill: payments.beforeTheKill,
          notifications: notified.notifications,
          notification_requests: notified.requests,
          notification_repeats: notified.repeats,
        },
      }),
    );
  }, 300_000);
});
