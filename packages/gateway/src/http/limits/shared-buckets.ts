/**
 * Token buckets shared by every gateway process on one PostgreSQL store
 * (OPENKKA_RATE_LIMIT_SHARED=postgres, docs/security.md#timeouts-rate-limits-and-sockets). A
 * process leases a slice of a key's bucket, a tenth of the burst, in one statement
 * (store/rate-buckets.ts) and spends it in memory, so most requests cost no round trip. Over
 * N processes a client gets at most what one bucket allows plus N slices: the tokens leased
 * before a window and spent in it.
 *
 * A slice is spent within its lease (the rate's period, at most 10 s), after which what is
 * left goes back to the bucket with the next statement for the key. A bucket found empty is
 * not asked again until it holds a slice: a flood is refused in memory, not one statement per
 * request. If the table does not answer, the process counts on its own, as without the option,
 * and asks again after a few seconds: a database hiccup must not refuse every request, nor
 * answer a 5xx, and each process still holds its clients to the limit.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { RateBucketTable } from '../../store/rate-buckets.ts';
import { type Buckets, type Rate, TokenBuckets } from './token-buckets.ts';

/** While the table fails, how long this process counts on its own before asking it again. */
export const SHARED_RETRY_MS = 5_000;
/** The longest a slice may be spent for. */
const MAX_LEASE_MS = 10_000;
/** How often this process deletes buckets (its own prefix's) that have refilled. */
const PRUNE_EVERY_MS = 60_000;

interface Holding {
  /** Tokens of the leased slice not spent yet, spendable until `expiresAt`. */
  tokens: number;
  expiresAt: number;
  /** The bucket held no token: refused here, without a statement, until then. */
  refusedUntil: number;
  /** The statement in flight for this key; other requests for the key wait for it. */
  asking: Promise<void> | undefined;
}

export interface SharedBucketsOptions {
  table: RateBucketTable;
  /** Keeps one limit's keys apart from another's in the table (`ip:`, `merchant:`). */
  prefix: string;
  rate: Rate;
  now: () => number;
  log: FastifyBaseLogger;
}

export class SharedTokenBuckets implements Buckets {
  private readonly holdings = new Map<string, Holding>();
  /** What counts while the table does not answer. */
  private readonly own: TokenBuckets;
  private readonly perMs: number;
  readonly slice: number;
  readonly leaseMs: number;
  private downUntil = Number.NEGATIVE_INFINITY;
  private down = false;
  private prunedAt: number;

  constructor(private readonly options: SharedBucketsOptions) {
    const { rate, now } = options;
    this.own = new TokenBuckets(rate, now);
    this.perMs = rate.count / rate.periodMs;
    this.slice = Math.max(1, Math.ceil(rate.count / 10));
    this.leaseMs = Math.min(rate.periodMs, MAX_LEASE_MS);
    this.prunedAt = now();
  }

  /** 0 when a token was taken for `key`, else the milliseconds until one may be. */
  take(key: string): number | Promise<number> {
    const now = this.options.now();
    if (now - this.prunedAt >= PRUNE_EVERY_MS) this.prune(now);
    if (now < this.downUntil) return this.own.take(key);
    let holding = this.holdings.get(key);
    if (!holding) {
      holding = { tokens: 0, expiresAt: 0, refusedUntil: 0, asking: undefined };
      this.holdings.set(key, holding);
    }
    if (holding.asking) return holding.asking.then(() => this.take(key));
    if (holding.tokens >= 1 && now < holding.expiresAt) {
      holding.tokens--;
      return 0;
    }
    if (now < holding.refusedUntil) return holding.refusedUntil - now;
    const asking = this.ask(key, holding);
    holding.asking = asking;
    return asking.then(() => this.take(key));
  }

  /** One statement: the tokens of an expired lease back, a new slice out. */
  private async ask(key: string, holding: Holding): Promise<void> {
    const returned = holding.tokens;
    holding.tokens = 0;
    try {
      const { granted, left } = await this.options.table.take(this.options.prefix + key, {
        count: this.options.rate.count,
        perMs: this.perMs,
        slice: this.slice,
        returned,
      });
      const now = this.options.now();
      if (granted > 0) {
        holding.tokens = granted;
        holding.expiresAt = now + this.leaseMs;
      } else {
        holding.refusedUntil = now + Math.max(1, Math.ceil((this.slice - left) / this.perMs));
      }
      if (this.down) {
        this.down = false;
        this.options.log.warn('rate limits: the shared buckets answer again');
      }
    } catch (err) {
      this.downUntil = this.options.now() + SHARED_RETRY_MS;
      if (!this.down) {
        this.down = true;
        this.options.log.warn(
          { err },
          'rate limits: the shared buckets in PostgreSQL do not answer; each process counts its own requests until they do',
        );
      }
    } finally {
      holding.asking = undefined;
    }
  }

  /** Forgets what this process no longer holds, and deletes the table's refilled buckets. */
  private prune(now: number): void {
    this.prunedAt = now;
    for (const [key, h] of this.holdings) {
      if (!h.asking && now >= h.expiresAt && now >= h.refusedUntil) this.holdings.delete(key);
    }
    // Untouched for a period, a bucket is full: its row says nothing a missing one does not.
    this.options.table.prune(this.options.prefix, this.options.rate.periodMs).catch(() => {});
  }
}
