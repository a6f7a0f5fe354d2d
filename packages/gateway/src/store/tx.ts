/**
 * Short write transactions. SQLite takes the write lock up front (BEGIN IMMEDIATE) so two
 * processes never deadlock upgrading a read lock; PostgreSQL locks rows with FOR UPDATE,
 * which `forUpdate` adds only there (SQLite has no such clause and needs none).
 */
import { type Kysely, sql } from 'kysely';
import type { Store } from './db.ts';
import type { Database } from './schema.ts';

export type Tx = Kysely<Database>;

export async function inTransaction<T>(store: Store, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') return store.db.transaction().execute(fn);
  return store.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn);
      throw err;
    }
  });
}

/** Appends FOR UPDATE on PostgreSQL; a no-op on SQLite, where the transaction is the lock. */
export function forUpdate<Q extends { forUpdate(): Q }>(store: Store, query: Q): Q {
  return store.dialect === 'postgres' ? query.forUpdate() : query;
}
