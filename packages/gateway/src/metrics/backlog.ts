/**
 * Figures read from the store when scraped (the notification and reconciler backlogs). A scrape
 * is anyone's to send, so the figure is kept for `ttlMs` and concurrent scrapes share one read:
 * a flood of scrapes costs the store at most one query per figure per `ttlMs` per process.
 */
export function cachedRead(read: () => Promise<number>, ttlMs: number): () => Promise<number> {
  let value = 0;
  let readAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<number> | undefined;
  return () => {
    if (performance.now() - readAt < ttlMs) return Promise.resolve(value);
    pending ??= read()
      .then((fresh) => {
        value = fresh;
        readAt = performance.now();
        return fresh;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

/** How long a scraped store figure is kept. */
export const BACKLOG_TTL_MS = 5_000;

/** The most rows a backlog count reads: beyond it the gauge says this many, and the store is spared. */
export const BACKLOG_COUNT_LIMIT = 100_000;
