/**
 * Replay protection for signed requests: what makes a request unique is accepted once, then
 * refused for as long as the request could still be inside the signature window. PayKKa v3
 * names it (the nonce, once per app id); v1.2 has no nonce, so it is the signature itself, once
 * per merchant. The primary key decides between concurrent requests, across processes and
 * restarts (store/unique-claims.ts); each row lives until the window has passed for it, then
 * the expiry job deletes it. Callers claim only after the signature and the window are checked,
 * so a forger burns nothing.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../store/db.ts';
import { UniqueClaims } from '../../store/unique-claims.ts';

/** How often the expiry job deletes expired rows: a delete every second is not worth it. */
const PRUNE_EVERY_MS = 60_000;
/**
 * Kept this long past their window: the processes sharing a store read their own clocks, and
 * one that runs behind the pruning one still accepts requests the other thinks too old.
 */
const CLOCK_SKEW_MARGIN_MS = 60_000;

/**
 * 16 bytes of SHA-256 name a signature: only the merchant's key makes a signature that passes,
 * so only the merchant could aim two at one name, and two of its own collide by chance once in
 * 2^64 signatures within one window; a collision would refuse a request, never accept a replay.
 */
const SIGNATURE_HASH_BYTES = 16;

/** The name a v1.2 signature is remembered by: every encoding of the same bytes gives the same. */
export function signatureHash(signature: Buffer): string {
  return createHash('sha256')
    .update(signature)
    .digest()
    .subarray(0, SIGNATURE_HASH_BYTES)
    .toString('base64url');
}

export class ReplayGuard {
  private prunedAt = Number.NEGATIVE_INFINITY;
  private readonly signatures: UniqueClaims;
  private readonly nonces: UniqueClaims;

  constructor(private readonly store: Store) {
    this.signatures = new UniqueClaims(store, {
      table: 'used_signatures',
      owner: 'merchant_id',
      proof: 'signature_hash',
    });
    this.nonces = new UniqueClaims(store, { table: 'request_nonces', owner: 'app_id', proof: 'nonce' });
  }

  /** v1.2: true when this signature is new for the merchant (and now taken), false when used. */
  claimSignature(merchantId: string, signature: Buffer, expiresAt: number): Promise<boolean> {
    return this.signatures.claim(merchantId, signatureHash(signature), expiresAt);
  }

  /** v3: true when this nonce is new for the app id (and now taken), false when it was used. */
  claimNonce(appId: string, nonce: string, expiresAt: number): Promise<boolean> {
    return this.nonces.claim(appId, nonce, expiresAt);
  }

  /**
   * Deletes what no request can use any more, at most once a minute. A request is accepted up
   * to and including its expiry, so a row goes only once that has passed. Returns how many.
   */
  async pruneExpired(now: number): Promise<number> {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return 0;
    this.prunedAt = now;
    let deleted = 0;
    for (const table of ['used_signatures', 'request_nonces'] as const) {
      const result = await this.store.writer
        .deleteFrom(table)
        .where('expires_at', '<', now - CLOCK_SKEW_MARGIN_MS)
        .executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
    return deleted;
  }
}
