/**
 * A merchant's PayKKa v3 app id (`x-paykka-appid`), when it is not its merchant id. NULL, the
 * default, means the merchant id is the app id. Unique: an app id names one merchant.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchants').addColumn('app_id', 'text').execute();
  await db.schema.createIndex('merchants_app_id').on('merchants').column('app_id').unique().execute();
}
