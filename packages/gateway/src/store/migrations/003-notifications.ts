/** The notification outbox and the record of every delivery attempt. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('notify_id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.order_id'))
    /** The order event that caused it: deliveries of one order follow this order. */
    .addColumn('event_seq', 'integer', (c) => c.notNull())
    .addColumn('notify_type', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    /** The body without its timestamp, which every attempt sets afresh. */
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notifications_due')
    .on('notifications')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('notifications_order')
    .on('notifications')
    .columns(['order_id', 'event_seq'])
    .execute();

  await db.schema
    .createTable('notification_attempts')
    .addColumn('notify_id', 'text', (c) => c.notNull().references('notifications.notify_id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('error', 'text')
    .addColumn('delivered', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_attempts_pk', ['notify_id', 'attempt'])
    .execute();
}
