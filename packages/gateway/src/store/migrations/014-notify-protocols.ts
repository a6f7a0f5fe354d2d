/**
 * Which protocol a merchant's notifications speak (docs/notifications.md#v3-deliveries). An
 * order and a checkout session remember the wire that created them, every existing one v1.2,
 * the only wire there was; a merchant may have its notifications always sent in one protocol
 * (`notify_protocol`), NULL meaning "as each order was created". The checks keep anything
 * but the two protocols out, whatever writes the row.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['orders', 'checkout_sessions']) {
    await db.schema
      .alterTable(table)
      .addColumn('wire', 'text', (c) => c.notNull().defaultTo('v1.2').check(sql`wire in ('v1.2', 'v3')`))
      .execute();
  }
  await db.schema
    .alterTable('merchants')
    .addColumn('notify_protocol', 'text', (c) => c.check(sql`notify_protocol in ('v1.2', 'v3')`))
    .execute();
}
