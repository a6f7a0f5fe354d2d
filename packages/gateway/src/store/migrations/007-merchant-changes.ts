/**
 * PostgreSQL only: every change to a merchant or one of its keys, by any process (the CLI, an
 * operator's SQL), notifies channel `openkka_merchants` with the merchant id when it commits,
 * so a running gateway can keep what request authentication reads in memory and drop it at
 * once (merchants/auth-cache-pg.ts). SQLite has no notifications: there the gateway watches
 * the store's data version instead (merchants/auth-cache-sqlite.ts).
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    create function openkka_merchant_changed() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        perform pg_notify('openkka_merchants', old.merchant_id);
      else
        perform pg_notify('openkka_merchants', new.merchant_id);
      end if;
      return null;
    end $$`.execute(db);
  for (const table of ['merchants', 'merchant_keys']) {
    await sql`
      create trigger ${sql.raw(`${table}_changed`)} after insert or update or delete on ${sql.table(table)}
      for each row execute function openkka_merchant_changed()`.execute(db);
  }
}
