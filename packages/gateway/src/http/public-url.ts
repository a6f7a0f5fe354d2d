import type { FastifyRequest } from 'fastify';

/**
 * Where shoppers' browsers reach this gateway: OPENKKA_PUBLIC_URL, else the address and port the
 * request's connection arrived at (the listen address; for a wildcard listen, the interface's).
 * Never the Host header or any other header: a client could write those, and the URLs made
 * here are handed to shoppers (docs/security.md#the-public-url-handed-to-shoppers).
 */
export function publicUrl(request: FastifyRequest, configured: string | undefined): string {
  if (configured) return configured;
  const { localAddress, localPort } = request.raw.socket;
  return `http://${urlHost(localAddress ?? '127.0.0.1')}:${localPort}`;
}

/** An address as the host of a URL: IPv4 as it is (also when written as IPv6), IPv6 in brackets. */
function urlHost(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  return address.includes(':') ? `[${address.replace('%', '%25')}]` : address;
}

/** Whether a listen host is reachable from this machine only (then no shopper elsewhere is misled). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare) || /^::ffff:127\./.test(bare)
  );
}
