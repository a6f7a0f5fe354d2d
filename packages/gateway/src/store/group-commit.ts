/**
 * Group commit for the embedded store. A durable SQLite commit costs an fsync; at concurrency
 * that, not SQL, bounds throughput. Transactions that arrive while one is running are queued
 * and run one after another inside a single BEGIN IMMEDIATE … COMMIT, each in its own
 * savepoint, so a failing one rolls back alone.
 *
 * The batch commits with synchronous=NORMAL and the WAL is then fdatasync'ed on the thread
 * pool (wal-sync.ts), so the event loop keeps serving requests meanwhile and the next batch
 * forms; it commits once the sync is done. Every caller's promise settles only after that
 * sync: nothing is reported done before it is durable. Writes outside group commit keep
 * synchronous=FULL.
 */
import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { CommitMeter } from './commit-meter.ts';
import type { Database } from './schema.ts';
import type { WalSync } from './wal-sync.ts';

type Job = {
  fn: (tx: Kysely<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
};

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The batch's own statements, prepared once (they ran through Kysely's compiler before). */
function controlStatements(raw: SqliteDatabase.Database) {
  const statement = (text: string) => {
    const stmt = raw.prepare(text);
    return () => void stmt.run();
  };
  return {
    lazy: statement('pragma synchronous = NORMAL'),
    full: statement('pragma synchronous = FULL'),
    begin: statement('begin immediate'),
    commit: statement('commit'),
    rollback: statement('rollback'),
    savepoint: statement('savepoint job'),
    release: statement('release job'),
    rollbackTo: statement('rollback to job'),
  };
}

export class GroupCommit {
  private readonly queue: Job[] = [];
  private draining = false;
  private control: ReturnType<typeof controlStatements> | undefined;
  /** The sync of the batch committed last, while it runs. */
  private unsynced: Promise<void> | undefined;
  /**
   * `pragma data_version` on the writer, which makes every write of this process: it moves for
   * exactly the commits this process did not make (core/merchants/auth-cache-sqlite.ts).
   */
  private readonly dataVersion: SqliteDatabase.Statement;
  private versionSeen: unknown;
  /** The sync started for other connections' commits, while it runs. */
  private othersUnsynced: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly raw: SqliteDatabase.Database,
    private readonly wal: WalSync,
    private readonly meter?: CommitMeter,
    private readonly maxBatch = 128,
  ) {
    this.dataVersion = raw.prepare('pragma data_version').pluck();
    this.versionSeen = this.dataVersion.get();
  }

  run<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.draining) return;
      this.draining = true;
      // A batch starts after the event loop's current I/O phase, so it holds every transaction
      // the requests read meanwhile. Started at once it held only the first: better-sqlite3
      // runs synchronously, so nothing else could join before its COMMIT.
      setImmediate(() => void this.drain());
    });
  }

  /**
   * Runs `fn` in a batch like `run`, but settles as soon as `fn` has run inside the batch's open
   * transaction, before the COMMIT and its sync. Only for a write that needs no durability of
   * its own because nothing is answered from it: whatever the caller goes on to write commits in
   * the same batch or a later one, so it reaches the disk only with this write (the WAL is
   * synced in order). Waiting for the sync would add a whole batch to the caller's latency.
   */
  runEarly<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // The batch's own outcome is nobody's to hear: the caller was settled when `fn` ran.
      this.run(async (tx) => {
        try {
          const value = await fn(tx);
          resolve(value);
          return value;
        } catch (err) {
          reject(err);
          throw err;
        }
      }).catch(() => {});
    });
  }

  /**
   * Settles once every batch committed so far is on disk. Another connection sees a batch as
   * soon as it commits, before its sync; an answer built from such a read waits here, so no
   * one is told of a state that a crash could still take back. Rejects if that sync failed.
   *
   * That holds for other processes' batches too (workers of one `openkka start`, several
   * gateways on one file): a read may show one that its process has not synced yet. When the
   * writer's data version moved, some other connection committed since the last look, so the
   * WAL is synced here as well: one fdatasync of the file takes every process's frames to disk.
   */
  durable(): Promise<void> {
    const own = this.unsynced;
    const others = this.othersDurable();
    if (!others) return own ?? Promise.resolve();
    return own ? Promise.all([own, others]).then(() => {}) : others;
  }

  /** The WAL sync that covers other connections' commits seen so far, while it runs. */
  private othersDurable(): Promise<void> | undefined {
    const version = this.dataVersion.get();
    if (version !== this.versionSeen) {
      this.versionSeen = version;
      const sync = this.wal.sync();
      const settled = () => {
        if (this.othersUnsynced === sync) this.othersUnsynced = undefined;
      };
      sync.then(settled, settled); // its failure is the caller's (returned), not unhandled
      this.othersUnsynced = sync;
    }
    return this.othersUnsynced;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.runBatch();
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(): Promise<void> {
    this.control ??= controlStatements(this.raw);
    const control = this.control;
    const batch: Job[] = [];
    const outcomes: Outcome[] = [];
    let synced: Promise<void> | undefined;
    const started = performance.now();
    try {
      // Holding Kysely's connection keeps its other users' statements out of the transaction.
      await this.db.connection().execute(async (conn) => {
        control.lazy();
        try {
          control.begin();
          try {
            // Jobs that arrive while the batch runs join it, up to maxBatch.
            while (this.queue.length > 0 && batch.length < this.maxBatch) {
              const job = this.queue.shift()!;
              batch.push(job);
              outcomes.push(await runInSavepoint(conn, job, control));
            }
            control.commit();
            // Started the moment the batch is visible, and known to durable() from then on.
            const sync = this.wal.sync();
            const settled = () => {
              if (this.unsynced === sync) this.unsynced = undefined;
            };
            sync.then(settled, settled); // its failure is the jobs' (below), not unhandled
            this.unsynced = synced = sync;
          } catch (err) {
            try {
              control.rollback();
            } catch {}
            throw err;
          }
        } finally {
          // Only possible outside a transaction; were one still open, the next batch fails to begin.
          if (!this.raw.inTransaction) control.full();
        }
      });
    } catch (err) {
      // BEGIN or COMMIT failed: nothing of this batch was kept.
      for (const job of batch) job.reject(err);
      return;
    }
    // Settled once durable. The next batch waits for it too: meanwhile its transactions
    // accumulate, so fewer, larger commits write each shared page once.
    await synced!.then(
      () => {
        this.meter?.committed(started, batch.length);
        batch.forEach((job, i) => {
          const outcome = outcomes[i]!;
          if (outcome.ok) job.resolve(outcome.value);
          else job.reject(outcome.error);
        });
      },
      (err: unknown) => {
        // Committed but not known to be on disk: no caller may be told it is done.
        for (const job of batch) job.reject(err);
      },
    );
  }
}

async function runInSavepoint(
  conn: Kysely<Database>,
  job: Job,
  control: ReturnType<typeof controlStatements>,
): Promise<Outcome> {
  control.savepoint();
  try {
    const value = await job.fn(conn);
    control.release();
    return { ok: true, value };
  } catch (error) {
    control.rollbackTo();
    control.release();
    return { ok: false, error };
  }
}
