/**
 * Client keys, the public per-merchant keys browser libraries name a merchant by: every
 * merchant has one (migration 010 gave one to the merchants that existed before it), each is
 * unique, and a rotation gives a new one while the previous keeps working for its grace period
 * and not a moment longer (a running gateway sees the change at once).
 */
import { randomBytes } from 'node:crypto';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantRepo } from '../../src/core/merchants/repo.ts';
import { CLIENT_KEY_PATTERN, holdsClientKey } from '../../src/domain/client-key.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { openStore } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { createTestStore } from '../helpers/test-store.ts';

describe('migration 010', () => {
  it('gives every merchant that existed before it a client key of its own', async () => {
    const store = await createTestStore();
    try {
      const db =
        store.kind === 'sqlite'
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
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const before = await migrator.migrateTo('009-partial-job-indexes');
      expect(before.error).toBeUndefined();
      // biome-ignore lint/suspicious/noExplicitAny: the tables as they were before 010, untyped
      const old = db as Kysely<any>;
      const ids = ['10000000000001', '10000000000002', '10000000000003'];
      await old
        .insertInto('merchants')
        .values(
          ids.map((id) => ({ merchant_id: id, name: id, status: 'ACTIVE', created_at: 1, updated_at: 1 })),
        )
        .execute();
      await db.destroy();

      const opened = await openStore({ databaseUrl: store.databaseUrl, dataDir: store.dataDir });
      try {
        const merchants = await new MerchantRepo(opened).list();
        expect(merchants.map((m) => m.merchant_id).sort()).toEqual(ids);
        for (const m of merchants) {
          expect(m.client_key).toMatch(CLIENT_KEY_PATTERN);
          expect(m.previous_client_key).toBeNull();
        }
        expect(new Set(merchants.map((m) => m.client_key)).size).toBe(3);
      } finally {
        await opened.close();
      }
    } finally {
      await store.drop();
    }
  });
});

describe('client key rotation', () => {
  const clock = new ManualClock(Date.now());
  let gw: TestGateway;
  let merchant: TestMerchant;

  beforeAll(async () => {
    gw = await startGateway({ clock });
    merchant = await gw.createMerchant();
  });
  afterAll(() => gw?.close());

  it('every merchant gets its own key at creation', async () => {
    const another = await gw.createMerchant();
    expect(merchant.clientKey).toMatch(CLIENT_KEY_PATTERN);
    expect(another.clientKey).toMatch(CLIENT_KEY_PATTERN);
    expect(another.clientKey).not.toBe(merchant.clientKey);
  });

  it('keeps the previous key for the grace period, then only the new one', async () => {
    const old = (await gw.merchants.find(merchant.merchantId)).client_key;
    const rotated = await gw.merchants.rotateClientKey(merchant.merchantId, 60_000);
    expect(rotated.client_key).not.toBe(old);
    expect(rotated.previous_client_key).toBe(old);
    expect(rotated.previous_client_key_expires_at).toBe(clock.now() + 60_000);
    expect((await gw.merchants.byClientKey(old))?.merchant_id).toBe(merchant.merchantId);
    expect((await gw.merchants.byClientKey(rotated.client_key))?.merchant_id).toBe(merchant.merchantId);
    clock.advance(59_999);
    expect(holdsClientKey(rotated, old, clock.now())).toBe(true);
    clock.advance(1);
    expect(holdsClientKey(rotated, old, clock.now())).toBe(false);
    expect(await gw.merchants.byClientKey(old)).toBeUndefined();
    expect((await gw.merchants.byClientKey(rotated.client_key))?.merchant_id).toBe(merchant.merchantId);
  });

  it('with no grace the previous key stops at once; a second rotation drops a key still in its grace', async () => {
    const first = await gw.merchants.rotateClientKey(merchant.merchantId, 60_000);
    const second = await gw.merchants.rotateClientKey(merchant.merchantId, 0);
    expect(second.previous_client_key).toBeNull();
    expect(await gw.merchants.byClientKey(first.client_key)).toBeUndefined();
    expect(await gw.merchants.byClientKey(first.previous_client_key!)).toBeUndefined();
    const third = await gw.merchants.rotateClientKey(merchant.merchantId, 60_000);
    await gw.merchants.rotateClientKey(merchant.merchantId, 60_000);
    // The key that was current before `third` was dropped when `third` was rotated out.
    expect(await gw.merchants.byClientKey(second.client_key)).toBeUndefined();
    expect((await gw.merchants.byClientKey(third.client_key))?.merchant_id).toBe(merchant.merchantId);
  });

  it('a disabled merchant answers to none of its keys; malformed keys never reach the store', async () => {
    const current = (await gw.merchants.find(merchant.merchantId)).client_key;
    await gw.merchants.setEnabled(merchant.merchantId, false);
    expect(await gw.merchants.byClientKey(current)).toBeUndefined();
    await gw.merchants.setEnabled(merchant.merchantId, true);
    expect((await gw.merchants.byClientKey(current))?.merchant_id).toBe(merchant.merchantId);
    for (const bad of [
      '',
      `${current}x`,
      current.toUpperCase(),
      `ck_${randomBytes(16).toString('hex')}'--`,
      '\u0000',
    ]) {
      expect(await gw.merchants.byClientKey(bad)).toBeUndefined();
    }
  });

  it('refuses a negative grace and an unknown merchant', async () => {
    await expect(gw.merchants.rotateClientKey(merchant.merchantId, -1)).rejects.toThrow(
      /must not be negative/,
    );
    await expect(gw.merchants.rotateClientKey('99999999999999', 0)).rejects.toThrow(
      /no merchant 99999999999999/,
    );
  });
});
