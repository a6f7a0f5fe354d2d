/**
 * The PayKKa v1.2 signature scheme, in one place. The gateway reuses this module, so the
 * client and the server can never disagree about the string-to-sign.
 *
 *   merchantId=<merchant_id>&timestamp=<timestamp>&requestBody=<raw body bytes>
 *
 * signed with RSASSA-PKCS1-v1_5 over SHA-256 ("SHA256withRSA"), standard base64.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

export const SIGNATURE_TYPE = 'RSA256';
export const API_VERSION = 'v1.2';

export type PrivateKeyInput = string | Buffer | KeyObject;
export type PublicKeyInput = string | Buffer | KeyObject;

/** Builds the exact bytes that get signed. The body is used as received: no re-serialising. */
export function stringToSign(merchantId: string, timestamp: string | number, body: string | Buffer): Buffer {
  const head = Buffer.from(`merchantId=${merchantId}&timestamp=${timestamp}&requestBody=`, 'utf8');
  return Buffer.concat([head, typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/** Accepts PEM (PKCS#8 or PKCS#1) or a bare base64 DER key, as PayKKa's own clients do. */
export function toPrivateKey(key: PrivateKeyInput): KeyObject {
  if (typeof key === 'object' && 'asymmetricKeyType' in key) return key;
  const text = key.toString().trim();
  if (text.startsWith('-----')) return createPrivateKey(text);
  const der = Buffer.from(text, 'base64');
  // Bare DER carries no label, so try PKCS#8 first and fall back to PKCS#1 ("RSA PRIVATE KEY").
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  }
}

export function toPublicKey(key: PublicKeyInput): KeyObject {
  if (typeof key === 'object' && 'asymmetricKeyType' in key) {
    return key.type === 'private' ? createPublicKey(key) : key;
  }
  const text = key.toString().trim();
  if (text.startsWith('-----')) return createPublicKey(text);
  const der = Buffer.from(text, 'base64');
  try {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
  }
}

/** Signs on libuv's thread pool (async form of crypto.sign) so the event loop stays free. */
export function signAsync(data: Buffer, key: KeyObject): Promise<string> {
  return new Promise((resolve, reject) => {
    sign('sha256', data, key, (err, sig) => (err ? reject(err) : resolve(sig.toString('base64'))));
  });
}

export function signSync(data: Buffer, key: KeyObject): string {
  return sign('sha256', data, key).toString('base64');
}

/**
 * Normalises a received `signature` header: tolerates a `Bearer ` prefix and percent-encoding
 * (PayKKa's PHP client rawurlencodes the base64). Returns null when nothing usable is left.
 */
export function decodeSignatureHeader(value: string): Buffer | null {
  let text = value.trim();
  if (/^bearer\s+/i.test(text)) text = text.replace(/^bearer\s+/i, '');
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return null;
    }
  }
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

export function verifySignature(data: Buffer, signature: Buffer, key: KeyObject): boolean {
  try {
    return verify('sha256', data, key, signature);
  } catch {
    return false;
  }
}

export function verifyAsync(data: Buffer, signature: Buffer, key: KeyObject): Promise<boolean> {
  return new Promise((resolve) => {
    verify('sha256', data, key, signature, (err, ok) => resolve(!err && ok));
  });
}

export * from './signing-v3.ts';
