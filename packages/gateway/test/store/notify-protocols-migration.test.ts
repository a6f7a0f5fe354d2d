/**
 * Migration 014 on a store that already holds orders, sessions and merchants: they were all
 * made over v1.2, the only wire there was, so they keep notifying in it; no merchant has an
 * override; and neither column takes anything but the two protocols, whatever writes it.
 */
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { expect, it } from 'vitest';
import { newOrderRow } from '../../src/core/orders/order-row.ts';
import { OrderRepo } from '../../src/core/orders/repo.ts';
import { openStore } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';

async function rawDb(store: TestStore): Promise<Kysely<unknown>> {
  return store.kind === 'sqlite'
    ? new Kysely<unknown>({
        dialect: new SqliteDialect({
          database: new (await import('better-sqlite3')).default(`${store.dataDir}/openkka.db`),
        }),
      })
    : new Kysely<unknown>({
        dialect: new PostgresDialect({
          pool: new (await import('pg')).default.Pool({ connectionString: store.databaseUrl }),
        }),
      });
}

it('gives the rows made before it the v1.2 wire, no override, and refuses other protocols', async () => {
  const store = await createTestStore();
  try {
    const db = await rawDb(store);
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo('013-merchant-app-ids')).error).toBeUndefined();
    // biome-ignore lint/suspicious/noExplicitAny: the tables as they were before 014, untyped
    const old = db as Kysely<any>;
    await old
      .insertInto('merchants')
      .values({ merchant_id: 'M1', name: 'm', status: 'ACTIVE', created_at: 1, updated_at: 1 })
      .execute();
    const { wire: _none, ...order } = newOrderRow({
      order_id: 'GW1',
      merchant_id: 'M1',
      trans_id: 'T1',
      payment_type: 'PURCHASE',
      authorisation_type: 'FINAL_AUTH',
      capture_method: 'AUTOMATIC',
      payment_method: 'BANKCARD',
      amount: 100,
      currency: 'USD',
      expire_at: 2,
      created_at: 1,
    });
    await old.insertInto('orders').values(order).execute();
    await old
      .insertInto('checkout_sessions')
      .values({
        session_id: 'CS1',
        merchant_id: 'M1',
        trans_id: 'T2',
        status: 'OPEN',
        session_mode: 'HOSTED',
        session_url: 'https://gateway.example/checkout/CS1',
        payment_type: 'PURCHASE',
        authorisation_type: 'FINAL_AUTH',
        capture_method: 'AUTOMATIC',
        amount: 100,
        currency: 'USD',
        return_url: 'https://shop.example/return',
        allowed_payment_methods: '["BANKCARD"]',
        store_payment_method: 0,
        expire_at: 2,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await db.destroy();

    const opened = await openStore({ databaseUrl: store.databaseUrl, dataDir: store.dataDir });
    try {
      expect((await new OrderRepo(opened).byOrderIdAny('GW1'))?.wire).toBe('v1.2');
      const session = await opened.writer
        .selectFrom('checkout_sessions')
        .select('wire')
        .executeTakeFirstOrThrow();
      expect(session.wire).toBe('v1.2');
      const merchant = await opened.writer
        .selectFrom('merchants')
        .select('notify_protocol')
        .executeTakeFirstOrThrow();
      expect(merchant.notify_protocol).toBeNull();

      // biome-ignore lint/suspicious/noExplicitAny: writing what the types would not let through
      const untyped = opened.writer as Kysely<any>;
      await expect(untyped.updateTable('orders').set({ wire: 'v2' }).execute()).rejects.toThrow();
      await expect(untyped.updateTable('checkout_sessions').set({ wire: 'V3' }).execute()).rejects.toThrow();
      await expect(
        untyped.updateTable('merchants').set({ notify_protocol: 'auto' }).execute(),
      ).rejects.toThrow();
      await untyped.updateTable('merchants').set({ notify_protocol: 'v3' }).execute();
    } finally {
      await opened.close();
    }
  } finally {
    await store.drop();
  }
});
