import type { FastifyRequest } from 'fastify';

/** Where shoppers' browsers reach this gateway: configured, else as this request came in. */
export function publicUrl(request: FastifyRequest, configured: string | undefined): string {
  return configured ?? `${request.protocol}://${request.host}`;
}
