/**
 * A cap on the connections one client IP address holds open at once. A connection over the cap
 * is closed as it arrives, before a byte of it is read: a handful of addresses opening slow
 * sockets cannot use up the process's file descriptors and memory, and a client within its cap
 * is served whatever the others hold (docs/security.md).
 */
import type { Server } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { ipKey } from './ip-key.ts';

export function capConnectionsPerIp(server: Server, max: number, log: FastifyBaseLogger): void {
  if (max <= 0) return;
  // Per key: connections open, and whether the refusals of this busy spell were logged.
  const open = new Map<string, { count: number; warned: boolean }>();
  server.on('connection', (socket) => {
    const key = ipKey(socket.remoteAddress);
    const entry = open.get(key) ?? { count: 0, warned: false };
    if (entry.count >= max) {
      socket.destroy();
      if (!entry.warned) {
        entry.warned = true;
        log.warn({ ip: key, max }, 'connection refused: this address holds the most connections allowed');
      }
      return;
    }
    entry.count++;
    open.set(key, entry);
    socket.once('close', () => {
      entry.count--;
      if (entry.count === 0) open.delete(key);
    });
  });
}
