/**
 * The `rate_buckets` table (migration 019): token buckets every gateway process on one
 * PostgreSQL store shares. A process does not spend a token per statement: it takes a slice
 * of a bucket in one statement, refilled first by the time elapsed on the database's clock,
 * and spends the slice in memory (http/limits/shared-buckets.ts).
 *
 * A pool of its own, small and quick to give up: the limit is checked before every request,
 * and a database that does not answer must not hold requests up (the caller then counts on
 * its own) nor wait behind the payments' statements in the store's pool.
 */
import pg from 'pg';

/** How long a statement, or a connection for one, may take before the caller stops waiting. */
export const RATE_BUCKET_TIMEOUT_MS = 1_000;

export interface SliceRequest {
  /** The bucket's size (the burst) and its refill, tokens per millisecond. */
  count: number;
  perMs: number;
  /** Tokens wanted, at most `count`: the bucket gives this, or the whole tokens it holds if fewer. */
  slice: number;
  /** Tokens of an expired slice this process did not spend, put back first. */
  returned: number;
}

export interface Slice {
  /** Whole tokens handed out, 0 when the bucket held less than one. */
  granted: number;
  /** What the bucket holds after handing them out. */
  left: number;
}

// One statement: a new bucket starts full; an existing one is refilled by the milliseconds
// since it was last touched (never backwards if the database's clock steps back), gets back
// what is returned, is capped at its size, and hands out min(slice, whole tokens held).
// The refill is written twice: an assignment cannot read another one's new value.
const REFILLED = 'least($2::float8, b.tokens + $5::float8 + greatest(0, excluded.at - b.at) * $3::float8)';
const TAKE_SLICE = `
  insert into rate_buckets as b (key, tokens, at, granted)
  select $1, $2::float8 - $4::int, t, $4::int
  from (select extract(epoch from clock_timestamp())::float8 * 1000 as t) as now
  on conflict (key) do update set
    granted = least($4::int, floor(${REFILLED})),
    tokens = ${REFILLED} - least($4::int, floor(${REFILLED})),
    at = greatest(b.at, excluded.at)
  returning granted, tokens`;

// A bucket untouched for longer than its period is full again, the same as no row.
const PRUNE = `
  delete from rate_buckets
  where starts_with(key, $1) and at < extract(epoch from clock_timestamp())::float8 * 1000 - $2::float8`;

export class RateBucketTable {
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: 2,
      application_name: 'openkka rate limits',
      connectionTimeoutMillis: RATE_BUCKET_TIMEOUT_MS,
      query_timeout: RATE_BUCKET_TIMEOUT_MS,
      statement_timeout: RATE_BUCKET_TIMEOUT_MS,
    });
    // A pooled connection the server ends emits 'error' on the pool; the pool drops it.
    this.pool.on('error', () => {});
  }

  /** Takes a slice of the bucket `key`: one statement, one row lock for its duration. */
  async take(key: string, request: SliceRequest): Promise<Slice> {
    const { rows } = await this.pool.query<{ granted: number; tokens: number }>(TAKE_SLICE, [
      key,
      request.count,
      request.perMs,
      request.slice,
      request.returned,
    ]);
    const row = rows[0]!;
    return { granted: row.granted, left: row.tokens };
  }

  /** Deletes the buckets whose key starts with `prefix` and that were untouched for `idleMs`. */
  async prune(prefix: string, idleMs: number): Promise<void> {
    await this.pool.query(PRUNE, [prefix, idleMs]);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
