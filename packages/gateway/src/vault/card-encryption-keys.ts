/**
 * The gateway keys: EC P-256 key pairs whose public halves browsers encrypt card fields to
 * (encrypted-card.js, the SDK's encryptCard). Each also has an X25519 half, derived from the
 * P-256 private key (x25519Of), so it needs no storage of its own and every process holding
 * the list agrees on it. Like the platform key, the list is one setting
 * sealed under the primary card data key (`Vault.sealText`), so it is protected by the master
 * keyring and moves with it: a master-key rotation re-wraps the data keys, and the background
 * pass re-seals this setting under the new card data key (card-records.ts lists it).
 *
 * The last key of the list is the current one, handed to browsers; the older ones still
 * decrypt until RETAIN_SUPERSEDED_MS after they were superseded, so no card encrypted under
 * one of them within a blob's lifetime is refused. Keys past that are dropped at the next
 * rotation and refused meanwhile. Every change is a compare-and-set on the sealed value read,
 * so processes sharing a store converge on one list.
 */
import { createPrivateKey, generateKeyPairSync, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';
import type { Store } from '../store/db.ts';
import { getSetting, putSettingOnce } from '../store/settings.ts';
import type { Vault } from './vault.ts';

export const CARD_ENCRYPTION_KEYS_SETTING = 'card_encryption_keys';
export const CARD_ENCRYPTION_KEYS_PURPOSE = 'card-encryption-keys';

/** How long an encrypted card field is accepted after it was made. */
export const BLOB_LIFETIME_MS = 24 * 60 * 60_000;
/**
 * How far ahead of the gateway's clock a field's generation time may be. The browser library
 * takes the time from the gateway's own answer, so only the SDK's callers (servers) rely on it.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;
/**
 * How long a superseded key keeps decrypting: a blob's lifetime, plus the 5 minutes a page may
 * keep using a key it fetched and the 5 minutes of clock skew allowed, rounded up to 25 h.
 */
export const RETAIN_SUPERSEDED_MS = 25 * 60 * 60_000;

/** The private key as a JWK, with the fields an EC P-256 key has. */
export interface EcPrivateJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
}

export interface GatewayKey {
  /** `gk_` + 12 hex: the `kid` of the JWE header. */
  kid: string;
  created_at: number;
  /** When a newer key became current; null for the current key. */
  superseded_at: number | null;
  jwk: EcPrivateJwk;
}

export interface StoredGatewayKeys {
  /** The setting's sealed value as read: what the next compare-and-set compares with. */
  sealed: string;
  /** Oldest first; the last is current. */
  keys: GatewayKey[];
}

export function newGatewayKey(now: number): GatewayKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y, d } = privateKey.export({ format: 'jwk' });
  return {
    kid: `gk_${randomBytes(6).toString('hex')}`,
    created_at: now,
    superseded_at: null,
    jwk: { kty: 'EC', crv: 'P-256', x: x!, y: y!, d: d! },
  };
}

/** PKCS#8 DER of an X25519 private key, up to the 32 key bytes (RFC 8410). */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_INFO = 'openkka gateway key X25519';

/**
 * The X25519 half of a gateway key: HKDF-SHA256 of the P-256 private scalar, with its own
 * label, so knowing one half's public key tells nothing of the other's private key.
 */
export function x25519Of(jwk: EcPrivateJwk): { privateKey: KeyObject; x: string } {
  const seed = Buffer.from(
    hkdfSync('sha256', Buffer.from(jwk.d, 'base64url'), Buffer.alloc(0), X25519_INFO, 32),
  );
  const privateKey = createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const { x } = privateKey.export({ format: 'jwk' });
  return { privateKey, x: x! };
}

export function currentGatewayKey(keys: readonly GatewayKey[]): GatewayKey {
  return keys[keys.length - 1]!;
}

/** Until when a key decrypts: for ever while current, else RETAIN_SUPERSEDED_MS after it was superseded. */
export function decryptsUntil(key: GatewayKey): number {
  return key.superseded_at === null ? Number.POSITIVE_INFINITY : key.superseded_at + RETAIN_SUPERSEDED_MS;
}

function unseal(vault: Vault, sealed: string): GatewayKey[] {
  const keys = (JSON.parse(vault.openText(sealed, CARD_ENCRYPTION_KEYS_PURPOSE)) as { keys: GatewayKey[] })
    .keys;
  if (!Array.isArray(keys) || keys.length === 0)
    throw new Error('the card_encryption_keys setting holds no key');
  return keys;
}

function seal(vault: Vault, keys: readonly GatewayKey[]): string {
  return vault.sealText(JSON.stringify({ keys }), CARD_ENCRYPTION_KEYS_PURPOSE);
}

/** The stored keys, or undefined while none was ever made. Reads the writer, so a rotation just made is seen. */
export async function readGatewayKeys(store: Store, vault: Vault): Promise<StoredGatewayKeys | undefined> {
  const row = await store.writer
    .selectFrom('settings')
    .select('value')
    .where('name', '=', CARD_ENCRYPTION_KEYS_SETTING)
    .executeTakeFirst();
  return row ? { sealed: row.value, keys: unseal(vault, row.value) } : undefined;
}

/** The stored keys, making the first one if there is none yet (the first writer wins among processes). */
export async function ensureGatewayKeys(store: Store, vault: Vault, now: number): Promise<StoredGatewayKeys> {
  const existing = await readGatewayKeys(store, vault);
  if (existing) return existing;
  await putSettingOnce(store, CARD_ENCRYPTION_KEYS_SETTING, seal(vault, [newGatewayKey(now)]));
  const made = await getSetting(store, CARD_ENCRYPTION_KEYS_SETTING);
  return { sealed: made!, keys: unseal(vault, made!) };
}

/**
 * Makes a new current key. The one it replaces is marked superseded now and keeps decrypting
 * for RETAIN_SUPERSEDED_MS; keys superseded longer ago than that are dropped.
 */
export async function rotateGatewayKeys(store: Store, vault: Vault, now: number): Promise<StoredGatewayKeys> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await ensureGatewayKeys(store, vault, now);
    const kept = current.keys
      .map((k) => (k.superseded_at === null ? { ...k, superseded_at: now } : k))
      .filter((k) => decryptsUntil(k) > now);
    const keys = [...kept, newGatewayKey(now)];
    const sealed = seal(vault, keys);
    const result = await store.writer
      .updateTable('settings')
      .set({ value: sealed })
      .where('name', '=', CARD_ENCRYPTION_KEYS_SETTING)
      .where('value', '=', current.sealed)
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) return { sealed, keys };
  }
  throw new Error('the card_encryption_keys setting keeps changing under this process; giving up for now');
}
