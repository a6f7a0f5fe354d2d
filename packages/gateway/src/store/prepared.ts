/**
 * Hand-written statements for the few queries every payment runs, prepared once and bypassing
 * Kysely's query building and compiling (which cost more than running them). Written once
 * with `?` placeholders; PostgreSQL gets `$1…$n` and runs it as a named prepared statement
 * (parsed and planned once per pooled connection). Everything else stays on Kysely.
 */
import type { Store } from './db.ts';

type Params = readonly unknown[];

export interface Prepared {
  /** The rows a query returns. */
  all<R>(params: Params): Promise<R[]>;
  /**
   * Runs a statement that changes rows and returns how many it changed. On SQLite it must run
   * inside a group-commit job (it uses the writer's open transaction); on PostgreSQL it is one
   * statement on its own, atomic by itself.
   */
  run(params: Params): Promise<number>;
}

/** `?` → `$1`, `$2`, …; the hot statements hold no `?` inside literals. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * `name` identifies the statement on PostgreSQL connections; `on` picks the SQLite connection:
 * the reader for lookups outside transactions, the writer for changes inside them.
 */
export function prepare(store: Store, name: string, sql: string, on: 'reader' | 'writer'): Prepared {
  if (store.raw.kind === 'postgres') {
    const { pool } = store.raw;
    const text = numberedPlaceholders(sql);
    return {
      all: async <R>(params: Params) =>
        (await pool.query({ name, text, values: params as unknown[] })).rows as R[],
      run: async (params) => (await pool.query({ name, text, values: params as unknown[] })).rowCount ?? 0,
    };
  }
  const db = store.raw[on];
  // Prepared on first use: the schema exists only once the store is migrated.
  let statement: ReturnType<typeof db.prepare> | undefined;
  const stmt = () => {
    statement ??= db.prepare(sql);
    return statement;
  };
  return {
    all: async <R>(params: Params) => stmt().all(params as unknown[]) as R[],
    run: async (params) => stmt().run(params as unknown[]).changes,
  };
}
