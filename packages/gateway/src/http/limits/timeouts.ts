/**
 * How long a client may take: to send its headers, to send its whole request, and to keep an
 * idle connection between requests. Node enforces the first two and cuts the connection with a
 * 408, which is answered here in the documented envelope (unsigned: the request was never read).
 */
import { type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions, FastifyInstance } from 'fastify';
import { REQUEST_CODES, type RequestCode } from '../../domain/errors.ts';
import { newRequestId, REQUEST_ID_HEADER } from '../request-id.ts';
import { ANSWER_HEADERS } from '../response-headers.ts';

export interface TimeoutSettings {
  /** From a request's first byte to the end of its headers; 0: no limit. */
  headersTimeoutMs: number;
  /** From a request's first byte to the end of its body; 0: no limit. */
  requestTimeoutMs: number;
  /** How long a kept-alive connection may sit idle between requests. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_TIMEOUTS: TimeoutSettings = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 72_000,
};

/** The Fastify options that apply `settings` to the server Fastify creates. */
export function timeoutOptions(
  settings: TimeoutSettings,
): Pick<FastifyHttpOptions<Server>, 'requestTimeout' | 'keepAliveTimeout' | 'http' | 'clientErrorHandler'> {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = settings;
  const shortest = Math.min(...[headersTimeoutMs, requestTimeoutMs].filter((ms) => ms > 0));
  return {
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    http: {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      // Node looks for overdue requests every 30 s by default, which would let a 10 s limit
      // stretch to 40 s: look a few times per limit instead (a walk over open connections).
      connectionsCheckingInterval: Number.isFinite(shortest)
        ? Math.min(1000, Math.max(50, Math.floor(shortest / 4)))
        : 30_000,
    },
    clientErrorHandler: answerClientError,
  };
}

/**
 * A request Node refused before Fastify saw it (timed out, malformed): the envelope, then close.
 * Its headers were not read whole, so the client's id is not trusted: it gets one of its own.
 */
function answerClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  this.log.debug({ err: error }, 'client error');
  const [entry, detail]: [RequestCode, string | undefined] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [REQUEST_CODES.REQUEST_TIMEOUT, undefined]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [REQUEST_CODES.INVALID_REQUEST, 'headers larger than 16 KiB']
        : [REQUEST_CODES.INVALID_REQUEST, 'malformed HTTP request'];
  const body = JSON.stringify({
    ret_code: entry.code,
    ret_msg: detail ? `${entry.message}: ${detail}` : entry.message,
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${entry.http} ${STATUS_CODES[entry.http]}\r\nConnection: close\r\n` +
        `${REQUEST_ID_HEADER}: ${newRequestId()}\r\n` +
        Object.entries(ANSWER_HEADERS)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
