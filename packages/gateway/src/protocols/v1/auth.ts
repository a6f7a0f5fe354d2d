/**
 * PayKKa v1.2 request authentication (docs/signing.md#rules-for-incoming-requests): the body names
 * the merchant and the time, the `signature` header covers both and the raw body. Checked in the
 * order that stores nothing until the request is proven: body, merchant, signature, time window,
 * then the signature is claimed, once per merchant, so a forger can neither burn a merchant's
 * signatures nor learn which were used.
 */
import { API_VERSION, decodeSignatureHeader, stringToSign } from '@openkka/sdk/signing';
import type { FastifyRequest } from 'fastify';
import { IDENTIFIER_NUMBER_MESSAGE } from '../../core/input/fields.ts';
import type { ReplayGuard } from '../../core/merchants/replay-guard.ts';
import type { MerchantService } from '../../core/merchants/service.ts';
import { signedByAny } from '../../core/merchants/verify.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import { headerValue } from '../../http/headers.ts';
import { readJsonObjectWithNumbers } from '../../http/json-body.ts';
import { IDENTIFIER_PATHS, identifiersAsText } from './identifiers.ts';

export interface AuthDeps {
  merchants: MerchantService;
  replay: ReplayGuard;
  clock: Clock;
  signatureWindowMs: number;
}

function checkVersion(request: FastifyRequest, body: Record<string, unknown>): void {
  for (const value of [headerValue(request, 'version'), body.version]) {
    if (value === undefined || value === '') continue;
    if (value !== API_VERSION) throw new ApiError('INVALID_VERSION', `only ${API_VERSION} is served`);
  }
}

/** The body's timestamp exactly as the client signed it: an integer, as a number or digits. */
function signedTimestamp(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return value;
  if (value === undefined || value === '') throw new ApiError('INVALID_REQUEST', 'timestamp is required');
  throw new ApiError('INVALID_REQUEST', 'timestamp must be an integer in milliseconds');
}

export function authenticate(deps: AuthDeps) {
  return async function authenticateRequest(request: FastifyRequest): Promise<void> {
    const { value: body, numberTexts, refusal } = readJsonObjectWithNumbers(request.body, IDENTIFIER_PATHS);
    // Before anything reads them: merchant_id is part of the string to sign.
    identifiersAsText(body, numberTexts);
    if (typeof body.merchant_id === 'string') request.signingMerchantId = body.merchant_id;
    // A duplicate key or an inexact number is refused as a bad field is: signed for the merchant.
    if (refusal) throw refusal;
    checkVersion(request, body);

    const signatureHeader = headerValue(request, 'signature');
    if (!signatureHeader || signatureHeader.trim() === '') throw new ApiError('SIGNATURE_MISSING');
    if (body.merchant_id === undefined || body.merchant_id === '' || body.merchant_id === null) {
      throw new ApiError('INVALID_REQUEST', 'merchant_id is required');
    }
    if (typeof body.merchant_id !== 'string') {
      const kind = typeof body.merchant_id === 'number' ? IDENTIFIER_NUMBER_MESSAGE : 'must be a string';
      throw new ApiError('INVALID_REQUEST', `merchant_id ${kind}`);
    }
    const timestamp = signedTimestamp(body.timestamp);

    // No merchant id contains U+0000, and PostgreSQL would fail the lookup on it (a 500): unknown.
    if (body.merchant_id.includes('\u0000')) throw new ApiError('MERCHANT_NOT_FOUND');
    const found = await deps.merchants.forAuth(body.merchant_id);
    if (!found) throw new ApiError('MERCHANT_NOT_FOUND');
    if (found.merchant.status !== 'ACTIVE') throw new ApiError('MERCHANT_DISABLED');
    if (found.keys.length === 0) throw new ApiError('MERCHANT_KEY_MISSING');

    const signature = decodeSignatureHeader(signatureHeader);
    const signed = stringToSign(body.merchant_id, timestamp, request.body as Buffer);
    if (!signature || !(await signedByAny(signed, signature, found.keys))) {
      throw new ApiError('SIGNATURE_INVALID');
    }
    const sentAt = Number(timestamp);
    if (Math.abs(deps.clock.now() - sentAt) > deps.signatureWindowMs) {
      throw new ApiError('SIGNATURE_EXPIRED', 'timestamp is outside the accepted window');
    }
    // v1.2 has no nonce and its signature does not cover the path: the signature itself is
    // accepted once, kept while a request with this timestamp could still be accepted.
    if (
      !(await deps.replay.claimSignature(
        found.merchant.merchant_id,
        signature,
        sentAt + deps.signatureWindowMs,
      ))
    ) {
      throw new ApiError('SIGNATURE_REUSED');
    }
    request.auth = { merchant: found.merchant, body };
  };
}
