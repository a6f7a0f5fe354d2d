/**
 * A crash between recording intent and recording the result (design principle 4, docs/api.md#order-status-and-balances),
 * for real: `openkka start` runs as a child process with a slow acquirer, a payment is sent,
 * and the process is SIGKILLed while the acquirer call is in flight. The order is left
 * PROCESSING with the card encrypted (and no CVV anywhere). A new process on the same store,
 * with the acquirer answering at once, asks the acquirer what became of the payment and
 * completes it exactly once; the shopper's retry of the request gets the same order.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { toOrderRow } from '../../src/core/orders/repo.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { killChildren, runCli, type ServerProcess, startServer } from '../cli/run-cli.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { type RawResponse, signedPost } from '../helpers/raw.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';

const PAN = '4242424242424242';
// A canary: no fixture uses it, so finding it standing alone anywhere is a leak.
const CVV = '614';
const AMOUNT = 4242;

/** Both processes: the acquirer call outlives the moment of the kill, and jobs run often. */
const ACQUIRER_TIMEOUT_MS = 4_000;
const JOBS = {
  OPENKKA_ACQUIRER_TIMEOUT: `${ACQUIRER_TIMEOUT_MS}ms`,
  OPENKKA_RECONCILE_BACKOFF: '200ms',
  OPENKKA_JOBS_INTERVAL: '200ms',
};

let store: TestStore;
let keyDir: string;
/** The test's own view of the store (and its vault), beside the gateway processes. */
let rt: Runtime;
let signer: { merchantId: string; privateKey: KeyObject };

beforeAll(async () => {
  store = await createTestStore();
  keyDir = mkdtempSync(join(tmpdir(), 'openkka-crash-'));
  const created = await runCli(
    ['merchant', 'create', '--name', 't', '--generate-key', keyDir, '--json'],
    store.env,
  );
  expect(created.code, created.stderr).toBe(0);
  const merchant = JSON.parse(created.stdout) as { merchant_id: string; private_key_file: string };
  signer = {
    merchantId: merchant.merchant_id,
    privateKey: createPrivateKey(readFileSync(merchant.private_key_file)),
  };
  rt = await openRuntime(loadConfig(store.env));
});
// Children first, even when a test failed half-way: nothing may outlive the file.
afterAll(async () => {
  killChildren();
  await rt?.store.close();
  await store?.drop();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

function send(server: ServerProcess, path: string, fields: Record<string, unknown>): Promise<RawResponse> {
  const body = { merchant_id: signer.merchantId, ...fields, timestamp: Date.now() };
  return signedPost(server.url, `/apis${path}`, body, signer);
}

async function ordersFor(transId: string) {
  const rows = await rt.store.writer
    .selectFrom('orders')
    .selectAll()
    .where('merchant_id', '=', signer.merchantId)
    .where('trans_id', '=', transId)
    .execute();
  return rows.map(toOrderRow);
}

async function eventTypes(orderId: string): Promise<string[]> {
  const rows = await rt.store.writer
    .selectFrom('order_events')
    .select('type')
    .where('order_id', '=', orderId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.type);
}

/** The CVV as a value of its own, not inside a longer run of digits, letters or base64. */
const CVV_ALONE = new RegExp(`(?<![0-9A-Za-z+/=_-])${CVV}(?![0-9A-Za-z+/=_-])`);

async function expectNoCvvInTables(): Promise<void> {
  const { writer: db } = rt.store;
  const tables =
    store.kind === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
  expect(tables.rows.map((t) => t.name)).toContain('orders');
  for (const { name } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
    for (const row of rows.rows) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value !== 'string') continue;
        expect(CVV_ALONE.test(value), `${name}.${column} holds the CVV`).toBe(false);
        expect(value.includes(PAN), `${name}.${column} holds the PAN`).toBe(false);
      }
    }
  }
}

function expectNoCvvInFiles(): void {
  const files = readdirSync(store.dataDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  for (const file of files) {
    const text = readFileSync(file).toString('latin1');
    expect(CVV_ALONE.test(text), `${file} holds the CVV`).toBe(false);
    expect(text.includes(PAN), `${file} holds the PAN`).toBe(false);
  }
}

describe('the gateway is killed while the acquirer is deciding', () => {
  it('a new process completes the payment exactly once, and a replay gets the same order', async () => {
    const first = await startServer({ ...store.env, ...JOBS, OPENKKA_ACQUIRER_LATENCY: '60s' });
    const payment = cardPayment({ amount: AMOUNT }, { card_no: PAN, cvv: CVV });
    // Not awaited: the process dies before it can answer.
    const inFlight = send(first, '/payments', payment).then(
      (res) => ({ answered: res }),
      (err: unknown) => ({ failed: err }),
    );

    const intent = await eventually(
      'the intent is recorded',
      async () => (await ordersFor(payment.trans_id)).find((o) => o.status === 'PROCESSING'),
      undefined,
      20,
    );
    expect(intent).toMatchObject({
      processing_until: intent.created_at + ACQUIRER_TIMEOUT_MS,
      next_reconcile_at: intent.created_at + ACQUIRER_TIMEOUT_MS,
      reconcile_attempts: 0,
      authed_amount: 0,
    });

    first.child.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    // The request never got an answer: the connection died with the process.
    expect(await inFlight).toHaveProperty('failed');

    // Left between intent and result: PROCESSING, the card encrypted, nothing else kept.
    const [left] = await ordersFor(payment.trans_id);
    expect(left).toMatchObject({
      order_id: intent.order_id,
      status: 'PROCESSING',
      authed_amount: 0,
      captured_amount: 0,
      pay_finish_at: null,
      card_ciphertext: expect.any(String),
    });
    expect(await eventTypes(intent.order_id)).toEqual([]);
    const kept = rt.vault.decryptCard(left!.card_ciphertext!);
    expect(kept).toMatchObject({ pan: PAN, exp_month: 12 });
    expect(Object.keys(kept).sort()).toEqual(['exp_month', 'exp_year', 'pan']);
    await expectNoCvvInTables();
    if (store.kind === 'sqlite') {
      // Into the main file from the WAL, so both files are looked at with the data in them.
      await sql`pragma wal_checkpoint(FULL)`.execute(rt.store.writer);
    }
    expectNoCvvInFiles();
    expect(CVV_ALONE.test(first.stderr())).toBe(false);

    // A new process on the same store, with an acquirer that answers at once.
    const second = await startServer({ ...store.env, ...JOBS, OPENKKA_ACQUIRER_LATENCY: '0' });
    const done = await eventually(
      'the reconciler completes the order',
      async () => {
        const res = await send(second, '/payments/query', { trans_id: payment.trans_id });
        const data = res.json.data as Record<string, unknown> | undefined;
        return data?.status === 'SUCCESS' ? data : undefined;
      },
      undefined,
      100,
    );
    expect(done).toMatchObject({
      order_id: intent.order_id,
      status: 'SUCCESS',
      amount: AMOUNT,
      balances: {
        authed_amount: AMOUNT,
        captured_amount: AMOUNT,
        able_to_capture_amount: 0,
        able_to_refund_amount: AMOUNT,
      },
    });
    expect(done.pay_finish_time).toEqual(expect.any(String));
    const [completed] = await ordersFor(payment.trans_id);
    expect(completed).toMatchObject({
      card_ciphertext: null,
      next_reconcile_at: null,
      processing_until: null,
    });
    expect(await eventTypes(intent.order_id)).toEqual(['AUTHORIZATION']);

    // The shopper's retry of the lost request: the same order, SUCCESS, charged once.
    const replay = await send(second, '/payments', payment);
    expect(replay.json.ret_code, replay.text).toBe('000000');
    expect(replay.json.data).toMatchObject({
      order_id: intent.order_id,
      status: 'SUCCESS',
      balances: { captured_amount: AMOUNT },
    });
    expect(await ordersFor(payment.trans_id)).toHaveLength(1);
    expect(await eventTypes(intent.order_id)).toEqual(['AUTHORIZATION']);
    expect(CVV_ALONE.test(second.stderr())).toBe(false);

    const stopped = await second.stop('SIGTERM');
    expect(stopped.code).toBe(0);
  });
});
