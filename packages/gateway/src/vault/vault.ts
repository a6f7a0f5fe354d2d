/**
 * Card data at rest. Data keys live in the store, wrapped by the master keyring (see
 * data-keys.ts): card data keys encrypt PANs (AES-256-GCM; the newest encrypts, every listed
 * one decrypts) and one fingerprint key keys the PAN fingerprint (HMAC-SHA256) used for
 * idempotency and deduplication. Wrapping means a master-key rotation re-wraps a few small
 * values, and a wrong master key is detected at start instead of corrupting data later.
 *
 * The vault's keys can change while the process runs (key rotation, or another process
 * rotating the shared store): `refresh` swaps them in one assignment, so every operation sees
 * one consistent set.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { Store } from '../store/db.ts';
import { open, seal } from './aead.ts';
import {
  type DataKeys,
  newDataKey,
  primaryCardKey,
  readDataKeys,
  type StoredDataKeys,
  unwrapKey,
  updateDataKeys,
} from './data-keys.ts';
import type { Keyring } from './keyring.ts';

export interface CardSecret {
  pan: string;
  exp_month: number;
  exp_year: number;
}

interface VaultState {
  keyring: Keyring;
  stored: StoredDataKeys;
  cardKeys: ReadonlyMap<string, Buffer>;
  primaryId: string;
  fingerprintKey: Buffer;
}

function unwrapAll(keyring: Keyring, stored: StoredDataKeys): VaultState {
  const cardKeys = new Map(stored.keys.card_keys.map((k) => [k.id, unwrapKey(keyring, k)] as const));
  return {
    keyring,
    stored,
    cardKeys,
    primaryId: primaryCardKey(stored.keys).id,
    fingerprintKey: unwrapKey(keyring, stored.keys.fingerprint),
  };
}

export class Vault {
  /** Set when the store moved on to keys this process cannot unwrap and its own primary is gone. */
  private encryptionBlocked: Error | undefined;

  private constructor(
    readonly store: Store,
    private state: VaultState,
  ) {}

  /** Opens the store's data keys with `keyring`, creating them on a fresh store. */
  static async open(store: Store, keyring: Keyring, now: () => number = Date.now): Promise<Vault> {
    const stored = await updateDataKeys(
      store,
      () => undefined,
      () => ({ card_keys: [newDataKey(keyring, now())], fingerprint: newDataKey(keyring, now()) }),
    );
    return new Vault(store, unwrapAll(keyring, stored));
  }

  get keyring(): Keyring {
    return this.state.keyring;
  }

  /** The data keys as last read from the store. */
  get dataKeys(): DataKeys {
    return this.state.stored.keys;
  }

  /** The card data key new records are encrypted under. */
  get primaryCardKeyId(): string {
    return this.state.primaryId;
  }

  /** Keyed fingerprint: equal cards compare equal, but the PAN cannot be recovered or brute-forced without the key. */
  fingerprint(pan: string): string {
    return createHmac('sha256', this.state.fingerprintKey).update(pan).digest('base64url');
  }

  /**
   * HMAC-SHA256 of `message` under a key derived for `purpose` from the fingerprint key, which
   * is never replaced and is in the store only wrapped by the master key: for values that must
   * stay the same for the store's life and cannot be computed, or guesses tested, from a copy
   * of the database alone (the 3-D Secure code).
   */
  mac(purpose: string, message: string): Buffer {
    const key = hkdfSync('sha256', this.state.fingerprintKey, Buffer.alloc(0), `openkka/${purpose}`, 32);
    return createHmac('sha256', Buffer.from(key)).update(message).digest();
  }

  encryptCard(card: CardSecret): string {
    return this.sealCard(Buffer.from(JSON.stringify(card)));
  }

  decryptCard(record: string): CardSecret {
    return JSON.parse(this.openCard(record).toString()) as CardSecret;
  }

  /** The same card record under the primary card data key (unchanged if it already is). */
  reencryptCard(record: string): string {
    if (Vault.keyIdOf(record) === this.state.primaryId) return record;
    return this.sealCard(this.openCard(record));
  }

  private sealCard(plaintext: Buffer): string {
    if (this.encryptionBlocked) throw this.encryptionBlocked;
    const { primaryId, cardKeys } = this.state;
    return `${primaryId}.${seal(cardKeys.get(primaryId)!, plaintext, primaryId).toString('base64url')}`;
  }

  private openCard(record: string): Buffer {
    const [keyId, body] = record.split('.');
    const key = keyId === undefined ? undefined : this.state.cardKeys.get(keyId);
    if (!key || !body) throw new Error(`card record under unknown data key ${keyId}`);
    return open(key, Buffer.from(body, 'base64url'), keyId!);
  }

  /** The card data key a card record or sealed text is under (as its prefix says). */
  static keyIdOf(record: string): string | undefined {
    const dot = record.indexOf('.');
    return dot === -1 ? undefined : record.slice(0, dot);
  }

  /**
   * Encrypts any small secret kept in the store (the platform private key, the gateway keys)
   * under the primary card data key, as `<dataKeyId>.<base64url>`. Whatever is sealed here must be re-sealed by
   * the key rotation (card-records.ts lists it), or retiring a data key would lose it.
   */
  sealText(text: string, purpose: string): string {
    if (this.encryptionBlocked) throw this.encryptionBlocked;
    const { primaryId, cardKeys } = this.state;
    const sealed = seal(cardKeys.get(primaryId)!, Buffer.from(text), `${primaryId}/${purpose}`);
    return `${primaryId}.${sealed.toString('base64url')}`;
  }

  openText(sealed: string, purpose: string): string {
    return this.openSealed(sealed, purpose).text;
  }

  /** Opens sealed text and says which data key it was under. */
  openSealed(sealed: string, purpose: string): { text: string; keyId: string } {
    const keyId = Vault.keyIdOf(sealed);
    if (keyId !== undefined) {
      const key = this.state.cardKeys.get(keyId);
      if (!key) throw new Error(`${purpose} is sealed under unknown data key ${keyId}`);
      const body = Buffer.from(sealed.slice(keyId.length + 1), 'base64url');
      return { text: open(key, body, `${keyId}/${purpose}`).toString(), keyId };
    }
    // Sealed before the data key id was written beside it: the AAD names the key, so only
    // the right one opens it.
    for (const [id, key] of this.state.cardKeys) {
      try {
        return {
          text: open(key, Buffer.from(sealed, 'base64url'), `${id}/${purpose}`).toString(),
          keyId: id,
        };
      } catch {
        // not this key
      }
    }
    throw new Error(`${purpose} does not open under any card data key of this store`);
  }

  /**
   * Adopts the data keys the store holds now, unwrapped with `keyring` (default: the current
   * one). On failure the vault keeps its previous keys and the error is thrown; if the store
   * no longer lists this vault's primary card key, encryption stops until a refresh succeeds
   * (cards written under a retired key could never be read again). Returns whether anything changed.
   */
  async refresh(keyring: Keyring = this.state.keyring, stored?: StoredDataKeys): Promise<boolean> {
    const current = stored ?? (await readDataKeys(this.store));
    if (!current) throw new Error('the store has lost its data_keys setting');
    if (current.json === this.state.stored.json && keyring === this.state.keyring) return false;
    let next: VaultState;
    try {
      if (current.keys.fingerprint.id !== this.state.stored.keys.fingerprint.id) {
        throw new Error(
          `the store's fingerprint key changed from ${this.state.stored.keys.fingerprint.id} to ${current.keys.fingerprint.id}; it must never change`,
        );
      }
      next = unwrapAll(keyring, current);
    } catch (err) {
      if (!current.keys.card_keys.some((k) => k.id === this.state.primaryId)) {
        this.encryptionBlocked = new Error(
          `card data key ${this.state.primaryId} was retired and this process cannot use the store's current keys: ${(err as Error).message}`,
        );
      }
      throw err;
    }
    this.state = next;
    this.encryptionBlocked = undefined;
    return true;
  }
}
