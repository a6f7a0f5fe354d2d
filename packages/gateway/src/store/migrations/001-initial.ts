/** Merchants, their keys, settings (platform key, master-key check) and orders. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('merchants')
    .addColumn('merchant_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('notify_url', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('merchant_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('public_key_pem', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('merchant_keys_merchant').on('merchant_keys').column('merchant_id').execute();

  await db.schema
    .createTable('orders')
    .addColumn('order_id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('trans_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payment_type', 'text', (c) => c.notNull())
    .addColumn('authorisation_type', 'text', (c) => c.notNull())
    .addColumn('capture_method', 'text', (c) => c.notNull())
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('notify_url', 'text')
    .addColumn('return_url', 'text')
    .addColumn('expire_at', 'bigint', (c) => c.notNull())
    .addColumn('mit', 'integer', (c) => c.notNull())
    .addColumn('shopper_reference', 'text')
    .addColumn('card_fingerprint', 'text')
    .addColumn('card_ciphertext', 'text')
    .addColumn('card_bin', 'text')
    .addColumn('card_last4', 'text')
    .addColumn('card_brand', 'text')
    .addColumn('error_code', 'text', (c) => c.notNull())
    .addColumn('error_description', 'text', (c) => c.notNull())
    .addColumn('authed_amount', 'bigint', (c) => c.notNull())
    .addColumn('captured_amount', 'bigint', (c) => c.notNull())
    .addColumn('voided_amount', 'bigint', (c) => c.notNull())
    .addColumn('refunded_amount', 'bigint', (c) => c.notNull())
    .addColumn('refunding_amount', 'bigint', (c) => c.notNull())
    .addColumn('processing_until', 'bigint')
    .addColumn('pay_finish_at', 'bigint')
    .addColumn('auth_expires_at', 'bigint')
    .addColumn('acquirer_ref', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The idempotency key: the database, not a prior SELECT, guarantees one order per trans_id.
  await db.schema
    .createIndex('orders_merchant_trans')
    .on('orders')
    .columns(['merchant_id', 'trans_id'])
    .unique()
    .execute();
  await db.schema.createIndex('orders_status').on('orders').columns(['status', 'processing_until']).execute();
}
