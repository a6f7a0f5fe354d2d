/**
 * The few SQL fragments in which SQLite and PostgreSQL differ, so the seeding statements are
 * written once. Every number a fragment takes is the seeder's own whole number, checked here
 * before it is written into the SQL text.
 */
import type { Dialect } from '../store/db.ts';

export interface SeedDialect {
  name: Dialect;
  /** A common table expression `n(i)` of the whole numbers from `first` to `last`. */
  numbers(first: number, last: number): string;
  /** A whole number from 0 to `n` − 1, drawn afresh for each row. */
  random(n: number): string;
  /** `expr` (a whole number) as text, left-padded with zeros to `width` digits. */
  pad(expr: string, width: number): string;
  /** Epoch ms as `2025-05-06T14:40:43+00:00`. */
  utcTime(ms: string): string;
  /** 32 random lower-case hex digits, as `randomBytes(16).toString('hex')` makes. */
  hex32(): string;
}

function whole(n: number): number {
  if (!Number.isSafeInteger(n)) throw new Error(`seed: ${n} is not a whole number`);
  return n;
}

const sqlite: SeedDialect = {
  name: 'sqlite',
  numbers: (first, last) =>
    `n(i) as (select ${whole(first)} union all select i + 1 from n where i < ${whole(last)})`,
  // random() is a signed 64-bit integer; abs() would overflow on its smallest value.
  random: (n) => `(((random() % ${whole(n)}) + ${n}) % ${n})`,
  pad: (expr, width) => `substr('${'0'.repeat(whole(width))}' || (${expr}), -${width})`,
  utcTime: (ms) => `strftime('%Y-%m-%dT%H:%M:%S+00:00', (${ms}) / 1000, 'unixepoch')`,
  hex32: () => 'lower(hex(randomblob(16)))',
};

const postgres: SeedDialect = {
  name: 'postgres',
  numbers: (first, last) =>
    `n(i) as (select generate_series(${whole(first)}::bigint, ${whole(last)}::bigint))`,
  random: (n) => `floor(random() * ${whole(n)})::bigint`,
  pad: (expr, width) => `lpad((${expr})::text, ${whole(width)}, '0')`,
  utcTime: (ms) =>
    `to_char(to_timestamp((${ms}) / 1000) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')`,
  hex32: () => `replace(gen_random_uuid()::text, '-', '')`,
};

export function seedDialect(name: Dialect): SeedDialect {
  return name === 'sqlite' ? sqlite : postgres;
}
