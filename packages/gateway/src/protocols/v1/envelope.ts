/**
 * The response side of the protocol: the `{ret_code, ret_msg, data}` envelope, the mapping of
 * every error to it, and the platform signature on every API response (docs/signing.md, docs/api.md#the-envelope).
 */

import type { KeyObject } from 'node:crypto';
import { API_VERSION, SIGNATURE_TYPE, signAsync, stringToSign } from '@openkka/sdk/signing';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.ts';
import { REQUEST_CODES } from '../../domain/errors.ts';
import { answerErrorsAsRefusals } from '../../http/api-errors.ts';

/** Sends a success envelope; `data.timestamp` is the timestamp the response is signed with. */
export function sendOk(
  reply: FastifyReply,
  clock: Clock,
  data?: Record<string, unknown> | unknown[] | string,
) {
  const timestamp = clock.now();
  reply.signTimestamp = timestamp;
  reply.answerCode = REQUEST_CODES.SUCCESS.code;
  const body: Record<string, unknown> = {
    ret_code: REQUEST_CODES.SUCCESS.code,
    ret_msg: REQUEST_CODES.SUCCESS.message,
  };
  if (data !== undefined) {
    body.data = typeof data === 'object' && !Array.isArray(data) ? { timestamp, ...data } : data;
  }
  return reply.code(200).type('application/json').send(JSON.stringify(body));
}

export function registerEnvelope(app: FastifyInstance, deps: { clock: Clock; platformKey: KeyObject }): void {
  app.decorateRequest('auth', null);
  app.decorateRequest('signingMerchantId', '');
  app.decorateReply('signTimestamp', null);
  app.decorateRequest('wire', 'v1.2');

  answerErrorsAsRefusals(app);

  // Every JSON response is signed, refusals included: the client can trust a 401 as much as a 200.
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (
      request.wire !== 'v1.2' ||
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
