// The whole bench, end to end and briefly: its own gateway, ceiling and load generator processes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { OPENKKA_BIN } from '../../../src/cli/executable.ts';

it('`openkka bench --json` prints one JSON object whose orders match its ok answers, with no errors', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [OPENKKA_BIN, 'bench', '--duration', '1', '--warmup', '0.5', '--concurrency', '2', '--json'],
    { timeout: 110_000, maxBuffer: 1024 * 1024 },
  );
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const report = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(report).toMatchObject({
    mix: 'purchase',
    store: 'sqlite',
    concurrency: 2,
    duration_s: 1,
    throughput: expect.any(Number),
    ceiling: expect.any(Number),
    ratio: expect.any(Number),
    p50_ms: expect.any(Number),
    p90_ms: expect.any(Number),
    p99_ms: expect.any(Number),
    max_ms: expect.any(Number),
    ok_responses: expect.any(Number),
    max_rss_mb: expect.any(Number),
    errors: 0,
  });
  expect(report.throughput).toBeGreaterThan(0);
  expect(report.ok_responses).toBeGreaterThan(0);
  expect(report.orders_in_store).toBe(report.ok_responses);
  expect(report.p50_ms as number).toBeLessThanOrEqual(report.p99_ms as number);
});

it('`openkka bench --mix encrypted` pays with encrypted card fields: every one opened, none refused', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      OPENKKA_BIN,
      'bench',
      ...['--mix', 'encrypted', '--duration', '1', '--warmup', '0.5', '--concurrency', '2', '--no-ceiling'],
      '--json',
    ],
    { timeout: 110_000, maxBuffer: 1024 * 1024 },
  );
  const report = JSON.parse(stdout) as Record<string, unknown>;
  expect(report).toMatchObject({ mix: 'encrypted', errors: 0, error_kinds: {} });
  expect(report.ok_responses).toBeGreaterThan(0);
  expect(report.orders_in_store).toBe(report.ok_responses);
});
