/**
 * What a checkout session says was bought and for whom: its goods, bill-to and ship-to as one
 * JSON text (domain/order-details.ts), shown on its page and answered by queries. NULL when the
 * merchant sent none, as for every session made before.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('checkout_sessions').addColumn('order_details', 'text').execute();
}
