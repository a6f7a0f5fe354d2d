/**
 * Opens the store: embedded SQLite (default) or PostgreSQL when DATABASE_URL is a postgres URL.
 * Both are migrated before use, so every command works on a fresh data dir.
 */
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { CommitMeter } from './commit-meter.ts';
import { GroupCommit } from './group-commit.ts';
import { migrations } from './migrations/index.ts';
import { DEFAULT_PG_POOL_SIZE } from './pool-size.ts';
import {
  createPrivateFile,
  ensurePrivateDir,
  keepPrivate,
  type Warn,
  warnOnStderr,
} from './private-files.ts';
import type { Database } from './schema.ts';
import { withStatementCache } from './statement-cache.ts';
import { WalSync } from './wal-sync.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  /** Writes, and reads inside transactions (on SQLite the one write connection). */
  writer: Kysely<Database>;
  /**
   * Reads outside transactions. On SQLite a second connection, so a lookup never waits for a
   * write batch (WAL lets readers and the writer run side by side); on PostgreSQL the pool.
   */
  reader: Kysely<Database>;
  /** The drivers underneath, for the few hot statements that bypass Kysely (prepared.ts). */
  raw:
    | { kind: 'sqlite'; writer: SqliteDatabase.Database; reader: SqliteDatabase.Database }
    | { kind: 'postgres'; pool: pg.Pool; url: string };
  /** SQLite only: batches concurrent transactions into one durable commit. */
  groupCommit?: GroupCommit;
  /** Hears the group commits (SQLite) and the batched order writes (PostgreSQL); unset in hand-built stores. */
  commits?: CommitMeter;
  dialect: Dialect;
  /**
   * Settles once every commit made so far is on disk: an answer built from reads outside a
   * transaction waits here before it is sent. SQLite's readers see a group commit before its
   * WAL sync (group-commit.ts); PostgreSQL (synchronous_commit on) shows a commit only after
   * its WAL flush, so there it is settled at once.
   */
  durable(): Promise<void>;
  /** Where it lives, for logs: a file path or the postgres URL without credentials. */
  location: string;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL: the most connections this process opens (DEFAULT_PG_POOL_SIZE unless set). */
  pgPoolSize?: number | undefined;
  /** Where a warning about a data dir or file open to other users goes; stderr unless given. */
  warn?: Warn | undefined;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

/** The files SQLite keeps beside the database in WAL mode. */
const SQLITE_SIBLINGS = ['-wal', '-shm'];

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl && !isPostgresUrl(options.databaseUrl)) {
    // Falling back to SQLite here would quietly split an operator's data across two stores.
    throw new Error(
      'DATABASE_URL must be a postgres:// or postgresql:// URL (unset it for the embedded store)',
    );
  }
  const store = isPostgresUrl(options.databaseUrl)
    ? openPostgres(options.databaseUrl, options.pgPoolSize ?? DEFAULT_PG_POOL_SIZE)
    : openSqlite(options.dataDir, options.warn ?? warnOnStderr);
  try {
    await migrate(store.writer);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openSqlite(dataDir: string, warn: Warn): Store {
  ensurePrivateDir(dataDir, warn);
  const file = join(dataDir, 'openkka.db');
  // SQLite creates the -wal and -shm files lazily, with the mode of the database file: made
  // 0600 before SQLite opens it, they follow. Older versions left all three 0644.
  createPrivateFile(file, warn);
  for (const sibling of SQLITE_SIBLINGS) keepPrivate(`${file}${sibling}`, warn);
  const sqlite = new SqliteDatabase(file);
  // Durable commits (FULL), readers beside the writer (WAL), and a wait instead of SQLITE_BUSY
  // when the CLI and the server write at the same moment.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Each group-commit job runs in a savepoint, which copies every page it is the first to
  // change into a statement journal; kept in memory, that is a copy, not a temp file write.
  sqlite.pragma('temp_store = MEMORY');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const reader = new SqliteDatabase(file);
  reader.pragma('busy_timeout = 5000');
  const read = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(reader) }) });
  const wal = new WalSync(`${file}-wal`);
  const commits = new CommitMeter();
  const groupCommit = new GroupCommit(db, sqlite, wal, commits);
  return {
    writer: db,
    reader: read,
    raw: { kind: 'sqlite', writer: sqlite, reader },
    groupCommit,
    commits,
    dialect: 'sqlite',
    durable: () => groupCommit.durable(),
    location: file,
    close: async () => {
      wal.close();
      await read.destroy();
      await db.destroy();
    },
  };
}

function openPostgres(url: string, poolSize: number): Store {
  // int8 stays a string from pg (no precision loss); repos convert with toNumber.
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle pooled connection the server ends (restart, failover, idle timeout) emits 'error'
  // on the pool; unheard, it would crash the process. The pool drops that client and opens a
  // new one on demand, so there is nothing more to do here.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    writer: db,
    reader: db,
    raw: { kind: 'postgres', pool, url },
    commits: new CommitMeter(),
    dialect: 'postgres',
    durable: async () => {},
    location: url.replace(/\/\/[^@]*@/, '//'),
    close: () => db.destroy(),
  };
}

export async function migrate(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  let outcome = await migrator.migrateToLatest();
  if (outcome.error) {
    // Kysely's migration lock is a no-op on SQLite, so two processes starting on a fresh data
    // dir can race; the loser's transaction rolled back. Once more sees the winner's work.
    outcome = await migrator.migrateToLatest();
  }
  if (outcome.error) throw outcome.error;
  return (outcome.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
