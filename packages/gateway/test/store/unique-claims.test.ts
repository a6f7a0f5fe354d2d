/**
 * The replay guard's claims (store/unique-claims.ts, sqlite-claims.ts), on each store: one
 * winner among copies made at once, every distinct proof granted, and on SQLite a claim made
 * while another writer holds a transaction open never rides on that transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { UniqueClaims } from '../../src/store/unique-claims.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';

let testStore: TestStore;
let store: Store;
let claims: UniqueClaims;
const TABLE = { table: 'used_signatures', owner: 'merchant_id', proof: 'signature_hash' };
const expiresAt = Date.now() + 600_000;

beforeAll(async () => {
  testStore = await createTestStore();
  store = await openStore({ databaseUrl: testStore.databaseUrl, dataDir: testStore.dataDir });
  claims = new UniqueClaims(store, TABLE);
});

afterAll(async () => {
  await store?.close();
  await testStore?.drop();
});

describe('unique claims', () => {
  it('grant one of 50 copies made at once, and none afterwards', async () => {
    const granted = await Promise.all(
      Array.from({ length: 50 }, () => claims.claim('m1', 'same', expiresAt)),
    );
    expect(granted.filter(Boolean)).toHaveLength(1);
    expect(await claims.claim('m1', 'same', expiresAt)).toBe(false);
  });

  it('grant every distinct proof, per owner, once', async () => {
    const proofs = Array.from({ length: 40 }, (_, i) => `p${i}`);
    expect(await Promise.all(proofs.map((p) => claims.claim('m2', p, expiresAt)))).toEqual(
      proofs.map(() => true),
    );
    expect(await Promise.all(proofs.map((p) => claims.claim('m2', p, expiresAt)))).toEqual(
      proofs.map(() => false),
    );
    // The same proof is another merchant's to claim.
    expect(await claims.claim('m3', 'p0', expiresAt)).toBe(true);
  });

  it('keep a claim made during another transaction that then rolls back', async () => {
    const groupCommit = store.groupCommit;
    if (!groupCommit) {
      // PostgreSQL: each claim statement is its own transaction; a rolled-back one elsewhere
      // cannot take it along. Shown by a claim inside a failed transaction of another client.
      await expect(
        store.writer.transaction().execute(async () => {
          expect(await claims.claim('m4', 'during', expiresAt)).toBe(true);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await claims.claim('m4', 'during', expiresAt)).toBe(false);
      return;
    }
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let open!: () => void;
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    // A group-commit job that keeps the writer's transaction open across an await, then fails.
    const failing = groupCommit.run(async () => {
      open();
      await held;
      throw new Error('rolled back');
    });
    await opened;
    const during = claims.claim('m4', 'during', expiresAt);
    setTimeout(release, 20);
    await expect(failing).rejects.toThrow('rolled back');
    expect(await during).toBe(true);
    expect(await claims.claim('m4', 'during', expiresAt)).toBe(false);
    const rows = await store.reader
      .selectFrom('used_signatures')
      .select('signature_hash')
      .where('merchant_id', '=', 'm4')
      .execute();
    expect(rows).toEqual([{ signature_hash: 'during' }]);
  });
});
