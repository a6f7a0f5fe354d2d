/**
 * What `openkka keys status` reports: the master keys (which is primary, which data keys each
 * wraps, which can be retired) and the data keys (which is primary, how many card records each
 * protects, which sealed settings it holds).
 */
import { type CardTable, cardTables, countCardRecords, sealedSettingsByKey } from './card-records.ts';
import { type DataKeys, masterKeysInUse, primaryCardKey } from './data-keys.ts';
import type { Keyring } from './keyring.ts';
import { RETIRE_GRACE_MS } from './rotation.ts';
import type { Vault } from './vault.ts';

export interface MasterKeyStatus {
  id: string;
  primary: boolean;
  /** Ids of the data keys it wraps. */
  wraps: string[];
  /** Not the primary and wraps nothing: `openkka keys retire-master` may remove it. */
  retirable: boolean;
}

export interface DataKeyStatus {
  id: string;
  purpose: 'card' | 'fingerprint';
  primary: boolean;
  master_key_id: string;
  /** Epoch ms; null for keys made before rotation existed. */
  created_at: number | null;
  /** Card records under it (card keys only). */
  card_records: number | null;
  /** Settings sealed under it (the platform key, the gateway keys). */
  sealed: string[];
  /** For an older card key: when the background pass may delete it once nothing is under it. */
  deletable_after: number | null;
}

export interface KeyStatus {
  keyring: string;
  master_keys: MasterKeyStatus[];
  data_keys: DataKeyStatus[];
  /** Card records under a data key the store does not list: they cannot be decrypted. */
  unreadable_card_records: number;
  /** True while older card data keys remain (the background pass is re-encrypting). */
  rotation_in_progress: boolean;
}

/** Master keys of `keyring` that are not the primary and wrap none of `keys`. */
export function retirableMasterKeys(keyring: Keyring, keys: DataKeys): string[] {
  const inUse = masterKeysInUse(keys);
  return [...keyring.keys.keys()].filter((id) => id !== keyring.primaryId && !inUse.has(id));
}

export async function keyStatus(vault: Vault, tables?: readonly CardTable[]): Promise<KeyStatus> {
  const { store, keyring, dataKeys: keys } = vault;
  const cards = keys.card_keys;
  const counts = await countCardRecords(
    store,
    tables ?? (await cardTables(store)),
    cards.map((k) => k.id),
  );
  const sealed = await sealedSettingsByKey(store, vault);
  const retirable = new Set(retirableMasterKeys(keyring, keys));
  const primaryCard = primaryCardKey(keys).id;
  const all = [
    ...cards.map((k) => ({ k, purpose: 'card' as const })),
    { k: keys.fingerprint, purpose: 'fingerprint' as const },
  ];
  return {
    keyring: keyring.source,
    master_keys: [...keyring.keys.keys()].map((id) => ({
      id,
      primary: id === keyring.primaryId,
      wraps: all.filter(({ k }) => k.master_key_id === id).map(({ k }) => k.id),
      retirable: retirable.has(id),
    })),
    data_keys: all.map(({ k, purpose }) => {
      const successor = purpose === 'card' ? cards[cards.indexOf(k) + 1] : undefined;
      return {
        id: k.id,
        purpose,
        primary: purpose === 'fingerprint' || k.id === primaryCard,
        master_key_id: k.master_key_id,
        created_at: k.created_at || null,
        card_records: purpose === 'card' ? (counts.byKey.get(k.id) ?? 0) : null,
        sealed: sealed.get(k.id) ?? [],
        deletable_after: successor ? successor.created_at + RETIRE_GRACE_MS : null,
      };
    }),
    unreadable_card_records: counts.other,
    rotation_in_progress: cards.length > 1,
  };
}

/** The status as lines for a terminal. */
export function formatKeyStatus(status: KeyStatus): string {
  const lines = [`Master keys (${status.keyring}):`];
  for (const m of status.master_keys) {
    const notes = [
      m.primary ? 'primary' : '',
      m.wraps.length > 0 ? `wraps ${m.wraps.join(', ')}` : 'wraps nothing',
      m.retirable ? `retirable: openkka keys retire-master ${m.id}` : '',
    ].filter(Boolean);
    lines.push(`  ${m.id}  ${notes.join('; ')}`);
  }
  lines.push('Data keys:');
  for (const d of status.data_keys) {
    const notes = [
      d.purpose === 'card' ? (d.primary ? 'card, primary' : 'card, older') : 'fingerprint',
      `wrapped by ${d.master_key_id}`,
      d.card_records === null ? '' : `${d.card_records} card record${d.card_records === 1 ? '' : 's'}`,
      d.sealed.length > 0 ? `seals ${d.sealed.join(', ')}` : '',
    ].filter(Boolean);
    lines.push(`  ${d.id}  ${notes.join('; ')}`);
  }
  if (status.unreadable_card_records > 0) {
    lines.push(
      `${status.unreadable_card_records} card records are under a data key this store does not list`,
    );
  }
  const retirable = status.master_keys.filter((m) => m.retirable).map((m) => m.id);
  lines.push(`Retirable master keys: ${retirable.length > 0 ? retirable.join(', ') : 'none'}`);
  if (status.rotation_in_progress) {
    lines.push('Rotation in progress: a running gateway re-encrypts card records under the primary card key');
  }
  return lines.join('\n');
}
