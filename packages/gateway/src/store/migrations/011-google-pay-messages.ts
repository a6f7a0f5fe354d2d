/**
 * The Google Pay messages that paid an order: a token's messageId is claimed by the first
 * payment (merchant and trans_id) it arrives with, so the same token cannot pay another order;
 * a replay of that payment (same trans_id) still answers its order. Rows of expired tokens are
 * deleted by the expiry job.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('google_pay_messages')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('trans_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // The expiry job deletes the messages of expired tokens, which are refused anyway (5024).
  await db.schema
    .createIndex('google_pay_messages_expires_at')
    .on('google_pay_messages')
    .column('expires_at')
    .execute();
}
