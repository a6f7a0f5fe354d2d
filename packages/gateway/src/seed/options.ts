/**
 * The options of `openkka seed`, checked once into one typed value. Pure: commander hands over
 * its raw strings, this decides what they mean and refuses what cannot work.
 */
import { maxOrders } from './span.ts';

export interface SeedOptions {
  orders: number;
  /** Merchants the orders are spread over, the named ones among them. */
  merchants: number;
  /** Existing merchants that get their share of the orders (the bench's, say). */
  named: string[];
  days: number;
  /** Orders per transaction. */
  chunk: number;
  json: boolean;
}

export interface RawSeedOptions {
  orders?: string;
  merchants?: string;
  merchant?: string[];
  days?: string;
  chunk?: string;
  json?: boolean;
}

export const SEED_DEFAULTS = { merchants: '5', days: '1095', chunk: '20000' } as const;
export const MAX_SEED_ORDERS = 100_000_000;
const MAX_MERCHANTS = 1000;

export class SeedOptionError extends Error {}

function whole(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new SeedOptionError(`${name}: "${text}" is not a whole number`);
  const value = Number(text);
  if (value < min || value > max)
    throw new SeedOptionError(
      `${name} must be from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`,
    );
  return value;
}

export function resolveSeedOptions(raw: RawSeedOptions): SeedOptions {
  if (raw.orders === undefined) throw new SeedOptionError('--orders N is required: how many orders to seed');
  const days = whole(raw.days ?? SEED_DEFAULTS.days, '--days', 1, 7300);
  const orders = whole(raw.orders, '--orders', 1, Math.min(MAX_SEED_ORDERS, maxOrders(days)));
  const merchants = whole(raw.merchants ?? SEED_DEFAULTS.merchants, '--merchants', 1, MAX_MERCHANTS);
  const named = raw.merchant ?? [];
  for (const id of named) {
    // A merchant id as the CLI makes them, or as an operator's own tooling might: never SQL.
    if (!/^[0-9A-Za-z_-]{1,64}$/.test(id))
      throw new SeedOptionError(`--merchant: "${id}" is not a merchant id`);
  }
  if (new Set(named).size !== named.length) throw new SeedOptionError('--merchant names a merchant twice');
  if (named.length > merchants) {
    throw new SeedOptionError(
      `--merchant names ${named.length} merchants but --merchants is ${merchants}: the orders are spread over ${merchants}`,
    );
  }
  return {
    orders,
    merchants,
    named,
    days,
    chunk: whole(raw.chunk ?? SEED_DEFAULTS.chunk, '--chunk', 100, 1_000_000),
    json: raw.json ?? false,
  };
}
