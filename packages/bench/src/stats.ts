/** Latency statistics: a growable sample of milliseconds and nearest-rank percentiles. Pure. */

/** Appends without boxing: a run records up to a few hundred thousand samples. */
export class LatencySample {
  private values = new Float64Array(4096);
  private length = 0;

  add(ms: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = ms;
  }

  get count(): number {
    return this.length;
  }

  /** A sorted copy, for percentiles. */
  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }
}

/**
 * Nearest-rank percentile of ascending `sorted` values: the smallest value with at least
 * `p` percent of the sample at or below it. `p` = 100 is the maximum; an empty sample has none.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface LatencySummary {
  count: number;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  mean_ms: number | null;
}

const round = (ms: number | null, digits = 2): number | null =>
  ms === null ? null : Math.round(ms * 10 ** digits) / 10 ** digits;

export function summarize(sample: LatencySample): LatencySummary {
  const sorted = sample.sorted();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p90_ms: round(percentile(sorted, 90)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(percentile(sorted, 100)),
    mean_ms: round(sorted.length === 0 ? null : total / sorted.length),
  };
}
