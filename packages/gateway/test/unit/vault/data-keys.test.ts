/**
 * The data keys' document and its rotation, without a store: the single-key shape of older
 * stores is read as a list; rotating under a new primary master key re-wraps every data key
 * (same id, same key material), adds a new primary card key, and never replaces the
 * fingerprint key; a keyring lacking a needed master key, or holding a different one, is named.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type DataKeys,
  newDataKey,
  parseDataKeys,
  rotateUnder,
  serializeDataKeys,
  unwrapKey,
} from '../../../src/vault/data-keys.ts';
import { parseKeyring } from '../../../src/vault/keyring.ts';

const key = () => randomBytes(32).toString('base64');
const [k1, k2, k3] = [key(), key(), key()];
const ring1 = parseKeyring(`mk_1:${k1}`, 'ring1');
const ring12 = parseKeyring(`mk_1:${k1}\nmk_2:${k2}`, 'ring12');
const ring2 = parseKeyring(`mk_2:${k2}`, 'ring2');

function freshKeys(): DataKeys {
  return { card_keys: [newDataKey(ring1, 1_000)], fingerprint: newDataKey(ring1, 1_000) };
}

describe('the data_keys document', () => {
  it('reads the single-key shape of stores made before rotation as a one-key list', () => {
    const { card_keys, fingerprint } = freshKeys();
    const strip = ({ created_at: _, ...rest }: (typeof card_keys)[number]) => rest;
    const legacy = JSON.stringify({ card: strip(card_keys[0]!), fingerprint: strip(fingerprint) });
    const parsed = parseDataKeys(legacy);
    expect(parsed.card_keys).toEqual([{ ...card_keys[0], created_at: 0 }]);
    expect(parsed.fingerprint).toEqual({ ...fingerprint, created_at: 0 });
    expect(unwrapKey(ring1, parsed.card_keys[0]!)).toEqual(unwrapKey(ring1, card_keys[0]!));
  });

  it('round-trips the list shape', () => {
    const keys = freshKeys();
    expect(parseDataKeys(serializeDataKeys(keys))).toEqual(keys);
  });
});

describe('rotateUnder', () => {
  it('does nothing when every data key is under the primary master key', () => {
    expect(rotateUnder(freshKeys(), ring1, 2_000)).toBeUndefined();
  });

  it('re-wraps every data key under the new primary and adds a new primary card key', () => {
    const before = freshKeys();
    const after = rotateUnder(before, ring12, 2_000)!;
    expect(after.card_keys).toHaveLength(2);
    expect(after.card_keys[0]!.id).toBe(before.card_keys[0]!.id);
    expect(after.card_keys[0]!.created_at).toBe(1_000);
    expect(after.card_keys[1]!.created_at).toBe(2_000);
    expect(after.fingerprint.id).toBe(before.fingerprint.id);
    for (const k of [...after.card_keys, after.fingerprint]) expect(k.master_key_id).toBe('mk_2');
    // The same key material, now readable with the new master key alone.
    expect(unwrapKey(ring2, after.card_keys[0]!)).toEqual(unwrapKey(ring1, before.card_keys[0]!));
    expect(unwrapKey(ring2, after.fingerprint)).toEqual(unwrapKey(ring1, before.fingerprint));
    expect(rotateUnder(after, ring12, 3_000)).toBeUndefined();
  });

  it('only re-wraps when the primary card key is already under the primary (no second new key)', () => {
    const before = freshKeys();
    const mixed: DataKeys = { ...before, card_keys: [...before.card_keys, newDataKey(ring12, 1_500)] };
    const after = rotateUnder(mixed, ring12, 2_000)!;
    expect(after.card_keys.map((k) => k.id)).toEqual(mixed.card_keys.map((k) => k.id));
    expect(after.fingerprint.master_key_id).toBe('mk_2');
  });
});

describe('unwrapKey', () => {
  it('names the master key a keyring lacks', () => {
    const keys = freshKeys();
    expect(() => unwrapKey(ring2, keys.card_keys[0]!)).toThrow(
      `the store's data keys are wrapped by master key "mk_1", which ring2 does not hold`,
    );
  });

  it('says when the key under that id is a different one', () => {
    const keys = freshKeys();
    const other = parseKeyring(`mk_1:${k3}`, 'other');
    expect(() => unwrapKey(other, keys.fingerprint)).toThrow(
      `master key "mk_1" from other does not match this store`,
    );
  });

  it('refuses a wrapped key moved under another id (the id is authenticated)', () => {
    const keys = freshKeys();
    expect(() => unwrapKey(ring1, { ...keys.card_keys[0]!, id: keys.fingerprint.id })).toThrow(
      /does not match/,
    );
  });
});
