/**
 * Makes the SQLite write-ahead log durable from the thread pool instead of the event loop.
 * Group commit batches COMMIT with synchronous=NORMAL (SQLite then writes the WAL frames but
 * does not fsync them) and call `sync()` before answering anyone: an fdatasync of the WAL file
 * that started after their COMMIT. That is the fsync synchronous=FULL would have made inside
 * COMMIT, moved to where it does not stop every other request (docs/decisions.md).
 *
 * Syncs are shared: callers arriving while one runs get the next one, which starts when it ends
 * (the running one may have begun before their COMMIT wrote anything).
 */
import { close, fdatasync, fsync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export class WalSync {
  private fd: number | undefined;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly walPath: string) {}

  sync(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.inFlight) return this.start();
    this.queued = this.inFlight
      .catch(() => {})
      .then(() => {
        this.queued = undefined;
        return this.start();
      });
    return this.queued;
  }

  close(): void {
    if (this.fd !== undefined) close(this.fd, () => {});
    this.fd = undefined;
  }

  private start(): Promise<void> {
    const run = this.open().then(
      (fd) => new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve()))),
    );
    const tracked = run.finally(() => {
      if (this.inFlight === tracked) this.inFlight = undefined;
    });
    this.inFlight = tracked;
    return tracked;
  }

  /**
   * The WAL exists once the store is migrated and stays while this process has it open. Its
   * directory entry is synced once too, as SQLite does for a journal it creates under FULL.
   */
  private async open(): Promise<number> {
    if (this.fd !== undefined) return this.fd;
    const fd = openSync(this.walPath, 'r');
    const dir = openSync(dirname(this.walPath), 'r');
    try {
      await new Promise<void>((resolve, reject) => fsync(dir, (err) => (err ? reject(err) : resolve())));
    } finally {
      close(dir, () => {});
    }
    this.fd ??= fd;
    if (this.fd !== fd) close(fd, () => {});
    return this.fd;
  }
}
