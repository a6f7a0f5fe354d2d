/**
 * The nonces of PayKKa v3 requests (docs/signing.md#v3): each is accepted once per app id while
 * its timestamp is inside the signature window, so a signed request cannot be sent twice. The
 * row is kept until the window has passed for it, then deleted by the expiry job.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('request_nonces')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('request_nonces_pk', ['app_id', 'nonce'])
    .execute();
  await db.schema
    .createIndex('request_nonces_expires_at')
    .on('request_nonces')
    .column('expires_at')
    .execute();
}
