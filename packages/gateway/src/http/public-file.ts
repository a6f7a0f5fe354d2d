/**
 * Static files browsers fetch from the gateway's /cp/ origin for the merchant's page (browser
 * libraries, their stylesheet): read once at start, the same bytes for every request, public to
 * any origin, cacheable with a validator. No value of any request is ever written into them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Headers of what any origin may read: no credentials are ever read with it. */
export function publicResource(reply: FastifyReply): FastifyReply {
  return reply
    .header('access-control-allow-origin', '*')
    .header('cross-origin-resource-policy', 'cross-origin')
    .header('x-content-type-options', 'nosniff');
}

/** Serves `file` at `path` with `type`, answering 304 to a matching If-None-Match. */
export function servePublicFile(app: FastifyInstance, path: string, file: URL, type: string): void {
  const bytes = readFileSync(file);
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
  app.get(path, async (request, reply) => {
    publicResource(reply).header('cache-control', 'public, max-age=3600').header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.code(200).type(type).send(bytes);
  });
}
