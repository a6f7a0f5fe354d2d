/**
 * SQLite: authentication's reads kept while the store's data version stands still. `PRAGMA
 * data_version` on a connection changes whenever another connection, in this process or any
 * other, commits to the file; read on the writer, which makes every write of this process, it
 * therefore moves for exactly the changes this process did not make: the CLI's, an operator's
 * SQL, another process's. All entries are dropped when it moves, since which merchant changed is
 * not known; this process's own merchant changes drop their entry themselves.
 *
 * The version is read before every lookup, so a change committed elsewhere applies to the very
 * next request. Reading it takes a read lock on the WAL index and reads no page: two `fcntl`
 * calls, a few microseconds, against the lookup's query on the second connection and its hops
 * through the promise queue.
 */
import type SqliteDatabase from 'better-sqlite3';
import { MerchantAuthCache } from './auth-cache.ts';

export class VersionedAuthCache extends MerchantAuthCache {
  private readonly version: SqliteDatabase.Statement;
  private seen: unknown;

  /** `writer`: the connection every write of this process goes through. */
  constructor(writer: SqliteDatabase.Database) {
    super();
    this.version = writer.prepare('pragma data_version').pluck();
    this.seen = this.version.get();
  }

  get active(): boolean {
    return true;
  }

  protected override refresh(): void {
    const now = this.version.get();
    if (now === this.seen) return;
    this.seen = now;
    this.forget();
  }
}
