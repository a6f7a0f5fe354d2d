/**
 * `openkka bench --gateways K --workers N`, end to end and briefly, on the test's store: K
 * gateway processes on one fresh store (a PostgreSQL database, or one SQLite data dir), each
 * started with OPENKKA_WORKERS=N, the load spread over them, and every ok answer an order in
 * the one store, whichever process gave it.
 */
import { expect, it } from 'vitest';
import { PG_ADMIN_URL, testStoreKind } from '../helpers/test-store.ts';
import { runCli } from './run-cli.ts';

const store = testStoreKind();

it(`\`openkka bench --store ${store} --gateways 2 --workers 2\` spreads the load over two gateways on one store`, async () => {
  const run = await runCli(
    [
      'bench',
      ...['--store', store, '--gateways', '2', '--workers', '2'],
      ...['--pairs', '2', '--slice', '0.5', '--warmup', '0.5', '--concurrency', '4', '--json'],
    ],
    { OPENKKA_BENCH_PG_URL: PG_ADMIN_URL },
    110_000,
  );
  expect(run.code, run.stderr).toBe(0);
  const lines = run.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const report = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(report).toMatchObject({
    store,
    gateways: 2,
    workers: 2,
    concurrency: 4,
    errors: 0,
    ceiling_errors: 0,
    error_kinds: {},
    ratio: expect.any(Number),
  });
  // Two connections on each gateway, and both answered.
  const byGateway = report.ok_by_gateway as number[];
  expect(byGateway).toHaveLength(2);
  for (const ok of byGateway) expect(ok).toBeGreaterThan(0);
  // Whichever gateway answered, the order is in the one store, once.
  expect(report.orders_in_store).toBe(report.ok_responses);
});
