/**
 * The overview's figures over the last hour, day or week, read from the store (no other
 * service): payments and outcomes per bucket, decline reasons, refund volume, the time from an
 * order to its outcome, and notification attempts. Orders are read by their id, which begins
 * with their creation time, so a window is a range of the primary key.
 */
import { sql } from 'kysely';
import { toNumber } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';
import { orderIdFloor } from './payments.ts';

export const RANGES = {
  hour: { spanMs: 3_600_000, bucketMs: 60_000 },
  day: { spanMs: 86_400_000, bucketMs: 900_000 },
  week: { spanMs: 7 * 86_400_000, bucketMs: 3_600_000 },
} as const;
export type RangeName = keyof typeof RANGES;

/** The outcomes whose times are read for the percentiles: the latest, at most this many. */
export const LATENCY_SAMPLE = 50_000;

export interface Overview {
  /** Each bucket's start, epoch seconds (uPlot's x). */
  times: number[];
  perMinute: number[];
  /** Approved of approved and declined, in percent; null where neither happened. */
  approval: (number | null)[];
  /** Successful refunds, minor units of whatever currencies. */
  refunds: number[];
  p50: (number | null)[];
  p99: (number | null)[];
  /** Attempts acknowledged of attempts made, in percent. */
  notified: (number | null)[];
  declines: { code: string; description: string; count: number }[];
}

const APPROVED = [
  'AUTHORIZED',
  'SUCCESS',
  'CANCELED',
  'PARTIALLY_REVERSED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
];

export class DashboardOverview {
  constructor(private readonly store: Store) {}

  async read(range: RangeName, now: number): Promise<Overview> {
    const { spanMs, bucketMs } = RANGES[range];
    const first = Math.floor((now - spanMs) / bucketMs) + 1;
    const count = Math.floor(now / bucketMs) - first + 1;
    const since = first * bucketMs;
    const floor = orderIdFloor(since);
    const db = this.store.reader;
    // A literal, not a parameter: PostgreSQL groups by an expression only when it is the selected one.
    const bucket = sql.lit(bucketMs);
    const slot = (ms: number) => Math.floor(ms / bucketMs) - first;
    const zeros = () => new Array<number>(count).fill(0);

    const [outcomes, declines, refunds, finished, attempts] = await Promise.all([
      sql<{ b: number | string; n: number | string; approved: number | string; declined: number | string }>`
        select created_at / ${bucket} as b, count(*) as n,
          sum(case when status in (${sql.join(APPROVED)}) then 1 else 0 end) as approved,
          sum(case when status = 'FAILURE' then 1 else 0 end) as declined
        from orders where order_id >= ${floor} group by created_at / ${bucket}`.execute(db),
      sql<{ error_code: string; error_description: string; n: number | string }>`
        select error_code, error_description, count(*) as n from orders
        where order_id >= ${floor} and status = 'FAILURE'
        group by error_code, error_description order by count(*) desc limit 10`.execute(db),
      // Refunds have no time index: the table is scanned (it is far smaller than the orders).
      sql<{ b: number | string; total: number | string }>`
        select created_at / ${bucket} as b, sum(amount) as total from refunds
        where created_at >= ${since} and status = 'SUCCESS' group by created_at / ${bucket}`.execute(db),
      sql<{ created_at: number | string; took: number | string }>`
        select created_at, pay_finish_at - created_at as took from orders
        where order_id >= ${floor} and pay_finish_at is not null
        order by order_id desc limit ${LATENCY_SAMPLE}`.execute(db),
      // The attempts of the window's orders' notifications, found through the notifications' order
      // index; CROSS JOIN keeps SQLite from scanning every attempt instead.
      sql<{ b: number | string; n: number | string; ok: number | string }>`
        select a.started_at / ${bucket} as b, count(*) as n, sum(a.delivered) as ok
        from notifications n cross join notification_attempts a
        where a.notify_id = n.notify_id and n.order_id >= ${floor} and a.started_at >= ${since}
        group by a.started_at / ${bucket}`.execute(db),
    ]);

    const perMinute = zeros();
    const approved = zeros();
    const declined = zeros();
    for (const r of outcomes.rows) {
      const i = toNumber(r.b) - first;
      if (i < 0 || i >= count) continue;
      perMinute[i] = toNumber(r.n) / (bucketMs / 60_000);
      approved[i] = toNumber(r.approved);
      declined[i] = toNumber(r.declined);
    }
    const refunded = zeros();
    for (const r of refunds.rows) {
      const i = toNumber(r.b) - first;
      if (i >= 0 && i < count) refunded[i] = toNumber(r.total);
    }
    const took: number[][] = Array.from({ length: count }, () => []);
    for (const r of finished.rows) took[slot(toNumber(r.created_at))]?.push(toNumber(r.took));
    const notified = new Array<number | null>(count).fill(null);
    for (const r of attempts.rows) {
      const i = toNumber(r.b) - first;
      if (i >= 0 && i < count) notified[i] = percent(toNumber(r.ok), toNumber(r.n));
    }
    return {
      times: Array.from({ length: count }, (_, i) => ((first + i) * bucketMs) / 1000),
      perMinute,
      approval: approved.map((a, i) => percent(a, a + declined[i]!)),
      refunds: refunded,
      p50: took.map((t) => quantile(t, 0.5)),
      p99: took.map((t) => quantile(t, 0.99)),
      notified,
      declines: declines.rows.map((r) => ({
        code: r.error_code,
        description: r.error_description,
        count: toNumber(r.n),
      })),
    };
  }
}

const percent = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 10;

/** The nearest-rank quantile: a time some outcome really took, never one between two. */
export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
