/**
 * `openkka seed` as a real process, on both stores: it fills an empty store and says what it
 * wrote (progress on stderr, one JSON object on stdout), and it refuses bad options before it
 * opens any store, an unknown merchant before it writes anything, and a store that already
 * holds orders, so it cannot mix fake orders into a real store.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { killChildren, type RunResult, runCli } from './run-cli.ts';

let store: TestStore;

beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => {
  killChildren();
  await store?.drop();
});

function expectRefused(result: RunResult, message: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

async function countOrders(): Promise<number> {
  const opened = await openStore({ databaseUrl: store.databaseUrl, dataDir: store.dataDir });
  try {
    const row = await opened.reader
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await opened.close();
  }
}

describe('openkka seed', () => {
  it('refuses bad options without opening a store: nothing is created', async () => {
    const dataDir = join(store.dataDir, 'never-made');
    const env = { OPENKKA_DATA_DIR: dataDir };
    const refusals = await Promise.all([
      runCli(['seed'], env),
      runCli(['seed', '--orders', 'ten'], env),
      runCli(['seed', '--orders', '0'], env),
      runCli(['seed', '--orders', '10', '--merchant', "1'; drop table orders; --"], env),
      runCli(['seed', '--orders', '10', '--merchants', '1', '--merchant', '111', '--merchant', '222'], env),
    ]);
    expectRefused(refusals[0]!, /required option '--orders <n>' not specified/);
    expectRefused(refusals[1]!, /--orders: "ten" is not a whole number/);
    expectRefused(refusals[2]!, /--orders must be from 1 to/);
    expectRefused(refusals[3]!, /--merchant: .* is not a merchant id/);
    expectRefused(refusals[4]!, /--merchant names 2 merchants but --merchants is 1/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a merchant the store does not hold, before writing any order', async () => {
    const result = await runCli(['seed', '--orders', '10', '--merchant', '99999999999999'], store.env);
    expectRefused(result, /no merchant 99999999999999/);
    expect(await countOrders()).toBe(0);
  });

  it('fills an empty store, printing progress, then one JSON object of what it wrote', async () => {
    const result = await runCli(
      ['seed', '--orders', '1500', '--merchants', '2', '--chunk', '500', '--days', '30', '--json'],
      store.env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/^seeded [\d,]+ of 1,500 orders/gm)).toHaveLength(3);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      orders: 1500,
      merchants: 2,
      rows: expect.objectContaining({ orders: 1500, order_events: expect.any(Number) }),
      total_rows: expect.any(Number),
      rows_per_s: expect.any(Number),
      store_bytes: expect.any(Number),
    });
    expect(report.merchant_ids).toHaveLength(2);
    expect(await countOrders()).toBe(1500);
  });

  it('refuses a store that already holds orders, and adds none', async () => {
    const result = await runCli(['seed', '--orders', '10'], store.env);
    expectRefused(result, /the store already holds orders: seed fills an empty store only/);
    expect(await countOrders()).toBe(1500);
  });
});
