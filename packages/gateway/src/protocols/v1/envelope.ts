/**
 * The response side of the protocol: the `{ret_code, ret_msg, data}` envelope, the mapping of
 * every error to it, and the platform signature on every API response (docs/signing.md, docs/api.md#the-envelope).
 */

import type { KeyObject } from 'node:crypto';
import { API_VERSION, SIGNATURE_TYPE, signAsync, stringToSign } from '@openkka/sdk/signing';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.ts';
import { ApiError, REQUEST_CODES, type RequestCode } from '../../domain/errors.ts';

/** Sends a success envelope; `data.timestamp` is the timestamp the response is signed with. */
export function sendOk(
  reply: FastifyReply,
  clock: Clock,
  data?: Record<string, unknown> | unknown[] | string,
) {
  const timestamp = clock.now();
  reply.signTimestamp = timestamp;
  const body: Record<string, unknown> = {
    ret_code: REQUEST_CODES.SUCCESS.code,
    ret_msg: REQUEST_CODES.SUCCESS.message,
  };
  if (data !== undefined) {
    body.data = typeof data === 'object' && !Array.isArray(data) ? { timestamp, ...data } : data;
  }
  return reply.code(200).type('application/json').send(JSON.stringify(body));
}

function sendError(reply: FastifyReply, entry: RequestCode, message: string) {
  return reply
    .code(entry.http)
    .type('application/json')
    .send(JSON.stringify({ ret_code: entry.code, ret_msg: message }));
}

/** Fastify's own errors (body limit, bad content) mapped onto the catalogue; anything else is ours to fix. */
function toApiError(error: FastifyError): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError('PAYLOAD_TOO_LARGE');
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError('INVALID_REQUEST', error.message);
  }
  return undefined;
}

export function registerEnvelope(app: FastifyInstance, deps: { clock: Clock; platformKey: KeyObject }): void {
  app.decorateRequest('auth', null);
  app.decorateRequest('signingMerchantId', '');
  app.decorateReply('signTimestamp', null);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = toApiError(error);
    if (known) return sendError(reply, known.entry, known.message);
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, REQUEST_CODES.SYSTEM_ERROR, REQUEST_CODES.SYSTEM_ERROR.message);
  });

  // Every JSON response is signed, refusals included: the client can trust a 401 as much as a 200.
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (
      typeof payload !== 'string' ||
      !String(reply.getHeader('content-type')).startsWith('application/json')
    ) {
      return payload;
    }
    const timestamp = reply.signTimestamp ?? deps.clock.now();
    const signature = await signAsync(
      stringToSign(request.signingMerchantId, timestamp, payload),
      deps.platformKey,
    );
    reply.header('signature', signature);
    reply.header('type', SIGNATURE_TYPE);
    reply.header('version', API_VERSION);
    reply.header('timestamp', String(timestamp));
    return payload;
  });
}
