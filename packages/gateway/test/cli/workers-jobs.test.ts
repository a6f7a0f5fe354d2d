/**
 * Background work across workers: `openkka start` with OPENKKA_WORKERS=2, both workers running
 * every job every 50 ms on one store (SQLite or PostgreSQL), and many items falling due at
 * once: authorizations lapsing, unknown outcomes to reconcile, 3-D Secure challenges and bank
 * pages left unfinished, SEPA payments to settle, refunds the acquirer fails later, checkout
 * sessions left open. Each is handled once: one event per change, one notification per event,
 * one delivery per notification. Then a master key rotation: both workers follow it, one new
 * card data key is made, and every stored card ends up under it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { readDataKeys } from '../../src/vault/data-keys.ts';
import { Vault } from '../../src/vault/vault.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { LIMITS_OFF } from '../helpers/gateway.ts';
import type { RawResponse } from '../helpers/raw.ts';
import { redirectBody } from '../helpers/redirects.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { storingPayment } from '../helpers/tokens.ts';
import { type Receiver, startReceiver } from '../notifications/receiver.ts';
import { demoSigner, post, type Signer, workerPids } from './cluster.ts';
import { killChildren, runCli, type ServerProcess, startServer } from './run-cli.ts';

/** Items of each kind: enough that both workers find many due at the same moment. */
const EACH = 20;

const ENV = {
  ...LIMITS_OFF,
  OPENKKA_WORKERS: '2',
  OPENKKA_JOBS_INTERVAL: '50ms',
  OPENKKA_AUTH_VALIDITY_FINAL: '3s',
  OPENKKA_AUTH_VALIDITY_PRE: '3s',
  OPENKKA_PAYMENT_EXPIRY: '3s',
  OPENKKA_SESSION_EXPIRY: '3s',
  OPENKKA_SEPA_SETTLEMENT_DELAY: '3s',
  OPENKKA_SIM_REFUND_FAILURE_DELAY: '2s',
  // 4000000000000408 never answers: PROCESSING after 1 s, then the reconciler asks.
  OPENKKA_ACQUIRER_TIMEOUT: '1s',
  OPENKKA_RECONCILE_BACKOFF: '200ms',
  OPENKKA_NOTIFY_TIMEOUT: '5s',
  OPENKKA_NOTIFY_BACKOFF: Array(10).fill('200ms').join(','),
};

let store: TestStore;
let receiver: Receiver;
let server: ServerProcess;
let signer: Signer;
/** The test's own view of the store. */
let rt: Runtime;

beforeAll(async () => {
  store = await createTestStore();
  receiver = await startReceiver();
  server = await startServer({ ...store.env, ...ENV });
  signer = demoSigner(server.banner);
  rt = await openRuntime(loadConfig(store.env));
});
afterAll(async () => {
  killChildren();
  await rt?.store.close();
  await receiver?.close();
  await store?.drop();
});

/** An answer of 200 with one of `statuses`; its data. */
function accepted(res: RawResponse, ...statuses: string[]): { order_id: string } {
  expect(res.status, res.text).toBe(200);
  expect(res.json.ret_code, res.text).toBe('000000');
  const data = res.json.data as { order_id: string; status: string };
  expect(statuses, res.text).toContain(data.status);
  return data;
}

/** `count` requests at once, each on its own connection; the answers. */
function many(count: number, request: () => Promise<RawResponse>): Promise<RawResponse[]> {
  return Promise.all(Array.from({ length: count }, request));
}

const pay = (body: Record<string, unknown>) => post(server.url, '/payments', signer, body);

async function eventsByOrder(orderIds: string[]): Promise<Map<string, string[]>> {
  const rows = await rt.store.writer
    .selectFrom('order_events')
    .select(['order_id', 'seq', 'type'])
    .where('order_id', 'in', orderIds)
    .orderBy('order_id')
    .orderBy('seq')
    .execute();
  const byOrder = new Map<string, string[]>(orderIds.map((id) => [id, []]));
  for (const r of rows) byOrder.get(r.order_id)!.push(`${r.seq}:${r.type}`);
  return byOrder;
}

async function statuses(orderIds: string[]): Promise<string[]> {
  const rows = await rt.store.writer
    .selectFrom('orders')
    .select('status')
    .where('order_id', 'in', orderIds)
    .execute();
  return rows.map((r) => r.status);
}

describe('two workers running the jobs on one store', () => {
  it('handle each due item once: one event, one notification, one delivery', async () => {
    const notify_url = receiver.url;
    const card = (card_no: string, overrides: Record<string, unknown> = {}) =>
      cardPayment({ notify_url, ...overrides }, { card_no });
    // Everything is made at once; each kind falls due a few seconds later, all together.
    const [expiring, unknown, challenged, redirected, sepa, refunding, sessions] = await Promise.all([
      many(EACH, () => pay(card('4242424242424242', { capture_method: 'MANUAL' }))),
      many(EACH, () => pay(card('4000000000000408'))),
      many(EACH, () => pay(card('4000002760003184'))),
      many(EACH, () => pay(redirectBody('iDEAL', { notify_url }))),
      many(EACH, () => pay(redirectBody('SEPA', { notify_url }))),
      many(EACH, () => pay(card('4000000000005126'))),
      many(EACH, () =>
        post(server.url, '/payments/session', signer, {
          trans_id: `s-${Math.random().toString(36).slice(2)}`,
          session_mode: 'HOSTED',
          currency: 'EUR',
          amount: 2500,
          return_url: 'https://shop.example/return',
        }),
      ),
    ]);
    const ids = {
      expiring: expiring.map((r) => accepted(r, 'AUTHORIZED').order_id),
      // The reconciler may ask as the request gives up waiting, and answer first.
      unknown: unknown.map((r) => accepted(r, 'PROCESSING', 'SUCCESS').order_id),
      challenged: challenged.map((r) => accepted(r, 'PROCESSING').order_id),
      redirected: redirected.map((r) => accepted(r, 'PROCESSING').order_id),
      sepa: sepa.map((r) => accepted(r, 'PROCESSING').order_id),
      refunding: refunding.map((r) => accepted(r, 'SUCCESS').order_id),
    };
    const sessionIds = sessions.map((r) => accepted(r, 'OPEN') as unknown as { session_id: string });
    const refunds = await Promise.all(
      ids.refunding.map((orderId) =>
        post(server.url, '/payments/refund', signer, {
          refund_trans_id: `rf-${Math.random().toString(36).slice(2)}`,
          ori_order_id: orderId,
          refund_amount: 1000,
          currency: 'USD',
        }),
      ),
    );
    for (const r of refunds) accepted(r, 'PROCESSING');

    const expected: Array<[string[], string[], string]> = [
      [ids.expiring, ['1:AUTHORIZATION', '2:EXPIRY'], 'CANCELED'],
      [ids.unknown, ['1:AUTHORIZATION'], 'SUCCESS'],
      [ids.challenged, ['1:DECLINE'], 'FAILURE'],
      [ids.redirected, ['1:DECLINE'], 'FAILURE'],
      [ids.sepa, ['1:AUTHORIZATION'], 'SUCCESS'],
      [ids.refunding, ['1:AUTHORIZATION', '2:REFUND_REQUEST', '3:REFUND_FAILURE'], 'SUCCESS'],
    ];
    const all = expected.flatMap(([orderIds]) => orderIds);
    const sessionStatuses = async () =>
      (
        await rt.store.writer
          .selectFrom('checkout_sessions')
          .select('status')
          .where(
            'session_id',
            'in',
            sessionIds.map((s) => s.session_id),
          )
          .execute()
      ).map((s) => s.status);
    // Done when every item reached its end, no session is open, and nothing is left to deliver.
    await eventually(
      'every due item handled and every notification delivered',
      async () => {
        const events = await eventsByOrder(all);
        const ended = expected.every(([orderIds, types]) =>
          orderIds.every((id) => events.get(id)!.length >= types.length),
        );
        const pending = await rt.store.writer
          .selectFrom('notifications')
          .select('notify_id')
          .where('status', '=', 'PENDING')
          .execute();
        const sessionsEnded = (await sessionStatuses()).every((status) => status !== 'OPEN');
        return ended && sessionsEnded && pending.length === 0 ? true : undefined;
      },
      90_000,
      200,
    );

    const events = await eventsByOrder(all);
    for (const [orderIds, types, status] of expected) {
      for (const id of orderIds) expect(events.get(id), id).toEqual(types);
      expect(new Set(await statuses(orderIds))).toEqual(new Set([status]));
    }
    // Sessions have no event: each became EXPIRED.
    expect(await sessionStatuses()).toEqual(Array(EACH).fill('EXPIRED'));

    // One notification per event that notifies (a refund's request does not), each DELIVERED.
    const notifications = await rt.store.writer
      .selectFrom('notifications')
      .select(['notify_id', 'order_id', 'event_seq', 'status', 'attempts'])
      .where('order_id', 'in', all)
      .execute();
    const notified = new Map<string, number[]>();
    for (const n of notifications) {
      expect(n.status).toBe('DELIVERED');
      expect(Number(n.attempts)).toBe(1);
      notified.set(n.order_id, [...(notified.get(n.order_id) ?? []), Number(n.event_seq)].sort());
    }
    for (const id of all) {
      const seqs = events
        .get(id)!
        .filter((e) => !e.endsWith(':REFUND_REQUEST'))
        .map((e) => Number(e.split(':')[0]));
      expect(notified.get(id), id).toEqual(seqs);
    }
    // And each reached the receiver exactly once.
    const ids_ = notifications.map((n) => n.notify_id);
    const received = receiver.received
      .map((r) => r.body?.notify_id as string)
      .filter((id) => ids_.includes(id));
    expect(received.sort()).toEqual([...ids_].sort());
  }, 180_000);

  it('follow a master key rotation: one new card data key, every stored card under it', async () => {
    const shoppers = Array.from({ length: EACH }, (_, i) => `shopper-${i}`);
    const stored = await Promise.all(shoppers.map((s) => pay(storingPayment(s))));
    for (const r of stored) accepted(r, 'SUCCESS');
    const before = (await readDataKeys(rt.store))!.keys.card_keys.map((k) => k.id);
    expect(before).toHaveLength(1);

    const rotated = await runCli(['keys', 'rotate-master'], store.env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const records = async () =>
      (
        await rt.store.writer
          .selectFrom('tokens')
          .select('card_ciphertext')
          .where('card_ciphertext', 'is not', null)
          .execute()
      ).map((r) => r.card_ciphertext!);
    // The workers look at the keyring file every 5 s, then re-encrypt at once.
    const primary = await eventually(
      'every stored card under the new card data key',
      async () => {
        const keys = (await readDataKeys(rt.store))!.keys.card_keys.map((k) => k.id);
        const newest = keys[keys.length - 1]!;
        if (newest === before[0]) return undefined;
        const all = await records();
        return all.length >= EACH && all.every((ct) => Vault.keyIdOf(ct) === newest) ? newest : undefined;
      },
      60_000,
      200,
    );
    // Both workers adopted the keyring, and only one new card data key was made.
    const keys = (await readDataKeys(rt.store))!.keys.card_keys.map((k) => k.id);
    expect(keys).toEqual([before[0], primary]);
    // A vault over the new keyring opens every record.
    const fresh = await openRuntime(loadConfig(store.env));
    try {
      for (const ct of await records()) expect(fresh.vault.decryptCard(ct).pan).toBe('4242424242424242');
    } finally {
      await fresh.store.close();
    }
  }, 120_000);

  it('stop together on SIGTERM, exit 0', async () => {
    const workers = await workerPids(server);
    expect(workers).toHaveLength(2);
    const stopped = await server.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);
    // Nothing went wrong in either worker while the jobs ran.
    const errors = stopped.stderr.split('\n').filter((line) => line.includes('"level":50'));
    expect(errors).toEqual([]);
  });
});
