/**
 * 3-D Secure codes no longer at rest (docs/security.md#files-and-secrets-at-rest): a new
 * challenge's code is derived under a vault key and never stored, so the plain `otp` column
 * goes. A migration has no key, so a challenge still pending keeps the code its shopper was
 * shown, in `legacy_otp`, cleared when the challenge ends; finished ones lose theirs here.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('challenges').addColumn('legacy_otp', 'text').execute();
  await sql`UPDATE challenges SET legacy_otp = otp WHERE status = 'PENDING'`.execute(db);
  // SQLite (3.35 and later, as better-sqlite3 bundles) drops a column that no index names.
  await db.schema.alterTable('challenges').dropColumn('otp').execute();
}
