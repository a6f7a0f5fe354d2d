/**
 * HTTP as fetch will not send it, for the security tests: any Host header, a chosen local
 * address (127.0.0.2 is another client on the same machine), one fresh connection per request.
 */
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import type { RawResponse } from '../helpers/raw.ts';

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The address the request leaves from; 127.0.0.1 unless given. */
  from?: string;
}

export function send(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method ?? 'POST',
        path: request.path,
        headers: {
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        localAddress: request.from,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // left empty: the caller asserts on text
          }
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') headers.set(name, value);
          }
          resolve({ status: res.statusCode!, headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

/** A socket that sends `head` and then nothing more unless the test writes; its close is observed. */
export interface SlowSocket {
  socket: Socket;
  /** Everything the server sent. */
  received(): string;
  closed(): boolean;
  /** Resolves once connected (or closed, when the server refused the connection at once). */
  ready: Promise<void>;
}

export function openSlow(baseUrl: string, head: string, from?: string): SlowSocket {
  const url = new URL(baseUrl);
  const socket = connect({
    host: url.hostname,
    port: Number(url.port),
    ...(from ? { localAddress: from } : {}),
  });
  let received = '';
  let closed = false;
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    received += chunk;
  });
  // A reset is how a refused connection ends; the test reads closed(), not the error.
  socket.on('error', () => {});
  const ready = new Promise<void>((resolve) => {
    socket.once('connect', () => {
      if (head) socket.write(head);
      resolve();
    });
    socket.once('close', () => resolve());
  });
  socket.on('close', () => {
    closed = true;
  });
  return { socket, received: () => received, closed: () => closed, ready };
}
