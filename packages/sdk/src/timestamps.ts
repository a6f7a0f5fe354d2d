/**
 * v1.2 timestamps that never repeat a signature. The gateway accepts a v1.2 signature once
 * (docs/signing.md#replay), and RSA signatures are deterministic: the same body signed in the
 * same millisecond (two identical requests at once, or a retry while the clock stood still)
 * would carry the same signature, and the second would be refused as a replay. So a body is
 * signed with a later millisecond than the last time this client signed the same body. Other
 * bodies keep the clock's time, so a busy client does not drift ahead of it.
 */
import { createHash } from 'node:crypto';

/** Above this many bodies remembered, the ones signed before the current millisecond are dropped. */
const KEEP = 1024;

export class DistinctTimestamps {
  /** A hash of each recent body (less its timestamp), not the body: it may hold card data. */
  private readonly lastUsed = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** The timestamp to sign `fields` (the body without its timestamp) with. */
  next(fields: string): number {
    const now = this.now();
    const key = createHash('sha256').update(fields).digest('base64');
    const last = this.lastUsed.get(key);
    const timestamp = last !== undefined && last >= now ? last + 1 : now;
    if (this.lastUsed.size >= KEEP) {
      for (const [k, t] of this.lastUsed) if (t < now) this.lastUsed.delete(k);
    }
    this.lastUsed.set(key, timestamp);
    return timestamp;
  }
}
