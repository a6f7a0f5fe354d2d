/**
 * The id of the API request whose event caused a notification, kept with the notification and
 * with each of its attempts (which send it as `X-Request-ID`), so one request can be followed
 * from its answer to the merchant's receiver. Null for events no request caused (the jobs'),
 * and for every notification made before this migration.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('request_id', 'text').execute();
  await db.schema.alterTable('notification_attempts').addColumn('request_id', 'text').execute();
}
