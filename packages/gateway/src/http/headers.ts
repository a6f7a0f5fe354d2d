/** Request headers as every wire reads them. */
import type { FastifyRequest } from 'fastify';

/** A header's value (the first, when sent more than once), or undefined. */
export function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
