/** Hosted checkout sessions, and the session an order was paid through. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('checkout_sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('trans_id', 'text', (c) => c.notNull())
    /** OPEN, EXPIRED or CANCELED as stored; COMPLETED once the session's order exists. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('session_mode', 'text', (c) => c.notNull())
    .addColumn('session_url', 'text', (c) => c.notNull())
    .addColumn('payment_type', 'text', (c) => c.notNull())
    .addColumn('authorisation_type', 'text', (c) => c.notNull())
    .addColumn('capture_method', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('notify_url', 'text')
    .addColumn('return_url', 'text', (c) => c.notNull())
    .addColumn('cancel_url', 'text')
    .addColumn('display_locale', 'text')
    .addColumn('display_merchant_name', 'text')
    /** JSON array of upper-snake payment method names. */
    .addColumn('allowed_payment_methods', 'text', (c) => c.notNull())
    .addColumn('store_payment_method', 'integer', (c) => c.notNull())
    .addColumn('token_usage', 'text')
    .addColumn('shopper_reference', 'text')
    .addColumn('challenge_indicator', 'text')
    .addColumn('order_id', 'text')
    .addColumn('expire_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // One session per trans_id, decided by the database, so concurrent duplicates create one.
  await db.schema
    .createIndex('checkout_sessions_merchant_trans')
    .on('checkout_sessions')
    .columns(['merchant_id', 'trans_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('checkout_sessions_due')
    .on('checkout_sessions')
    .columns(['status', 'expire_at'])
    .execute();
  await db.schema.alterTable('orders').addColumn('session_id', 'text').execute();
}
