/**
 * Google's raw PaymentMethodToken (ECv2), as a Google Pay page hands it over in
 * `paymentMethodData.tokenizationData.token` and PayKKa's integrations forward it in
 * `payment.token_data`: a JSON string (an object is taken too) of `protocolVersion`,
 * `signature`, `intermediateSigningKey` {signedKey, signatures} and `signedMessage`.
 *
 * Only the outer shape is read here, and a wrong one is a request-level refusal (010000) naming
 * the field. What the signed strings hold is read only after their signatures verify
 * (signature-chain.ts), so nothing an attacker wrote is parsed before that.
 */

import { ApiError } from '../../domain/errors.ts';
import type { RawGooglePayToken } from '../orders/payment-source.ts';

export const PROTOCOL_VERSION = 'ECv2';

/** The fields only a raw token has: any of them means token_data is one (not decrypted data). */
const RAW_FIELDS = ['protocolVersion', 'signedMessage', 'intermediateSigningKey'] as const;

/** Far above any real token's part (a few hundred bytes to a few KiB); the body limit caps the rest. */
const MAX_PART = 32 * 1024;
const MAX_SIGNATURES = 8;

function refuse(detail: string): never {
  throw new ApiError('INVALID_REQUEST', `payment.token_data${detail}`);
}

/** `value` as an object when it is one or a JSON string of one; undefined otherwise. */
function objectOf(value: unknown): Record<string, unknown> | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}

/** The token when `tokenData` is a raw Google Pay token; undefined when it is something else. */
export function rawGooglePayToken(tokenData: unknown): RawGooglePayToken | undefined {
  const token = objectOf(tokenData);
  if (!token || !RAW_FIELDS.some((f) => f in token)) return undefined;
  if (token.protocolVersion !== PROTOCOL_VERSION) {
    refuse(`.protocolVersion must be ${PROTOCOL_VERSION} (the only Google Pay protocol openkka reads)`);
  }
  const key = token.intermediateSigningKey;
  if (key === null || typeof key !== 'object' || Array.isArray(key)) {
    refuse('.intermediateSigningKey must be an object');
  }
  const { signedKey, signatures } = key as Record<string, unknown>;
  if (
    !Array.isArray(signatures) ||
    signatures.length === 0 ||
    signatures.length > MAX_SIGNATURES ||
    !signatures.every((s) => text(s))
  ) {
    refuse(`.intermediateSigningKey.signatures must be 1 to ${MAX_SIGNATURES} base64 strings`);
  }
  return {
    signature: required(token.signature, '.signature'),
    intermediateSigningKey: {
      signedKey: required(signedKey, '.intermediateSigningKey.signedKey'),
      signatures: signatures as string[],
    },
    signedMessage: required(token.signedMessage, '.signedMessage'),
  };
}

const text = (value: unknown): value is string =>
  typeof value === 'string' && value !== '' && value.length <= MAX_PART;

function required(value: unknown, name: string): string {
  if (!text(value)) refuse(`${name} must be a non-empty string of at most ${MAX_PART} characters`);
  return value;
}
