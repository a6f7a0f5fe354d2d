/**
 * `--preload N`: before the gateway starts, its fresh store is filled with N realistic orders by
 * `openkka seed` (generated in the database), the bench's merchant among the merchants, so the
 * bench's own requests run against tables that hold years of orders. The seed's progress lines
 * go to the bench's stderr as they come.
 */
import { spawnOpenkka } from './children.ts';

/** What the seed wrote, as `openkka seed --json` reports it. */
export interface PreloadSummary {
  orders: number;
  merchants: number;
  total_rows: number;
  seconds: number;
  rows_per_s: number;
  orders_per_s: number;
  /** Then spent vacuuming (PostgreSQL) or checkpointing (SQLite) the store. */
  settle_seconds: number;
  /** The store's size on disk once seeded. */
  store_bytes: number;
}

export async function preloadStore(
  orders: number,
  merchantId: string,
  env: Record<string, string>,
  stderr: { write(text: string): unknown },
  bin?: string,
): Promise<PreloadSummary> {
  const args = ['seed', '--orders', String(orders), '--merchant', merchantId, '--json'];
  const child = spawnOpenkka(args, env, [], bin);
  let stdout = '';
  const tail: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.write(chunk);
    tail.push(chunk);
    if (tail.length > 20) tail.shift();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    const said = tail.join('').trim();
    const missing = /unknown command 'seed'/.test(said)
      ? ' (this checkout has no `openkka seed`: --preload needs one that does)'
      : '';
    throw new Error(`openkka seed exited with ${code}${missing}: ${said}`);
  }
  const report = JSON.parse(stdout) as PreloadSummary;
  return {
    orders: report.orders,
    merchants: report.merchants,
    total_rows: report.total_rows,
    seconds: report.seconds,
    rows_per_s: report.rows_per_s,
    orders_per_s: report.orders_per_s,
    settle_seconds: report.settle_seconds,
    store_bytes: report.store_bytes,
  };
}
