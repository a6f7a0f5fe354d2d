/**
 * Fills a store with orders, in the database: chunk by chunk, a plan of the chunk's orders is
 * drawn (plan-sql.ts), then every table is written from it (row-sql.ts), all in one
 * transaction per chunk, so an interrupted seed leaves whole orders only. Orders go in in the
 * order of their ids, which are time-ordered as the gateway's are.
 */
import type { Store } from '../store/db.ts';
import type { SeedCard } from './cards.ts';
import { type SeedConnection, seedConnection } from './connection.ts';
import { seedDialect } from './dialect.ts';
import { planInsert } from './plan-sql.ts';
import {
  agreementsInsert,
  attemptsInsert,
  challengesInsert,
  eventsInsert,
  notificationsInsert,
  ordersInsert,
  refundsInsert,
  scriptRows,
  setupStatements,
  tokensInsert,
} from './row-sql.ts';
import { spanOf } from './span.ts';
import { storeBytes } from './store-size.ts';

export interface SeedSettings {
  paymentExpiryMs: number;
  finalAuthValidityMs: number;
  preAuthValidityMs: number;
  sepaSettlementDelayMs: number;
  notifyBackoffMs: readonly number[];
}

export interface SeedRequest {
  orders: number;
  /** The merchants the orders are spread over, evenly. */
  merchantIds: readonly string[];
  /** The orders are spread over this many days before now. */
  days: number;
  /** Orders per transaction. */
  chunk: number;
  now: number;
  /** Hex digits that make this seed's trans_ids its own. */
  runId: string;
  publicUrl: string;
  cards: readonly SeedCard[];
  settings: SeedSettings;
}

export interface SeedProgress {
  orders: number;
  of: number;
  rows: number;
  elapsedMs: number;
}

export interface SeedResult {
  orders: number;
  merchants: number;
  /** Rows written, by table. */
  rows: Record<string, number>;
  total_rows: number;
  seconds: number;
  rows_per_s: number;
  orders_per_s: number;
  /** Then spent settling the store (settle below), not counted in the rates. */
  settle_seconds: number;
  /** The store's size on disk afterwards. */
  store_bytes: number;
}

export class StoreNotEmptyError extends Error {}

export async function seedStore(
  store: Store,
  request: SeedRequest,
  onProgress: (progress: SeedProgress) => void = () => {},
): Promise<SeedResult> {
  const started = performance.now();
  const d = seedDialect(store.dialect);
  const connection = await seedConnection(store);
  const rows: Record<string, number> = {};
  let total = 0;
  try {
    await refuseOrders(connection);
    await prepare(connection, request);
    const { paymentExpiryMs, finalAuthValidityMs, preAuthValidityMs, sepaSettlementDelayMs } =
      request.settings;
    const plan = {
      now: request.now,
      ...spanOf(request.now, request.days, request.orders),
      merchants: request.merchantIds.length,
      runId: request.runId,
      publicUrl: request.publicUrl,
      paymentExpiryMs,
      finalAuthValidityMs,
      preAuthValidityMs,
      sepaSettlementDelayMs,
      declineCards: request.cards.flatMap((c) =>
        c.declineCode ? [{ index: c.index, code: c.declineCode }] : [],
      ),
      approvedCards: request.cards.filter((c) => !c.declineCode).length,
    };
    const rowSettings = { now: request.now, notifyBackoffMs: request.settings.notifyBackoffMs };
    const statements: [string, string][] = [
      ['orders', ordersInsert()],
      ['tokens', tokensInsert()],
      ['agreements', agreementsInsert()],
      ['challenges', challengesInsert()],
      ['refunds', refundsInsert()],
      ['order_events', eventsInsert()],
      ['notifications', notificationsInsert(d, rowSettings)],
      ['notification_attempts', attemptsInsert(rowSettings)],
    ];
    for (let first = 0; first < request.orders; first += request.chunk) {
      const last = Math.min(first + request.chunk, request.orders) - 1;
      await connection.transaction(async () => {
        await connection.run('delete from seed_plan');
        await connection.run(planInsert(d, plan, first, last));
        for (const [table, sql] of statements) {
          const written = await connection.run(sql);
          rows[table] = (rows[table] ?? 0) + written;
          total += written;
        }
      });
      onProgress({
        orders: last + 1,
        of: request.orders,
        rows: total,
        elapsedMs: performance.now() - started,
      });
    }
    await connection.run('delete from seed_plan');
  } finally {
    await connection.release();
  }
  const seconds = (performance.now() - started) / 1000;
  await settle(store);
  const settleSeconds = (performance.now() - started) / 1000 - seconds;
  return {
    orders: request.orders,
    merchants: request.merchantIds.length,
    rows,
    total_rows: total,
    seconds: Math.round(seconds * 10) / 10,
    rows_per_s: Math.round(total / seconds),
    orders_per_s: Math.round(request.orders / seconds),
    settle_seconds: Math.round(settleSeconds * 10) / 10,
    store_bytes: await storeBytes(store),
  };
}

/** Seeding is for an empty store: fake orders must never mix with a merchant's real ones. */
async function refuseOrders(connection: SeedConnection): Promise<void> {
  const { n } = await connection.one<{ n: number | string }>(
    'select count(*) as n from (select 1 from orders limit 1) existing',
  );
  if (Number(n) > 0) {
    throw new StoreNotEmptyError('the store already holds orders: seed fills an empty store only');
  }
}

async function prepare(connection: SeedConnection, request: SeedRequest): Promise<void> {
  for (const sql of setupStatements()) await connection.run(sql);
  await connection.transaction(async () => {
    await connection.insert(
      'seed_script',
      [
        'cat',
        'seq',
        'type',
        'status',
        'moved',
        'authed',
        'captured',
        'voided',
        'refunded',
        'refunding',
        'at',
        'notify_type',
      ],
      scriptRows(),
    );
    await connection.insert(
      'seed_cards',
      ['card', 'bin', 'last4', 'brand', 'fingerprint', 'ciphertext', 'exp_month', 'exp_year'],
      request.cards.map((c) => [
        c.index,
        c.bin,
        c.last4,
        c.brand,
        c.fingerprint,
        c.ciphertext,
        c.expMonth,
        c.expYear,
      ]),
    );
    await connection.insert(
      'seed_merchants',
      ['m_index', 'merchant_id'],
      request.merchantIds.map((id, i) => [i, id]),
    );
    const attempts = request.settings.notifyBackoffMs.length + 1;
    await connection.insert(
      'seed_nums',
      ['n'],
      Array.from({ length: attempts }, (_, i) => [i + 1]),
    );
  });
}

/**
 * Leaves the store as years of use would: SQLite's WAL merged into the database file, so its
 * size is the store's; PostgreSQL's tables vacuumed (their pages marked all-visible, which
 * index-only scans need) and their statistics gathered, which autovacuum would otherwise do a
 * little later, in the middle of whatever is measured next.
 */
async function settle(store: Store): Promise<void> {
  if (store.raw.kind === 'sqlite') {
    store.raw.writer.pragma('wal_checkpoint(TRUNCATE)');
    return;
  }
  await store.raw.pool.query('vacuum (analyze)');
}
