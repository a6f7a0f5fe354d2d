/**
 * One POST to a receiver: connected only to the addresses the policy checked (the request's
 * lookup hands them over, so DNS is not asked again between check and connect), redirects not
 * followed, one deadline over connecting, sending and the answer, and at most the first 64 KiB
 * of the answer read: the acknowledgement is a few bytes, and a receiver must not be able to
 * make the gateway hold an answer of any size.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './resolver.ts';

export const MAX_ANSWER_BYTES = 64 * 1024;

export interface Answer {
  status: number;
  /** The start of the body, at most MAX_ANSWER_BYTES. */
  body: Buffer;
  /** True when the body went on past MAX_ANSWER_BYTES and the rest was dropped unread. */
  cut: boolean;
  /** Bytes taken from the stream, the kept ones included (at most one chunk more than kept). */
  bytesRead: number;
}

export interface PostRequest {
  url: URL;
  addresses: readonly ResolvedAddress[];
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * Keep-alive agents, one per scheme, so a receiver's connection is reused between attempts;
 * an idle one is closed after 5 s (as Node's global agent does), so many receivers do not hold
 * many sockets.
 */
export class Poster {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 }),
    'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 }),
  };

  post(request: PostRequest, maxAnswerBytes = MAX_ANSWER_BYTES): Promise<Answer> {
    const { url, addresses, headers, body, timeoutMs } = request;
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<Answer>((resolve, reject) => {
      const req = send({
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: this.agents[url.protocol as 'http:' | 'https:'],
        lookup: pinnedLookup(addresses),
      });
      const done = (settle: () => void) => {
        clearTimeout(deadline);
        settle();
      };
      // Settled first, so that whichever error the torn-down request or answer emits, the attempt
      // is the timeout it was.
      const deadline = setTimeout(() => {
        reject(new TimeoutError('timed out'));
        req.destroy();
      }, timeoutMs);
      req.on('error', (err) => done(() => reject(err)));
      req.on('response', (res) => {
        const kept: Buffer[] = [];
        let bytesRead = 0;
        let cut = false;
        const finish = () =>
          done(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(kept), cut, bytesRead }));
        res.on('data', (chunk: Buffer) => {
          if (cut) return;
          const room = maxAnswerBytes - bytesRead;
          bytesRead += chunk.length;
          kept.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          if (bytesRead > maxAnswerBytes) {
            // Drop the rest: destroying the response closes its connection, so nothing more is read.
            cut = true;
            res.destroy();
            finish();
          }
        });
        res.on('end', finish);
        res.on('error', (err) => done(() => reject(err)));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}

/**
 * Hands the checked addresses to the socket instead of asking DNS again. An IP literal host is
 * never looked up at all, and is itself the checked address.
 */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = addresses.filter((a) => !options.family || a.family === options.family);
    const list = wanted.length > 0 ? wanted : addresses;
    if (list.length === 0) {
      callback(Object.assign(new Error(`no checked address for ${hostname}`), { code: 'ENOTFOUND' }), '');
    } else if (options.all) callback(null, [...list]);
    else callback(null, list[0]!.address, list[0]!.family);
  };
}
