/**
 * The SDK's typed errors. Every failure a caller can meet is one of these, so a `catch` can
 * tell "the gateway refused" from "the answer could not be trusted" from "no answer at all".
 */

/** Base class: `instanceof OpenKKAError` catches everything the SDK throws on purpose. */
export class OpenKKAError extends Error {
  override name = 'OpenKKAError';
}

/** The gateway answered, the answer was authentic, and it refused the request (ret_code ≠ 000000). */
export class OpenKKAApiError extends OpenKKAError {
  override name = 'OpenKKAApiError';
  readonly retCode: string;
  readonly retMsg: string;
  readonly httpStatus: number;
  /** Set when the refusal also carried `data.error_code`. */
  readonly errorCode?: string;

  constructor(retCode: string, retMsg: string, httpStatus: number, errorCode?: string) {
    super(`${retCode} ${retMsg} (HTTP ${httpStatus})`);
    this.retCode = retCode;
    this.retMsg = retMsg;
    this.httpStatus = httpStatus;
    if (errorCode !== undefined) this.errorCode = errorCode;
  }
}

/**
 * The response had no signature, or one that does not verify with the platform public key.
 * Thrown before the body is parsed: an unauthenticated body says nothing about the payment.
 */
export class OpenKKASignatureError extends OpenKKAError {
  override name = 'OpenKKASignatureError';
  readonly httpStatus: number;

  constructor(message: string, httpStatus: number) {
    super(message);
    this.httpStatus = httpStatus;
  }
}

/**
 * Why an authentic answer was not believed: `stale`, signed more than `answerToleranceMs` from
 * the client's clock; `other-merchant`, about another merchant; `other-request`, about another
 * order, refund, session or shopper than the request named.
 */
export type ResponseMismatchKind = 'stale' | 'other-merchant' | 'other-request';

/**
 * The answer's signature verifies, but the answer is not one to this request now: a genuine
 * answer replayed, or one about something else. An OpenKKASignatureError, so code that already
 * treats an unverifiable answer as untrusted treats this one so too; what the request did at
 * the gateway is unknown, as after a connection error.
 */
export class OpenKKAResponseMismatchError extends OpenKKASignatureError {
  override name = 'OpenKKAResponseMismatchError';
  readonly kind: ResponseMismatchKind;
  /** The answer's field that differs: `timestamp` for a stale answer, else e.g. `trans_id`. */
  readonly field: string;

  constructor(message: string, httpStatus: number, kind: ResponseMismatchKind, field: string) {
    super(message, httpStatus);
    this.kind = kind;
    this.field = field;
  }
}

/** No usable answer: DNS, refused connection, reset, or the timeout fired. `cause` has the detail. */
export class OpenKKAConnectionError extends OpenKKAError {
  override name = 'OpenKKAConnectionError';

  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

export function isOpenKKAError(value: unknown): value is OpenKKAError {
  return value instanceof OpenKKAError;
}

export function isOpenKKAApiError(value: unknown): value is OpenKKAApiError {
  return value instanceof OpenKKAApiError;
}
