// docs/api.md lists the error catalogue; this keeps its two tables and domain/errors.ts identical.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUSINESS_CODES, REQUEST_CODES } from '../../../src/domain/errors.ts';

const apiDoc = readFileSync(new URL('../../../../../docs/api.md', import.meta.url), 'utf8');

/** Body rows of the table under `## <heading>` (up to the next heading), cells unwrapped from backticks. */
function tableUnder(heading: string): string[][] {
  const lines = apiDoc.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  if (start === -1) throw new Error(`docs/api.md has no "## ${heading}" heading`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (!line.trim().startsWith('|')) continue;
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) =>
        cell
          .trim()
          .replace(/\\\|/g, '|')
          .replace(/^`(.*)`$/, '$1'),
      );
    rows.push(cells);
  }
  // The first two rows are the header and the |---| separator.
  return rows.slice(2);
}

/** The rows keyed by their name column; a name listed twice fails. */
function byName<T>(rows: string[][], width: number, entry: (cells: string[]) => [string, T]) {
  const documented: Record<string, T> = {};
  for (const cells of rows) {
    expect(cells, `row "${cells.join(' | ')}"`).toHaveLength(width);
    const [name, value] = entry(cells);
    expect(documented, `${name} is listed twice`).not.toHaveProperty(name);
    documented[name] = value;
  }
  return documented;
}

describe('docs/api.md error catalogue', () => {
  it('lists exactly REQUEST_CODES under "Request-level codes" as ret_code | HTTP | name | message', () => {
    const documented = byName(tableUnder('Request-level codes'), 4, ([code, http, name, message]) => [
      name!,
      { code, http: Number(http), message },
    ]);
    const catalogue = Object.fromEntries(
      Object.entries(REQUEST_CODES).map(([name, e]) => [
        name,
        { code: e.code, http: e.http, message: e.message },
      ]),
    );
    expect(documented).toEqual(catalogue);
  });

  it('lists exactly BUSINESS_CODES under "Business codes" as error_code | name | description', () => {
    const documented = byName(tableUnder('Business codes'), 3, ([code, name, description]) => [
      name!,
      { code, description },
    ]);
    const catalogue = Object.fromEntries(
      Object.entries(BUSINESS_CODES).map(([name, e]) => [name, { code: e.code, description: e.description }]),
    );
    expect(documented).toEqual(catalogue);
  });
});
