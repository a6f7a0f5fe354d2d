/**
 * The two PayKKa wires the load can speak (`--protocol`): where each operation lives, how a
 * request is signed and which headers carry the signature. v1.2 signs
 * `merchantId=…&timestamp=…&requestBody=…` and sends `signature`, `type` and `version`; v3 signs
 * `POST\n{path}\n{timestamp}\n{nonce}\n{body}` and sends the five `x-paykka-*` headers
 * (docs/signing.md#v3). Everything else (the bodies, what counts as a good answer) is the same
 * on both but for v1.2's `timestamp` field in the body.
 */
import type { KeyObject } from 'node:crypto';
import {
  API_VERSION,
  encodeV3Signature,
  SIGNATURE_TYPE,
  signAsync,
  stringToSign,
  V3_HEADERS,
  V3_SIGN_ALG,
  v3StringToSign,
} from '@openkka/sdk/signing';
import type { Protocol } from './options.ts';

export type { Protocol } from './options.ts';

/** The operations the mixes send. */
export type Operation = 'pay' | 'capture' | 'refund' | 'query';

export const PATHS: Readonly<Record<Protocol, Readonly<Record<Operation, string>>>> = {
  'v1.2': {
    pay: '/apis/payments',
    capture: '/apis/payments/capture',
    refund: '/apis/payments/refund',
    query: '/apis/payments/query',
  },
  v3: {
    pay: '/v3/payment/acq/pay',
    capture: '/v3/payment/acq/capture',
    refund: '/v3/payment/acq/refund',
    query: '/v3/payment/acq/query',
  },
};

/** The header an answer of each wire is signed in: the bench counts an answer without it as an error. */
export const ANSWER_SIGNATURE_HEADER: Readonly<Record<Protocol, string>> = {
  'v1.2': 'signature',
  v3: V3_HEADERS.sign,
};

/** Who signs: the merchant's key, and for v3 its app id and where its nonces come from. */
export interface RequestSigner {
  protocol: Protocol;
  merchantId: string;
  /** v3's `x-paykka-appid`: the merchant id unless the merchant was given an app id. */
  appId: string;
  key: KeyObject;
  /** A nonce never handed out before by this signer's process (v3). */
  nonce: () => string;
}

/** A request ready to send: its path, its bytes, its signature headers. */
export interface SignedRequest {
  path: string;
  body: Buffer;
  headers: Readonly<Record<string, string>>;
  /** When it was signed, in ms since the epoch: v1.2's `timestamp` field, v3's header. */
  signedAt: number;
}

/** Signs `body` for `path` at `timestamp` on libuv's thread pool (the SDK's async form). */
export async function signRequest(
  signer: RequestSigner,
  path: string,
  body: string,
  timestamp: number,
): Promise<SignedRequest> {
  const bytes = Buffer.from(body, 'utf8');
  if (signer.protocol === 'v1.2') {
    const signature = await signAsync(stringToSign(signer.merchantId, timestamp, bytes), signer.key);
    return {
      path,
      body: bytes,
      headers: { signature, type: SIGNATURE_TYPE, version: API_VERSION },
      signedAt: timestamp,
    };
  }
  const nonce = signer.nonce();
  const signature = await signAsync(v3StringToSign('POST', path, timestamp, nonce, bytes), signer.key);
  return {
    path,
    body: bytes,
    headers: {
      [V3_HEADERS.appId]: signer.appId,
      [V3_HEADERS.timestamp]: String(timestamp),
      [V3_HEADERS.nonce]: nonce,
      [V3_HEADERS.signAlg]: V3_SIGN_ALG,
      // Percent-encoded, as PayKKa's clients send it.
      [V3_HEADERS.sign]: encodeV3Signature(signature),
    },
    signedAt: timestamp,
  };
}

const NONCE_SPACE = 10n ** 16n;

/**
 * v3 nonces as PayKKa's clients send them (16 decimal digits), spread over the whole range as
 * random ones are (so the gateway's nonce index is written where real traffic writes it), yet
 * never repeating within one source: the k-th is `(a·k + b) mod 10¹⁶` with `a` prime to 10, a
 * bijection of the range. A repeat would be refused (`300070`) and counted as the gateway's
 * error. `random` gives the source's own `a` and `b`, so two bench runs differ.
 */
export function nonceSource(random: () => bigint): () => string {
  let a = random() % NONCE_SPACE;
  while (a % 2n === 0n || a % 5n === 0n) a = (a + 1n) % NONCE_SPACE;
  const b = random() % NONCE_SPACE;
  let k = 0n;
  return () => {
    const value = (a * k + b) % NONCE_SPACE;
    k++;
    return value.toString().padStart(16, '0');
  };
}
