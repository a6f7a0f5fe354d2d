/**
 * Request rate limits, answered 429 (`300080`) with Retry-After in the envelope of the
 * request's wire, which signs it: per client IP address, checked before anything is read or
 * verified (cheap, and stops a flood before it costs a signature check); per merchant, checked
 * only after the request's signature verified, so nobody but the merchant can use up its
 * bucket. Each gateway process counts its own requests, unless the buckets are shared over
 * PostgreSQL (shared-buckets.ts; docs/security.md).
 */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../domain/errors.ts';
import type { RateBucketTable } from '../../store/rate-buckets.ts';
import { ipKey } from './ip-key.ts';
import { SharedTokenBuckets } from './shared-buckets.ts';
import { type Buckets, type Rate, TokenBuckets } from './token-buckets.ts';

export interface RateLimitSettings {
  /** Requests per client IP address; undefined: no limit. */
  perIp: Rate | undefined;
  /** Requests per authenticated merchant; undefined: no limit. */
  perMerchant: Rate | undefined;
  /** Set: both limits count in this table, shared by every process on the store. */
  shared?: { table: RateBucketTable; log: FastifyBaseLogger } | undefined;
}

export class RateLimits {
  private readonly ips: Buckets | undefined;
  private readonly merchants: Buckets | undefined;

  constructor(
    private readonly settings: RateLimitSettings,
    now: () => number,
  ) {
    const buckets = (rate: Rate | undefined, prefix: string): Buckets | undefined => {
      if (!rate) return undefined;
      const shared = settings.shared;
      return shared ? new SharedTokenBuckets({ ...shared, prefix, rate, now }) : new TokenBuckets(rate, now);
    };
    this.ips = buckets(settings.perIp, 'ip:');
    this.merchants = buckets(settings.perMerchant, 'merchant:');
  }

  /** A hook for every route, before the body is read. */
  readonly perIp = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!this.ips) return;
    const waitMs = await this.ips.take(ipKey(request.ip));
    if (waitMs > 0)
      refuse(reply, waitMs, `from this address (at most ${describeRate(this.settings.perIp!)})`);
  };

  /** A hook for the API's routes, after authentication set `request.auth`. */
  readonly perMerchant = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const merchantId = request.auth?.merchant.merchant_id;
    if (!this.merchants || merchantId === undefined) return;
    const waitMs = await this.merchants.take(merchantId);
    if (waitMs > 0)
      refuse(reply, waitMs, `for this merchant (at most ${describeRate(this.settings.perMerchant!)})`);
  };
}

function refuse(reply: FastifyReply, waitMs: number, detail: string): never {
  reply.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
  throw new ApiError('TOO_MANY_REQUESTS', detail);
}

const PERIODS: [number, string][] = [
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
];

/** "100 per second", "30 per minute", "5 per 1500 ms". */
export function describeRate(rate: Rate): string {
  const named = PERIODS.find(([ms]) => ms === rate.periodMs);
  return `${rate.count} per ${named ? named[1] : `${rate.periodMs} ms`}`;
}
