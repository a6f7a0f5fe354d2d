/**
 * Everything stored under a card data key, and the moves that follow a rotation: card records
 * (every table with a `card_ciphertext` column: orders while an outcome is unknown, stored
 * cards) and the settings sealed with `Vault.sealText` (the platform private key, the gateway
 * keys browsers encrypt cards to, the Google Pay keys). Records are
 * re-encrypted in batches, each row with a compare-and-set on its old ciphertext, so a
 * concurrent change (an order completing and dropping its card) wins over the rewrite.
 */
import { sql } from 'kysely';
import type { Store } from '../store/db.ts';
import { CARD_ENCRYPTION_KEYS_PURPOSE, CARD_ENCRYPTION_KEYS_SETTING } from './card-encryption-keys.ts';
import {
  GOOGLE_PAY_RECIPIENT_KEY_PURPOSE,
  GOOGLE_PAY_RECIPIENT_KEY_SETTING,
  GOOGLE_PAY_SANDBOX_ROOT_PURPOSE,
  GOOGLE_PAY_SANDBOX_ROOT_SETTING,
} from './google-pay-keys.ts';
import { PLATFORM_KEY_PURPOSE, PLATFORM_KEY_SETTING } from './platform-key.ts';
import { Vault } from './vault.ts';

/** A table holding card records: its key column (for batching) and its ciphertext column. */
export interface CardTable {
  table: string;
  key: string;
  column: string;
}

export const CARD_COLUMN = 'card_ciphertext';

/** Settings whose value is sealed text, with the purpose each is sealed for. */
export const SEALED_SETTINGS: readonly { name: string; purpose: string }[] = [
  { name: PLATFORM_KEY_SETTING, purpose: PLATFORM_KEY_PURPOSE },
  { name: CARD_ENCRYPTION_KEYS_SETTING, purpose: CARD_ENCRYPTION_KEYS_PURPOSE },
  { name: GOOGLE_PAY_RECIPIENT_KEY_SETTING, purpose: GOOGLE_PAY_RECIPIENT_KEY_PURPOSE },
  { name: GOOGLE_PAY_SANDBOX_ROOT_SETTING, purpose: GOOGLE_PAY_SANDBOX_ROOT_PURPOSE },
];

/**
 * Every table of the store with a `card_ciphertext` column, keyed by its single-column primary
 * key (or by the ciphertext itself when there is none). Tables added later (stored cards) are
 * found without anyone having to remember this module.
 */
export async function cardTables(store: Store): Promise<CardTable[]> {
  const rows =
    store.dialect === 'sqlite'
      ? (
          await sql<{ table_name: string; column_name: string; pk: number | string }>`
            select m.name as table_name, p.name as column_name, p.pk as pk
            from sqlite_master m join pragma_table_info(m.name) p
            where m.type = 'table'`.execute(store.writer)
        ).rows
      : (
          await sql<{ table_name: string; column_name: string; pk: boolean }>`
            select c.table_name, c.column_name, exists (
              select 1 from information_schema.table_constraints tc
              join information_schema.key_column_usage k
                on k.constraint_name = tc.constraint_name and k.table_schema = tc.table_schema
               and k.table_name = tc.table_name
              where tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = c.table_schema
                and tc.table_name = c.table_name and k.column_name = c.column_name
            ) as pk
            from information_schema.columns c
            join information_schema.tables t
              on t.table_schema = c.table_schema and t.table_name = c.table_name
            where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'`.execute(store.writer)
        ).rows;
  const tables = [...new Set(rows.filter((r) => r.column_name === CARD_COLUMN).map((r) => r.table_name))];
  return tables.sort().map((table) => {
    const keys = rows.filter((r) => r.table_name === table && (r.pk === true || Number(r.pk) > 0));
    return { table, key: keys.length === 1 ? keys[0]!.column_name : CARD_COLUMN, column: CARD_COLUMN };
  });
}

export interface RewrapResult {
  /** Records now under the primary card data key. */
  rewrapped: number;
  /** Records that changed under the pass (their change won; a later pass looks again). */
  changed: number;
  /** Records that could not be decrypted (under a key the store does not list, or damaged). */
  failed: number;
}

/**
 * Re-encrypts every card record in `tables` that is not under the vault's primary card data
 * key, `batchSize` rows at a time in key order.
 */
export async function rewrapCards(
  store: Store,
  vault: Vault,
  tables: readonly CardTable[],
  batchSize = 200,
): Promise<RewrapResult> {
  const result: RewrapResult = { rewrapped: 0, changed: 0, failed: 0 };
  for (const { table, key, column } of tables) {
    const keyRef = sql.ref(key);
    const ctRef = sql.ref(column);
    let last: unknown;
    for (;;) {
      const prefix = `${vault.primaryCardKeyId}.`;
      const after = last === undefined ? sql`` : sql`and ${keyRef} > ${last}`;
      const { rows } = await sql<{ k: unknown; ct: string }>`
        select ${keyRef} as k, ${ctRef} as ct from ${sql.table(table)}
        where ${ctRef} is not null and substr(${ctRef}, 1, ${prefix.length}) <> ${prefix} ${after}
        order by ${keyRef} limit ${batchSize}`.execute(store.writer);
      for (const row of rows) {
        let next: string;
        try {
          next = vault.reencryptCard(row.ct);
        } catch {
          result.failed++;
          continue;
        }
        const update = await sql`
          update ${sql.table(table)} set ${ctRef} = ${next}
          where ${keyRef} = ${row.k} and ${ctRef} = ${row.ct}`.execute(store.writer);
        if ((update.numAffectedRows ?? 0n) > 0n) result.rewrapped++;
        else result.changed++;
      }
      if (rows.length < batchSize) break;
      last = rows[rows.length - 1]!.k;
    }
  }
  return result;
}

export interface CardRecordCounts {
  /** Card records per card data key id (every id asked about is present). */
  byKey: Map<string, number>;
  /** Records under a data key id not asked about. */
  other: number;
}

/** Counts card records per data key: one scan of each table. */
export async function countCardRecords(
  store: Store,
  tables: readonly CardTable[],
  keyIds: readonly string[],
): Promise<CardRecordCounts> {
  const byKey = new Map(keyIds.map((id) => [id, 0]));
  let other = 0;
  for (const { table, column } of tables) {
    const ctRef = sql.ref(column);
    const perKey = keyIds.map((id, i) => {
      const prefix = `${id}.`;
      return sql`sum(case when substr(${ctRef}, 1, ${prefix.length}) = ${prefix} then 1 else 0 end) as ${sql.ref(`k${i}`)}`;
    });
    const { rows } = await sql<Record<string, number | string | null>>`
      select ${sql.join([sql`count(${ctRef}) as total`, ...perKey])} from ${sql.table(table)}`.execute(
      store.writer,
    );
    const row = rows[0] ?? {};
    let known = 0;
    keyIds.forEach((id, i) => {
      const n = Number(row[`k${i}`] ?? 0);
      known += n;
      byKey.set(id, byKey.get(id)! + n);
    });
    other += Number(row.total ?? 0) - known;
  }
  return { byKey, other };
}

/** Which data key each sealed setting is under: setting names per data key id. */
export async function sealedSettingsByKey(store: Store, vault: Vault): Promise<Map<string, string[]>> {
  const byKey = new Map<string, string[]>();
  for (const { name, purpose } of SEALED_SETTINGS) {
    const value = await settingValue(store, name);
    if (value === undefined) continue;
    let keyId: string;
    try {
      keyId = vault.openSealed(value, purpose).keyId;
    } catch {
      keyId = Vault.keyIdOf(value) ?? '?';
    }
    byKey.set(keyId, [...(byKey.get(keyId) ?? []), name]);
  }
  return byKey;
}

/** Re-seals the sealed settings that are not under the primary card data key; returns their names. */
export async function resealSettings(store: Store, vault: Vault): Promise<string[]> {
  const resealed: string[] = [];
  for (const { name, purpose } of SEALED_SETTINGS) {
    const value = await settingValue(store, name);
    if (value === undefined || Vault.keyIdOf(value) === vault.primaryCardKeyId) continue;
    const { text } = vault.openSealed(value, purpose);
    const result = await store.writer
      .updateTable('settings')
      .set({ value: vault.sealText(text, purpose) })
      .where('name', '=', name)
      .where('value', '=', value)
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) resealed.push(name);
  }
  return resealed;
}

async function settingValue(store: Store, name: string): Promise<string | undefined> {
  const row = await store.writer
    .selectFrom('settings')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.value;
}
