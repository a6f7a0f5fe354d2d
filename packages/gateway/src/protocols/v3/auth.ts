/**
 * PayKKa v3 request authentication (docs/signing.md#v3): the `x-paykka-*` headers name the app
 * (the merchant id, or an app id the merchant was given), the time and a nonce; the signature covers the method, the path,
 * both of those and the raw body. Checked in the order that stores nothing until the request is
 * proven: headers, body, merchant, signature, time window, then the nonce is claimed, so a
 * forger can neither burn a merchant's nonces nor learn which were used.
 */
import { decodeSignatureHeader, V3_HEADERS, V3_SIGN_ALG, v3StringToSign } from '@openkka/sdk/signing';
import type { FastifyRequest } from 'fastify';
import type { ReplayGuard } from '../../core/merchants/replay-guard.ts';
import type { MerchantService } from '../../core/merchants/service.ts';
import { signedByAny } from '../../core/merchants/verify.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import { HEADER_TOKEN } from '../../domain/ids.ts';
import { headerValue } from '../../http/headers.ts';
import { readJsonObject } from '../../http/json-body.ts';

export interface V3AuthDeps {
  merchants: MerchantService;
  replay: ReplayGuard;
  clock: Clock;
  signatureWindowMs: number;
}

/** A header's value without surrounding blanks, or undefined when absent or blank. */
const header = (request: FastifyRequest, name: string) => headerValue(request, name)?.trim() || undefined;

export function authenticateV3(deps: V3AuthDeps) {
  return async function authenticateV3Request(request: FastifyRequest): Promise<void> {
    const sign = header(request, V3_HEADERS.sign);
    if (!sign) throw new ApiError('SIGNATURE_MISSING');
    const appId = header(request, V3_HEADERS.appId);
    if (!appId) throw new ApiError('INVALID_REQUEST', `${V3_HEADERS.appId} is required`);
    const timestamp = header(request, V3_HEADERS.timestamp);
    if (!timestamp || !/^\d{1,16}$/.test(timestamp)) {
      throw new ApiError('INVALID_REQUEST', `${V3_HEADERS.timestamp} must be the time in epoch milliseconds`);
    }
    const nonce = header(request, V3_HEADERS.nonce);
    if (!nonce || !HEADER_TOKEN.test(nonce)) {
      throw new ApiError('INVALID_REQUEST', `${V3_HEADERS.nonce} must be 1 to 64 visible ASCII characters`);
    }
    const alg = header(request, V3_HEADERS.signAlg);
    if (alg !== undefined && alg.toUpperCase() !== V3_SIGN_ALG) {
      throw new ApiError('INVALID_REQUEST', `${V3_HEADERS.signAlg} must be ${V3_SIGN_ALG}`);
    }
    const body = readJsonObject(request.body);

    // No merchant id contains U+0000, and PostgreSQL would fail the lookup on it (a 500): unknown.
    if (appId.includes('\u0000')) throw new ApiError('MERCHANT_NOT_FOUND');
    const found = await deps.merchants.forAppId(appId);
    if (!found) throw new ApiError('MERCHANT_NOT_FOUND');
    if (found.merchant.status !== 'ACTIVE') throw new ApiError('MERCHANT_DISABLED');
    if (found.keys.length === 0) throw new ApiError('MERCHANT_KEY_MISSING');

    const signature = decodeSignatureHeader(sign);
    const path = request.url.split('?')[0]!;
    const signed = v3StringToSign(request.method, path, timestamp, nonce, request.body as Buffer);
    if (!signature || !(await signedByAny(signed, signature, found.keys))) {
      throw new ApiError('SIGNATURE_INVALID');
    }
    const sentAt = Number(timestamp);
    if (Math.abs(deps.clock.now() - sentAt) > deps.signatureWindowMs) {
      throw new ApiError('SIGNATURE_EXPIRED', 'timestamp is outside the accepted window');
    }
    const merchantId = found.merchant.merchant_id;
    if (body.merchant_id !== undefined && body.merchant_id !== merchantId) {
      throw new ApiError('INVALID_REQUEST', `merchant_id must be the merchant of ${V3_HEADERS.appId}`);
    }
    // Kept while a request with this timestamp could still be accepted.
    if (!(await deps.replay.claimNonce(appId, nonce, sentAt + deps.signatureWindowMs))) {
      throw new ApiError('NONCE_REUSED');
    }
    request.auth = { merchant: found.merchant, body };
  };
}
