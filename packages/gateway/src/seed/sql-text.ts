/**
 * Writing the seeding SQL: literals, weighted choices and JSON built by concatenation, in the
 * SQL both SQLite and PostgreSQL read. Arithmetic inside a concatenation is always in
 * parentheses: SQLite binds `||` tighter than `-`, PostgreSQL looser.
 */

/** A text literal. */
export function lit(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * `CASE` that picks one of `choices` by `draw` (a whole number below the sum of the weights):
 * each is picked with a chance in proportion to its weight.
 */
export function weighted(draw: string, choices: readonly { value: string; weight: number }[]): string {
  let upTo = 0;
  const arms = choices.map(({ value, weight }, i) => {
    upTo += weight;
    return i === choices.length - 1 ? `else ${value}` : `when ${draw} < ${upTo} then ${value}`;
  });
  return `(case ${arms.join(' ')} end)`;
}

/** `CASE expr WHEN key THEN value … ELSE otherwise END`. */
export function lookup(
  expr: string,
  pairs: readonly (readonly [string, string])[],
  otherwise = 'null',
): string {
  return `(case ${expr} ${pairs.map(([key, value]) => `when ${key} then ${value}`).join(' ')} else ${otherwise} end)`;
}

/** One member of a JSON object: a quoted text, a raw number or object, or left out when null. */
export interface JsonMember {
  key: string;
  sql: string;
  kind: 'text' | 'raw';
  /** Left out of the object when the expression is null. */
  optional?: boolean;
}

/** A JSON object as SQL text, its members in order; the first must not be optional. */
export function jsonObject(members: readonly JsonMember[]): string {
  const parts = members.map(({ key, sql, kind, optional }, i) => {
    const value = kind === 'text' ? `'"' || (${sql}) || '"'` : `(${sql})`;
    const member = `'${i === 0 ? '' : ','}"${key}":' || ${value}`;
    return optional ? `(case when (${sql}) is null then '' else ${member} end)` : member;
  });
  return `('{' || ${parts.join(' || ')} || '}')`;
}

export const text = (key: string, sql: string, optional = false): JsonMember => ({
  key,
  sql,
  kind: 'text',
  optional,
});
export const raw = (key: string, sql: string, optional = false): JsonMember => ({
  key,
  sql,
  kind: 'raw',
  optional,
});

/** `insert into table (columns) select expressions from …`, the columns and expressions from one record. */
export function insertSelect(table: string, columns: Readonly<Record<string, string>>, from: string): string {
  const names = Object.keys(columns);
  return `insert into ${table} (${names.join(', ')})
  select ${names.map((name) => columns[name]).join(',\n    ')}
  ${from}`;
}
