/**
 * Card data at rest. Two data keys live in the store, wrapped by the master keyring: one
 * encrypts PANs (AES-256-GCM), one keys the PAN fingerprint (HMAC-SHA256) used for
 * idempotency and deduplication. Wrapping means a master-key rotation re-wraps two rows,
 * and a wrong master key is detected at start instead of corrupting data later.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Store } from '../store/db.ts';
import { getSetting, putSettingOnce } from '../store/settings.ts';
import { open, seal } from './aead.ts';
import type { Keyring } from './keyring.ts';

interface WrappedKey {
  id: string;
  master_key_id: string;
  wrapped: string;
}

interface DataKeys {
  card: WrappedKey;
  fingerprint: WrappedKey;
}

const SETTING = 'data_keys';

const newDataKeyId = () => `dk_${randomBytes(6).toString('hex')}`;

export interface CardSecret {
  pan: string;
  exp_month: number;
  exp_year: number;
}

export class Vault {
  private constructor(
    private readonly cardKeyId: string,
    private readonly cardKey: Buffer,
    private readonly fingerprintKey: Buffer,
  ) {}

  static async open(store: Store, keyring: Keyring): Promise<Vault> {
    const keys = await loadOrCreateDataKeys(store, keyring);
    return new Vault(keys.card.id, unwrap(keyring, keys.card), unwrap(keyring, keys.fingerprint));
  }

  /** Keyed fingerprint: equal cards compare equal, but the PAN cannot be recovered or brute-forced without the key. */
  fingerprint(pan: string): string {
    return createHmac('sha256', this.fingerprintKey).update(pan).digest('base64url');
  }

  encryptCard(card: CardSecret): string {
    const sealed = seal(this.cardKey, Buffer.from(JSON.stringify(card)), this.cardKeyId);
    return `${this.cardKeyId}.${sealed.toString('base64url')}`;
  }

  decryptCard(record: string): CardSecret {
    const [keyId, body] = record.split('.');
    if (keyId !== this.cardKeyId || !body) throw new Error(`card record under unknown data key ${keyId}`);
    return JSON.parse(open(this.cardKey, Buffer.from(body, 'base64url'), keyId).toString()) as CardSecret;
  }

  /** Encrypts any small secret (the platform private key) under the card data key. */
  sealText(text: string, purpose: string): string {
    return seal(this.cardKey, Buffer.from(text), `${this.cardKeyId}/${purpose}`).toString('base64url');
  }

  openText(sealed: string, purpose: string): string {
    return open(this.cardKey, Buffer.from(sealed, 'base64url'), `${this.cardKeyId}/${purpose}`).toString();
  }
}

function wrap(keyring: Keyring, id: string): WrappedKey {
  const master = keyring.keys.get(keyring.primaryId)!;
  const sealed = seal(master, randomBytes(32), id);
  return { id, master_key_id: keyring.primaryId, wrapped: sealed.toString('base64url') };
}

function unwrap(keyring: Keyring, key: WrappedKey): Buffer {
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

async function loadOrCreateDataKeys(store: Store, keyring: Keyring): Promise<DataKeys> {
  const existing = await getSetting(store, SETTING);
  if (existing) return JSON.parse(existing) as DataKeys;
  const fresh: DataKeys = { card: wrap(keyring, newDataKeyId()), fingerprint: wrap(keyring, newDataKeyId()) };
  return JSON.parse(await putSettingOnce(store, SETTING, JSON.stringify(fresh))) as DataKeys;
}
