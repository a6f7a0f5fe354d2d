/**
 * The background jobs' indexes on orders hold only the orders a job can pick: those still
 * PROCESSING (reconciler, redirect expiry) and those with an authorization that can lapse
 * (expiry job). Before, every order entered all three, so each payment paid three index
 * inserts for rows no job would ever read: almost every order is final from its first write.
 * The jobs' queries name `status = 'PROCESSING'` as a literal, which lets both dialects prove
 * they only need the indexed rows.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('orders_status').execute();
  await db.schema.dropIndex('orders_reconcile').execute();
  await db.schema.dropIndex('orders_auth_expiry').execute();
  await db.schema
    .createIndex('orders_processing')
    .on('orders')
    .column('next_reconcile_at')
    .where(sql.ref('status'), '=', 'PROCESSING')
    .execute();
  await db.schema
    .createIndex('orders_auth_expiry')
    .on('orders')
    .column('auth_expires_at')
    .where('auth_expires_at', 'is not', null)
    .execute();
}
