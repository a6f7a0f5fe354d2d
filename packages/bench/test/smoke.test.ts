// The whole bench, end to end and briefly: its own gateway, ceiling and load generator processes.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OPENKKA_BIN } from 'openkka/executable';
import { afterAll, expect, it } from 'vitest';

const brief = ['--pairs', '3', '--slice', '0.5', '--warmup', '0.5', '--concurrency', '2', '--json'];

async function bench(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, [OPENKKA_BIN, 'bench', ...args], {
    timeout: 110_000,
    maxBuffer: 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

const dir = mkdtempSync(join(tmpdir(), 'openkka-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('`openkka bench --json` interleaves the ceiling and the gateway: per-round ratio and spread, orders matching ok answers', async () => {
  const report = await bench(brief);
  expect(report).toMatchObject({
    mix: 'purchase',
    protocol: 'v1.2',
    store: 'sqlite',
    concurrency: 2,
    pairs: 3,
    slice_s: 0.5,
    duration_s: 1.5,
    throughput: expect.any(Number),
    ceiling: expect.any(Number),
    ratio: expect.any(Number),
    ratio_p10: expect.any(Number),
    ratio_p90: expect.any(Number),
    p50_ms: expect.any(Number),
    p90_ms: expect.any(Number),
    p99_ms: expect.any(Number),
    max_ms: expect.any(Number),
    ok_responses: expect.any(Number),
    max_rss_mb: expect.any(Number),
    errors: 0,
    ceiling_errors: 0,
    load_curve: null,
    compare: null,
    compare_mix: null,
  });
  expect(report.throughput).toBeGreaterThan(0);
  expect(report.ceiling).toBeGreaterThan(0);
  expect(report.ratio_p10 as number).toBeLessThanOrEqual(report.ratio as number);
  expect(report.ratio as number).toBeLessThanOrEqual(report.ratio_p90 as number);
  expect(report.orders_in_store).toBe(report.ok_responses);
  expect(report.signed_in_run).toBe(0);
  expect(report.p50_ms as number).toBeLessThanOrEqual(report.p99_ms as number);
});

it('`openkka bench --load-curve --chart` loads the gateway open-loop at four shares of its rate and draws them', async () => {
  const chart = join(dir, 'curve.svg');
  const report = await bench([...brief, '--load-curve', '--step', '1', '--chart', chart]);
  const curve = report.load_curve as Array<Record<string, number>>;
  expect(curve.map((s) => s.load_pct)).toEqual([25, 50, 75, 90]);
  const capacity = report.throughput as number;
  for (const [i, step] of curve.entries()) {
    // A share of the gateway's own measured rate (complete iterations/s, within rounding).
    const intended = capacity * [0.25, 0.5, 0.75, 0.9][i]!;
    expect(Math.abs(step.target_rate! - intended)).toBeLessThanOrEqual(0.02 * intended + 0.1);
    expect(step.sent).toBeGreaterThan(0);
    expect(step.achieved_rate).toBeGreaterThan(0);
    expect(step.errors).toBe(0);
    expect(step.p50_ms).toBeLessThanOrEqual(step.p99_ms!);
    expect(step.p99_ms).toBeLessThanOrEqual(step.p999_ms!);
  }
  // The curve's payments are fresh orders too: the store holds every ok answer, no more.
  expect(report.orders_in_store).toBe(report.ok_responses);
  expect(existsSync(chart)).toBe(true);
  expect(readFileSync(chart, 'utf8').match(/<polyline /g)).toHaveLength(3);
});

it('`openkka bench --mix encrypted --compare-mix purchase` pays with encrypted card fields beside plain ones, in the same rounds', async () => {
  const report = await bench(['--mix', 'encrypted', '--compare-mix', 'purchase', ...brief]);
  expect(report).toMatchObject({
    mix: 'encrypted',
    errors: 0,
    error_kinds: {},
    pairs: 3,
    ratio: expect.any(Number),
  });
  expect(report.ok_responses).toBeGreaterThan(0);
  // Every encrypted card opened and paid; the plain payments are counted apart.
  expect(report.orders_in_store).toBe(report.ok_responses);
  const other = report.compare_mix as Record<string, number | string | null>;
  expect(other).toMatchObject({
    mix: 'purchase',
    errors: 0,
    throughput: expect.any(Number),
    ceiling: expect.any(Number),
    ratio: expect.any(Number),
    cost: expect.any(Number),
    throughput_cost: expect.any(Number),
    gateway_cpu_ms_per_ok: expect.any(Number),
  });
  expect(other.ok_responses as number).toBeGreaterThan(0);
  expect(other.orders_in_store).toBe(other.ok_responses);
  expect(other.cost_p10 as number).toBeLessThanOrEqual(other.cost as number);
  expect(other.cost as number).toBeLessThanOrEqual(other.cost_p90 as number);
  // The cost is 1 − the ratio of the two ratios: its median lies within the rounds' range.
  expect(other.cost as number).toBeLessThan(1);
});

// An ok answer is HTTP 200, ret_code 000000, the step's status, and signed in the x-paykka-*
// headers (mix-iteration.ts): zero errors with ok answers means every request was answered
// 000000 over v3, by the gateway and by the ceiling alike.
it('`openkka bench --protocol v3` pays over v3 against a ceiling doing the v3 signature work: every request answered 000000 over v3', async () => {
  const report = await bench(['--protocol', 'v3', ...brief]);
  expect(report).toMatchObject({
    protocol: 'v3',
    mix: 'purchase',
    errors: 0,
    window_errors: 0,
    ceiling_errors: 0,
    error_kinds: {},
    signed_in_run: 0,
    ratio: expect.any(Number),
  });
  expect(report.requests).toBeGreaterThan(0);
  expect(report.ok_responses).toBeGreaterThan(0);
  expect(report.ceiling).toBeGreaterThan(0);
  // Every pre-signed request went once, with its own nonce: none refused as a reuse (300070).
  expect(report.orders_in_store).toBe(report.ok_responses);
  // v3 answers carry no data.timestamp: the ceiling pads to the same size as the gateway answers.
  expect(
    Math.abs((report.response_bytes as number) - (report.ceiling_response_bytes as number)),
  ).toBeLessThan(20);
});

it('`openkka bench --protocol v3 --mix lifecycle` authorizes, captures, refunds and queries over v3', async () => {
  const report = await bench(['--protocol', 'v3', '--mix', 'lifecycle', ...brief, '--no-ceiling']);
  expect(report).toMatchObject({ protocol: 'v3', mix: 'lifecycle', errors: 0, error_kinds: {} });
  // Every chain started runs to its end: four ok answers per order, none refused.
  expect(report.orders_expected).toBeGreaterThan(0);
  expect(report.orders_in_store).toBe(report.orders_expected);
  expect(report.ok_responses).toBe(4 * (report.orders_expected as number));
  expect(report.lifecycles_per_s).toBeGreaterThan(0);
});

it('`openkka bench --mix lifecycle --preload` seeds the store first and reports each operation’s latency', async () => {
  const report = await bench([
    '--mix',
    'lifecycle',
    '--preload',
    '2000',
    '--no-ceiling',
    '--presign-rate',
    '200',
    ...brief,
  ]);
  expect(report.preload).toMatchObject({
    orders: 2000,
    total_rows: expect.any(Number),
    rows_per_s: expect.any(Number),
    settle_seconds: expect.any(Number),
    store_bytes: expect.any(Number),
  });
  const operations = report.operations as Record<string, { count: number; p50_ms: number; p99_ms: number }>;
  expect(Object.keys(operations)).toEqual(['authorize', 'capture', 'refund', 'query']);
  for (const op of Object.values(operations)) {
    expect(op.count).toBeGreaterThan(0);
    expect(op.p50_ms).toBeLessThanOrEqual(op.p99_ms);
  }
  expect(report.errors).toBe(0);
  // The bench counts its own orders only: the seeded ones have trans_ids of their own.
  expect(report.orders_in_store).toBe(report.orders_expected);
});
