/**
 * The one request sender every resource goes through: sign the body, POST it, verify the
 * response signature over the raw bytes, check the answer is fresh and about this request
 * (answers.ts), unwrap the envelope into data or a typed error, and retry what is safe to
 * retry. It speaks either wire: v1.2 (the signature over merchant id, body timestamp and body)
 * or v3 (`x-paykka-*` headers, the signature over method, path, timestamp, nonce and body;
 * docs/signing.md#v3). Resources name the v1.2 path of an operation; over v3 it is sent to the
 * path `V3_PATHS` maps it to.
 */
import type { KeyObject } from 'node:crypto';
import { DEFAULT_ANSWER_TOLERANCE_MS, mismatchedAnswer, staleAnswer } from './answers.ts';
import { OpenKKAApiError, OpenKKAConnectionError, OpenKKAError, OpenKKASignatureError } from './errors.ts';
import {
  API_VERSION,
  decodeSignatureHeader,
  encodeV3Signature,
  newNonce,
  type PrivateKeyInput,
  type PublicKeyInput,
  SIGNATURE_TYPE,
  signAsync,
  stringToSign,
  toPrivateKey,
  toPublicKey,
  V3_HEADERS,
  V3_SIGN_ALG,
  v3StringToSign,
  verifyAsync,
} from './signing.ts';
import { DistinctTimestamps } from './timestamps.ts';
import type { Envelope, Protocol } from './types.ts';

export interface RequestSenderOptions {
  /** Scheme + host (+ optional base path) of the gateway, e.g. `https://pay.example.com`. */
  baseUrl: string;
  merchantId: string;
  /** Merchant private key: PEM (PKCS#8 or PKCS#1), bare base64 DER, or a KeyObject. */
  privateKey: PrivateKeyInput;
  /** Platform public key that signs responses: PEM, bare base64 DER, or a KeyObject. */
  platformPublicKey: PublicKeyInput;
  /** The wire to speak: `'v1.2'` (the default) or `'v3'` (docs/api.md#paykka-v3). */
  protocol?: Protocol;
  /**
   * v3 only: the app id sent as `x-paykka-appid`. Defaults to `merchantId`; set it when the
   * merchant was given an app id of its own (`openkka merchant set-app-id`).
   */
  appId?: string;
  /**
   * Prefix before the operation's path. Defaults to `/apis` over v1.2, as real PayKKa clients
   * use (`/apis/payments…`), and to `''` over v3, whose paths carry their own (`/v3/payment/acq/…`).
   * `''` is allowed.
   */
  apiPrefix?: string;
  /** Extra attempts after a connection error or HTTP 429/5xx. Default 2. */
  maxRetries?: number;
  /** Per-attempt deadline covering connect, send and reading the body. Default 30 000 ms. */
  timeoutMs?: number;
  /**
   * Largest accepted distance between an answer's signed timestamp (v1.2: the `timestamp`
   * header; v3: `x-paykka-timestamp`) and `now()`; a further one throws
   * OpenKKAResponseMismatchError (`kind` `stale`). Default 300 000 ms, the gateway's own window.
   */
  answerToleranceMs?: number;
  /** Milliseconds since the epoch; injectable so tests control the signed timestamp. */
  now?: () => number;
  /** v3 only: makes each attempt's `x-paykka-nonce`; injectable for tests. Default `newNonce`. */
  nonce?: () => string;
  /** Waits between retries; injectable so tests never sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

const RET_SUCCESS = '000000';
/**
 * The gateway's refusal of a request whose timestamp is outside its window: the client's clock
 * is off, so this answer's timestamp is off by as much, and it is believed however stale.
 */
const RET_SIGNATURE_EXPIRED = '206004';

/**
 * Where each operation is served over v3, by the v1.2 path the resources name it with. A path
 * missing here is sent as it is when it already starts with `/v3/`, and refused otherwise.
 */
export const V3_PATHS: Readonly<Record<string, string>> = Object.freeze({
  '/payments': '/v3/payment/acq/pay',
  '/payments/query': '/v3/payment/acq/query',
  '/payments/capture': '/v3/payment/acq/capture',
  '/payments/void': '/v3/payment/acq/void',
  '/payments/refund': '/v3/payment/acq/refund',
  '/payments/refund/query': '/v3/payment/acq/refund/query',
  '/payments/token/query': '/v3/payment/acq/token/query',
  '/payments/token/remove': '/v3/payment/acq/token/remove',
  '/payments/recurring/cancel': '/v3/payment/acq/recurring/cancel',
  '/payments/apple-pay/create-session': '/v3/payment/acq/apple-pay/create-session',
  '/payments/session': '/v3/payment/acq/session',
  '/payments/session/query': '/v3/payment/acq/session/query',
});

/** What PayKKa v3 allows in a header token (an app id, a nonce): 1–64 visible ASCII characters. */
const HEADER_TOKEN = /^[\x21-\x7e]{1,64}$/;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 2_000;

/** A failed attempt; `status` is absent when no HTTP answer arrived at all. */
type Attempt<T> =
  | { ok: true; data: T }
  | { ok: false; error: OpenKKAError; retryable: boolean; status?: number };

export interface PostOptions {
  /**
   * Whether repeating the request is harmless once the gateway may have acted on it (default
   * true: payments and refunds carry their own idempotency key, queries change nothing). When
   * false, only HTTP 429 is retried, since a rate-limited request was not processed; after a
   * connection error or a 5xx the error is thrown for the caller to check the order first.
   */
  idempotent?: boolean;
}

/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of
 * min(cap, base·2^(n−1)), so many clients failing together do not retry in lockstep.
 */
export function retryDelayMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** What one attempt sends, and what its answer's signature is checked against. */
interface Signed {
  body: string;
  headers: Record<string, string>;
  /** v3: the path the request was signed over, which the answer is signed over too. */
  path: string;
}

export class RequestSender {
  readonly merchantId: string;
  readonly protocol: Protocol;
  /** v3: the `x-paykka-appid` sent (the merchant id unless `appId` was given). */
  readonly appId: string;
  private readonly endpoint: string;
  private readonly privateKey: KeyObject;
  private readonly platformKey: KeyObject;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly answerToleranceMs: number;
  private readonly now: () => number;
  private readonly v12Timestamps: DistinctTimestamps;
  private readonly nonce: () => string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetch: typeof fetch;

  constructor(options: RequestSenderOptions) {
    this.merchantId = options.merchantId;
    const protocol = options.protocol ?? 'v1.2';
    if (protocol !== 'v1.2' && protocol !== 'v3') {
      throw new OpenKKAError(`protocol must be 'v1.2' or 'v3', not ${JSON.stringify(protocol)}`);
    }
    this.protocol = protocol;
    this.appId = options.appId ?? options.merchantId;
    // A header fetch cannot send would fail every attempt as if the network were down.
    if (protocol === 'v3' && !HEADER_TOKEN.test(this.appId)) {
      throw new OpenKKAError(`appId must be 1 to 64 visible ASCII characters: ${JSON.stringify(this.appId)}`);
    }
    const prefix = (options.apiPrefix ?? (protocol === 'v3' ? '' : '/apis')).replace(/\/+$/, '');
    this.endpoint =
      options.baseUrl.replace(/\/+$/, '') + (prefix === '' || prefix.startsWith('/') ? prefix : `/${prefix}`);
    // Parsed once: PEM/DER parsing per request would cost more than the signature itself.
    this.privateKey = toPrivateKey(options.privateKey);
    this.platformKey = toPublicKey(options.platformPublicKey);
    this.maxRetries = Math.max(0, options.maxRetries ?? 2);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.answerToleranceMs = options.answerToleranceMs ?? DEFAULT_ANSWER_TOLERANCE_MS;
    if (!(this.answerToleranceMs >= 0)) {
      throw new OpenKKAError(`answerToleranceMs must be a number ≥ 0, not ${this.answerToleranceMs}`);
    }
    this.now = options.now ?? Date.now;
    this.v12Timestamps = new DistinctTimestamps(this.now);
    this.nonce = options.nonce ?? newNonce;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /**
   * POSTs `params` to the operation at `path` (its v1.2 path, e.g. `/payments`; over v3 sent to
   * `V3_PATHS[path]`) and resolves with the envelope's `data`.
   */
  async post<T>(path: string, params: object, options: PostOptions = {}): Promise<T> {
    const idempotent = options.idempotent ?? true;
    const wirePath = this.protocol === 'v3' ? v3PathOf(path) : path;
    for (let retry = 0; ; retry++) {
      const outcome = await this.attempt<T>(wirePath, params);
      if (outcome.ok) return outcome.data;
      const retryable = outcome.retryable && (idempotent || outcome.status === 429);
      if (!retryable || retry >= this.maxRetries) throw outcome.error;
      await this.sleep(retryDelayMs(retry + 1));
    }
  }

  /**
   * One signed round trip. Every attempt gets a fresh timestamp and signature, and over v3 a
   * fresh nonce, which is safe because `trans_id` (not the timestamp) is the gateway's
   * idempotency key, and necessary: a v1.2 signature or v3 nonce the gateway accepted once is
   * used up, even when its answer never arrived.
   */
  private async attempt<T>(path: string, params: object): Promise<Attempt<T>> {
    const url = this.endpoint + path;
    const signed = this.protocol === 'v3' ? await this.signV3(url, params) : await this.signV12(params);

    let response: Response;
    let raw: Buffer;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        headers: signed.headers,
        body: signed.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      raw = Buffer.from(await response.arrayBuffer());
    } catch (cause) {
      const error = new OpenKKAConnectionError(
        `POST ${url} failed: ${describeFailure(cause, this.timeoutMs)}`,
        cause,
      );
      return { ok: false, error, retryable: true };
    }

    const status = response.status;
    // Retrying on the status alone trusts nothing in the body; a proxy's unsigned 503 qualifies.
    const transient = status === 429 || status >= 500;
    const forged =
      this.protocol === 'v3'
        ? await this.checkV3Signature(response.headers, raw, status, signed.path)
        : await this.checkSignature(response.headers, raw, status);
    if (forged) return { ok: false, error: forged, retryable: transient, status };

    const envelope = parseEnvelope(raw);
    const answeredAt =
      response.headers.get(this.protocol === 'v3' ? V3_HEADERS.timestamp : 'timestamp') ?? '';
    const stale = staleAnswer(answeredAt, this.now(), this.answerToleranceMs, status);
    if (stale && envelope?.ret_code !== RET_SIGNATURE_EXPIRED) {
      return { ok: false, error: stale, retryable: transient, status };
    }
    if (!envelope) {
      const error = new OpenKKAError(`POST ${url}: signed response is not a JSON envelope (HTTP ${status})`);
      return { ok: false, error, retryable: transient, status };
    }
    if (envelope.ret_code === RET_SUCCESS) {
      // A refusal carries nothing of the request to compare; a success answer must be about it.
      const mismatch = mismatchedAnswer(params, envelope.data, this.merchantId, status);
      if (mismatch) return { ok: false, error: mismatch, retryable: transient, status };
      return { ok: true, data: envelope.data as T };
    }
    const error = new OpenKKAApiError(
      envelope.ret_code,
      envelope.ret_msg,
      status,
      errorCodeOf(envelope.data),
    );
    return { ok: false, error, retryable: transient, status };
  }

  /** v1.2: the body carries merchant_id and a timestamp, both covered by the signature header. */
  private async signV12(params: object): Promise<Signed> {
    // The client owns merchant_id and timestamp: they must match what gets signed.
    const { merchant_id: _merchant, timestamp: _timestamp, ...fields } = params as Record<string, unknown>;
    const timestamp = this.v12Timestamps.next(JSON.stringify(fields));
    const body = JSON.stringify({ merchant_id: this.merchantId, ...fields, timestamp });
    const signature = await signAsync(stringToSign(this.merchantId, timestamp, body), this.privateKey);
    const headers = {
      'content-type': 'application/json',
      signature,
      type: SIGNATURE_TYPE,
      version: API_VERSION,
    };
    return { body, headers, path: '' };
  }

  /**
   * v3: the body carries merchant_id but no timestamp (nor version); the time, a nonce and the
   * signature over method, path, time, nonce and body travel in the `x-paykka-*` headers. The
   * path signed is the URL's path as sent, the base path of `baseUrl` included.
   */
  private async signV3(url: string, params: object): Promise<Signed> {
    const timestamp = String(this.now());
    const nonce = this.nonce();
    const path = new URL(url).pathname;
    const { merchant_id: _merchant, timestamp: _timestamp, ...fields } = params as Record<string, unknown>;
    const body = JSON.stringify({ merchant_id: this.merchantId, ...fields });
    const signature = await signAsync(v3StringToSign('POST', path, timestamp, nonce, body), this.privateKey);
    const headers = {
      'content-type': 'application/json',
      [V3_HEADERS.appId]: this.appId,
      [V3_HEADERS.timestamp]: timestamp,
      [V3_HEADERS.nonce]: nonce,
      [V3_HEADERS.signAlg]: V3_SIGN_ALG,
      [V3_HEADERS.sign]: encodeV3Signature(signature),
    };
    return { body, headers, path };
  }

  /**
   * v3: the platform signs every answer, refusals included, over the request's method and path,
   * the answer's own timestamp and nonce, and the answer's body.
   */
  private async checkV3Signature(
    headers: Headers,
    raw: Buffer,
    status: number,
    path: string,
  ): Promise<OpenKKAError | null> {
    const header = headers.get(V3_HEADERS.sign);
    const timestamp = headers.get(V3_HEADERS.timestamp);
    const nonce = headers.get(V3_HEADERS.nonce);
    if (header === null || timestamp === null || nonce === null) {
      const missing =
        header === null ? V3_HEADERS.sign : timestamp === null ? V3_HEADERS.timestamp : V3_HEADERS.nonce;
      return new OpenKKASignatureError(`response (HTTP ${status}) has no ${missing} header`, status);
    }
    const alg = headers.get(V3_HEADERS.signAlg);
    if (alg !== null && alg.trim().toUpperCase() !== V3_SIGN_ALG) {
      return new OpenKKASignatureError(
        `response (HTTP ${status}) is signed with ${JSON.stringify(alg)}, not ${V3_SIGN_ALG}`,
        status,
      );
    }
    const signature = decodeSignatureHeader(header);
    const data = v3StringToSign('POST', path, timestamp, nonce, raw);
    if (signature === null || !(await verifyAsync(data, signature, this.platformKey))) {
      return new OpenKKASignatureError(`response (HTTP ${status}) signature does not verify`, status);
    }
    return null;
  }

  /** Returns the reason the response cannot be trusted, or null when its signature verifies. */
  private async checkSignature(headers: Headers, raw: Buffer, status: number): Promise<OpenKKAError | null> {
    const header = headers.get('signature');
    const timestamp = headers.get('timestamp');
    if (header === null || timestamp === null) {
      const missing = header === null ? 'signature' : 'timestamp';
      return new OpenKKASignatureError(`response (HTTP ${status}) has no ${missing} header`, status);
    }
    const signature = decodeSignatureHeader(header);
    const data = stringToSign(this.merchantId, timestamp, raw);
    if (signature === null || !(await verifyAsync(data, signature, this.platformKey))) {
      return new OpenKKASignatureError(`response (HTTP ${status}) signature does not verify`, status);
    }
    return null;
  }
}

/** The v3 path of an operation named by its v1.2 path. */
function v3PathOf(path: string): string {
  const mapped = V3_PATHS[path];
  if (mapped !== undefined) return mapped;
  if (path.startsWith('/v3/')) return path;
  throw new OpenKKAError(`no PayKKa v3 path is known for ${path}`);
}

function parseEnvelope(raw: Buffer): Envelope<unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { ret_code, ret_msg, data } = value as Record<string, unknown>;
  if (typeof ret_code !== 'string') return null;
  return { ret_code, ret_msg: typeof ret_msg === 'string' ? ret_msg : '', data };
}

function errorCodeOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const code = (data as Record<string, unknown>)['error_code'];
  return typeof code === 'string' ? code : undefined;
}

/** fetch reports "fetch failed" and hides the useful part (ECONNREFUSED…) in `cause`. */
function describeFailure(cause: unknown, timeoutMs: number): string {
  if (!(cause instanceof Error)) return String(cause);
  if (cause.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const inner = cause.cause;
  if (inner instanceof Error) {
    const code = (inner as NodeJS.ErrnoException).code;
    return `${cause.message} (${code ?? inner.message})`;
  }
  return cause.message;
}
