/** Stored cards (tokens), recurring agreements, and the order columns that refer to them. */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('shopper_reference', 'text', (c) => c.notNull())
    .addColumn('card_fingerprint', 'text', (c) => c.notNull())
    /** Null once the token is removed: removing a token deletes its card data. */
    .addColumn('card_ciphertext', 'text')
    .addColumn('card_bin', 'text', (c) => c.notNull())
    .addColumn('card_last4', 'text', (c) => c.notNull())
    .addColumn('card_brand', 'text', (c) => c.notNull())
    .addColumn('exp_month', 'integer', (c) => c.notNull())
    .addColumn('exp_year', 'integer', (c) => c.notNull())
    .addColumn('token_usage', 'text', (c) => c.notNull())
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // One active token per (merchant, shopper, card): paying again with the same card reuses it.
  await db.schema
    .createIndex('tokens_one_per_card')
    .on('tokens')
    .columns(['merchant_id', 'shopper_reference', 'card_fingerprint'])
    .unique()
    .where(sql<boolean>`status = 'ACTIVE'`)
    .execute();
  await db.schema
    .createIndex('tokens_shopper')
    .on('tokens')
    .columns(['merchant_id', 'shopper_reference'])
    .execute();

  await db.schema
    .createTable('agreements')
    .addColumn('recurring_agreement_id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
    .addColumn('shopper_reference', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull().references('tokens.token'))
    .addColumn('first_order_id', 'text', (c) => c.notNull().references('orders.order_id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('orders').addColumn('token', 'text').execute();
  await db.schema.alterTable('orders').addColumn('recurring_agreement_id', 'text').execute();
  await db.schema
    .alterTable('orders')
    .addColumn('store_payment_method', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('orders').addColumn('token_usage', 'text').execute();
}
