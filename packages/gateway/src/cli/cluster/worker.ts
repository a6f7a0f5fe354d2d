/**
 * A worker of `openkka start --workers N`: it serves as the single process does, with store
 * connections, background jobs, dispatcher and key rotation of its own, on the address the
 * primary shares among its workers (node:cluster hands each a share of the connections), and
 * drains on SIGTERM/SIGINT as the single process does. It tells the primary once it listens;
 * the primary prints the banner.
 */
import cluster from 'node:cluster';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { type Serving, serveGateway } from '../serve-gateway.ts';
import type { ListeningMessage } from './messages.ts';

export async function runWorker(config: Config, logger: Logger): Promise<void> {
  const log = logger.child({ worker: cluster.worker?.id });
  let serving: Serving;
  try {
    serving = await serveGateway(config, log);
  } catch (err) {
    // The primary learns of it from the exit; the reason is for the operator.
    process.stderr.write(`openkka: ${(err as Error).message}\n`);
    process.exit(1);
  }
  // The first SIGTERM or SIGINT drains (server.ts); a worker can get a second, from the primary
  // and from the terminal or service manager signalling the whole group. Without a listener
  // left, that one would kill it mid-drain: the primary alone decides when a drain is forced.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => {});
  // Which process took a connection, for an operator (and a test) at debug level; nothing is
  // listened for otherwise.
  if (log.isLevelEnabled('debug')) {
    for (const [listener, server] of Object.entries(serving.servers)) {
      server?.on('connection', (socket: Socket) =>
        log.debug({ listener, remotePort: socket.remotePort }, 'connection accepted'),
      );
    }
  }
  const listening: ListeningMessage = { openkka: 'listening', url: serving.url, adminUrl: serving.adminUrl };
  process.send?.(listening);
}
