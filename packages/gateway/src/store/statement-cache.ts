/**
 * Prepared statements, kept. Kysely's SQLite driver calls `prepare` for every query it runs,
 * and preparing (parsing and planning the SQL) cost more than running most of our statements.
 * This hands Kysely a database whose `prepare` returns the statement prepared the first time
 * for the same SQL text. A statement is reusable once its call returns (better-sqlite3 runs
 * synchronously); only one still being iterated is busy, and then a fresh one is prepared.
 */
import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from 'kysely';

/** SQL texts differ only by shape (a list of n values is its own text); this bounds the odd ones. */
const MAX_STATEMENTS = 500;

export function withStatementCache(db: SqliteDatabase.Database): KyselySqliteDatabase & {
  prepare(sql: string): SqliteDatabase.Statement;
} {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => db.close(),
    prepare(sql: string) {
      const cached = cache.get(sql);
      if (cached && !cached.busy) return cached;
      const stmt = db.prepare(sql);
      if (!cached) {
        // Oldest first out: Map keeps insertion order.
        if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  } satisfies KyselySqliteDatabase & { prepare(sql: string): SqliteStatement };
}
