/**
 * A table declared once, as a record of column specs, with the rest derived from it: the Kysely
 * table type (numbers as the drivers return them), the row the services use (numbers as
 * numbers), the column names in declaration order, and the function that reads one row into
 * the other. A column added to the declaration (and its migration) reaches all of them, and
 * code that builds a whole row stops compiling until it gives the new column a value.
 */

/** better-sqlite3 and pg's int4 return numbers; pg returns int8 (bigint) as a string. */
export type Int = number | string;

export function toNumber(value: Int): number {
  return typeof value === 'number' ? value : Number(value);
}

export function toNumberOrNull(value: Int | null): number | null {
  return value === null ? null : toNumber(value);
}

/** The SQL types the migrations give columns. */
export type SqlType = 'text' | 'integer' | 'bigint';

declare const holds: unique symbol;

export interface Column<S extends SqlType = SqlType, T = unknown, N extends boolean = boolean> {
  readonly type: S;
  readonly nullable: N;
  /** Type only, never set: what the service reads from the column (a text column's union, say). */
  readonly [holds]?: T;
}

export type Columns = Readonly<Record<string, Column>>;

const column = <S extends SqlType, T>(type: S): Column<S, T, false> => ({ type, nullable: false });

/** A text column; `T` narrows what the service reads (the database holds only what it wrote). */
export const text = <T extends string = string>() => column<'text', T>('text');
export const integer = () => column<'integer', number>('integer');
export const bigint = () => column<'bigint', number>('bigint');

/** The same column, allowed to hold NULL. */
export function nullable<S extends SqlType, T>(c: Column<S, T, false>): Column<S, T, true> {
  return { type: c.type, nullable: true };
}

type OrNull<C, V> = C extends Column<SqlType, unknown, true> ? V | null : V;

/** The Kysely table type: text as string, every number column as the driver returns it. */
export type TableOf<C extends Columns> = {
  -readonly [K in keyof C]: OrNull<C[K], C[K]['type'] extends 'text' ? string : Int>;
};

/** The row as the services see it: numbers as numbers, text as narrowed by the declaration. */
export type RowOf<C extends Columns> = {
  -readonly [K in keyof C]: OrNull<C[K], C[K] extends Column<SqlType, infer T> ? T : never>;
};

/** The column names, in declaration order. */
export function columnNames<C extends Columns>(columns: C): (keyof C & string)[] {
  return Object.keys(columns) as (keyof C & string)[];
}

/**
 * Reads a selected row into the services' shape: every number column through `toNumber`, NULL
 * kept, the rest as selected. Text is not checked against its narrowing: only the service writes it.
 */
export function rowReader<C extends Columns>(columns: C): (stored: TableOf<C>) => RowOf<C> {
  const numbers = columnNames(columns).filter((name) => columns[name]!.type !== 'text');
  return (stored) => {
    const row: Record<string, unknown> = { ...stored };
    for (const name of numbers) row[name] = toNumberOrNull(row[name] as Int | null);
    return row as RowOf<C>;
  };
}
