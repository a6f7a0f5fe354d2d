/**
 * What an authentic answer must also be to be believed: fresh, and about the request it
 * answers. A signature proves the platform said something once, not that it said it now or
 * about this request: over v1.2 it covers neither the path nor anything of the request, so a
 * captured genuine answer (another order's, another operation's) would verify just as well.
 * Freshness bounds how old a replayed answer can be; the binding makes an answer about
 * another merchant, order, refund or session fail even when it is fresh.
 */
import { OpenKKAResponseMismatchError } from './errors.ts';

/** The gateway's own default window for request timestamps (OPENKKA_SIGNATURE_WINDOW). */
export const DEFAULT_ANSWER_TOLERANCE_MS = 5 * 60_000;

/**
 * Identifiers a request may name that the answer's data must then carry, with the same value:
 * every answer about one order, refund or session names it by these.
 */
const ECHOED = [
  'trans_id',
  'order_id',
  'session_id',
  'refund_trans_id',
  'refund_order_id',
  'ori_order_id',
] as const;

/**
 * Checked only where the answer carries them: PayKKa's own token lists have no
 * shopper_reference (openkka adds it), and some answers have no merchant_id.
 */
const ECHOED_WHEN_PRESENT = ['shopper_reference'] as const;

/**
 * Null when `timestamp` (the signed timestamp of the answer, in ms) is within `toleranceMs` of
 * `now`, else the error to throw.
 */
export function staleAnswer(
  timestamp: string,
  now: number,
  toleranceMs: number,
  httpStatus: number,
): OpenKKAResponseMismatchError | null {
  const at = /^\d{1,16}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (Number.isNaN(at)) {
    return new OpenKKAResponseMismatchError(
      `response (HTTP ${httpStatus}) timestamp ${JSON.stringify(timestamp)} is not a time in ms`,
      httpStatus,
      'stale',
      'timestamp',
    );
  }
  if (Math.abs(now - at) <= toleranceMs) return null;
  return new OpenKKAResponseMismatchError(
    `response (HTTP ${httpStatus}) was signed at ${at}, ${Math.abs(now - at)} ms ${at < now ? 'before' : 'after'} ` +
      `this client's clock (${now}): more than the ${toleranceMs} ms accepted`,
    httpStatus,
    'stale',
    'timestamp',
  );
}

/**
 * Null when the success answer's `data` is about what `params` asked for, for `merchantId`;
 * else the error to throw. An array (a token list) is checked element by element.
 */
export function mismatchedAnswer(
  params: object,
  data: unknown,
  merchantId: string,
  httpStatus: number,
): OpenKKAResponseMismatchError | null {
  const asked = params as Record<string, unknown>;
  const items: unknown[] = Array.isArray(data) ? data : [data];
  for (const item of items) {
    const answer = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const merchant = answer['merchant_id'];
    if (merchant !== undefined && text(merchant) !== merchantId) {
      return mismatch('other-merchant', 'merchant_id', merchantId, merchant, httpStatus);
    }
    // A list answer's elements are not about one order: only the when-present fields apply.
    for (const field of Array.isArray(data) ? [] : ECHOED) {
      const expected = text(asked[field]);
      if (expected !== undefined && text(answer[field]) !== expected) {
        return mismatch('other-request', field, expected, answer[field], httpStatus);
      }
    }
    for (const field of ECHOED_WHEN_PRESENT) {
      const expected = text(asked[field]);
      if (expected !== undefined && answer[field] !== undefined && text(answer[field]) !== expected) {
        return mismatch('other-request', field, expected, answer[field], httpStatus);
      }
    }
  }
  return null;
}

/** An identifier as the wire compares it: a string, or a number sent as one; '' means absent. */
function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function mismatch(
  kind: 'other-merchant' | 'other-request',
  field: string,
  expected: string,
  received: unknown,
  httpStatus: number,
): OpenKKAResponseMismatchError {
  const got = received === undefined ? 'none' : JSON.stringify(received);
  return new OpenKKAResponseMismatchError(
    `response (HTTP ${httpStatus}) is not an answer to this request: its ${field} is ${got}, not ${JSON.stringify(expected)}`,
    httpStatus,
    kind,
    field,
  );
}
