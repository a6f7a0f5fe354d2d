/**
 * The SQLite authentication cache on a real file with two connections: an answer is kept until
 * another connection commits (the store's data version moves) or this process says it changed
 * the merchant, and a lookup that was running when a change became known is not kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MerchantWithKeys } from '../../../src/core/merchants/auth-cache.ts';
import { VersionedAuthCache } from '../../../src/core/merchants/auth-cache-sqlite.ts';

let dir: string;
let writer: SqliteDatabase.Database;
let elsewhere: SqliteDatabase.Database;
let cache: VersionedAuthCache;
let loads: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openkka-auth-cache-'));
  const file = join(dir, 'test.db');
  writer = new SqliteDatabase(file);
  writer.pragma('journal_mode = WAL');
  writer.exec('create table t (id integer primary key)');
  elsewhere = new SqliteDatabase(file);
  cache = new VersionedAuthCache(writer);
  loads = 0;
});

afterEach(() => {
  elsewhere.close();
  writer.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A loader that counts its calls and answers a fresh object each time. */
function load(status: 'ACTIVE' | 'DISABLED' = 'ACTIVE') {
  return async (): Promise<MerchantWithKeys> => {
    loads++;
    return {
      merchant: {
        merchant_id: 'M1',
        name: 'm',
        status,
        notify_url: null,
        uses_checkout: false,
        app_id: null,
        notify_protocol: null,
        created_at: 0,
        client_key: 'ck_00000000000000000000000000000001',
        previous_client_key: null,
        previous_client_key_expires_at: null,
      },
      keys: [],
    };
  };
}

describe('VersionedAuthCache', () => {
  it('keeps an answer while nothing else commits', async () => {
    const first = await cache.get('M1', load());
    expect(await cache.get('M1', load())).toBe(first);
    expect(loads).toBe(1);
    expect(cache.active).toBe(true);
  });

  it('reads again after another connection commits, whatever it changed', async () => {
    await cache.get('M1', load());
    elsewhere.exec('insert into t values (1)');
    const again = await cache.get('M1', load('DISABLED'));
    expect(again?.merchant.status).toBe('DISABLED');
    expect(loads).toBe(2);
  });

  it("does not see its own writer's commits: this process's changes must invalidate", async () => {
    await cache.get('M1', load());
    writer.exec('insert into t values (1)');
    await cache.get('M1', load());
    expect(loads).toBe(1);
    cache.invalidate('M1');
    await cache.get('M1', load());
    expect(loads).toBe(2);
  });

  it('does not keep a lookup that was running when a change became known', async () => {
    const racing = cache.get('M1', async () => {
      elsewhere.exec('insert into t values (1)');
      return load()();
    });
    await racing;
    await cache.get('M1', load());
    expect(loads).toBe(2);
  });

  it('does not keep a lookup that found no merchant', async () => {
    expect(await cache.get('M9', async () => undefined)).toBeUndefined();
    await cache.get('M9', load());
    expect(loads).toBe(1);
  });
});
