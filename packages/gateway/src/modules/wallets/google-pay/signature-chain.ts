/**
 * Step one of reading a token, before anything in it is decrypted: the intermediate signing key
 * must be signed by a configured root key that has not expired, must not have expired itself,
 * and must have signed the message for one of openkka's recipient ids. Each failure has its own
 * business code, so an operator can tell a misconfigured root (5020) from a token made for
 * someone else or altered (5022).
 */
import { type KeyObject, verify } from 'node:crypto';
import { PROTOCOL_VERSION } from '../../../core/input/google-pay-token.ts';
import type { RawGooglePayToken } from '../../../core/orders/payment-source.ts';
import type { BusinessCodeName } from '../../../domain/errors.ts';
import { p256PublicKey, type RootKey } from './root-keys.ts';
import { messageBytes, signingKeyBytes } from './signed-bytes.ts';

export type ChainCheck = { ok: true } | { ok: false; reason: BusinessCodeName };

/** ECDSA P-256 over SHA-256 with a DER signature, as Google signs; false for anything malformed. */
export function verifies(key: KeyObject, data: Buffer, signatureBase64: string): boolean {
  try {
    return verify('sha256', data, { key, dsaEncoding: 'der' }, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/** The signed key's JSON: `keyValue` (base64 SPKI) and `keyExpiration` (epoch ms as a string). */
function readSignedKey(signedKey: string): { key: KeyObject; expiresAt: number } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(signedKey);
  } catch {
    return undefined;
  }
  const { keyValue, keyExpiration } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof keyValue !== 'string' || typeof keyExpiration !== 'string') return undefined;
  if (!/^\d{1,16}$/.test(keyExpiration)) return undefined;
  const key = p256PublicKey(keyValue);
  return key && { key, expiresAt: Number(keyExpiration) };
}

export function checkSignatureChain(
  token: RawGooglePayToken,
  roots: readonly RootKey[],
  recipientIds: readonly string[],
  now: number,
): ChainCheck {
  const { signedKey, signatures } = token.intermediateSigningKey;
  const keyBytes = signingKeyBytes(signedKey);
  const live = roots.filter(
    (r) => r.protocolVersion === PROTOCOL_VERSION && (r.expiresAt === undefined || now < r.expiresAt),
  );
  const signedByRoot = live.some((root) => signatures.some((sig) => verifies(root.publicKey, keyBytes, sig)));
  if (!signedByRoot) return { ok: false, reason: 'GOOGLE_PAY_SIGNING_KEY_UNTRUSTED' };

  const intermediate = readSignedKey(signedKey);
  if (!intermediate) return { ok: false, reason: 'GOOGLE_PAY_PAYMENT_DATA_INVALID' };
  if (now >= intermediate.expiresAt) return { ok: false, reason: 'GOOGLE_PAY_SIGNING_KEY_EXPIRED' };

  const forUs = recipientIds.some((id) =>
    verifies(intermediate.key, messageBytes(id, token.signedMessage), token.signature),
  );
  return forUs ? { ok: true } : { ok: false, reason: 'GOOGLE_PAY_SIGNATURE_INVALID' };
}
