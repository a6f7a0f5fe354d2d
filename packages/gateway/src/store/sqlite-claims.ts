/**
 * Claims on SQLite that do not wait for the group commit's turn. A claim needs no durability of
 * its own (nothing is answered from it; unique-claims.ts), yet inside the group commit it waited
 * for the batch before it, WAL sync included, and the caller's writes then waited for another:
 * a whole batch more of latency on every request. Here the claims of one turn of the event loop
 * go in one small transaction on the writer at once, committed without a sync (synchronous =
 * NORMAL). The writer and any other process see them from that commit on; the caller's own
 * writes commit later, in a group commit whose sync of the WAL takes the claims to disk first.
 */
import type SqliteDatabase from 'better-sqlite3';
import type { Store } from './db.ts';
import type { GroupCommit } from './group-commit.ts';

type Params = readonly unknown[];

interface Pending {
  params: Params;
  resolve: (claimed: boolean) => void;
  reject: (err: unknown) => void;
}

export class SqliteClaims {
  private readonly writer: SqliteDatabase.Database;
  private readonly groupCommit: GroupCommit;
  private pending: Pending[] = [];
  // Prepared on first use: the schema exists only once the store is migrated.
  private statements: ReturnType<typeof prepareStatements> | undefined;

  constructor(
    store: Store,
    private readonly insert: string,
  ) {
    if (store.raw.kind !== 'sqlite' || !store.groupCommit)
      throw new Error('SqliteClaims needs an SQLite store');
    this.writer = store.raw.writer;
    this.groupCommit = store.groupCommit;
  }

  /** True when this caller inserted the row, false when it was there already. */
  claim(params: Params): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ params, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const claims = this.pending;
    this.pending = [];
    this.statements ??= prepareStatements(this.writer, this.insert);
    const { insert } = this.statements;
    // A transaction left open across an await (a job of the group commit's, or another writer's)
    // must not take the claims in: rolled back, it would free a claim already granted. They go
    // into the group commit then, settled as soon as they ran there.
    if (this.writer.inTransaction) {
      for (const c of claims) {
        this.groupCommit.runEarly(async () => insert.run(c.params).changes === 1).then(c.resolve, c.reject);
      }
      return;
    }
    const { lazy, begin, commit, rollback, full } = this.statements;
    let claimed: boolean[];
    try {
      lazy.run();
      try {
        begin.run();
        claimed = claims.map((c) => insert.run(c.params).changes === 1);
        commit.run();
      } catch (err) {
        if (this.writer.inTransaction) rollback.run();
        throw err;
      } finally {
        full.run();
      }
    } catch (err) {
      for (const c of claims) c.reject(err);
      return;
    }
    for (const [i, c] of claims.entries()) c.resolve(claimed[i]!);
  }
}

function prepareStatements(writer: SqliteDatabase.Database, insert: string) {
  return {
    insert: writer.prepare(insert),
    // NORMAL commits to the WAL without a sync; FULL is what the writer keeps outside batches.
    lazy: writer.prepare('pragma synchronous = NORMAL'),
    full: writer.prepare('pragma synchronous = FULL'),
    begin: writer.prepare('begin immediate'),
    commit: writer.prepare('commit'),
    rollback: writer.prepare('rollback'),
  };
}
