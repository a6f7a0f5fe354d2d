/**
 * Every answered request, counted and timed on the listener it came in on. The route label is
 * Fastify's route pattern, never the raw URL, so unknown paths (`unmatched`) cannot add series.
 */
import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from './registry.ts';

export function measureRequests(listener: FastifyInstance, metrics: GatewayMetrics): void {
  listener.addHook('onResponse', (request, reply, done) => {
    metrics.recordRequest(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.answerCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}
