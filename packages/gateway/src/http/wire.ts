/**
 * Which wire a request came in on. Each protocol signs its own answers in its own way, and the
 * v1.2 envelope's hooks sit on the root instance (its API, browser endpoints and admin API all
 * answer in it), so a route of another protocol marks its requests and v1.2 leaves them alone.
 */
import type { Wire } from '../domain/wire.ts';

export type { Wire };

declare module 'fastify' {
  interface FastifyRequest {
    wire: Wire;
  }
}
