/**
 * A PostgreSQL transaction on one pooled connection, running hand-written statements as named
 * prepared statements (parsed and planned once per connection), for the few writes that
 * bypass Kysely. `BEGIN` and `COMMIT` are a round trip each; everything else is the caller's.
 */
import type { Store } from './db.ts';
import { numberedPlaceholders } from './prepared.ts';

/** Runs a statement written with `?` placeholders inside the transaction; answers its rows. */
export type TxQuery = <R>(name: string, sql: string, params: readonly unknown[]) => Promise<R[]>;

/**
 * Runs `fn` between BEGIN and COMMIT, or ROLLBACK when it says not to keep its work (`commit`
 * false) or throws. A connection whose ROLLBACK failed is closed, never handed out again.
 */
export async function pgTransaction<T>(
  store: Store,
  fn: (query: TxQuery) => Promise<{ commit: boolean; value: T }>,
): Promise<T> {
  if (store.raw.kind !== 'postgres') throw new Error('pgTransaction runs on PostgreSQL only');
  const client = await store.raw.pool.connect();
  const query: TxQuery = async <R>(name: string, sql: string, params: readonly unknown[]) =>
    (await client.query({ name, text: numberedPlaceholders(sql), values: params as unknown[] })).rows as R[];
  try {
    await client.query('begin');
    const outcome = await fn(query);
    await client.query(outcome.commit ? 'commit' : 'rollback');
    client.release();
    return outcome.value;
  } catch (err) {
    let broken: Error | undefined;
    try {
      await client.query('rollback');
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    client.release(broken);
    throw err;
  }
}
