/**
 * The gateway's queries against the Citus plan (test/store/distribution-plan.ts): a query of a
 * table distributed by merchant_id that does not name merchant_id would run on every shard,
 * or not at all (SELECT … FOR UPDATE), so each one is either fixed or listed with its route.
 * And docs/scaling.md says what the plan says. The schema's half is test/store/merchant-scoping.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  QUERIES_WITHOUT_MERCHANT,
  ROUTES,
  TABLES,
  UNIQUE_KEYS_WITHOUT_MERCHANT,
} from '../../store/distribution-plan.ts';
import { type QuerySite, scanQueries } from './query-sites.ts';

const sourceDir = fileURLToPath(new URL('../../../src/', import.meta.url));
const scalingDoc = readFileSync(new URL('../../../../../docs/scaling.md', import.meta.url), 'utf8');

const sites = scanQueries(sourceDir, (table) => TABLES[table]?.column, new Set(Object.keys(TABLES)));

/** Per `file#function table`: scoped only if every query there is. */
function byKey(found: QuerySite[]): Map<string, QuerySite[]> {
  const keyed = new Map<string, QuerySite[]>();
  for (const site of found) keyed.set(site.key, [...(keyed.get(site.key) ?? []), site]);
  return keyed;
}

const unscoped = [...byKey(sites)]
  .filter(([, all]) => all.some((s) => !s.scoped))
  .map(([key, all]) => ({ key, lines: all.filter((s) => !s.scoped).map((s) => s.line) }));

const scopedKeys = new Set(
  [...byKey(sites)].filter(([, all]) => all.every((s) => s.scoped)).map(([key]) => key),
);

describe('queries against the Citus plan', () => {
  it('finds the queries it should, scoped or not (guards the scan itself)', () => {
    expect(sites.length).toBeGreaterThan(50);
    // Kysely with `where`; a correlated subquery on merchant_id; a hand-written statement; an own key.
    expect(scopedKeys).toContain('core/orders/repo.ts#OrderRepo.byTransId orders');
    expect(scopedKeys).toContain('modules/sessions/repo.ts#SessionRepo.closeIfUnpaid orders');
    expect(scopedKeys).toContain('modules/sessions/repo.ts#SessionRepo.constructor checkout_sessions');
    expect(scopedKeys).toContain(
      'modules/wallets/google-pay/used-messages.ts#UsedGooglePayMessages.claim google_pay_messages',
    );
    // A merchant added only under an `if`; SQL text without it; a table chosen at run time.
    const found = unscoped.map((u) => u.key);
    expect(found).toContain('modules/sessions/repo.ts#SessionRepo.byId checkout_sessions');
    expect(found).toContain('modules/notifications/repo.ts#NotificationRepo.dueMerchants notifications');
    expect(found).toContain('vault/card-records.ts#rewrapCards *');
  });

  it('queries only tables the plan places', () => {
    const unplanned = sites.filter((s) => s.table !== '*' && !(s.table in TABLES)).map((s) => s.key);
    expect(unplanned, 'place these tables in distribution-plan.ts and docs/scaling.md').toEqual([]);
  });

  it('names the distribution column in every query of a distributed table, or lists why not', () => {
    const unlisted = unscoped.filter((u) => !(u.key in QUERIES_WITHOUT_MERCHANT));
    expect(
      unlisted,
      'queries that would not reach one shard: name merchant_id (or the own key), or list them in distribution-plan.ts with a route from docs/scaling.md',
    ).toEqual([]);
  });

  it('lists only queries that exist and still lack it', () => {
    const found = new Set(unscoped.map((u) => u.key));
    const stale = Object.keys(QUERIES_WITHOUT_MERCHANT).filter((key) => !found.has(key));
    expect(stale, 'listed in distribution-plan.ts but gone or fixed: remove them').toEqual([]);
  });

  it('gives every listed query and key a reason', () => {
    for (const [key, { reason }] of Object.entries({
      ...QUERIES_WITHOUT_MERCHANT,
      ...UNIQUE_KEYS_WITHOUT_MERCHANT,
    })) {
      expect(reason.trim().length, key).toBeGreaterThan(10);
    }
  });
});

/** Body rows of the first table under `### heading` in docs/scaling.md, cells without backticks. */
function docTable(heading: string): string[][] {
  const lines = scalingDoc.split('\n');
  const start = lines.indexOf(`### ${heading}`);
  if (start === -1) throw new Error(`docs/scaling.md has no "### ${heading}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim().replace(/^`([^`]*)`$/, '$1')),
    );
  }
  return rows.slice(2);
}

describe('docs/scaling.md against the Citus plan', () => {
  it('places every table as the plan does', () => {
    const documented = Object.fromEntries(
      docTable('Where each table goes').map(([table, placement, column]) => [
        table,
        { placement, column: column === '—' ? null : column },
      ]),
    );
    expect(documented).toEqual(TABLES);
  });

  it('lists the unique keys without merchant_id the plan lists, with the same routes', () => {
    const documented = Object.fromEntries(
      docTable('Unique keys without merchant_id').map(([key, route]) => [key, route]),
    );
    const planned = Object.fromEntries(
      Object.entries(UNIQUE_KEYS_WITHOUT_MERCHANT).map(([key, a]) => [key, a.route]),
    );
    expect(documented).toEqual(planned);
  });

  it('explains every route the plan uses, and no other', () => {
    const documented = docTable('Lookups without merchant_id').map(([route]) => route);
    expect(documented.sort()).toEqual(Object.keys(ROUTES).sort());
    const used = new Set(
      [...Object.values(QUERIES_WITHOUT_MERCHANT), ...Object.values(UNIQUE_KEYS_WITHOUT_MERCHANT)].map(
        (a) => a.route,
      ),
    );
    expect([...used].sort()).toEqual(Object.keys(ROUTES).sort());
  });
});
