/**
 * The load spread over several gateways (`--gateways K`), as a balancer in front of them would
 * spread it: the closed loop keeps each of its connections on one gateway, handed out in turn
 * (connection i to gateway i mod K, as a TCP balancer places connections), and the open loop
 * sends request i to gateway i mod K (as an HTTP balancer places requests). One URL is the
 * single gateway of before, with every connection on it.
 */
import { type Endpoint, endpoint } from './http-post.ts';

/** Which of `count` gateways the `i`th connection (closed loop) or request (open loop) goes to. */
export function turnOf(i: number, count: number): number {
  return i % count;
}

/** How many of `connections`, handed out in turn, each of `count` gateways gets. */
export function sharesOf(connections: number, count: number): number[] {
  return Array.from(
    { length: count },
    (_, k) => Math.floor(connections / count) + (k < connections % count ? 1 : 0),
  );
}

/** One endpoint per URL, each with sockets enough for the connections it gets of `connections`. */
export function endpointsFor(urls: readonly string[], connections: number): Endpoint[] {
  if (urls.length === 0) throw new Error('the load generator was given no URL to send to');
  const shares = sharesOf(connections, urls.length);
  return urls.map((url, k) => endpoint(url, Math.max(1, shares[k]!)));
}
