/**
 * One connection that seeds, on either store: statements run in order, in transactions the
 * seeder opens, with the temporary tables it made. SQLite's is the store's write connection
 * (nothing else writes while the command runs); PostgreSQL's a client of its own from the pool,
 * dropped afterwards with its temporary tables.
 */
import type { Store } from '../store/db.ts';

export interface SeedConnection {
  /** Runs one statement; resolves with the rows it changed. */
  run(sql: string): Promise<number>;
  /** Inserts `rows` into `table`, their values bound as parameters. */
  insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  /** Reads one row. */
  one<T>(sql: string): Promise<T>;
  transaction(fn: () => Promise<void>): Promise<void>;
  release(): Promise<void>;
}

export async function seedConnection(store: Store): Promise<SeedConnection> {
  if (store.raw.kind === 'sqlite') {
    const db = store.raw.writer;
    // Room for the indexes the load writes into (the gateway's default cache is 2 MB).
    db.pragma('cache_size = -262144');
    return {
      run: async (sql) => db.prepare(sql).run().changes,
      insert: async (table, columns, rows) => {
        const statement = db.prepare(
          `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
        );
        for (const row of rows) statement.run(...row);
      },
      one: async <T>(sql: string) => db.prepare(sql).get() as T,
      transaction: async (fn) => {
        db.exec('begin immediate');
        try {
          await fn();
          db.exec('commit');
        } catch (err) {
          if (db.inTransaction) db.exec('rollback');
          throw err;
        }
      },
      release: async () => {
        db.pragma('cache_size = -2000');
      },
    };
  }
  const client = await store.raw.pool.connect();
  // Each seeding statement is one large expression run once a chunk: compiling it (JIT, on by
  // default when PostgreSQL is built with LLVM) took longer than running it, a second a statement.
  await client.query('set jit = off');
  return {
    run: async (sql) => (await client.query(sql)).rowCount ?? 0,
    insert: async (table, columns, rows) => {
      for (const row of rows) {
        await client.query(
          `insert into ${table} (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
          row as unknown[],
        );
      }
    },
    one: async <T>(sql: string) => (await client.query(sql)).rows[0] as T,
    transaction: async (fn) => {
      await client.query('begin');
      try {
        await fn();
        await client.query('commit');
      } catch (err) {
        // A connection that broke cannot roll back; the server ends its transaction anyway.
        await client.query('rollback').catch(() => undefined);
        throw err;
      }
    },
    // Destroyed, not returned to the pool: its temporary tables go with it.
    release: async () => client.release(true),
  };
}
