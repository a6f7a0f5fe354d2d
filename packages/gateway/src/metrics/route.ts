/**
 * `GET /metrics` in Prometheus' text format, on the admin listener when there is one, else on
 * the public one; behind OPENKKA_METRICS_TOKEN when it is set (docs/operations.md#metrics).
 */
import type { FastifyInstance } from 'fastify';
import { bearerCheck } from './token.ts';

export interface MetricsRouteOptions {
  /** Set: a scrape must carry it as a bearer token. */
  token: string | undefined;
  /** The exposition: this process's registry, or the whole cluster's through the primary. */
  scrape: () => Promise<string>;
  contentType: string;
}

const REFUSAL = JSON.stringify({ error: 'metrics token missing or wrong' });

export function registerMetricsRoute(listener: FastifyInstance, options: MetricsRouteOptions): void {
  const allowed = options.token ? bearerCheck(options.token) : () => true;
  listener.get('/metrics', async (request, reply) => {
    if (!allowed(request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer').type('application/json').send(REFUSAL);
    }
    const text = await options.scrape();
    return reply.header('cache-control', 'no-store').type(options.contentType).send(text);
  });
}
