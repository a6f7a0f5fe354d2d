// The load spread over several gateways (--gateways K): connections in turn in the closed loop,
// requests in turn in the open loop, against real HTTP servers standing in for the gateways.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentBody } from '../src/bodies.ts';
import { endpointsFor, sharesOf, turnOf } from '../src/endpoints.ts';
import { type LoadContext, runLoad } from '../src/load-run.ts';
import { runOpenLoop } from '../src/open-loop.ts';
import { SignedPool } from '../src/signed-pool.ts';
import { nonceSource, PATHS } from '../src/wire.ts';

describe('turnOf and sharesOf', () => {
  it('hands connections out in turn, so no gateway gets two more than another', () => {
    expect(Array.from({ length: 7 }, (_, i) => turnOf(i, 3))).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(sharesOf(7, 3)).toEqual([3, 2, 2]);
    expect(sharesOf(64, 2)).toEqual([32, 32]);
    expect(sharesOf(2, 3)).toEqual([1, 1, 0]);
    for (const [connections, count] of [
      [1, 1],
      [16, 1],
      [16, 3],
      [5, 4],
    ] as const) {
      const shares = sharesOf(connections, count);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(connections);
      const counted = Array.from({ length: count }, (_, k) => 0 * k);
      for (let i = 0; i < connections; i++) counted[turnOf(i, count)]!++;
      expect(counted).toEqual(shares);
    }
  });

  it('gives each gateway sockets for its own connections, one URL all of them', () => {
    const [one] = endpointsFor(['http://127.0.0.1:1'], 16);
    expect(one!.agent.maxSockets).toBe(16);
    const three = endpointsFor(['http://127.0.0.1:1', 'http://127.0.0.1:2', 'http://127.0.0.1:3'], 8);
    expect(three.map((e) => [e.port, e.agent.maxSockets])).toEqual([
      [1, 3],
      [2, 3],
      [3, 2],
    ]);
    expect(() => endpointsFor([], 4)).toThrow(/no URL/);
  });
});

/** A stand-in gateway: answers every payment SUCCESS, counting requests and connections. */
interface Stand {
  url: string;
  requests: number;
  connections: Set<number>;
  server: Server;
}

const ANSWER = JSON.stringify({
  ret_code: '000000',
  ret_msg: 'ok',
  data: { status: 'SUCCESS', order_id: 'o' },
});

async function stand(): Promise<Stand> {
  const s: Stand = { url: '', requests: 0, connections: new Set(), server: createServer() };
  s.server.on('request', (req, res) => {
    s.requests++;
    s.connections.add(req.socket.remotePort!);
    req.resume().on('end', () => res.writeHead(200, { signature: 'x' }).end(ANSWER));
  });
  await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
  s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
  return s;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = {
  mix: 'purchase' as const,
  protocol: 'v1.2' as const,
  merchantId: 'M1',
  appId: 'M1',
  key: privateKey,
  nonce: nonceSource(() => 1n),
};

async function context(count: number): Promise<LoadContext> {
  const pool = new SignedPool(signer, PATHS['v1.2'].pay, (n, t) =>
    paymentBody('purchase', signer, 'r', n, t),
  );
  await pool.fill(count, Number.POSITIVE_INFINITY, () => {});
  return { ...signer, pool, progress: () => {} };
}

let stands: Stand[];
beforeAll(async () => {
  stands = await Promise.all([stand(), stand(), stand()]);
});
afterAll(async () => {
  for (const s of stands) {
    s.server.closeAllConnections();
    await new Promise((resolve) => s.server.close(resolve));
  }
});
const reset = () => {
  for (const s of stands) {
    s.requests = 0;
    s.connections.clear();
  }
};

describe('spreading a run over three gateways', () => {
  it('closed loop: six connections, two kept on each gateway, every answer counted by its gateway', async () => {
    reset();
    const result = await runLoad(await context(500), {
      type: 'run',
      target: 'openkka',
      pool: 'openkka',
      urls: stands.map((s) => s.url),
      concurrency: 6,
      warmupS: 0,
      durationS: 0.4,
      reuse: false,
      ensure: 0,
      maxAgeMs: Number.POSITIVE_INFINITY,
    });
    expect(result.total.errors).toBe(0);
    expect(stands.map((s) => s.connections.size)).toEqual([2, 2, 2]);
    expect(result.ok_by_url).toEqual(stands.map((s) => s.requests));
    for (const s of stands) expect(s.requests).toBeGreaterThan(0);
    expect(result.ok_by_url.reduce((a, b) => a + b, 0)).toBe(result.total.ok);
  });

  it('open loop: request i to gateway i mod 3, so each gets a third of them', async () => {
    reset();
    const result = await runOpenLoop(await context(200), {
      type: 'open-loop',
      target: 'openkka 25%',
      pool: 'openkka',
      urls: stands.map((s) => s.url),
      ratePerS: 200,
      leadS: 0,
      durationS: 0.3,
      ensure: 0,
      maxAgeMs: Number.POSITIVE_INFINITY,
    });
    expect(result.errors).toBe(0);
    expect(result.sent).toBe(60);
    expect(stands.map((s) => s.requests)).toEqual([20, 20, 20]);
  });
});
