/**
 * Every request's id (docs/api.md#request-ids): the client's `X-Request-ID` when it is a
 * plain token, else one made here. It is echoed on the answer, bound to every log line the
 * request writes, and sent with the notifications its events cause. A header that does not
 * fit is never a refusal: the request just gets an id of its own.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * 1 to 128 characters that need no quoting anywhere it goes (a header, a log line, a URL, a
 * CSV cell): letters, digits and `. _ : @ / + = -`. Covers UUIDs, ULIDs, base64 and the ids
 * proxies put there (AWS's `Root=1-…` included); a repeated header arrives joined by ", ", so
 * it never fits.
 */
const ACCEPTED = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Random bytes drawn 4 KiB at a time: one crypto call serves 512 ids. */
const BATCH = 4096;
let pool = Buffer.alloc(0);
let offset = BATCH;

/** `req_` and 16 hex digits (64 random bits): unique enough to find one request's lines. */
export function newRequestId(): string {
  if (offset + 8 > pool.length) {
    pool = randomBytes(BATCH);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + 8);
  offset += 8;
  return `req_${id}`;
}

/** The client's id when it fits, else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && ACCEPTED.test(header) ? header : newRequestId();
}

/** Fastify's `genReqId`. */
export function genReqId(request: IncomingMessage): string {
  return requestIdFrom(request.headers[REQUEST_ID_HEADER]);
}
