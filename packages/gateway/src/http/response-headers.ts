/**
 * Headers on every answer, whatever route, page or refusal sent it (docs/security.md#response-headers):
 * `X-Content-Type-Options: nosniff`, so a browser reads a JSON answer or a script only as the
 * type it is sent as, and `Cache-Control: no-store` on whatever did not choose its own caching
 * (API answers of both wires, refusals, redirects), since they carry payment state. The static
 * browser files keep their own: public, with an ETag. And `X-Request-ID`, the request's id
 * (request-id.ts), so a client can quote it about any answer.
 */
import type { FastifyInstance } from 'fastify';
import { REQUEST_ID_HEADER } from './request-id.ts';

/** What every answer carries unless it set its own caching; also written by the raw 408. */
export const ANSWER_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

export function registerResponseHeaders(app: FastifyInstance): void {
  // onSend, not onRequest: it runs for the answers of error and not-found handlers too.
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    reply.header('x-content-type-options', ANSWER_HEADERS['x-content-type-options']);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', ANSWER_HEADERS['cache-control']);
    return payload;
  });
}
