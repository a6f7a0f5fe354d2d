/**
 * The rate limits' buckets shared by every gateway process on one PostgreSQL store
 * (OPENKKA_RATE_LIMIT_SHARED=postgres, docs/security.md#timeouts-rate-limits-and-sockets). A row
 * is one bucket: its tokens at `at` (milliseconds on the database's clock) and the slice the last
 * statement handed out (store/rate-buckets.ts). UNLOGGED on PostgreSQL: a bucket is worth less
 * than the WAL it would write on every slice, and a crash that empties the table only refills
 * every bucket. SQLite gets the same table, never used, so both stores keep one schema: there
 * the option is refused and each process counts its own requests.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  let table = db.schema.createTable('rate_buckets');
  if (db.getExecutor().adapter instanceof PostgresAdapter) table = table.modifyFront(sql`unlogged`);
  await table
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('tokens', 'double precision', (c) => c.notNull())
    .addColumn('at', 'double precision', (c) => c.notNull())
    .addColumn('granted', 'integer', (c) => c.notNull())
    .execute();
}
