/**
 * The answer side of PayKKa v3: the `{ret_code, ret_msg, data}` envelope, the mapping of errors
 * onto it, and the platform's signature in `x-paykka-*` headers over the same five lines a
 * request is signed over (docs/signing.md#v3), on every JSON answer, refusals included.
 * Registered on the v3 scope only; v1.2's envelope leaves requests marked `wire = 'v3'` alone.
 */
import type { KeyObject } from 'node:crypto';
import { newNonce, signAsync, V3_HEADERS, V3_SIGN_ALG, v3StringToSign } from '@openkka/sdk/signing';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.ts';
import { REQUEST_CODES } from '../../domain/errors.ts';
import { HEADER_TOKEN } from '../../domain/ids.ts';
import { answerErrorsAsRefusals } from '../../http/api-errors.ts';
import type { OperationData } from '../../operations/index.ts';

/** A success envelope around `data` (none for an operation that answers nothing). */
export function sendOk(reply: FastifyReply, data: OperationData | object, top: Record<string, unknown> = {}) {
  const body = {
    ret_code: REQUEST_CODES.SUCCESS.code,
    ret_msg: REQUEST_CODES.SUCCESS.message,
    ...top,
    ...(data === undefined ? {} : { data }),
  };
  reply.answerCode = REQUEST_CODES.SUCCESS.code;
  return reply.code(200).type('application/json').send(JSON.stringify(body));
}

export function registerV3Envelope(
  scope: FastifyInstance,
  deps: { clock: Clock; platformKey: KeyObject },
): void {
  scope.addHook('onRequest', async (request) => {
    request.wire = 'v3';
  });

  answerErrorsAsRefusals(scope);

  scope.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (
      typeof payload !== 'string' ||
      !String(reply.getHeader('content-type')).startsWith('application/json')
    ) {
      return payload;
    }
    const timestamp = String(deps.clock.now());
    const nonce = newNonce();
    const path = request.url.split('?')[0]!;
    const signed = v3StringToSign(request.method, path, timestamp, nonce, payload);
    const appId = request.headers[V3_HEADERS.appId];
    if (typeof appId === 'string' && HEADER_TOKEN.test(appId)) reply.header(V3_HEADERS.appId, appId);
    reply.header(V3_HEADERS.timestamp, timestamp);
    reply.header(V3_HEADERS.nonce, nonce);
    reply.header(V3_HEADERS.signAlg, V3_SIGN_ALG);
    reply.header(V3_HEADERS.sign, encodeURIComponent(await signAsync(signed, deps.platformKey)));
    return payload;
  });
}
