/**
 * The start of what a notification's receiver answered, kept with each attempt, so an operator
 * sees why a delivery failed (the dashboard, the admin API) rather than only its status. Null
 * for attempts that got no answer, and for every attempt made before this migration.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notification_attempts').addColumn('answer_excerpt', 'text').execute();
}
