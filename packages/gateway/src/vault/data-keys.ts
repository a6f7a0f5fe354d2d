/**
 * The store's data keys, each wrapped (AES-256-GCM) by one master key and kept as JSON in the
 * `data_keys` setting: a list of card data keys (oldest first; the last one encrypts, every
 * one decrypts) and the fingerprint key (re-wrapped on rotation, never replaced: fingerprints
 * key idempotency and card deduplication). Every change is a compare-and-set on the previous
 * JSON, so several processes sharing a store converge on one list.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/db.ts';
import { open, seal } from './aead.ts';
import type { Keyring } from './keyring.ts';

export interface WrappedKey {
  id: string;
  master_key_id: string;
  wrapped: string;
  /** Epoch ms; 0 for keys made before the list existed. */
  created_at: number;
}

export interface DataKeys {
  /** Oldest first; the last is the primary, which encrypts. */
  card_keys: WrappedKey[];
  fingerprint: WrappedKey;
}

export interface StoredDataKeys {
  /** The setting's value exactly as read: what the next compare-and-set compares with. */
  json: string;
  keys: DataKeys;
}

export const DATA_KEYS_SETTING = 'data_keys';

const newDataKeyId = () => `dk_${randomBytes(6).toString('hex')}`;

export function primaryCardKey(keys: DataKeys): WrappedKey {
  return keys.card_keys[keys.card_keys.length - 1]!;
}

export function allDataKeys(keys: DataKeys): WrappedKey[] {
  return [...keys.card_keys, keys.fingerprint];
}

/** Reads both shapes: the list, and the single card key the store held before rotation existed. */
export function parseDataKeys(json: string): DataKeys {
  const value = JSON.parse(json) as Partial<DataKeys> & { card?: Omit<WrappedKey, 'created_at'> };
  const withTime = (key: Omit<WrappedKey, 'created_at'> & { created_at?: number }): WrappedKey => ({
    id: key.id,
    master_key_id: key.master_key_id,
    wrapped: key.wrapped,
    created_at: key.created_at ?? 0,
  });
  const cards = value.card_keys ?? (value.card ? [value.card] : []);
  if (cards.length === 0 || !value.fingerprint) throw new Error('the data_keys setting has no card data key');
  return { card_keys: cards.map(withTime), fingerprint: withTime(value.fingerprint) };
}

export function serializeDataKeys(keys: DataKeys): string {
  return JSON.stringify({ card_keys: keys.card_keys, fingerprint: keys.fingerprint });
}

/** A fresh random data key, wrapped by the keyring's primary. */
export function newDataKey(keyring: Keyring, now: number): WrappedKey {
  return wrapKey(keyring, newDataKeyId(), randomBytes(32), now);
}

function wrapKey(keyring: Keyring, id: string, key: Buffer, createdAt: number): WrappedKey {
  const master = keyring.keys.get(keyring.primaryId)!;
  // The data key's id is the AAD: a wrapped key moved under another id does not open.
  const wrapped = seal(master, key, id).toString('base64url');
  return { id, master_key_id: keyring.primaryId, wrapped, created_at: createdAt };
}

export function unwrapKey(keyring: Keyring, key: WrappedKey): Buffer {
  const master = keyring.keys.get(key.master_key_id);
  if (!master) {
    throw new Error(
      `the store's data keys are wrapped by master key "${key.master_key_id}", which ${keyring.source} does not hold`,
    );
  }
  try {
    return open(master, Buffer.from(key.wrapped, 'base64url'), key.id);
  } catch {
    throw new Error(`master key "${key.master_key_id}" from ${keyring.source} does not match this store`);
  }
}

/** Master keys the store still needs: those wrapping at least one data key. */
export function masterKeysInUse(keys: DataKeys): Set<string> {
  return new Set(allDataKeys(keys).map((k) => k.master_key_id));
}

/**
 * What the store's keys become under `keyring`, or undefined when they already match it:
 * every data key wrapped by an older master key is re-wrapped by the primary, and when the
 * primary card key itself was under an older master, a new card key becomes the primary, so
 * cards written from now on are under a key the old master key never protected.
 */
export function rotateUnder(keys: DataKeys, keyring: Keyring, now: number): DataKeys | undefined {
  const outdated = allDataKeys(keys).filter((k) => k.master_key_id !== keyring.primaryId);
  if (outdated.length === 0) return undefined;
  const rewrap = (k: WrappedKey) =>
    k.master_key_id === keyring.primaryId ? k : wrapKey(keyring, k.id, unwrapKey(keyring, k), k.created_at);
  const cardKeys = keys.card_keys.map(rewrap);
  if (primaryCardKey(keys).master_key_id !== keyring.primaryId) cardKeys.push(newDataKey(keyring, now));
  return { card_keys: cardKeys, fingerprint: rewrap(keys.fingerprint) };
}

/** Reads the setting as stored (no shape migration). */
export async function readDataKeys(store: Store): Promise<StoredDataKeys | undefined> {
  const row = await store.writer
    .selectFrom('settings')
    .select('value')
    .where('name', '=', DATA_KEYS_SETTING)
    .executeTakeFirst();
  return row ? { json: row.value, keys: parseDataKeys(row.value) } : undefined;
}

/** Replaces the setting only if it still holds `previous`; false when another process got there first. */
async function compareAndSet(store: Store, previous: string, next: string): Promise<boolean> {
  const result = await store.writer
    .updateTable('settings')
    .set({ value: next })
    .where('name', '=', DATA_KEYS_SETTING)
    .where('value', '=', previous)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Applies `change` to the stored keys with compare-and-set, re-reading and trying again when
 * another process changed them in between. `change` returns undefined for "nothing to do"; a
 * stored value in the old single-key shape is rewritten in the list shape either way. Creates
 * the keys with `create` when the store has none.
 */
export async function updateDataKeys(
  store: Store,
  change: (keys: DataKeys) => DataKeys | undefined,
  create: () => DataKeys,
): Promise<StoredDataKeys> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await readDataKeys(store);
    if (!current) {
      const fresh = serializeDataKeys(create());
      // The first writer wins when several processes open a fresh store at once.
      await store.writer
        .insertInto('settings')
        .values({ name: DATA_KEYS_SETTING, value: fresh })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      continue;
    }
    const next = change(current.keys) ?? current.keys;
    const json = serializeDataKeys(next);
    if (json === current.json) return current;
    if (await compareAndSet(store, current.json, json)) return { json, keys: next };
  }
  throw new Error('the data_keys setting keeps changing under this process; giving up for now');
}
