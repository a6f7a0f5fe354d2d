/**
 * The migrated schema against the Citus plan (distribution-plan.ts, docs/scaling.md): every
 * table has a place, and every unique key of a table distributed by merchant_id names
 * merchant_id or is listed with how it will get it. Citus enforces a unique key only when it
 * holds the distribution column, so a new key without it fails here until someone decides.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { TABLES, UNIQUE_KEYS_WITHOUT_MERCHANT } from './distribution-plan.ts';

let testStore: TestStore;
let store: Store;

beforeAll(async () => {
  testStore = await createTestStore();
  store = await openStore({ databaseUrl: testStore.databaseUrl, dataDir: testStore.dataDir });
});

afterAll(async () => {
  await store?.close();
  await testStore?.drop();
});

/** The store's own tables: Kysely's migration bookkeeping and SQLite's internals left out. */
async function tables(): Promise<string[]> {
  const { rows } =
    store.dialect === 'sqlite'
      ? await sql<{ name: string }>`
          select name from sqlite_master where type = 'table' and name not like 'sqlite%'`.execute(
          store.writer,
        )
      : await sql<{ name: string }>`
          select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(store.writer);
  return rows.map((r) => r.name).filter((name) => !name.startsWith('kysely_'));
}

async function columns(table: string): Promise<string[]> {
  const { rows } =
    store.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(store.writer)
      : await sql<{ name: string }>`
          select column_name as name from information_schema.columns
          where table_schema = current_schema() and table_name = ${table}`.execute(store.writer);
  return rows.map((r) => r.name);
}

/**
 * Every unique key of `table` as `table(col, …)`: primary keys, unique constraints and unique
 * indexes, partial ones included (a partial unique index is a unique key for Citus too).
 */
async function uniqueKeys(table: string): Promise<string[]> {
  const keys = new Set<string>();
  const key = (cols: string[]) => keys.add(`${table}(${cols.join(', ')})`);
  if (store.dialect === 'sqlite') {
    // A rowid primary key has no index of its own, so the key is read from the columns too.
    const pk = await sql<{ name: string }>`
      select name from pragma_table_info(${table}) where pk > 0 order by pk`.execute(store.writer);
    if (pk.rows.length > 0) key(pk.rows.map((r) => r.name));
    const indexes = await sql<{ name: string }>`
      select name from pragma_index_list(${table}) where "unique" = 1`.execute(store.writer);
    for (const { name } of indexes.rows) {
      const cols = await sql<{ name: string }>`
        select name from pragma_index_info(${name}) order by seqno`.execute(store.writer);
      key(cols.rows.map((r) => r.name));
    }
  } else {
    const { rows } = await sql<{ cols: string }>`
      select (select string_agg(a.attname::text, ',' order by k.n)
              from unnest(ix.indkey::int2[]) with ordinality k(attnum, n)
              join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.attnum) as cols
      from pg_index ix
      join pg_class t on t.oid = ix.indrelid
      join pg_namespace ns on ns.oid = t.relnamespace
      where ix.indisunique and ns.nspname = current_schema() and t.relname = ${table}`.execute(store.writer);
    for (const { cols } of rows) key(cols.split(','));
  }
  return [...keys].sort();
}

async function allUniqueKeys(): Promise<Map<string, string[]>> {
  const byTable = new Map<string, string[]>();
  for (const table of await tables()) byTable.set(table, await uniqueKeys(table));
  return byTable;
}

const distributedByMerchant = (table: string) => {
  const placement = TABLES[table]?.placement;
  return placement === 'distributed' || placement === 'backfill';
};

describe('the schema against the Citus plan', () => {
  it('finds the tables and keys it should (guards the listing itself)', async () => {
    const keys = await allUniqueKeys();
    expect(keys.get('orders')).toEqual(['orders(merchant_id, trans_id)', 'orders(order_id)']);
    expect(keys.get('challenges')).toEqual(['challenges(challenge_id)', 'challenges(order_id)']);
    expect(keys.get('tokens')).toContain('tokens(merchant_id, shopper_reference, card_fingerprint)');
    expect(keys.get('request_nonces')).toEqual(['request_nonces(app_id, nonce)']);
  });

  it('places every table, and plans no table that does not exist', async () => {
    expect((await tables()).sort()).toEqual(Object.keys(TABLES).sort());
  });

  it('has the distribution column wherever the plan distributes by it, and lacks it where a backfill is planned', async () => {
    for (const [table, plan] of Object.entries(TABLES)) {
      const has = (await columns(table)).includes(plan.column ?? '');
      if (plan.placement === 'backfill') {
        expect(has, `${table} has ${plan.column} now: make it "distributed" in the plan`).toBe(false);
      } else if (plan.column !== null) {
        expect(has, `${table} is distributed by ${plan.column}, which it lacks`).toBe(true);
      }
    }
  });

  it('names merchant_id in every unique key of a table distributed by it, or lists why not', async () => {
    const unlisted: string[] = [];
    for (const [table, keys] of await allUniqueKeys()) {
      if (!distributedByMerchant(table)) continue;
      for (const key of keys) {
        const named = /[(\s]merchant_id[,)]/.test(key);
        if (!named && !(key in UNIQUE_KEYS_WITHOUT_MERCHANT)) unlisted.push(key);
      }
    }
    expect(
      unlisted,
      'unique keys without merchant_id: add merchant_id, or list them in distribution-plan.ts and docs/scaling.md',
    ).toEqual([]);
  });

  it('names its own key in every unique key of a table distributed by one', async () => {
    for (const [table, keys] of await allUniqueKeys()) {
      const plan = TABLES[table];
      if (plan?.placement !== 'own-key') continue;
      for (const key of keys) expect(key).toMatch(new RegExp(`[(\\s]${plan.column}[,)]`));
    }
  });

  it('lists only unique keys that exist and still lack merchant_id', async () => {
    const existing = new Set([...(await allUniqueKeys()).values()].flat());
    const stale = Object.keys(UNIQUE_KEYS_WITHOUT_MERCHANT).filter(
      (key) => !existing.has(key) || /[(\s]merchant_id[,)]/.test(key),
    );
    expect(
      stale,
      'listed in distribution-plan.ts but gone or fixed: remove them there and in docs/scaling.md',
    ).toEqual([]);
  });
});
