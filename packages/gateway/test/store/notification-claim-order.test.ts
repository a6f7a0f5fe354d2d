/**
 * The dispatcher's claim of one merchant's due notifications at size (migration 021): with a
 * backlog whose rows share one due time, the claim reads them in its own order from the pending
 * index and stops after the ones it takes, rather than reading and sorting the whole backlog
 * (4.2 s for 20,000 on PostgreSQL before, docs/benchmarks-at-size.md). The plan is taken of the
 * repo's own statement, as Kysely writes it, on a seeded store.
 */
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NotificationRepo } from '../../src/modules/notifications/repo.ts';
import { seedCards } from '../../src/seed/cards.ts';
import { seedStore } from '../../src/seed/seeder.ts';
import type { Database } from '../../src/store/schema.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';

const ORDERS = 8000;
const BACKLOG = 5000;
const CLAIM = 32;

let gw: TestGateway;
let merchant: TestMerchant;
const now = Date.now();

beforeAll(async () => {
  gw = await startGateway();
  await gw.dispatcher.stop();
  merchant = await gw.createMerchant();
  await seedStore(gw.runtime.store, {
    orders: ORDERS,
    merchantIds: [merchant.merchantId],
    days: 30,
    chunk: ORDERS,
    now,
    runId: 'claim',
    publicUrl: gw.baseUrl,
    cards: seedCards(gw.runtime.vault, now),
    settings: gw.config,
  });
  // A receiver that was down: part of the merchant's notifications due again, all at one time.
  await sql`update notifications set status = 'PENDING', next_attempt_at = ${now - 1000}
    where notify_id in (select notify_id from notifications order by notify_id limit ${BACKLOG})`.execute(
    gw.runtime.store.writer,
  );
  if (gw.runtime.store.dialect === 'postgres')
    await sql`analyze notifications`.execute(gw.runtime.store.writer);
});
afterAll(() => gw?.close());

/** The claim's statement and parameters as the repo sends them, and its rows. */
async function claim(): Promise<{ text: string; parameters: readonly unknown[]; ids: string[] }> {
  const store = gw.runtime.store;
  let logged: { text: string; parameters: readonly unknown[] } | undefined;
  const log = (event: { query: { sql: string; parameters: readonly unknown[] } }) => {
    logged = { text: event.query.sql, parameters: event.query.parameters };
  };
  const dialect =
    store.raw.kind === 'sqlite'
      ? new SqliteDialect({ database: store.raw.reader })
      : new PostgresDialect({ pool: store.raw.pool });
  const db = new Kysely<Database>({ dialect, log });
  const rows = await new NotificationRepo(store).lockDue(db, merchant.merchantId, now, CLAIM);
  return { ...logged!, ids: rows.map((r) => r.notify_id) };
}

it('takes the earliest due rows, ties in notify_id order, each order’s first pending one only', async () => {
  const { ids } = await claim();
  const expected = await sql<{ notify_id: string }>`
    select n.notify_id from notifications n where n.status = 'PENDING' and not exists (
      select 1 from notifications p where p.order_id = n.order_id and p.status = 'PENDING' and p.event_seq < n.event_seq)
    order by n.next_attempt_at, n.notify_id limit ${CLAIM}`.execute(gw.runtime.store.reader);
  expect(ids).toHaveLength(CLAIM);
  expect(ids).toEqual(expected.rows.map((r) => r.notify_id));
});

it('reads the backlog in the claim’s order from the pending index: no sort of the backlog', async () => {
  const { text, parameters } = await claim();
  const store = gw.runtime.store;
  if (store.raw.kind === 'sqlite') {
    const plan = store.raw.reader
      .prepare(`explain query plan ${text}`)
      .all(...parameters)
      .map((r) => (r as { detail: string }).detail)
      .join('\n');
    expect(plan).toMatch(/SEARCH n USING INDEX notifications_pending_due/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
    return;
  }
  const { rows } = await store.raw.pool.query<{ 'QUERY PLAN': string }>(
    `explain (analyze, costs off) ${text}`,
    parameters as unknown[],
  );
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
  expect(plan).toMatch(/Index Scan using notifications_pending_due on notifications n/);
  expect(plan).not.toMatch(/Sort/);
  // It stops soon after the rows it takes, whatever the backlog.
  const scanned = Number(
    /notifications_pending_due on notifications n \(actual [^)]* rows=(\d+)/.exec(plan)?.[1],
  );
  expect(scanned).toBeLessThan(4 * CLAIM);
});
