/**
 * One side's figures from its slices: throughput over the sum of its timed windows, latency
 * percentiles over every latency of them, and the totals (warm-up included, since the store
 * keeps those orders too). Pure.
 */
import type { LoadResult } from './protocol.ts';
import { LatencySample, summarize } from './stats.ts';
import { mergeStepLatencies } from './step-latencies.ts';

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Each slice's ok answers per second: the figure every per-round comparison starts from. */
export const okPerSecond = (slices: LoadResult[]): number[] => slices.map((s) => s.window.ok / s.duration_s);

export function mergeSlices(target: string, timed: LoadResult[], untimed: LoadResult[] = []): LoadResult {
  const all = [...timed, ...untimed];
  const seconds = timed.reduce((sum, s) => sum + s.duration_s, 0);
  const latencies = new LatencySample();
  for (const slice of timed) for (const ms of slice.latencies_ms ?? []) latencies.add(ms);
  const sum = (pick: (s: LoadResult) => number, of = timed) => of.reduce((acc, s) => acc + pick(s), 0);
  const ok = sum((s) => s.window.ok);
  const iterations = sum((s) => s.window.iterations_per_s * s.duration_s);
  const errorKinds = new Map<string, number>();
  for (const slice of all) {
    for (const [kind, count] of Object.entries(slice.error_kinds))
      errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + count);
  }
  const okByUrl: number[] = [];
  for (const slice of all) {
    for (const [k, ok] of slice.ok_by_url.entries()) okByUrl[k] = (okByUrl[k] ?? 0) + ok;
  }
  const sized = all.filter((s) => s.response_bytes !== null);
  const sizedRequests = sum((s) => s.total.requests, sized);
  return {
    target,
    window: {
      requests: sum((s) => s.window.requests),
      ok,
      errors: sum((s) => s.window.errors),
      throughput: seconds === 0 ? 0 : round1(ok / seconds),
      iterations_per_s: seconds === 0 ? 0 : round1(iterations / seconds),
      latency: summarize(latencies),
    },
    total: {
      requests: sum((s) => s.total.requests, all),
      ok: sum((s) => s.total.ok, all),
      errors: sum((s) => s.total.errors, all),
      orders_ok: sum((s) => s.total.orders_ok, all),
    },
    error_kinds: Object.fromEntries([...errorKinds].sort((a, b) => b[1] - a[1])),
    ok_by_url: okByUrl,
    response_bytes:
      sizedRequests === 0
        ? null
        : Math.round(sum((s) => s.response_bytes! * s.total.requests, sized) / sizedRequests),
    signed_in_run: sum((s) => s.signed_in_run, all),
    duration_s: seconds,
    step_latency: mergeStepLatencies(timed),
  };
}
