/** Configuration from the environment, parsed and checked once at start. */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type NotifyAllow, parseNotifyAllow } from './domain/notify-allow.ts';
import { DEFAULT_TIME_ZONE, TimeZone } from './domain/time-zone.ts';
import { DEFAULT_TIMEOUTS } from './http/limits/timeouts.ts';
import type { Rate } from './http/limits/token-buckets.ts';
import { DEFAULT_PG_POOL_SIZE } from './store/pool-size.ts';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL: connections the gateway process keeps open at most. */
  pgPoolSize: number;
  masterKey: string | undefined;
  platformKeyFile: string | undefined;
  /** Google's root signing keys (a JSON file in Google's format); the sandbox root when unset. */
  googlePayRootKeysFile: string | undefined;
  logLevel: string;
  /** `json`, `pretty` (coloured lines for a terminal) or `auto`: pretty when stderr is a TTY. */
  logFormat: LogFormatSetting;
  /** Accepted distance between a request's timestamp and the gateway clock. */
  signatureWindowMs: number;
  acquirerTimeoutMs: number;
  /** How long a duplicate request waits for the first one to finish. */
  idempotencyWaitMs: number;
  /** Shopper's deadline to finish a payment (3DS, redirect) unless the request sets expire_time. */
  paymentExpiryMs: number;
  finalAuthValidityMs: number;
  preAuthValidityMs: number;
  acquirerLatencyMs: number;
  acquirerFailureRate: number;
  /** Waits between the reconciler's questions about an unknown outcome; the last one repeats. */
  reconcileBackoffMs: number[];
  /** How often the background jobs (expiry, reconciler, refund settlement) look for due work. */
  jobsIntervalMs: number;
  /** Simulated acquirer: how long until a refund of the refund-failing test card fails. */
  simRefundFailureDelayMs: number;
  /** How long a SEPA payment stays PROCESSING before the bank's settlement makes it SUCCESS. */
  sepaSettlementDelayMs: number;
  /** Waits before each notification retry; the number of entries is the number of retries. */
  notifyBackoffMs: number[];
  notifyTimeoutMs: number;
  /** Exceptions to the outbound policy: ranges and host names notifications may go to. */
  notifyAllow: NotifyAllow;
  /** Notification attempts one process has in flight at most: in all, per merchant, per host. */
  notifyConcurrency: number;
  notifyPerMerchant: number;
  notifyPerHost: number;
  /** Bearer token for the admin API; the admin API is off when unset. */
  adminToken: string | undefined;
  /** Where the admin API listens on its own; unset: on the public listener. */
  adminListen: { host: string; port: number } | undefined;
  /** `GET /metrics` and every collector behind it; off costs nothing (OPENKKA_METRICS=off). */
  metrics: boolean;
  /** Bearer token a scrape of /metrics must carry; open when unset. */
  metricsToken: string | undefined;
  /** From a request's first byte to the end of its headers (0: no limit). */
  headersTimeoutMs: number;
  /** From a request's first byte to the end of its body (0: no limit). */
  requestTimeoutMs: number;
  /** How long a kept-alive connection may sit idle between requests. */
  keepAliveTimeoutMs: number;
  /** Connections one client IP address may hold open at once (0: no cap). */
  maxConnectionsPerIp: number;
  /** Requests per client IP address, checked first (undefined: no limit). */
  rateLimitPerIp: Rate | undefined;
  /** Requests per merchant, checked once the signature verified (undefined: no limit). */
  rateLimitPerMerchant: Rate | undefined;
  /** `postgres`: both rate limits count in buckets every process on the store shares; unset: each its own. */
  rateLimitShared: 'postgres' | undefined;
  /** Reverse proxies whose X-Forwarded-For names the client (addresses or CIDR ranges). */
  trustedProxies: string[] | undefined;
  /** How long a checkout session stays open unless its request sets expire_time. */
  sessionExpiryMs: number;
  /** Where shoppers' browsers reach the gateway (3-D Secure pages); else the listen address. */
  publicUrl: string | undefined;
  /** Reads times sent without an offset and writes every time in answers and notifications. */
  timeZone: TimeZone;
  /** `openkka start`: processes serving requests; 1 is one process, more a node:cluster primary and its workers. */
  workers: number;
  /** With workers: how long they may take to finish what is in flight before they are killed. */
  drainTimeoutMs: number;
  /** After SIGTERM, how long the gateway keeps serving with /readyz answering 503 (health.ts). */
  shutdownDelayMs: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "250ms", "15s", "5m", "2h", "7d", or a bare number of milliseconds. */
export function parseDuration(text: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new Error(`${name}: "${text}" is not a duration (examples: 500ms, 15s, 5m, 2h, 7d)`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
}

const RATE_PERIODS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** "100/s", "600/m", "5000/h", or a bare number per second; 0 means no limit (undefined). */
export function parseRate(text: string, name: string): Rate | undefined {
  const match = /^(\d+)(?:\/(s|m|h))?$/.exec(text.trim());
  if (!match) throw new Error(`${name}: "${text}" is not a rate (examples: 100/s, 600/m, 0 for no limit)`);
  const count = Number(match[1]);
  return count === 0 ? undefined : { count, periodMs: RATE_PERIODS[match[2] ?? 's']! };
}

/**
 * OPENKKA_RATE_LIMIT_SHARED: `postgres`, or `off` (the default). Several processes may share
 * a SQLite file too, but there every slice taken would be a write waiting for the one writer
 * behind the payments' commits: on SQLite each process counts its own requests.
 */
function parseSharedLimits(text: string, databaseUrl: string | undefined): 'postgres' | undefined {
  const value = text.trim();
  if (value === '' || value === 'off') return undefined;
  if (value !== 'postgres') {
    throw new Error(`OPENKKA_RATE_LIMIT_SHARED: "${text}" is not postgres or off`);
  }
  if (!databaseUrl) {
    throw new Error(
      'OPENKKA_RATE_LIMIT_SHARED=postgres needs a PostgreSQL store (DATABASE_URL): on SQLite each process counts its own requests',
    );
  }
  return 'postgres';
}

/** OPENKKA_ADMIN_LISTEN: `host:port`, IPv6 in brackets (`[::1]:9090`). */
function parseListen(text: string, name: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new Error(`${name}: "${text}" is not host:port (e.g. 127.0.0.1:9090)`);
  return { host: (match[1] ?? match[2])!, port };
}

/** Long enough that guessing is hopeless; visible ASCII, so that it fits a header as it is. */
const STRONG_TOKEN = /^[\x21-\x7e]{32,}$/;

function checkAdminToken(token: string): string {
  if (!STRONG_TOKEN.test(token)) {
    throw new Error(
      'OPENKKA_ADMIN_TOKEN must be at least 32 visible ASCII characters without spaces ' +
        '(e.g. openssl rand -base64 32); leave it unset to turn the admin API off',
    );
  }
  return token;
}

/** OPENKKA_METRICS: on (the default) or off; OPENKKA_METRICS_TOKEN as strong as the admin token. */
function parseMetrics(env: NodeJS.ProcessEnv): { metrics: boolean; metricsToken: string | undefined } {
  const switched = (env.OPENKKA_METRICS || 'on').trim();
  if (switched !== 'on' && switched !== 'off') {
    throw new Error(`OPENKKA_METRICS: "${env.OPENKKA_METRICS}" is not on or off`);
  }
  const token = env.OPENKKA_METRICS_TOKEN || undefined;
  if (token !== undefined && !STRONG_TOKEN.test(token)) {
    throw new Error(
      'OPENKKA_METRICS_TOKEN must be at least 32 visible ASCII characters without spaces ' +
        '(e.g. openssl rand -base64 32); leave it unset to serve /metrics without a token',
    );
  }
  return { metrics: switched === 'on', metricsToken: token };
}

/** Addresses or CIDR ranges, or the names loopback, linklocal and uniquelocal. */
function parseProxies(text: string, name: string): string[] {
  const list = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  for (const entry of list) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(entry);
    const prefixOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!named && (family === 0 || !prefixOk || extra !== undefined)) {
      throw new Error(`${name}: "${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)`);
    }
  }
  return list;
}

/** The base of every URL handed to shoppers: http(s), nothing after the path. */
function parsePublicUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username) {
    throw new Error(`OPENKKA_PUBLIC_URL: "${text}" is not an http(s) URL without query or credentials`);
  }
  return text.replace(/\/+$/, '');
}

/** A whole number, at least 1. */
function atLeastOne(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name}: "${text}" is not a whole number from 1 up`);
  return value;
}

/** The most worker processes `openkka start` forks; more would only share the same cores. */
export const MAX_WORKERS = 64;

/**
 * `--workers` / OPENKKA_WORKERS: a whole number from 1 to MAX_WORKERS, or `auto` for one per
 * core the process may use (at most MAX_WORKERS).
 */
export function parseWorkers(text: string, name: string): number {
  const trimmed = text.trim();
  if (trimmed === 'auto') return Math.min(MAX_WORKERS, availableParallelism());
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(value >= 1 && value <= MAX_WORKERS)) {
    throw new Error(
      `${name}: "${text}" is not a number of workers: a whole number from 1 to ${MAX_WORKERS}, or auto (one per core)`,
    );
  }
  return value;
}

export type LogFormatSetting = 'json' | 'pretty' | 'auto';

function parseLogFormat(text: string | undefined): LogFormatSetting {
  const value = text || 'auto';
  if (value === 'json' || value === 'pretty' || value === 'auto') return value;
  throw new Error(`OPENKKA_LOG_FORMAT: "${text}" is not json, pretty or auto`);
}

/** A comma-separated schedule such as "5s,30s,2m". */
export function durations(text: string, name: string): number[] {
  const list = text.split(',').map((part) => parseDuration(part, name));
  if (list.length === 0) throw new Error(`${name} must list at least one duration`);
  return list;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const duration = (name: string, fallback: string) => parseDuration(env[name] || fallback, name);
  const port = Number(env.PORT || 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT: "${env.PORT}" is not a port`);
  const failureRate = Number(env.OPENKKA_ACQUIRER_FAILURE_RATE || 0);
  if (!(failureRate >= 0 && failureRate <= 1)) {
    throw new Error('OPENKKA_ACQUIRER_FAILURE_RATE must be a number from 0 to 1');
  }
  let timeZone: TimeZone;
  try {
    timeZone = TimeZone.named(env.OPENKKA_TIMEZONE || DEFAULT_TIME_ZONE);
  } catch (err) {
    throw new Error(`OPENKKA_TIMEZONE: ${(err as Error).message}`);
  }
  const headersTimeoutMs = duration('OPENKKA_HEADERS_TIMEOUT', String(DEFAULT_TIMEOUTS.headersTimeoutMs));
  const requestTimeoutMs = duration('OPENKKA_REQUEST_TIMEOUT', String(DEFAULT_TIMEOUTS.requestTimeoutMs));
  if (headersTimeoutMs > 0 && requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    throw new Error('OPENKKA_HEADERS_TIMEOUT must not be longer than OPENKKA_REQUEST_TIMEOUT');
  }
  const keepAliveTimeoutMs = duration(
    'OPENKKA_KEEP_ALIVE_TIMEOUT',
    String(DEFAULT_TIMEOUTS.keepAliveTimeoutMs),
  );
  if (keepAliveTimeoutMs <= 0) throw new Error('OPENKKA_KEEP_ALIVE_TIMEOUT must be longer than 0');
  const maxConnectionsPerIp = Number(env.OPENKKA_MAX_CONNECTIONS_PER_IP || 256);
  if (!Number.isInteger(maxConnectionsPerIp) || maxConnectionsPerIp < 0) {
    throw new Error('OPENKKA_MAX_CONNECTIONS_PER_IP must be a whole number of connections (0: no cap)');
  }
  const adminToken = env.OPENKKA_ADMIN_TOKEN ? checkAdminToken(env.OPENKKA_ADMIN_TOKEN) : undefined;
  const adminListen = env.OPENKKA_ADMIN_LISTEN
    ? parseListen(env.OPENKKA_ADMIN_LISTEN, 'OPENKKA_ADMIN_LISTEN')
    : undefined;
  if (adminListen && !adminToken) {
    throw new Error('OPENKKA_ADMIN_LISTEN needs OPENKKA_ADMIN_TOKEN: the admin API is off without a token');
  }
  const drainTimeoutMs = duration('OPENKKA_DRAIN_TIMEOUT', '30s');
  if (drainTimeoutMs <= 0) throw new Error('OPENKKA_DRAIN_TIMEOUT must be longer than 0');
  const shutdownDelayMs = duration('OPENKKA_SHUTDOWN_DELAY', '0s');
  if (shutdownDelayMs < 0 || shutdownDelayMs >= drainTimeoutMs) {
    throw new Error('OPENKKA_SHUTDOWN_DELAY must be at least 0 and shorter than OPENKKA_DRAIN_TIMEOUT');
  }
  const pgPoolSize = Number(env.OPENKKA_PG_POOL_SIZE || DEFAULT_PG_POOL_SIZE);
  if (!Number.isInteger(pgPoolSize) || pgPoolSize < 1) {
    throw new Error('OPENKKA_PG_POOL_SIZE must be a whole number of connections, at least 1');
  }
  return {
    host: env.HOST || '127.0.0.1',
    port,
    dataDir: resolve(env.OPENKKA_DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    pgPoolSize,
    masterKey: env.OPENKKA_MASTER_KEY || undefined,
    platformKeyFile: env.OPENKKA_PLATFORM_KEY_FILE || undefined,
    googlePayRootKeysFile: env.OPENKKA_GOOGLE_PAY_ROOT_KEYS || undefined,
    logLevel: env.OPENKKA_LOG_LEVEL || 'info',
    logFormat: parseLogFormat(env.OPENKKA_LOG_FORMAT),
    signatureWindowMs: duration('OPENKKA_SIGNATURE_WINDOW', '5m'),
    acquirerTimeoutMs: duration('OPENKKA_ACQUIRER_TIMEOUT', '15s'),
    idempotencyWaitMs: duration('OPENKKA_IDEMPOTENCY_WAIT', '10s'),
    paymentExpiryMs: duration('OPENKKA_PAYMENT_EXPIRY', '30m'),
    finalAuthValidityMs: duration('OPENKKA_AUTH_VALIDITY_FINAL', '7d'),
    preAuthValidityMs: duration('OPENKKA_AUTH_VALIDITY_PRE', '30d'),
    acquirerLatencyMs: duration('OPENKKA_ACQUIRER_LATENCY', '0'),
    acquirerFailureRate: failureRate,
    reconcileBackoffMs: durations(
      env.OPENKKA_RECONCILE_BACKOFF || '5s,30s,2m,10m,1h,6h',
      'OPENKKA_RECONCILE_BACKOFF',
    ),
    jobsIntervalMs: duration('OPENKKA_JOBS_INTERVAL', '1s'),
    simRefundFailureDelayMs: duration('OPENKKA_SIM_REFUND_FAILURE_DELAY', '5s'),
    sepaSettlementDelayMs: duration('OPENKKA_SEPA_SETTLEMENT_DELAY', '10s'),
    sessionExpiryMs: duration('OPENKKA_SESSION_EXPIRY', '30m'),
    // About three days in all (docs/notifications.md): 1m 5m 15m 1h 2h 6h 12h 24h 24h.
    notifyBackoffMs: durations(
      env.OPENKKA_NOTIFY_BACKOFF || '1m,5m,15m,1h,2h,6h,12h,24h,24h',
      'OPENKKA_NOTIFY_BACKOFF',
    ),
    notifyTimeoutMs: duration('OPENKKA_NOTIFY_TIMEOUT', '10s'),
    notifyAllow: parseNotifyAllow(env.OPENKKA_NOTIFY_ALLOW || '', 'OPENKKA_NOTIFY_ALLOW'),
    notifyConcurrency: atLeastOne(env.OPENKKA_NOTIFY_CONCURRENCY || '64', 'OPENKKA_NOTIFY_CONCURRENCY'),
    notifyPerMerchant: atLeastOne(env.OPENKKA_NOTIFY_PER_MERCHANT || '32', 'OPENKKA_NOTIFY_PER_MERCHANT'),
    notifyPerHost: atLeastOne(env.OPENKKA_NOTIFY_PER_HOST || '32', 'OPENKKA_NOTIFY_PER_HOST'),
    adminToken,
    adminListen,
    ...parseMetrics(env),
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs,
    maxConnectionsPerIp,
    rateLimitPerIp: parseRate(env.OPENKKA_RATE_LIMIT_IP || '1000/s', 'OPENKKA_RATE_LIMIT_IP'),
    rateLimitPerMerchant: parseRate(
      env.OPENKKA_RATE_LIMIT_MERCHANT || '500/s',
      'OPENKKA_RATE_LIMIT_MERCHANT',
    ),
    rateLimitShared: parseSharedLimits(env.OPENKKA_RATE_LIMIT_SHARED || '', env.DATABASE_URL || undefined),
    trustedProxies: env.OPENKKA_TRUSTED_PROXIES
      ? parseProxies(env.OPENKKA_TRUSTED_PROXIES, 'OPENKKA_TRUSTED_PROXIES')
      : undefined,
    publicUrl: env.OPENKKA_PUBLIC_URL ? parsePublicUrl(env.OPENKKA_PUBLIC_URL) : undefined,
    timeZone,
    workers: parseWorkers(env.OPENKKA_WORKERS || '1', 'OPENKKA_WORKERS'),
    drainTimeoutMs,
    shutdownDelayMs,
  };
}
