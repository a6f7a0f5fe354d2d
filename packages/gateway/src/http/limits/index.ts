/**
 * What a client may hold of a listener: time (timeouts.ts), requests (rate-limits.ts) and
 * connections (connections.ts), applied to each Fastify instance the gateway listens with.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { capConnectionsPerIp } from './connections.ts';
import type { RateLimits } from './rate-limits.ts';
import type { TimeoutSettings } from './timeouts.ts';

export { type RateLimitSettings, RateLimits } from './rate-limits.ts';
export { DEFAULT_TIMEOUTS, type TimeoutSettings, timeoutOptions } from './timeouts.ts';
export type { Rate } from './token-buckets.ts';

export interface LimitSettings extends TimeoutSettings {
  /** Connections one client IP address may hold open at once; 0: no cap. */
  maxConnectionsPerIp: number;
}

/** The connection cap on the instance's server, and the per-IP rate limit before any body is read. */
export function applyLimits(
  instance: FastifyInstance,
  settings: LimitSettings,
  rateLimits: RateLimits,
  log: FastifyBaseLogger,
): void {
  capConnectionsPerIp(instance.server, settings.maxConnectionsPerIp, log);
  // preParsing, not onRequest: it runs after every scope's onRequest, so a v3 path is already
  // marked as such and its 429 is signed the v3 way.
  instance.addHook('preParsing', rateLimits.perIp);
}
