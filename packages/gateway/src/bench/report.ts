/** The bench's result: one flat JSON object (`--json`) and its human summary. Pure. */
import type { BenchOptions } from './options.ts';
import type { LoadResult } from './protocol.ts';

export interface BenchReport {
  mix: string;
  store: string;
  concurrency: number;
  duration_s: number;
  warmup_s: number;
  /** ok answers per second in the timed window: payments/s for purchase, API requests/s for lifecycle. */
  throughput: number;
  /** Complete authorize → capture → refund → query chains per second (lifecycle only). */
  lifecycles_per_s: number | null;
  /** The ceiling server's throughput under the same load generator, or null with --no-ceiling. */
  ceiling: number | null;
  ratio: number | null;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  mean_ms: number | null;
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
}

export interface ReportInputs {
  options: BenchOptions;
  storeLabel: string;
  openkka: LoadResult;
  ceiling: LoadResult | null;
  ordersInStore: number | null;
  maxRssMb: number | null;
  gatewayLogLines: number | null;
  loadavg: number[];
  otherCpuPct: number | null;
  ceilingOtherCpuPct: number | null;
  /** CPU ms of the gateway (and its database backends) over the whole openkka run. */
  gatewayCpuMs?: number | null;
}

export function buildReport(i: ReportInputs): BenchReport {
  const { openkka, ceiling, options } = i;
  const ceilingRate = ceiling ? ceiling.window.throughput : null;
  return {
    mix: options.mix,
    store: i.storeLabel,
    concurrency: options.concurrency,
    duration_s: options.durationS,
    warmup_s: options.warmupS,
    throughput: openkka.window.throughput,
    lifecycles_per_s: options.mix === 'lifecycle' ? openkka.window.iterations_per_s : null,
    ceiling: ceilingRate,
    ratio: ceilingRate ? Math.round((openkka.window.throughput / ceilingRate) * 1000) / 1000 : null,
    p50_ms: openkka.window.latency.p50_ms,
    p90_ms: openkka.window.latency.p90_ms,
    p99_ms: openkka.window.latency.p99_ms,
    max_ms: openkka.window.latency.max_ms,
    mean_ms: openkka.window.latency.mean_ms,
    requests: openkka.window.requests,
    errors: openkka.total.errors,
    window_errors: openkka.window.errors,
    ok_responses: openkka.total.ok,
    orders_expected: openkka.total.orders_ok,
    orders_in_store: i.ordersInStore,
    max_rss_mb: i.maxRssMb,
    ceiling_p50_ms: ceiling ? ceiling.window.latency.p50_ms : null,
    ceiling_p99_ms: ceiling ? ceiling.window.latency.p99_ms : null,
    ceiling_errors: ceiling ? ceiling.total.errors : null,
    response_bytes: openkka.response_bytes,
    ceiling_response_bytes: ceiling ? ceiling.response_bytes : null,
    signed_in_run: openkka.signed_in_run,
    error_kinds: openkka.error_kinds,
    gateway_log_lines: i.gatewayLogLines,
    loadavg: i.loadavg,
    other_cpu_pct: i.otherCpuPct,
    ceiling_other_cpu_pct: i.ceilingOtherCpuPct,
    gateway_cpu_ms_per_ok:
      i.gatewayCpuMs == null || openkka.total.ok === 0
        ? null
        : Math.round((i.gatewayCpuMs / openkka.total.ok) * 1000) / 1000,
  };
}

const n = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 1 });
const ms = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)} ms`);
const or = (value: number | null, text: (v: number) => string, missing: string) =>
  value === null ? missing : text(value);

export function formatSummary(r: BenchReport): string {
  const unit = r.mix === 'lifecycle' ? 'requests/s' : 'payments/s';
  const lines = [
    `openkka bench: ${r.mix} mix, ${r.store} store, concurrency ${r.concurrency}, ${n(r.duration_s)} s (after ${n(r.warmup_s)} s warm-up)`,
    `  machine          load average ${r.loadavg.join(' ')} before the run` +
      (r.other_cpu_pct === null
        ? ''
        : `; other processes took ${r.other_cpu_pct}% of the CPU during it` +
          (r.ceiling_other_cpu_pct === null ? '' : ` (${r.ceiling_other_cpu_pct}% during the ceiling run)`)),
    `  throughput       ${n(r.throughput)} ${unit}` +
      (r.lifecycles_per_s === null ? '' : ` (${n(r.lifecycles_per_s)} complete lifecycles/s)`),
    `  latency          p50 ${ms(r.p50_ms)}  p90 ${ms(r.p90_ms)}  p99 ${ms(r.p99_ms)}  max ${ms(r.max_ms)}`,
    `  errors           ${n(r.errors)}` + (r.errors === 0 ? '' : ` (${n(r.window_errors)} in the window)`),
  ];
  for (const [kind, count] of Object.entries(r.error_kinds).slice(0, 5))
    lines.push(`    ${n(count)} × ${kind}`);
  const matches =
    r.orders_in_store === null ? '' : r.orders_in_store === r.orders_expected ? ' (matches)' : ' (MISMATCH)';
  lines.push(
    `  ok responses     ${n(r.ok_responses)}`,
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
      `  ratio            ${r.ratio === null ? '-' : r.ratio.toFixed(2)} (openkka / ceiling)`,
    );
  }
  if (r.signed_in_run > 0) {
    lines.push(`  note: ${n(r.signed_in_run)} requests were signed during the run (pre-signed ones ran out)`);
  }
  if (r.gateway_log_lines)
    lines.push(`  note: the gateway logged ${n(r.gateway_log_lines)} warning/error lines`);
  return lines.join('\n');
}
