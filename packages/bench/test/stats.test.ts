// Nearest-rank percentiles and the latency summary the bench reports.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencySample, percentile, summarize } from '../src/stats.ts';

const sorted = (values: number[]) => Float64Array.from(values).sort();

describe('percentile (nearest rank)', () => {
  it('picks the smallest value with at least p percent of the sample at or below it', () => {
    const one_to_100 = sorted(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(percentile(one_to_100, 50)).toBe(50);
    expect(percentile(one_to_100, 90)).toBe(90);
    expect(percentile(one_to_100, 99)).toBe(99);
    expect(percentile(one_to_100, 100)).toBe(100);
    expect(percentile(one_to_100, 0.5)).toBe(1);
  });

  it('on small samples, rounds the rank up rather than interpolating', () => {
    const four = sorted([10, 20, 30, 40]);
    expect(percentile(four, 50)).toBe(20);
    expect(percentile(four, 51)).toBe(30);
    expect(percentile(four, 99)).toBe(40);
    expect(percentile(sorted([7]), 1)).toBe(7);
    expect(percentile(sorted([7]), 100)).toBe(7);
  });

  it('has no value for an empty sample and refuses p outside (0, 100]', () => {
    expect(percentile(new Float64Array(0), 50)).toBeNull();
    expect(() => percentile(sorted([1]), 0)).toThrow(RangeError);
    expect(() => percentile(sorted([1]), 100.1)).toThrow(RangeError);
    expect(() => percentile(sorted([1]), Number.NaN)).toThrow(RangeError);
  });

  it('is always a member of the sample, monotone in p, and p100 is the maximum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (values, p, q) => {
          const s = sorted(values);
          const at = percentile(s, p)!;
          expect(values).toContain(at);
          const [lo, hi] = p <= q ? [p, q] : [q, p];
          expect(percentile(s, lo)!).toBeLessThanOrEqual(percentile(s, hi)!);
          expect(percentile(s, 100)).toBe(Math.max(...values));
          // At least p% of the sample is at or below the p-th percentile.
          expect(values.filter((v) => v <= at).length / values.length).toBeGreaterThanOrEqual(p / 100 - 1e-9);
        },
      ),
    );
  });
});

describe('LatencySample and summarize', () => {
  it('keeps every sample as it grows past its initial capacity, and sorts numerically', () => {
    const sample = new LatencySample();
    for (let i = 10_000; i > 0; i--) sample.add(i / 10);
    expect(sample.count).toBe(10_000);
    const s = sample.sorted();
    expect(s[0]).toBe(0.1);
    expect(s[9_999]).toBe(1000);
    // Numeric, not lexicographic: 9.9 before 10.
    expect(s.indexOf(9.9)).toBeLessThan(s.indexOf(10));
  });

  it('summarizes to two decimals, and to nulls when nothing was recorded', () => {
    const sample = new LatencySample();
    for (const ms of [1.234, 2, 3, 4, 100.005]) sample.add(ms);
    expect(summarize(sample)).toEqual({
      count: 5,
      p50_ms: 3,
      p90_ms: 100.01,
      p99_ms: 100.01,
      max_ms: 100.01,
      mean_ms: 22.05,
    });
    expect(summarize(new LatencySample())).toEqual({
      count: 0,
      p50_ms: null,
      p90_ms: null,
      p99_ms: null,
      max_ms: null,
      mean_ms: null,
    });
  });
});
