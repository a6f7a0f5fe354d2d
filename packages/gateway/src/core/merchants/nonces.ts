/**
 * Replay protection for PayKKa v3 requests: a nonce is accepted once per app id. The primary
 * key decides between concurrent requests, across processes and restarts; the row lives as long
 * as a request with that nonce could still be inside the signature window.
 */
import type { Store } from '../../store/db.ts';

/** How often the expiry job deletes expired nonces: a delete every second is not worth it. */
const PRUNE_EVERY_MS = 60_000;

export class RequestNonces {
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly store: Store) {}

  /** True when this nonce is new for the app id (and now taken), false when it was used. */
  async claim(appId: string, nonce: string, expiresAt: number): Promise<boolean> {
    const result = await this.store.writer
      .insertInto('request_nonces')
      .values({ app_id: appId, nonce, expires_at: expiresAt })
      .onConflict((oc) => oc.columns(['app_id', 'nonce']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** Deletes the nonces no request can use any more. Returns how many. */
  async pruneExpired(now: number): Promise<number> {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return 0;
    this.prunedAt = now;
    const result = await this.store.writer
      .deleteFrom('request_nonces')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
