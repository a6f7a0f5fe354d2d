/**
 * PayKKa v3 requests built by hand from docs/signing.md#v3, not through the SDK: five lines,
 * SHA256withRSA, base64, percent-encoded as PayKKa's plugin sends it. And the check of an
 * answer's `x-paykka-*` signature with the platform key.
 */
import { createPublicKey, createSign, createVerify, type KeyObject, randomInt } from 'node:crypto';
import { type RawResponse, rawPost } from './raw.ts';

export interface V3Signer {
  appId: string;
  privateKey: KeyObject;
}

export interface V3Options {
  timestamp?: number | string;
  nonce?: string;
  /** Replaces (or, as undefined, removes) headers after signing. */
  headers?: Record<string, string | undefined>;
  /** Signs another path than the one posted to. */
  signedPath?: string;
}

const fiveLines = (method: string, path: string, timestamp: string, nonce: string, body: string) =>
  [method, path, timestamp, nonce, body].map((part) => (part === '' ? ' ' : part)).join('\n');

export const newTestNonce = () => `${randomInt(1e7, 1e8)}${randomInt(1e7, 1e8)}`;

export function v3Sign(signer: V3Signer, path: string, timestamp: string, nonce: string, body: string) {
  return createSign('sha256')
    .update(fiveLines('POST', path, timestamp, nonce, body))
    .sign(signer.privateKey, 'base64');
}

export async function v3Post(
  baseUrl: string,
  path: string,
  body: string,
  signer: V3Signer,
  options: V3Options = {},
): Promise<RawResponse & { nonce: string }> {
  const timestamp = String(options.timestamp ?? Date.now());
  const nonce = options.nonce ?? newTestNonce();
  const sign = v3Sign(signer, options.signedPath ?? path, timestamp, nonce, body);
  const headers: Record<string, string | undefined> = {
    'x-paykka-appid': signer.appId,
    'x-paykka-timestamp': timestamp,
    'x-paykka-nonce': nonce,
    'x-paykka-sign-alg': 'SHA256_WITH_RSA',
    'x-paykka-sign': encodeURIComponent(sign),
    ...options.headers,
  };
  const sent = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  return { ...(await rawPost(baseUrl, path, body, sent)), nonce };
}

/** True when the answer carries a valid v3 platform signature over its own headers and body. */
export function v3AnswerValid(res: RawResponse, path: string, platformPublicKeyPem: string): boolean {
  const sign = res.headers.get('x-paykka-sign');
  const timestamp = res.headers.get('x-paykka-timestamp');
  const nonce = res.headers.get('x-paykka-nonce');
  if (!sign || !timestamp || !nonce) return false;
  return createVerify('sha256')
    .update(fiveLines('POST', path, timestamp, nonce, res.text))
    .verify(createPublicKey(platformPublicKeyPem), decodeURIComponent(sign), 'base64');
}
