/**
 * Short write transactions. SQLite takes the write lock up front (BEGIN IMMEDIATE) so two
 * processes never deadlock upgrading a read lock; PostgreSQL locks rows with FOR UPDATE,
 * which `forUpdate` adds only there (SQLite has no such clause and needs none).
 */
import type { Kysely } from 'kysely';
import type { Store } from './db.ts';
import type { Database } from './schema.ts';

export type Tx = Kysely<Database>;

/**
 * Runs `fn` as one atomic unit. On SQLite it joins the store's group commit (one durable
 * COMMIT for every transaction queued meanwhile); `fn` must not start another transaction.
 */
export async function inTransaction<T>(store: Store, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') return store.writer.transaction().execute(fn);
  return store.groupCommit!.run(fn);
}

/** Appends FOR UPDATE on PostgreSQL; a no-op on SQLite, where the transaction is the lock. */
export function forUpdate<Q extends { forUpdate(): Q }>(store: Store, query: Q): Q {
  return store.dialect === 'postgres' ? query.forUpdate() : query;
}
