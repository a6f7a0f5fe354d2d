/**
 * Client keys: the public, per-merchant key that browser libraries (encrypted-card.js) name the
 * merchant by. A merchant has one current client key, and after a rotation the previous one
 * until its grace period ends. Every merchant that already exists gets a key of its own here.
 * Both columns are unique: a client key names exactly one merchant, current or previous.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

// The key's shape is written out here rather than imported, so this shipped migration keeps
// doing what it did when domain/ids.ts changes.
const newKey = () => `ck_${randomBytes(16).toString('hex')}`;

export async function up(db: Kysely<unknown>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  await db.schema.alterTable('merchants').addColumn('client_key', 'text').execute();
  await db.schema.alterTable('merchants').addColumn('previous_client_key', 'text').execute();
  await db.schema.alterTable('merchants').addColumn('previous_client_key_expires_at', 'bigint').execute();
  // biome-ignore lint/suspicious/noExplicitAny: migrations see the tables as they were then, untyped
  const typed = db as Kysely<any>;
  const merchants = await typed.selectFrom('merchants').select('merchant_id').execute();
  for (const { merchant_id } of merchants) {
    await typed
      .updateTable('merchants')
      .set({ client_key: newKey() })
      .where('merchant_id', '=', merchant_id)
      .execute();
  }
  await db.schema.createIndex('merchants_client_key').on('merchants').column('client_key').unique().execute();
  await db.schema
    .createIndex('merchants_previous_client_key')
    .on('merchants')
    .column('previous_client_key')
    .unique()
    .execute();
}
