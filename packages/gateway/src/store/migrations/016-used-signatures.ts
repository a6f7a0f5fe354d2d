/**
 * The signatures of PayKKa v1.2 requests already accepted (docs/signing.md#replay): each is
 * accepted once per merchant while its timestamp is inside the signature window, the v1.2
 * counterpart of v3's nonces (012). A row holds a hash of the decoded signature, kept until the
 * window has passed for it, then deleted by the expiry job.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('used_signatures')
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('signature_hash', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('used_signatures_pk', ['merchant_id', 'signature_hash'])
    .execute();
  await db.schema
    .createIndex('used_signatures_expires_at')
    .on('used_signatures')
    .column('expires_at')
    .execute();
}
