/**
 * Group commit for the embedded store. A durable SQLite commit (synchronous=FULL) costs an
 * fsync; at concurrency that, not SQL, bounds throughput. Transactions that arrive while one
 * is running are queued and run one after another inside a single BEGIN IMMEDIATE … COMMIT,
 * each in its own savepoint, so a failing one rolls back alone. Every caller's promise settles
 * only after the shared COMMIT: nothing is reported done before it is durable.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

type Job = {
  fn: (tx: Kysely<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
};

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private readonly queue: Job[] = [];
  private draining = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBatch = 128,
  ) {}

  run<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.draining) return;
      this.draining = true;
      // A batch starts after the event loop's current I/O phase, so it holds every transaction
      // the requests read meanwhile. Started at once it held only the first: better-sqlite3
      // runs synchronously, so nothing else could join before its COMMIT (one fsync each).
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.runBatch();
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(): Promise<void> {
    const batch: Job[] = [];
    const outcomes: Outcome[] = [];
    try {
      await this.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          // Jobs that arrive while the batch runs join it, up to maxBatch.
          while (this.queue.length > 0 && batch.length < this.maxBatch) {
            const job = this.queue.shift()!;
            batch.push(job);
            outcomes.push(await runInSavepoint(conn, job));
          }
          await sql`commit`.execute(conn);
        } catch (err) {
          await sql`rollback`.execute(conn).catch(() => {});
          throw err;
        }
      });
    } catch (err) {
      // BEGIN or COMMIT failed: nothing of this batch was kept.
      for (const job of batch) job.reject(err);
      return;
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}

async function runInSavepoint(conn: Kysely<Database>, job: Job): Promise<Outcome> {
  await sql`savepoint job`.execute(conn);
  try {
    const value = await job.fn(conn);
    await sql`release job`.execute(conn);
    return { ok: true, value };
  } catch (error) {
    await sql`rollback to job`.execute(conn);
    await sql`release job`.execute(conn);
    return { ok: false, error };
  }
}
