import { API_VERSION, decodeSignatureHeader, stringToSign } from '@openkka/sdk/signing';
import type { FastifyRequest } from 'fastify';
import { IDENTIFIER_NUMBER_MESSAGE } from '../../core/input/fields.ts';
import type { MerchantService } from '../../core/merchants/service.ts';
import { signedByAny } from '../../core/merchants/verify.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import { headerValue } from '../../http/headers.ts';
import { readJsonObject } from '../../http/json-body.ts';
import { identifiersAsText } from './identifiers.ts';

export interface AuthDeps {
  merchants: MerchantService;
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
    const body = readJsonObject(request.body);
    // Before anything reads them: merchant_id is part of the string to sign.
    identifiersAsText(body, request.body as Buffer);
    if (typeof body.merchant_id === 'string') request.signingMerchantId = body.merchant_id;
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
    if (Math.abs(deps.clock.now() - Number(timestamp)) > deps.signatureWindowMs) {
      throw new ApiError('SIGNATURE_EXPIRED', 'timestamp is outside the accepted window');
    }
    request.auth = { merchant: found.merchant, body };
  };
}
