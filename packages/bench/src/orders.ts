/**
 * Counts the orders one run created, straight from the store and read-only: the SQLite file
 * opened with `readonly`, or a PostgreSQL connection that only selects. The trans_id prefix
 * singles out this run's orders in a store that holds others.
 */
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

export type StoreLocation = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

export async function countOrders(
  store: StoreLocation,
  merchantId: string,
  transIdPrefix: string,
): Promise<number> {
  const pattern = `${transIdPrefix}%`;
  if (store.kind === 'sqlite') {
    const db = new SqliteDatabase(join(store.dataDir, 'openkka.db'), { readonly: true, fileMustExist: true });
    try {
      const row = db
        .prepare('SELECT count(*) AS n FROM orders WHERE merchant_id = ? AND trans_id LIKE ?')
        .get(merchantId, pattern) as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: store.url });
  await client.connect();
  try {
    await client.query('SET default_transaction_read_only = on');
    const result = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM orders WHERE merchant_id = $1 AND trans_id LIKE $2',
      [merchantId, pattern],
    );
    return Number(result.rows[0]!.n);
  } finally {
    await client.end();
  }
}
