/** Listens, and shuts down gracefully on SIGTERM/SIGINT: stop accepting, finish requests, close the store. */
import type { FastifyInstance } from 'fastify';
import type { Store } from './store/db.ts';

export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
}

export function closeOnSignals(app: FastifyInstance, store: Store): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
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
