/**
 * Google's root signing keys, in the format Google publishes them
 * (`{"keys":[{"keyValue","protocolVersion","keyExpiration"}]}`, keyValue a base64 X.509
 * SubjectPublicKeyInfo of an EC P-256 key). OPENKKA_GOOGLE_PAY_ROOT_KEYS names such a file;
 * when it is unset, the sandbox's own root (vault/google-pay-keys.ts) stands in for Google.
 * A file that cannot be read is an error at start, never a refusal of every payment later.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PROTOCOL_VERSION } from '../../../core/input/google-pay-token.ts';

export interface RootKey {
  publicKey: KeyObject;
  protocolVersion: string;
  /** Epoch ms from which the key no longer verifies; undefined for no end. */
  expiresAt: number | undefined;
}

/** An EC P-256 public key from base64 SubjectPublicKeyInfo DER, or undefined if it is not one. */
export function p256PublicKey(base64: string): KeyObject | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
      ? key
      : undefined;
  } catch {
    return undefined;
  }
}

/** The keys of a root keys document; throws naming `source` and the entry that is wrong. */
export function parseRootKeys(json: string, source: string): RootKey[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error(`${source} has no "keys" array`);
  const roots = keys.map((entry: Record<string, unknown> | null, i) => {
    const publicKey = typeof entry?.keyValue === 'string' ? p256PublicKey(entry.keyValue) : undefined;
    if (!publicKey) throw new Error(`${source}: keys[${i}].keyValue is not a base64 EC P-256 public key`);
    const expiration = entry?.keyExpiration;
    if (expiration !== undefined && !(typeof expiration === 'string' && /^\d{1,16}$/.test(expiration))) {
      throw new Error(`${source}: keys[${i}].keyExpiration must be epoch milliseconds as a string`);
    }
    if (typeof entry?.protocolVersion !== 'string') {
      throw new Error(`${source}: keys[${i}].protocolVersion is missing`);
    }
    return {
      publicKey,
      protocolVersion: entry.protocolVersion,
      expiresAt: expiration === undefined ? undefined : Number(expiration),
    };
  });
  if (!roots.some((r) => r.protocolVersion === PROTOCOL_VERSION)) {
    throw new Error(`${source} holds no ${PROTOCOL_VERSION} key`);
  }
  return roots;
}

export function readRootKeysFile(path: string): RootKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`OPENKKA_GOOGLE_PAY_ROOT_KEYS: cannot read ${path}: ${(err as Error).message}`);
  }
  return parseRootKeys(text, `OPENKKA_GOOGLE_PAY_ROOT_KEYS (${path})`);
}

/** A root key document in Google's format, for the sandbox root or a test's own root. */
export function rootKeysDocument(keys: { publicKey: KeyObject; expiresAt?: number }[]): string {
  return JSON.stringify({
    keys: keys.map((k) => ({
      keyValue: k.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      protocolVersion: PROTOCOL_VERSION,
      ...(k.expiresAt === undefined ? {} : { keyExpiration: String(k.expiresAt) }),
    })),
  });
}
