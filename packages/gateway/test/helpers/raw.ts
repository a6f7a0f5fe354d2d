/**
 * Hand-built HTTP requests, for what the SDK would never send: tampered bodies, missing
 * headers, malformed JSON. Signing here follows docs/signing.md directly, not through the SDK.
 */
import { createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export function signBody(
  merchantId: string,
  timestamp: string | number,
  body: string,
  key: KeyObject,
): string {
  return createSign('sha256')
    .update(`merchantId=${merchantId}&timestamp=${timestamp}&requestBody=${body}`)
    .sign(key, 'base64');
}

export async function rawPost(
  baseUrl: string,
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // left empty: the caller asserts on text
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Signs `body` (an object is serialised as-is, with its own merchant_id and timestamp) and posts it. */
export async function signedPost(
  baseUrl: string,
  path: string,
  body: Record<string, unknown> | string,
  signer: { merchantId: string; privateKey: KeyObject; timestamp?: number },
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = signer.timestamp ?? (typeof body === 'object' ? (body.timestamp as number) : Date.now());
  const signature = signBody(signer.merchantId, timestamp, text, signer.privateKey);
  return rawPost(baseUrl, path, text, { signature, type: 'RSA256', version: 'v1.2', ...headers });
}

/** True when the response carries a valid platform signature for `merchantId` (docs/signing.md). */
export function responseSignatureValid(
  res: RawResponse,
  merchantId: string,
  platformPublicKeyPem: string,
): boolean {
  const signature = res.headers.get('signature');
  const timestamp = res.headers.get('timestamp');
  if (!signature || !timestamp) return false;
  return createVerify('sha256')
    .update(`merchantId=${merchantId}&timestamp=${timestamp}&requestBody=${res.text}`)
    .verify(createPublicKey(platformPublicKeyPem), signature, 'base64');
}
