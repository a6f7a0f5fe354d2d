/**
 * `openkka seed`: fills an empty store with years of realistic orders, written by the database
 * itself (docs/benchmarks-at-size.md), for measuring the gateway at size. It never sends
 * anything: every seeded notification is already delivered or given up on.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { type RawSeedOptions, resolveSeedOptions, SEED_DEFAULTS } from '../seed/options.ts';
import type { SeedProgress } from '../seed/seeder.ts';
import { merchantService, output, withRuntime } from './context.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function progressLine({ orders, of, rows, elapsedMs }: SeedProgress): string {
  const seconds = elapsedMs / 1000;
  const rate = rows / seconds;
  const left = (of - orders) * (seconds / orders);
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  return `seeded ${n(orders)} of ${n(of)} orders (${Math.floor((orders / of) * 100)}%), ${n(rows)} rows, ${n(rate)} rows/s, ${n(left)} s left`;
}

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description(
      'Fill an empty store with realistic orders, generated in the database (for measuring at size)',
    )
    .requiredOption('--orders <n>', 'how many orders')
    .option(
      '--merchants <n>',
      'merchants the orders are spread over, the --merchant ones among them',
      SEED_DEFAULTS.merchants,
    )
    .option('--merchant <id>', 'an existing merchant that gets its share (repeatable)', collect)
    .option('--days <n>', 'spread the orders over this many days before now', SEED_DEFAULTS.days)
    .option('--chunk <n>', 'orders per transaction', SEED_DEFAULTS.chunk)
    .option('--json', 'print one JSON object')
    .action((raw: RawSeedOptions) => {
      // Refused before the store is opened: a typo must not leave a migrated store behind.
      const options = resolveSeedOptions(raw);
      return withRuntime(async (rt, config) => {
        const [{ seedStore }, { seedCards }, { seedMerchants }] = await Promise.all([
          import('../seed/seeder.ts'),
          import('../seed/cards.ts'),
          import('../seed/merchants.ts'),
        ]);
        const now = Date.now();
        const merchantIds = await seedMerchants(merchantService(rt), options.named, options.merchants);
        const result = await seedStore(
          rt.store,
          {
            orders: options.orders,
            merchantIds,
            days: options.days,
            chunk: options.chunk,
            now,
            runId: randomBytes(4).toString('hex'),
            publicUrl: config.publicUrl ?? `http://localhost:${config.port}`,
            cards: seedCards(rt.vault, now),
            settings: config,
          },
          (progress) => process.stderr.write(`${progressLine(progress)}\n`),
        );
        const mb = (result.store_bytes / 1e6).toFixed(0);
        output(
          options.json,
          { ...result, merchant_ids: merchantIds, store: rt.store.location },
          [
            `seeded ${result.orders.toLocaleString('en-US')} orders over ${merchantIds.length} merchants into ${rt.store.location}`,
            `  ${result.total_rows.toLocaleString('en-US')} rows in ${result.seconds} s: ${result.rows_per_s.toLocaleString('en-US')} rows/s, ${result.orders_per_s.toLocaleString('en-US')} orders/s; then ${result.settle_seconds} s settling the store`,
            ...Object.entries(result.rows).map(
              ([table, n]) => `  ${table.padEnd(22)} ${n.toLocaleString('en-US')}`,
            ),
            `  store size ${mb} MB`,
          ].join('\n'),
        );
      });
    });
}
