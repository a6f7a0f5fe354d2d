/** One signed POST over a keep-alive connection, timed from the call to the last byte of the answer. */
import http from 'node:http';
import { ANSWER_SIGNATURE_HEADER, type Protocol, type SignedRequest } from './wire.ts';

export type PostOutcome =
  | {
      kind: 'answer';
      status: number;
      body: string;
      bytes: number;
      ms: number;
      endedAt: number;
      /** The wire whose signature header the answer carries, if any. */
      signedAs: Protocol | null;
    }
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

/** The wire an answer is signed for, by its signature header. */
function signedAs(headers: http.IncomingHttpHeaders): Protocol | null {
  if (headers[ANSWER_SIGNATURE_HEADER.v3] !== undefined) return 'v3';
  return headers[ANSWER_SIGNATURE_HEADER['v1.2']] !== undefined ? 'v1.2' : null;
}

export function post(target: Endpoint, request: SignedRequest): Promise<PostOutcome> {
  const { path, body } = request;
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
          ...request.headers,
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
            signedAs: signedAs(res.headers),
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
