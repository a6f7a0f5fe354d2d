/**
 * PayKKa v3 signatures (docs/signing.md#v3). A request carries its app id, an epoch-millisecond
 * timestamp, a nonce and the signature in `x-paykka-*` headers; the signature is SHA256withRSA
 * over five lines, `METHOD`, the path (no host, no query), the timestamp, the nonce and the body
 * bytes, joined by LF with no LF at the end, each empty part replaced by one space. Answers and
 * notifications are signed the same way with the platform key.
 */
import { randomInt } from 'node:crypto';

export const V3_SIGN_ALG = 'SHA256_WITH_RSA';

/** The v3 header names, lower-case as Node reports them. */
export const V3_HEADERS = {
  appId: 'x-paykka-appid',
  timestamp: 'x-paykka-timestamp',
  nonce: 'x-paykka-nonce',
  signAlg: 'x-paykka-sign-alg',
  sign: 'x-paykka-sign',
} as const;

const part = (value: string | Buffer): Buffer => {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return bytes.length === 0 ? Buffer.from(' ') : bytes;
};

/** `METHOD\nPATH\nTIMESTAMP\nNONCE\nBODY` over the bytes as sent; an empty part is one space. */
export function v3StringToSign(
  method: string,
  path: string,
  timestamp: string | number,
  nonce: string,
  body: string | Buffer,
): Buffer {
  const lf = Buffer.from('\n');
  return Buffer.concat([
    part(method.toUpperCase()),
    lf,
    part(path),
    lf,
    part(String(timestamp)),
    lf,
    part(nonce),
    lf,
    part(body),
  ]);
}

/** A fresh nonce as PayKKa's clients make them: 16 decimal digits. */
export function newNonce(): string {
  let digits = '';
  while (digits.length < 16) digits += String(randomInt(0, 1_000_000_000)).padStart(9, '0');
  return digits.slice(0, 16);
}

/** The header value: base64, percent-encoded as PayKKa's clients send it. */
export function encodeV3Signature(base64: string): string {
  return encodeURIComponent(base64);
}
