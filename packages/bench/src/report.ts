/** The bench's result: one flat JSON object (`--json`) and its human summary. Pure. */
import type { CurveStep } from './load-curve.ts';
import type { BenchOptions } from './options.ts';
import type { PreloadSummary } from './preload.ts';
import type { LoadResult } from './protocol.ts';
import type { Spread } from './spread.ts';
import type { LatencySummary } from './stats.ts';

export interface BenchReport {
  mix: string;
  /** The PayKKa wire of every request, to the gateway and the ceiling: `v1.2` or `v3`. */
  protocol: string;
  store: string;
  /** Gateway processes the bench started on the store, the load spread over them (1 with --url). */
  gateways: number;
  /** OPENKKA_WORKERS each of them was started with. */
  workers: number;
  /** ok answers of the interleaved rounds (warm-up included) from each of those gateways. */
  ok_by_gateway: number[];
  concurrency: number;
  /** Timed seconds per side: `pairs` slices of `slice_s`. */
  duration_s: number;
  slice_s: number;
  warmup_s: number;
  /** ok answers per second in the timed window: payments/s for purchase, API requests/s for lifecycle. */
  throughput: number;
  /** Complete authorize → capture → refund → query chains per second (lifecycle only). */
  lifecycles_per_s: number | null;
  /** The ceiling server's throughput under the same load generator, or null with --no-ceiling. */
  ceiling: number | null;
  /** Median of the per-round ratios openkka / ceiling, each round's slices side by side. */
  ratio: number | null;
  ratio_p10: number | null;
  ratio_p90: number | null;
  /** Rounds the ratio comes from. */
  pairs: number;
  /** Every round's ratio, in round order: the spread behind the median, for a closer look. */
  round_ratios: number[];
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  mean_ms: number | null;
  /**
   * The same figures for each step of the mix, in the window: the lifecycle's authorize,
   * capture, refund and query each have their own.
   */
  operations: Record<string, LatencySummary>;
  /** What --preload seeded into the store before the run, or null. */
  preload: PreloadSummary | null;
  /** Answers that arrived inside the timed window. */
  requests: number;
  /** Every failed request of the run: warm-up, window and drain. */
  errors: number;
  window_errors: number;
  /** Every good answer of the run: warm-up, window and drain. */
  ok_responses: number;
  /** Good answers to the first step of the mix: the orders the store should hold. */
  orders_expected: number;
  orders_in_store: number | null;
  max_rss_mb: number | null;
  ceiling_p50_ms: number | null;
  ceiling_p99_ms: number | null;
  ceiling_errors: number | null;
  response_bytes: number | null;
  ceiling_response_bytes: number | null;
  /** Requests signed inside a run because the pre-signed ones ran out (0 is the aim). */
  signed_in_run: number;
  error_kinds: Record<string, number>;
  gateway_log_lines: number | null;
  /** /proc/loadavg (1, 5, 15 min) just before the run. */
  loadavg: number[];
  /** Percent of the machine's CPU used by processes outside the bench during the openkka run. */
  other_cpu_pct: number | null;
  ceiling_other_cpu_pct: number | null;
  /**
   * CPU the gateway process (and, on PostgreSQL, the bench database's backends) used during the
   * openkka run, per ok answer, in ms: what a payment costs the machine, load or no load.
   */
  gateway_cpu_ms_per_ok: number | null;
  /** `--load-curve`: one entry per open-loop step, or null. */
  load_curve: CurveStep[] | null;
  /** `--compare REF`: the other checkout's figures from the same rounds, or null. */
  compare: CompareReport | null;
  /** `--compare-mix MIX`: the other mix's figures from the same rounds on the same gateway, or null. */
  compare_mix: CompareMixReport | null;
}

/** What a second side of the same rounds answered (`--compare` or `--compare-mix`). */
export interface SideReport {
  throughput: number;
  ratio: number | null;
  ratio_p10: number | null;
  ratio_p90: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  errors: number;
  ok_responses: number;
  orders_expected: number;
  orders_in_store: number | null;
  gateway_cpu_ms_per_ok: number | null;
}

/** A side's figures from its slices merged, its per-round ratios, its orders and its CPU. */
export function sideReport(
  merged: LoadResult,
  ratios: Spread | null,
  ordersInStore: number | null,
  cpuMsPerOk: number | null,
): SideReport {
  return {
    throughput: merged.window.throughput,
    ratio: ratios?.median ?? null,
    ratio_p10: ratios?.p10 ?? null,
    ratio_p90: ratios?.p90 ?? null,
    p50_ms: merged.window.latency.p50_ms,
    p99_ms: merged.window.latency.p99_ms,
    errors: merged.total.errors,
    ok_responses: merged.total.ok,
    orders_expected: merged.total.orders_ok,
    orders_in_store: ordersInStore,
    gateway_cpu_ms_per_ok: cpuMsPerOk,
  };
}

export interface CompareMixReport extends SideReport {
  mix: string;
  /** The ceiling's throughput under this mix's bodies. */
  ceiling: number;
  /**
   * Per round, 1 − (the main mix's ratio / this mix's ratio), each to its own ceiling: the share
   * of this mix's throughput the main mix gives up. Above 0: the main mix is the costlier.
   */
  cost: number | null;
  cost_p10: number | null;
  cost_p90: number | null;
  /** The same by payments (or requests) per second alone, median per round. */
  throughput_cost: number | null;
}

export interface CompareReport extends SideReport {
  ref: string;
  commit: string;
  /** Per round, this checkout's ratio minus REF's: above 0 means this checkout is faster. */
  diff: number | null;
  diff_p10: number | null;
  diff_p90: number | null;
}

export interface ReportInputs {
  options: BenchOptions;
  storeLabel: string;
  /** What --preload seeded into the store, when it did. */
  preloaded?: PreloadSummary | null;
  openkka: LoadResult;
  ceiling: LoadResult | null;
  ordersInStore: number | null;
  maxRssMb: number | null;
  gatewayLogLines: number | null;
  loadavg: number[];
  otherCpuPct: number | null;
  ceilingOtherCpuPct: number | null;
  /** CPU ms of the gateway (and its database backends) per ok answer of its timed slices. */
  gatewayCpuMsPerOk?: number | null;
  ratios: Spread | null;
  roundRatios?: number[];
  curve?: CurveStep[] | null;
  compare?: CompareReport | null;
  compareMix?: CompareMixReport | null;
}

/** CPU ms per ok answer, rounded; null when either is unknown. */
export function cpuPerOk(cpuMs: number | null | undefined, ok: number): number | null {
  return cpuMs == null || ok === 0 ? null : Math.round((cpuMs / ok) * 1000) / 1000;
}

export function buildReport(i: ReportInputs): BenchReport {
  const { openkka, ceiling, options } = i;
  const ceilingRate = ceiling ? ceiling.window.throughput : null;
  const curve = i.curve ?? null;
  const curveSum = (pick: (step: CurveStep) => number) => (curve ?? []).reduce((sum, s) => sum + pick(s), 0);
  const errorKinds = { ...openkka.error_kinds };
  for (const step of curve ?? []) {
    for (const [kind, count] of Object.entries(step.error_kinds))
      errorKinds[kind] = (errorKinds[kind] ?? 0) + count;
  }
  return {
    mix: options.mix,
    protocol: options.protocol,
    store: i.storeLabel,
    gateways: options.gateways,
    workers: options.workers,
    ok_by_gateway: openkka.ok_by_url,
    concurrency: options.concurrency,
    duration_s: openkka.duration_s,
    slice_s: options.sliceS,
    warmup_s: options.warmupS,
    throughput: openkka.window.throughput,
    lifecycles_per_s: options.mix === 'lifecycle' ? openkka.window.iterations_per_s : null,
    ceiling: ceilingRate,
    ratio: i.ratios?.median ?? null,
    ratio_p10: i.ratios?.p10 ?? null,
    ratio_p90: i.ratios?.p90 ?? null,
    pairs: options.pairs,
    round_ratios: (i.roundRatios ?? []).map((r) => Math.round(r * 1000) / 1000),
    p50_ms: openkka.window.latency.p50_ms,
    p90_ms: openkka.window.latency.p90_ms,
    p99_ms: openkka.window.latency.p99_ms,
    max_ms: openkka.window.latency.max_ms,
    mean_ms: openkka.window.latency.mean_ms,
    operations: openkka.step_latency ?? {},
    preload: i.preloaded ?? null,
    requests: openkka.window.requests,
    errors: openkka.total.errors + curveSum((s) => s.errors),
    window_errors: openkka.window.errors,
    ok_responses: openkka.total.ok + curveSum((s) => s.ok),
    orders_expected: openkka.total.orders_ok + curveSum((s) => s.orders_ok),
    orders_in_store: i.ordersInStore,
    max_rss_mb: i.maxRssMb,
    ceiling_p50_ms: ceiling ? ceiling.window.latency.p50_ms : null,
    ceiling_p99_ms: ceiling ? ceiling.window.latency.p99_ms : null,
    ceiling_errors: ceiling ? ceiling.total.errors : null,
    response_bytes: openkka.response_bytes,
    ceiling_response_bytes: ceiling ? ceiling.response_bytes : null,
    signed_in_run: openkka.signed_in_run + curveSum((s) => s.signed_in_run),
    error_kinds: errorKinds,
    gateway_log_lines: i.gatewayLogLines,
    loadavg: i.loadavg,
    other_cpu_pct: i.otherCpuPct,
    ceiling_other_cpu_pct: i.ceilingOtherCpuPct,
    gateway_cpu_ms_per_ok: i.gatewayCpuMsPerOk ?? null,
    load_curve: curve,
    compare: i.compare ?? null,
    compare_mix: i.compareMix ?? null,
  };
}

const n = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 1 });
const ms = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)} ms`);
const or = (value: number | null, text: (v: number) => string, missing: string) =>
  value === null ? missing : text(value);
const f3 = (value: number | null) => or(value, (v) => v.toFixed(3), '-');

const processes = (r: BenchReport) =>
  `${r.gateways} gateway process${r.gateways === 1 ? '' : 'es'} × ${r.workers} worker${r.workers === 1 ? '' : 's'}`;

/** A line per step of a mix of several, and what the store was preloaded with. */
function operationLines(r: BenchReport): string[] {
  const steps = Object.entries(r.operations);
  const lines =
    steps.length > 1
      ? steps.map(
          ([step, l]) =>
            `    ${step.padEnd(13)}p50 ${ms(l.p50_ms)}  p90 ${ms(l.p90_ms)}  p99 ${ms(l.p99_ms)}  max ${ms(l.max_ms)}  (${n(l.count)} requests)`,
        )
      : [];
  const p = r.preload;
  if (p) {
    lines.push(
      `  preloaded        ${n(p.orders)} orders, ${n(p.total_rows)} rows in ${n(p.seconds)} s (${n(p.rows_per_s)} rows/s), settled in ${n(p.settle_seconds)} s; store ${n(p.store_bytes / 1e6)} MB`,
    );
  }
  return lines;
}

export function formatSummary(r: BenchReport): string {
  const unit = r.mix === 'lifecycle' ? 'requests/s' : 'payments/s';
  const lines = [
    `openkka bench: ${r.mix} mix over ${r.protocol}, ${r.store} store, ${processes(r)}, concurrency ${r.concurrency}, ${r.pairs} rounds of ${n(r.slice_s)} s slices per side (after ${n(r.warmup_s)} s warm-up)`,
    `  machine          load average ${r.loadavg.join(' ')} before the run` +
      (r.other_cpu_pct === null
        ? ''
        : `; other processes took ${r.other_cpu_pct}% of the CPU during it` +
          (r.ceiling_other_cpu_pct === null ? '' : ` (${r.ceiling_other_cpu_pct}% during the ceiling run)`)),
    `  throughput       ${n(r.throughput)} ${unit}` +
      (r.lifecycles_per_s === null ? '' : ` (${n(r.lifecycles_per_s)} complete lifecycles/s)`),
    `  latency          p50 ${ms(r.p50_ms)}  p90 ${ms(r.p90_ms)}  p99 ${ms(r.p99_ms)}  max ${ms(r.max_ms)}`,
    ...operationLines(r),
    `  errors           ${n(r.errors)}` + (r.errors === 0 ? '' : ` (${n(r.window_errors)} in the window)`),
  ];
  for (const [kind, count] of Object.entries(r.error_kinds).slice(0, 5))
    lines.push(`    ${n(count)} × ${kind}`);
  const matches =
    r.orders_in_store === null ? '' : r.orders_in_store === r.orders_expected ? ' (matches)' : ' (MISMATCH)';
  lines.push(
    `  ok responses     ${n(r.ok_responses)}` +
      (r.gateways === 1 ? '' : ` (per gateway in the rounds: ${r.ok_by_gateway.map(n).join(', ')})`),
    `  orders_in_store  ${or(r.orders_in_store, n, 'not counted (no store given)')}` +
      `${r.orders_in_store === null ? '' : `, expected ${n(r.orders_expected)}${matches}`}`,
    `  gateway CPU      ${or(r.gateway_cpu_ms_per_ok, (v) => `${v.toFixed(2)} ms per ok answer`, 'not measured')}`,
    `  max RSS          ${or(r.max_rss_mb, (v) => `${n(v)} MB (gateway process)`, 'not sampled (external gateway)')}`,
  );
  if (r.ceiling === null) {
    lines.push('  ceiling          skipped (--no-ceiling)');
  } else {
    lines.push(
      `  ceiling          ${n(r.ceiling)} ${unit}  p50 ${ms(r.ceiling_p50_ms)}  p99 ${ms(r.ceiling_p99_ms)}  errors ${n(r.ceiling_errors ?? 0)}`,
      `  ratio            ${r.ratio === null ? '-' : r.ratio.toFixed(3)} (median of ${r.pairs} per-round ratios openkka / ceiling; p10 ${or(r.ratio_p10, (v) => v.toFixed(3), '-')}, p90 ${or(r.ratio_p90, (v) => v.toFixed(3), '-')})`,
    );
  }
  if (r.compare) {
    const c = r.compare;
    lines.push(
      `  ${`vs ${c.ref}`.padEnd(16)} ${c.commit.slice(0, 12)}: ${n(c.throughput)} ${unit}  p50 ${ms(c.p50_ms)}  p99 ${ms(c.p99_ms)}  errors ${n(c.errors)}  ratio ${f3(c.ratio)} (p10 ${f3(c.ratio_p10)}, p90 ${f3(c.ratio_p90)})`,
      `  difference       ${f3(c.diff)} (this checkout's ratio minus ${c.ref}'s, median per round; p10 ${f3(c.diff_p10)}, p90 ${f3(c.diff_p90)})`,
      `  ${c.ref} orders   ${or(c.orders_in_store, n, 'not counted')}, expected ${n(c.orders_expected)}`,
    );
  }
  if (r.compare_mix) {
    const c = r.compare_mix;
    lines.push(
      `  ${`vs ${c.mix} mix`.padEnd(16)} ${n(c.throughput)} ${unit}  p50 ${ms(c.p50_ms)}  p99 ${ms(c.p99_ms)}  errors ${n(c.errors)}  ratio ${f3(c.ratio)} (p10 ${f3(c.ratio_p10)}, p90 ${f3(c.ratio_p90)}) to its ceiling of ${n(c.ceiling)}  gateway CPU ${or(c.gateway_cpu_ms_per_ok, (v) => `${v.toFixed(2)} ms`, '-')}`,
      `  cost             ${f3(c.cost)} (1 − ${r.mix}'s ratio / ${c.mix}'s, median per round; p10 ${f3(c.cost_p10)}, p90 ${f3(c.cost_p90)}); by ${unit} alone ${f3(c.throughput_cost)}`,
      `  ${c.mix} orders`.padEnd(19) +
        `${or(c.orders_in_store, n, 'not counted')}, expected ${n(c.orders_expected)}`,
    );
  }
  if (r.load_curve) {
    lines.push('  load curve       open loop, latency from the intended send time');
    for (const step of r.load_curve) {
      lines.push(
        `    ${`${step.load_pct}%`.padStart(4)}  ${n(step.target_rate).padStart(7)}/s sent, ${n(step.achieved_rate).padStart(7)}/s done  p50 ${ms(step.p50_ms)}  p99 ${ms(step.p99_ms)}  p99.9 ${ms(step.p999_ms)}  errors ${n(step.errors)}`,
      );
    }
  }
  if (r.signed_in_run > 0) {
    lines.push(`  note: ${n(r.signed_in_run)} requests were signed during the run (pre-signed ones ran out)`);
  }
  if (r.gateway_log_lines)
    lines.push(`  note: the gateway logged ${n(r.gateway_log_lines)} warning/error lines`);
  return lines.join('\n');
}
