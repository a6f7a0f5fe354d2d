/**
 * The API description, served: `/openapi.json` (OpenAPI 3.1, document.ts) and `/docs` (the same
 * rendered as HTML, page.ts). Both are public: they hold no secret, only what docs/api.md says.
 * Built on the first request and kept: the same bytes for the life of the process.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TimeZone } from '../../domain/time-zone.ts';
import { buildDocument, type OpenApiDocument, type ServedPaths } from './document.ts';
import { PAGE_STYLE, renderPage } from './page.ts';

export type { ServedPaths } from './document.ts';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/** Nothing but the page's own inline stylesheet: no script, no frame, no form, no other origin. */
const DOCS_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Served {
  body: string;
  etag: string;
}

function once(build: () => string): () => Served {
  let served: Served | undefined;
  return () => {
    if (served) return served;
    const body = build();
    served = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    return served;
  };
}

/** Sends `served`, or 304 when the client holds it; revalidated on each use, never stale. */
function send(request: FastifyRequest, reply: FastifyReply, served: Served, type: string) {
  reply.header('cache-control', 'no-cache').header('etag', served.etag);
  if (request.headers['if-none-match'] === served.etag) return reply.code(304).send();
  return reply.code(200).type(type).send(served.body);
}

export function registerOpenApi(
  app: FastifyInstance,
  deps: { served: ServedPaths; timeZone: TimeZone },
): void {
  let document: OpenApiDocument | undefined;
  const doc = () => (document ??= buildDocument(deps.served, deps.timeZone));
  const json = once(() => JSON.stringify(doc()));
  const page = once(() => renderPage(doc()));
  app.register(async (scope) => {
    scope.get(OPENAPI_PATH, async (request, reply) =>
      send(
        request,
        reply.header('access-control-allow-origin', '*'),
        json(),
        'application/json; charset=utf-8',
      ),
    );
    scope.get(DOCS_PATH, async (request, reply) =>
      send(
        request,
        reply.header('content-security-policy', DOCS_CSP).header('referrer-policy', 'no-referrer'),
        page(),
        'text/html; charset=utf-8',
      ),
    );
  });
}
