/**
 * The dispatcher's claim of one merchant's due notifications (NotificationRepo.lockDue) asks
 * for them in (next_attempt_at, notify_id) order, a few at a time. The pending index of
 * migration 017 held (merchant_id, next_attempt_at) only, so every due row of the merchant
 * sharing the earliest due time had to be read and sorted before the first few were taken: with
 * 20,000 due at one time (a store of a million orders, docs/benchmarks-at-size.md), a claim
 * took 4.2 s on PostgreSQL, which sorted them on disk, and 0.1 s on SQLite. With notify_id in
 * the index its order is the claim's, and both stop after the rows they take: 0.5 ms. It
 * replaces 017's index, which the merchants-with-work probe reads as well as it did.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('notifications_pending_due')
    .on('notifications')
    .columns(['merchant_id', 'next_attempt_at', 'notify_id'])
    .where(sql.ref('status'), '=', 'PENDING')
    .execute();
  await db.schema.dropIndex('notifications_pending_by_merchant').execute();
}
