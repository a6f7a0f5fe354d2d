/** How much disk a store takes: the SQLite file with its WAL, or the PostgreSQL database. */
import { statSync } from 'node:fs';
import type { Store } from '../store/db.ts';

export async function storeBytes(store: Store): Promise<number> {
  if (store.raw.kind === 'sqlite') {
    const size = (file: string) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    return size(store.location) + size(`${store.location}-wal`);
  }
  const { rows } = await store.raw.pool.query<{ bytes: string }>(
    'select pg_database_size(current_database()) as bytes',
  );
  return Number(rows[0]!.bytes);
}
