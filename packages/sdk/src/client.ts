/**
 * The one request sender every resource goes through: sign the body, POST it, verify the
 * response signature over the raw bytes, unwrap the envelope into data or a typed error, and
 * retry what is safe to retry.
 */
import type { KeyObject } from 'node:crypto';
import { OpenKKAApiError, OpenKKAConnectionError, OpenKKAError, OpenKKASignatureError } from './errors.ts';
import {
  API_VERSION,
  decodeSignatureHeader,
  type PrivateKeyInput,
  type PublicKeyInput,
  SIGNATURE_TYPE,
  signAsync,
  stringToSign,
  toPrivateKey,
  toPublicKey,
  verifyAsync,
} from './signing.ts';
import type { Envelope } from './types.ts';

export interface RequestSenderOptions {
  /** Scheme + host (+ optional base path) of the gateway, e.g. `https://pay.example.com`. */
  baseUrl: string;
  merchantId: string;
  /** Merchant private key: PEM (PKCS#8 or PKCS#1), bare base64 DER, or a KeyObject. */
  privateKey: PrivateKeyInput;
  /** Platform public key that signs responses: PEM, bare base64 DER, or a KeyObject. */
  platformPublicKey: PublicKeyInput;
  /** Prefix before `/payments…`; defaults to `/apis` as real PayKKa clients use. `''` is allowed. */
  apiPrefix?: string;
  /** Extra attempts after a connection error or HTTP 429/5xx. Default 2. */
  maxRetries?: number;
  /** Per-attempt deadline covering connect, send and reading the body. Default 30 000 ms. */
  timeoutMs?: number;
  /** Milliseconds since the epoch; injectable so tests control the signed timestamp. */
  now?: () => number;
  /** Waits between retries; injectable so tests never sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

const RET_SUCCESS = '000000';
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

export class RequestSender {
  readonly merchantId: string;
  private readonly endpoint: string;
  private readonly privateKey: KeyObject;
  private readonly platformKey: KeyObject;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetch: typeof fetch;

  constructor(options: RequestSenderOptions) {
    this.merchantId = options.merchantId;
    const prefix = (options.apiPrefix ?? '/apis').replace(/\/+$/, '');
    this.endpoint =
      options.baseUrl.replace(/\/+$/, '') + (prefix === '' || prefix.startsWith('/') ? prefix : `/${prefix}`);
    // Parsed once: PEM/DER parsing per request would cost more than the signature itself.
    this.privateKey = toPrivateKey(options.privateKey);
    this.platformKey = toPublicKey(options.platformPublicKey);
    this.maxRetries = Math.max(0, options.maxRetries ?? 2);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** POSTs `params` to `path` (e.g. `/payments`) and resolves with the envelope's `data`. */
  async post<T>(path: string, params: object, options: PostOptions = {}): Promise<T> {
    const idempotent = options.idempotent ?? true;
    for (let retry = 0; ; retry++) {
      const outcome = await this.attempt<T>(path, params);
      if (outcome.ok) return outcome.data;
      const retryable = outcome.retryable && (idempotent || outcome.status === 429);
      if (!retryable || retry >= this.maxRetries) throw outcome.error;
      await this.sleep(retryDelayMs(retry + 1));
    }
  }

  /**
   * One signed round trip. Every attempt gets a fresh timestamp and signature, which is safe
   * because `trans_id` (not the timestamp) is the gateway's idempotency key.
   */
  private async attempt<T>(path: string, params: object): Promise<Attempt<T>> {
    const url = this.endpoint + path;
    const timestamp = this.now();
    // The client owns merchant_id and timestamp: they must match what gets signed.
    const { merchant_id: _merchant, timestamp: _timestamp, ...fields } = params as Record<string, unknown>;
    const body = JSON.stringify({ merchant_id: this.merchantId, ...fields, timestamp });
    const signature = await signAsync(stringToSign(this.merchantId, timestamp, body), this.privateKey);

    let response: Response;
    let raw: Buffer;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          signature,
          type: SIGNATURE_TYPE,
          version: API_VERSION,
        },
        body,
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
    const forged = await this.checkSignature(response.headers, raw, status);
    if (forged) return { ok: false, error: forged, retryable: transient, status };

    const envelope = parseEnvelope(raw);
    if (!envelope) {
      const error = new OpenKKAError(`POST ${url}: signed response is not a JSON envelope (HTTP ${status})`);
      return { ok: false, error, retryable: transient, status };
    }
    if (envelope.ret_code === RET_SUCCESS) return { ok: true, data: envelope.data as T };
    const error = new OpenKKAApiError(
      envelope.ret_code,
      envelope.ret_msg,
      status,
      errorCodeOf(envelope.data),
    );
    return { ok: false, error, retryable: transient, status };
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
