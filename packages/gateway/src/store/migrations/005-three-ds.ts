/** 3-D Secure challenges waiting for the shopper, and the authentication result on orders. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('challenges')
    .addColumn('challenge_id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().unique().references('orders.order_id'))
    .addColumn('otp', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    /** The CVV, encrypted, only while the challenge is pending (docs/three-ds.md). */
    .addColumn('cvv_ciphertext', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('challenges_due').on('challenges').columns(['status', 'expires_at']).execute();
  await db.schema.alterTable('orders').addColumn('authentication_result', 'text').execute();
}
