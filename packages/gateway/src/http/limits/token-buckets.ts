/**
 * Token buckets, one per key (a client address, a merchant), in this process's memory. A
 * bucket holds up to `count` tokens and refills at `count` per `periodMs`: a client may send a
 * burst of `count`, then `count` per period. A full bucket is the same as none, so buckets that
 * refilled are forgotten and the map stays as small as the set of clients currently busy.
 */

/** `count` requests per `periodMs`, sustained, in bursts of up to `count`. */
export interface Rate {
  count: number;
  periodMs: number;
}

/** Where a limit takes its tokens: this process's memory, or buckets shared over PostgreSQL. */
export interface Buckets {
  /** Takes a token for `key`: 0 when there was one, else the milliseconds until there is. */
  take(key: string): number | Promise<number>;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets implements Buckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private prunedAt: number;

  constructor(
    private readonly rate: Rate,
    private readonly now: () => number,
  ) {
    this.perMs = rate.count / rate.periodMs;
    this.prunedAt = now();
  }

  /** Takes a token for `key`: 0 when there was one, else the milliseconds until there is. */
  take(key: string): number {
    const now = this.now();
    if (now - this.prunedAt >= this.rate.periodMs) this.prune(now);
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.refilled(bucket, now) : this.rate.count;
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      return 0;
    }
    this.buckets.set(key, { tokens, at: now });
    return Math.ceil((1 - tokens) / this.perMs);
  }

  private refilled(bucket: Bucket, now: number): number {
    return Math.min(this.rate.count, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
  }

  private prune(now: number): void {
    this.prunedAt = now;
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket, now) >= this.rate.count) this.buckets.delete(key);
    }
  }
}
