/**
 * Verifying notifications (webhooks) that the gateway POSTs to a merchant's `notify_url`, in
 * either protocol; the headers tell which signed it. A v1.2 notification is signed with the
 * platform private key over
 *
 *   merchantId=<body.merchant_id>&timestamp=<body.timestamp>&requestBody=<raw body bytes>
 *
 * in the `signature` header; a v3 one in `x-paykka-sign`, over the five lines of
 * docs/signing.md#v3: `POST`, the path of the notify_url, `x-paykka-timestamp`,
 * `x-paykka-nonce` and the raw body. Either is re-signed with a fresh timestamp on every
 * delivery attempt, so the receiver applies the same time window as the gateway does to
 * requests. Verification therefore needs the body exactly as it arrived: parse it only after
 * it verified.
 */
import type { KeyObject } from 'node:crypto';
import { OpenKKAError, OpenKKASignatureError } from './errors.ts';
import {
  API_VERSION,
  decodeSignatureHeader,
  type PublicKeyInput,
  SIGNATURE_TYPE,
  stringToSign,
  toPublicKey,
  V3_HEADERS,
  V3_SIGN_ALG,
  v3StringToSign,
  verifySignature,
} from './signing.ts';
import type { Notification, Protocol, RefundNotification } from './types.ts';

/** Request headers as Node's `IncomingMessage#headers` has them, or a Fetch `Headers`. */
export type WebhookHeaders = Record<string, string | string[] | undefined> | Headers;

export interface VerifyWebhookOptions {
  /** Largest accepted distance between the body's `timestamp` and `now()`. Default 5 min. */
  toleranceMs?: number;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * When set, a notification for another merchant is refused. Every merchant of a gateway
   * receives notifications signed by the same platform key, so without this check one
   * merchant could replay its own notifications at another's endpoint.
   */
  merchantId?: string;
  /**
   * The path the notification was POSTed to, which a v3 signature covers: Node's `req.url`
   * (Express: `req.originalUrl`, not `req.url`, which a router shortens), or the whole request
   * URL (a Fetch `Request`'s `url`). A query string is ignored. It must be the path of the
   * `notify_url` as the gateway sent it: behind a proxy that rewrites paths, pass that one.
   * Required for a v3 notification; a v1.2 one does not use it.
   */
  path?: string;
}

const DEFAULT_TOLERANCE_MS = 5 * 60_000;

/**
 * The status to answer a notification that fails verification with. OpenKKASignatureError
 * carries it as `httpStatus`.
 */
const UNAUTHORIZED = 401;

/**
 * Checks a notification's signature over the raw body and returns the parsed body. The
 * protocol is told by the headers (`webhookProtocol`): `x-paykka-sign` is v3, `signature` v1.2.
 *
 * Throws `OpenKKASignatureError` when there is no signature header or the signature does not
 * verify, when a `type`, `version` or `x-paykka-sign-alg` header names another scheme (an
 * absent one counts as `RSA256` / `v1.2` / `SHA256_WITH_RSA`), when a v3 notification lacks
 * its `x-paykka-timestamp` or `x-paykka-nonce`, when the signed timestamp (v1.2: the body's
 * `timestamp`; v3: `x-paykka-timestamp`) is further than `toleranceMs` from `now()`, or when
 * `merchantId` is given and the body names another merchant. Throws `OpenKKAError` when the
 * body is not a JSON object or lacks `merchant_id`, `notify_type` or (v1.2) `timestamp`, and
 * when a v3 notification arrives but `options.path` was not given.
 */
export function verifyWebhook(
  rawBody: string | Buffer,
  headers: WebhookHeaders,
  platformPublicKey: PublicKeyInput,
  options: VerifyWebhookOptions = {},
): Notification {
  return verifyWithKey(rawBody, headers, toPublicKey(platformPublicKey), options);
}

/**
 * Which protocol signed a notification, from its headers: `'v3'` when it has an `x-paykka-sign`
 * header, `'v1.2'` when it has a `signature` header, `null` when it has neither.
 */
export function webhookProtocol(headers: WebhookHeaders): Protocol | null {
  if (present(headerValue(headers, V3_HEADERS.sign))) return 'v3';
  if (present(headerValue(headers, 'signature'))) return 'v1.2';
  return null;
}

/** True for `REFUND.SUCCESS` and `REFUND.FAILURE`: the body then has the refund's fields. */
export function isRefundNotification(notification: Notification): notification is RefundNotification {
  return notification.notify_type.startsWith('REFUND.');
}

/** `openkka.webhooks`: verifies with the client's platform key and only for its own merchant id. */
export class Webhooks {
  private readonly platformKey: KeyObject;

  constructor(
    platformPublicKey: PublicKeyInput,
    private readonly defaults: { merchantId?: string; now?: () => number } = {},
  ) {
    this.platformKey = toPublicKey(platformPublicKey);
  }

  /**
   * `verifyWebhook` with the client's platform key, merchant id and clock, whatever protocol
   * the client speaks: a v1.2 and a v3 notification are both verified, the headers tell which.
   * Pass `{ path: req.url }` for v3 notifications.
   */
  verify(
    rawBody: string | Buffer,
    headers: WebhookHeaders,
    options: VerifyWebhookOptions = {},
  ): Notification {
    return verifyWithKey(rawBody, headers, this.platformKey, { ...this.defaults, ...options });
  }
}

function verifyWithKey(
  rawBody: string | Buffer,
  headers: WebhookHeaders,
  key: KeyObject,
  options: VerifyWebhookOptions,
): Notification {
  if (typeof rawBody !== 'string' && !Buffer.isBuffer(rawBody)) {
    throw new OpenKKAError(
      'notification body must be the raw body as received (string or Buffer), not a parsed object',
    );
  }
  const raw = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  switch (webhookProtocol(headers)) {
    case 'v3':
      return verifyV3(raw, headers, key, options);
    case 'v1.2':
      return verifyV12(raw, headers, key, options);
    default:
      throw new OpenKKASignatureError('notification has no signature header', UNAUTHORIZED);
  }
}

function verifyV12(
  raw: Buffer,
  headers: WebhookHeaders,
  key: KeyObject,
  options: VerifyWebhookOptions,
): Notification {
  const header = headerValue(headers, 'signature')!;
  const type = headerValue(headers, 'type');
  if (type !== undefined && type.trim().toUpperCase() !== SIGNATURE_TYPE) {
    throw new OpenKKASignatureError(
      `notification signature type ${JSON.stringify(type)} is not supported`,
      UNAUTHORIZED,
    );
  }
  const version = headerValue(headers, 'version');
  if (version !== undefined && version.trim() !== API_VERSION) {
    throw new OpenKKASignatureError(
      `notification version ${JSON.stringify(version)} is not supported`,
      UNAUTHORIZED,
    );
  }

  const body = parseObject(raw);
  const merchantId = body['merchant_id'];
  if (typeof merchantId !== 'string' || merchantId === '') {
    throw new OpenKKAError('notification body has no merchant_id');
  }
  const timestamp = timestampText(body['timestamp']);
  if (timestamp === null) throw new OpenKKAError('notification body has no numeric timestamp');
  if (typeof body['notify_type'] !== 'string') throw new OpenKKAError('notification body has no notify_type');

  const signature = decodeSignatureHeader(header);
  if (signature === null || !verifySignature(stringToSign(merchantId, timestamp, raw), signature, key)) {
    throw new OpenKKASignatureError('notification signature does not verify', UNAUTHORIZED);
  }
  checkFresh(timestamp, options);
  checkMerchant(merchantId, options);
  return body as unknown as Notification;
}

/**
 * v3: the signature is checked first, over the headers' timestamp and nonce and the path the
 * receiver was reached at; the body is read only once it verified.
 */
function verifyV3(
  raw: Buffer,
  headers: WebhookHeaders,
  key: KeyObject,
  options: VerifyWebhookOptions,
): Notification {
  if (options.path === undefined || options.path.trim() === '') {
    throw new OpenKKAError(
      'a v3 notification is signed over the path it was POSTed to: pass options.path (e.g. req.url)',
    );
  }
  const path = pathOf(options.path);
  const alg = headerValue(headers, V3_HEADERS.signAlg);
  if (alg !== undefined && alg.trim().toUpperCase() !== V3_SIGN_ALG) {
    throw new OpenKKASignatureError(
      `notification signature algorithm ${JSON.stringify(alg)} is not supported`,
      UNAUTHORIZED,
    );
  }
  const timestamp = headerValue(headers, V3_HEADERS.timestamp)?.trim();
  if (timestamp === undefined || timestampText(timestamp) === null) {
    throw new OpenKKASignatureError(
      `notification has no ${V3_HEADERS.timestamp} header in epoch milliseconds`,
      UNAUTHORIZED,
    );
  }
  const nonce = headerValue(headers, V3_HEADERS.nonce)?.trim();
  if (!present(nonce)) {
    throw new OpenKKASignatureError(`notification has no ${V3_HEADERS.nonce} header`, UNAUTHORIZED);
  }

  const signature = decodeSignatureHeader(headerValue(headers, V3_HEADERS.sign)!);
  const signed = v3StringToSign('POST', path, timestamp, nonce, raw);
  if (signature === null || !verifySignature(signed, signature, key)) {
    throw new OpenKKASignatureError('notification signature does not verify', UNAUTHORIZED);
  }
  checkFresh(timestamp, options);

  const body = parseObject(raw);
  const merchantId = body['merchant_id'];
  if (typeof merchantId !== 'string' || merchantId === '') {
    throw new OpenKKAError('notification body has no merchant_id');
  }
  if (typeof body['notify_type'] !== 'string') throw new OpenKKAError('notification body has no notify_type');
  checkMerchant(merchantId, options);
  return body as unknown as Notification;
}

function checkFresh(timestamp: string, options: VerifyWebhookOptions): void {
  const toleranceMs = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
  const now = (options.now ?? Date.now)();
  if (Math.abs(now - Number(timestamp)) > toleranceMs) {
    throw new OpenKKASignatureError(
      `notification timestamp ${timestamp} is more than ${toleranceMs} ms from now (${now})`,
      UNAUTHORIZED,
    );
  }
}

function checkMerchant(merchantId: string, options: VerifyWebhookOptions): void {
  if (options.merchantId !== undefined && options.merchantId !== merchantId) {
    throw new OpenKKASignatureError(
      `notification is for merchant ${merchantId}, not ${options.merchantId}`,
      UNAUTHORIZED,
    );
  }
}

/** The path of a request path or URL, without its query string or fragment. */
function pathOf(pathOrUrl: string): string {
  const text = pathOrUrl.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      return new URL(text).pathname;
    } catch {
      throw new OpenKKAError(`options.path ${JSON.stringify(pathOrUrl)} is not a URL`);
    }
  }
  return text.replace(/[?#].*$/s, '');
}

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/** A header's value, looked up case-insensitively; the first one if it was sent more than once. */
function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  let value = record[name];
  if (value === undefined) {
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  return Array.isArray(value) ? value[0] : value;
}

function parseObject(raw: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new OpenKKAError('notification body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OpenKKAError('notification body is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/** The timestamp as it goes into the string-to-sign; null unless it is a whole number of ms. */
function timestampText(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return value;
  return null;
}
