// One side's figures from its slices: exact throughput and percentiles across slices.
import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../src/protocol.ts';
import { mergeSlices } from '../src/slice-merge.ts';
import { LatencySample, summarize } from '../src/stats.ts';

function slice(
  ok: number,
  seconds: number,
  latencies: number[],
  extra: Partial<LoadResult> = {},
): LoadResult {
  const sample = new LatencySample();
  for (const ms of latencies) sample.add(ms);
  return {
    target: 'openkka',
    window: {
      requests: ok,
      ok,
      errors: 0,
      throughput: ok / seconds,
      iterations_per_s: ok / seconds,
      latency: summarize(sample),
    },
    total: { requests: ok + 10, ok: ok + 10, errors: 0, orders_ok: ok + 10 },
    error_kinds: {},
    ok_by_url: [ok + 10],
    response_bytes: 700,
    signed_in_run: 0,
    duration_s: seconds,
    latencies_ms: latencies,
    ...extra,
  };
}

describe('mergeSlices', () => {
  it('divides all ok answers by all timed seconds, not averaging the slices’ rates', () => {
    const merged = mergeSlices('openkka', [slice(1000, 2, [1]), slice(500, 1, [1])]);
    expect(merged.window.throughput).toBe(500);
    expect(merged.duration_s).toBe(3);
    expect(merged.window.ok).toBe(1500);
  });

  it('takes percentiles over every latency of every slice', () => {
    const merged = mergeSlices('openkka', [slice(4, 1, [1, 2, 3, 4]), slice(4, 1, [5, 6, 7, 100])]);
    expect(merged.window.latency).toMatchObject({ count: 8, p50_ms: 4, max_ms: 100 });
  });

  it('counts the warm-up in the totals (its orders are in the store) but not in the window', () => {
    const warmup = slice(0, 0, [], {
      window: {
        requests: 0,
        ok: 0,
        errors: 0,
        throughput: 0,
        iterations_per_s: 0,
        latency: summarize(new LatencySample()),
      },
      total: { requests: 300, ok: 299, errors: 1, orders_ok: 299 },
      error_kinds: { 'purchase: ECONNRESET': 1 },
      signed_in_run: 2,
    });
    const merged = mergeSlices(
      'openkka',
      [slice(100, 1, [2], { error_kinds: { 'purchase: ECONNRESET': 2 } })],
      [warmup],
    );
    expect(merged.window.throughput).toBe(100);
    expect(merged.total).toEqual({ requests: 410, ok: 409, errors: 1, orders_ok: 409 });
    expect(merged.error_kinds).toEqual({ 'purchase: ECONNRESET': 3 });
    expect(merged.signed_in_run).toBe(2);
  });

  it('has a throughput of 0, not NaN, without timed slices', () => {
    expect(mergeSlices('openkka', []).window.throughput).toBe(0);
  });
});
