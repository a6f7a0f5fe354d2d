/**
 * Group commit on a real SQLite file: transactions queued in one turn of the event loop share
 * one COMMIT; nobody is answered before the WAL sync that follows it has finished, and
 * everybody in the batch is refused if it fails; a failing transaction rolls back alone; and
 * the connection is back at synchronous=FULL for writes outside group commit; runEarly answers
 * its caller as soon as its write ran inside the open batch; durable() covers another process's
 * commits too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../src/store/group-commit.ts';
import type { Database } from '../../../src/store/schema.ts';
import { WalSync } from '../../../src/store/wal-sync.ts';

/** A WAL sync the test finishes by hand, counting how often it was asked. */
class ManualSync {
  calls = 0;
  private pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  sync(): Promise<void> {
    this.calls++;
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  finish(err?: Error): void {
    for (const p of this.pending.splice(0)) err ? p.reject(err) : p.resolve();
  }
}

let dir: string;
let writer: SqliteDatabase.Database;
let db: Kysely<Database>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openkka-gc-'));
  writer = new SqliteDatabase(join(dir, 'test.db'));
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = FULL');
  writer.exec('create table t (id integer primary key)');
  db = new Kysely<Database>({ dialect: new SqliteDialect({ database: writer }) });
});
afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (id: number) => (tx: Kysely<Database>) => sql`insert into t (id) values (${id})`.execute(tx);
const count = () => {
  const other = new SqliteDatabase(join(dir, 'test.db'), { readonly: true });
  try {
    return (other.prepare('select count(*) as n from t').get() as { n: number }).n;
  } finally {
    other.close();
  }
};
const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  return done;
};

describe('group commit', () => {
  it('answers a batch only after the WAL sync that follows its COMMIT', async () => {
    const wal = new ManualSync();
    const group = new GroupCommit(db, writer, wal as unknown as WalSync);
    const jobs = [1, 2, 3].map((id) => group.run(insert(id)));
    expect(await settled(Promise.all(jobs))).toBe(false);
    // Committed (another connection sees it), one sync for the three, nobody answered yet.
    expect(count()).toBe(3);
    expect(wal.calls).toBe(1);
    wal.finish();
    await Promise.all(jobs);
    expect(writer.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('refuses every transaction of the batch when the sync fails', async () => {
    const wal = new ManualSync();
    const group = new GroupCommit(db, writer, wal as unknown as WalSync);
    const jobs = [1, 2].map((id) => group.run(insert(id)));
    await settled(Promise.all(jobs));
    wal.finish(new Error('EIO'));
    for (const job of jobs) await expect(job).rejects.toThrow('EIO');
  });

  it('rolls back a failing transaction alone', async () => {
    const wal = new ManualSync();
    const group = new GroupCommit(db, writer, wal as unknown as WalSync);
    const ok = group.run(insert(1));
    const failing = group.run(async (tx) => {
      await insert(2)(tx);
      throw new Error('refused');
    });
    const after = group.run(insert(3));
    await settled(ok);
    wal.finish();
    await expect(failing).rejects.toThrow('refused');
    await Promise.all([ok, after]);
    expect(writer.prepare('select id from t order by id').pluck().all()).toEqual([1, 3]);
  });

  it('runEarly settles once its write ran in the open batch, before the COMMIT and the sync', async () => {
    const wal = new ManualSync();
    const group = new GroupCommit(db, writer, wal as unknown as WalSync);
    let open!: () => void;
    const held = new Promise<void>((resolve) => {
      open = resolve;
    });
    const early = group.runEarly(async (tx) => {
      await insert(1)(tx);
      return 'claimed';
    });
    // Queued in the same turn, so in the same batch, which it keeps open until the test says.
    const next = group.run(async (tx) => {
      await held;
      await insert(2)(tx);
    });
    expect(await early).toBe('claimed');
    expect([wal.calls, count()]).toEqual([0, 0]);
    open();
    await settled(next);
    wal.finish();
    await next;
    expect([wal.calls, count()]).toEqual([1, 2]);

    // A failing one rejects its caller and rolls back alone.
    const failing = group.runEarly(async (tx) => {
      await insert(3)(tx);
      throw new Error('refused');
    });
    await expect(failing).rejects.toThrow('refused');
    await settled(failing);
    wal.finish();
    expect(count()).toBe(2);
  });

  it('durable() waits while a committed batch, visible to readers, is not yet synced', async () => {
    const wal = new ManualSync();
    const group = new GroupCommit(db, writer, wal as unknown as WalSync);
    await group.durable(); // nothing committed: settled at once
    const job = group.run(insert(1));
    await settled(job);
    expect(count()).toBe(1); // a reader already sees it
    const durable = group.durable();
    expect(await settled(durable)).toBe(false);
    wal.finish();
    await durable;
    await job;
    await group.durable();
  });

  it('durable() rejects when the sync of what was read failed', async () => {
    const wal = new ManualSync();
    const group = new GroupCommit(db, writer, wal as unknown as WalSync);
    const job = group.run(insert(1));
    await settled(job);
    const durable = group.durable();
    wal.finish(new Error('EIO'));
    await expect(durable).rejects.toThrow('EIO');
    await expect(job).rejects.toThrow('EIO');
    // The failed sync is not held against what commits later.
    const next = group.run(insert(2));
    await settled(next);
    wal.finish();
    await next;
    await group.durable();
  });

  it('durable() syncs the WAL for what another process committed, and only then', async () => {
    const wal = new ManualSync();
    const group = new GroupCommit(db, writer, wal as unknown as WalSync);
    // Its own batch: one sync, and durable() asks for no other once it is done.
    const own = group.run(insert(1));
    await settled(own);
    wal.finish();
    await own;
    await group.durable();
    expect(wal.calls).toBe(1);

    // Another process's commit, not synced (as a worker's batch is before its own sync).
    const other = new SqliteDatabase(join(dir, 'test.db'));
    try {
      other.pragma('synchronous = OFF');
      other.prepare('insert into t (id) values (2)').run();
      const durable = group.durable();
      expect(wal.calls).toBe(2);
      expect(await settled(durable)).toBe(false);
      // A second reader meanwhile may have seen the same commit: it waits for the same sync.
      const again = group.durable();
      expect(wal.calls).toBe(2);
      expect(await settled(again)).toBe(false);
      wal.finish();
      await Promise.all([durable, again]);
      // Nothing new since: settled at once, no sync.
      await group.durable();
      expect(wal.calls).toBe(2);
      other.prepare('insert into t (id) values (3)').run();
      const third = group.durable();
      expect(wal.calls).toBe(3);
      wal.finish();
      await third;
    } finally {
      other.close();
    }
  });

  it('with the real WAL sync, everything committed is answered', async () => {
    const group = new GroupCommit(db, writer, new WalSync(join(dir, 'test.db-wal')));
    await Promise.all(Array.from({ length: 50 }, (_, i) => group.run(insert(i + 1))));
    expect(count()).toBe(50);
  });
});

describe('WAL sync', () => {
  it('callers arriving while a sync runs share the next one', async () => {
    await db.executeQuery(sql`insert into t (id) values (1)`.compile(db));
    const wal = new WalSync(join(dir, 'test.db-wal'));
    const first = wal.sync();
    const second = wal.sync();
    const third = wal.sync();
    expect(second).toBe(third);
    expect(second).not.toBe(first);
    await Promise.all([first, second, third]);
    wal.close();
  });
});
