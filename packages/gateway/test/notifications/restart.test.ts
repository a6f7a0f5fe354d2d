/**
 * Restarts lose nothing (docs/notifications.md, design principle 5), for real: `openkka start` runs as a
 * child process on short real backoffs while the merchant's receiver refuses everything; the
 * process is SIGKILLed between attempts and started again; once the receiver answers, every
 * notification is delivered, each acknowledged once, in order per order. A process killed
 * during an attempt leaves its claim (a lease) behind: the next process waits it out, then
 * sends the notification again.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenKKA } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { NotificationRepo, type NotificationRow } from '../../src/modules/notifications/repo.ts';
import { NotificationService } from '../../src/modules/notifications/service.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { killChildren, runCli, type ServerProcess, startServer } from '../cli/run-cli.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { type Behaviour, type Receiver, startReceiver } from './receiver.ts';

const TIMEOUT_MS = 1_000;
/**
 * Retries 300 ms apart, dispatch checked every 100 ms. Enough of them that a loaded machine,
 * which finds its quiet moment to kill late, still leaves room for a refusal and a success.
 */
const RETRIES = 12;
const ENV = {
  OPENKKA_NOTIFY_BACKOFF: Array(RETRIES).fill('300ms').join(','),
  OPENKKA_JOBS_INTERVAL: '100ms',
  OPENKKA_NOTIFY_TIMEOUT: `${TIMEOUT_MS}ms`,
};
/** A claim holds a notification for the timeout plus 5 s (dispatcher.ts). */
const LEASE_MS = TIMEOUT_MS + 5_000;

let store: TestStore;
let keyDir: string;
/** The test's own view of the store, beside the gateway processes (it only reads). */
let rt: Runtime;
let notifications: NotificationService;
let receiver: Receiver;
let merchant: { merchantId: string; privateKeyPem: string };

beforeAll(async () => {
  store = await createTestStore();
  keyDir = mkdtempSync(join(tmpdir(), 'openkka-restart-'));
  receiver = await startReceiver();
  const created = await runCli(
    ['merchant', 'create', '--name', 't', '--generate-key', keyDir, '--notify-url', receiver.url, '--json'],
    store.env,
  );
  expect(created.code, created.stderr).toBe(0);
  const out = JSON.parse(created.stdout) as {
    merchant_id: string;
    private_key_file: string;
    notify_url: string;
  };
  expect(out.notify_url).toBe(receiver.url);
  merchant = {
    merchantId: out.merchant_id,
    privateKeyPem: createPrivateKey(readFileSync(out.private_key_file))
      .export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  };
  rt = await openRuntime(loadConfig(store.env));
  notifications = new NotificationService(new NotificationRepo(rt.store), systemClock);
});

// Children first, even when a test failed half-way: nothing may outlive the file.
afterAll(async () => {
  killChildren();
  await receiver?.close();
  await rt?.store.close();
  await store?.drop();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

function client(server: ServerProcess): OpenKKA {
  return new OpenKKA({
    baseUrl: server.url,
    merchantId: merchant.merchantId,
    privateKey: merchant.privateKeyPem,
    platformPublicKey: rt.platformPublicKeyPem,
    maxRetries: 0,
  });
}

async function rowsOf(orderIds: string[]): Promise<NotificationRow[]> {
  const rows = await notifications.list({ limit: 1000 });
  return rows.filter((n) => orderIds.includes(n.order_id)).sort((a, b) => a.created_at - b.created_at);
}

async function attemptRows(ids: string[]): Promise<number> {
  let total = 0;
  for (const id of ids) total += (await notifications.get(id)).attempt_log.length;
  return total;
}

function requestsFor(ids: string[]) {
  return receiver.received.filter((r) => ids.includes(r.body?.notify_id));
}

/** The first notification of each order: the ones not waiting behind another. */
function heads(rows: NotificationRow[]): NotificationRow[] {
  return rows.filter((n) => !rows.some((m) => m.order_id === n.order_id && m.event_seq < n.event_seq));
}

describe('the gateway is killed while notifications are being retried', () => {
  it('between attempts: after a restart every notification is delivered once, none lost', async () => {
    // Refused until the restart; then each notification is refused once more (by the new
    // process) and acknowledged on its next try.
    let restarted = false;
    const refusedAfterRestart = new Set<string>();
    receiver.respond = (req) => {
      const id = req.body?.notify_id as string;
      if (!restarted || refusedAfterRestart.has(id)) return restarted ? 'ok' : 'http500';
      refusedAfterRestart.add(id);
      return 'http500';
    };
    const first = await startServer({ ...store.env, ...ENV });
    const api = client(first).payments;
    const orderIds: string[] = [];
    for (let i = 0; i < 3; i++) orderIds.push((await api.create(cardPayment({ amount: 100 + i }))).order_id);
    const manual = await api.create(cardPayment({ capture_method: 'MANUAL', amount: 900 }));
    orderIds.push(manual.order_id);
    await api.capture({ order_id: manual.order_id, amount: 900, currency: 'USD' });

    const queued = await rowsOf(orderIds);
    expect(queued.map((n) => n.notify_type)).toEqual([
      'PAYMENT.SUCCESS',
      'PAYMENT.SUCCESS',
      'PAYMENT.SUCCESS',
      'PAYMENT.AUTHORIZATION',
      'PAYMENT.SUCCESS',
    ]);
    const ids = queued.map((n) => n.notify_id);
    const capture = queued[4]!;

    // Kill between attempts: every order's first notification tried at least twice, no claim
    // held (a claim pushes next_attempt_at out by the lease), every request recorded.
    const atKill = await eventually('a moment between attempts', async () => {
      const rows = await rowsOf(orderIds);
      const now = Date.now();
      const quiet =
        heads(rows).every((n) => n.attempts >= 2) &&
        rows.every((n) => n.status === 'PENDING' && n.next_attempt_at! <= now + 300) &&
        (await attemptRows(ids)) === requestsFor(ids).length;
      if (!quiet) return undefined;
      first.child.kill('SIGKILL');
      return rows;
    });
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    // RETRIES + 1 attempts in all: room left for one more refusal and the success.
    expect(Math.max(...atKill.map((n) => n.attempts))).toBeLessThanOrEqual(RETRIES - 1);
    const requestsAtKill = requestsFor(ids).length;
    const rowsAtKill = await attemptRows(ids);
    expect(requestsFor(ids).every((r) => r.behaviour === 'http500')).toBe(true);
    // The capture's notification waits behind the authorization's, across the crash too.
    expect(atKill.find((n) => n.notify_id === capture.notify_id)).toMatchObject({ attempts: 0 });

    // Nothing happens while no process runs.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(requestsFor(ids)).toHaveLength(requestsAtKill);
    const dead = await rowsOf(orderIds);
    expect(dead.map((n) => [n.status, n.attempts])).toEqual(atKill.map((n) => [n.status, n.attempts]));

    // A new process takes over from where the first left off.
    restarted = true;
    const second = await startServer({ ...store.env, ...ENV });
    const delivered = await eventually('every notification delivered', async () => {
      const rows = await rowsOf(orderIds);
      return rows.every((n) => n.status === 'DELIVERED') ? rows : undefined;
    });
    expect(delivered).toHaveLength(5);

    const acknowledged = receiver.acknowledgedIds().filter((id) => ids.includes(id));
    expect(acknowledged.sort()).toEqual([...ids].sort());
    // After the restart: one more refusal each, then the acknowledgement; nothing else.
    for (const id of ids) {
      const after = requestsFor([id]).filter((r) => receiver.received.indexOf(r) >= requestsAtKill);
      expect(
        after.map((r) => r.behaviour),
        id,
      ).toEqual(['http500', 'ok']);
    }
    // In order per order: the capture's notification only after the authorization's.
    const order = receiver.received
      .filter((r) => r.body?.order_id === manual.order_id)
      .map((r) => `${r.body.notify_type}:${r.behaviour}`);
    const authorized = order.indexOf('PAYMENT.AUTHORIZATION:ok');
    expect(authorized).toBeGreaterThan(0);
    expect(order.slice(0, authorized).every((o) => o === 'PAYMENT.AUTHORIZATION:http500')).toBe(true);
    expect(order.slice(authorized + 1)).toEqual(['PAYMENT.SUCCESS:http500', 'PAYMENT.SUCCESS:ok']);

    // Every attempt of both processes is on record, numbered on from before the crash.
    for (const n of delivered) {
      const { attempt_log } = await notifications.get(n.notify_id);
      expect(attempt_log.map((a) => a.attempt)).toEqual(attempt_log.map((_, i) => i + 1));
      expect(attempt_log.at(-1)).toMatchObject({ http_status: 200, delivered: 1 });
      expect(attempt_log.slice(0, -1).every((a) => a.http_status === 500 && a.delivered === 0)).toBe(true);
      expect(n.attempts).toBe(attempt_log.length);
    }
    expect(rowsAtKill).toBe(requestsAtKill);
    expect(await attemptRows(ids)).toBe(requestsFor(ids).length);

    const stopped = await second.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);
  });

  it('during an attempt: the claim is waited out, then the notification is sent again', async () => {
    let behaviour: Behaviour = 'hang';
    receiver.respond = () => behaviour;
    const first = await startServer({ ...store.env, ...ENV });
    const beforeOrder = Date.now();
    const order = await client(first).payments.create(cardPayment({ amount: 777 }));
    const [row] = await rowsOf([order.order_id]);
    const id = row!.notify_id;
    // The attempt is in flight (the receiver holds it unanswered): kill now.
    await receiver.waitFor((all) => all.some((r) => r.body?.notify_id === id));
    first.child.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });

    const claimed = (await rowsOf([order.order_id]))[0]!;
    expect(claimed).toMatchObject({ status: 'PENDING', attempts: 0 });
    const leaseUntil = claimed.next_attempt_at!;
    const firstRequestAt = requestsFor([id])[0]!.at;
    // Claimed for LEASE_MS after the order existed and before the request went out.
    expect(leaseUntil).toBeGreaterThanOrEqual(beforeOrder + LEASE_MS);
    expect(leaseUntil - firstRequestAt).toBeLessThanOrEqual(LEASE_MS);

    behaviour = 'ok';
    const second = await startServer({ ...store.env, ...ENV });
    await eventually('delivered after the lease', async () =>
      (await notifications.get(id)).status === 'DELIVERED' ? true : undefined,
    );
    const requests = requestsFor([id]);
    expect(requests.map((r) => r.behaviour)).toEqual(['hang', 'ok']);
    // Not sent again while the dead process's claim stood.
    expect(requests[1]!.at).toBeGreaterThanOrEqual(leaseUntil);
    expect(receiver.acknowledgedIds().filter((x) => x === id)).toEqual([id]);
    // The attempt cut short by the crash left no row; the one that worked is attempt 1.
    const done = await notifications.get(id);
    expect(done).toMatchObject({ status: 'DELIVERED', attempts: 1 });
    expect(done.attempt_log).toMatchObject([{ attempt: 1, http_status: 200, delivered: 1 }]);

    const stopped = await second.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);
  });
});
