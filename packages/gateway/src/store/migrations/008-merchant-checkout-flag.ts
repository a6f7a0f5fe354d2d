/**
 * Whether a merchant has ever created a checkout session. Only such a merchant's direct
 * payments need the "does this trans_id name a session?" lookup (docs/checkout.md), so every
 * other payment skips a statement (on PostgreSQL, a round trip).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('merchants')
    .addColumn('uses_checkout', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
