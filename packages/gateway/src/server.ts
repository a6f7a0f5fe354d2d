/**
 * Listens, and shuts down gracefully on SIGTERM/SIGINT: turn not ready, stop accepting, finish
 * requests, close the store.
 */
import type { FastifyInstance } from 'fastify';
import type { Readiness } from './http/health.ts';
import type { Store } from './store/db.ts';

export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
}

/**
 * `readiness` turns not ready at the first signal; the listener stays open `delayMs` more
 * (OPENKKA_SHUTDOWN_DELAY), serving, so a balancer probing /readyz stops sending first.
 */
export function closeOnSignals(
  app: FastifyInstance,
  store: Store,
  drain: { readiness: Readiness; delayMs: number },
): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    drain.readiness.drain();
    app.log.info({ signal, delayMs: drain.delayMs }, 'shutting down');
    if (drain.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, drain.delayMs));
    // Node closes only the connections idle at the moment of close. A keep-alive connection
    // whose request was in flight stays open after its response (until the 72 s keep-alive
    // timeout), so the process would not exit: keep closing idle connections until closed.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    try {
      await app.close();
      clearInterval(sweep);
      await store.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
