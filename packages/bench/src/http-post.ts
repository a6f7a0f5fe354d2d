/** One signed POST over a keep-alive connection, timed from the call to the last byte of the answer. */
import http from 'node:http';
import { API_VERSION, SIGNATURE_TYPE } from '@openkka/sdk/signing';

export type PostOutcome =
  | { kind: 'answer'; status: number; body: string; bytes: number; ms: number; endedAt: number }
  | { kind: 'failed'; error: string; ms: number; endedAt: number };

export interface Endpoint {
  hostname: string;
  port: number;
  agent: http.Agent;
  timeoutMs: number;
}

export function endpoint(baseUrl: string, concurrency: number, timeoutMs = 30_000): Endpoint {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:') throw new Error(`the load generator speaks plain http, not ${url.protocol}`);
  return {
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 80),
    // One socket per request in flight, all kept open for the whole run.
    agent: new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency }),
    timeoutMs,
  };
}

export function post(target: Endpoint, path: string, body: Buffer, signature: string): Promise<PostOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const fail = (err: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      const endedAt = performance.now();
      resolve({ kind: 'failed', error: err.code ?? err.message, ms: endedAt - started, endedAt });
    };
    const req = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        path,
        method: 'POST',
        agent: target.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          signature,
          type: SIGNATURE_TYPE,
          version: API_VERSION,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          if (settled) return;
          settled = true;
          const endedAt = performance.now();
          const raw = Buffer.concat(chunks);
          resolve({
            kind: 'answer',
            status: res.statusCode ?? 0,
            body: raw.toString('utf8'),
            bytes: raw.length,
            ms: endedAt - started,
            endedAt,
          });
        });
      },
    );
    req.setTimeout(target.timeoutMs, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
    );
    req.on('error', fail);
    req.end(body);
  });
}
