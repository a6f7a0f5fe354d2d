/** Refunds, the order event log, and the reconciler's schedule for orders with an unknown outcome. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('refunds')
    .addColumn('refund_order_id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('refund_trans_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.order_id'))
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('notify_url', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text', (c) => c.notNull())
    .addColumn('error_description', 'text', (c) => c.notNull())
    .addColumn('acquirer_ref', 'text')
    /** When a PROCESSING refund is next asked about at the acquirer. */
    .addColumn('next_check_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The refund idempotency key, enforced by the database.
  await db.schema
    .createIndex('refunds_merchant_trans')
    .on('refunds')
    .columns(['merchant_id', 'refund_trans_id'])
    .unique()
    .execute();
  await db.schema.createIndex('refunds_order').on('refunds').column('order_id').execute();
  await db.schema.createIndex('refunds_due').on('refunds').columns(['status', 'next_check_at']).execute();

  // Every change of an order, so any state can be explained from its history.
  await db.schema
    .createTable('order_events')
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.order_id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('refund_order_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_events_pk', ['order_id', 'seq'])
    .execute();

  await db.schema
    .alterTable('orders')
    .addColumn('reconcile_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('orders').addColumn('next_reconcile_at', 'bigint').execute();
  await db.schema
    .alterTable('orders')
    .addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('orders_reconcile')
    .on('orders')
    .columns(['status', 'next_reconcile_at'])
    .execute();
  await db.schema.createIndex('orders_auth_expiry').on('orders').column('auth_expires_at').execute();
}
