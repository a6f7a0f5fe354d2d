/** How the stores hand number columns back, and reading them as numbers. */

/** better-sqlite3 and pg's int4 return numbers; pg returns int8 (bigint) as a string. */
export type Int = number | string;

export function toNumber(value: Int): number {
  return typeof value === 'number' ? value : Number(value);
}

export function toNumberOrNull(value: Int | null): number | null {
  return value === null ? null : toNumber(value);
}
