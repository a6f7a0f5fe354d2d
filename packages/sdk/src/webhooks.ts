/**
 * Verifying notifications (webhooks) that the gateway POSTs to a merchant's `notify_url`.
 *
 * A notification is signed with the platform private key over
 *
 *   merchantId=<body.merchant_id>&timestamp=<body.timestamp>&requestBody=<raw body bytes>
 *
 * and re-signed with a fresh `timestamp` on every delivery attempt, so the receiver applies
 * the same time window as the gateway does to requests. Verification therefore needs the body
 * exactly as it arrived: parse it only after it verified.
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
  verifySignature,
} from './signing.ts';
import type { Notification, RefundNotification } from './types.ts';

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
}

const DEFAULT_TOLERANCE_MS = 5 * 60_000;

/**
 * The status to answer a notification that fails verification with. OpenKKASignatureError
 * carries it as `httpStatus`.
 */
const UNAUTHORIZED = 401;

/**
 * Checks a notification's signature over the raw body and returns the parsed body.
 *
 * Throws `OpenKKASignatureError` when the `signature` header is missing or does not verify, when
 * a `type` or `version` header names another scheme (an absent one counts as `RSA256` / `v1.2`),
 * when the body's `timestamp` is further than `toleranceMs` from `now()`, or when `merchantId`
 * is given and the body names another merchant. Throws `OpenKKAError` when the body is not a JSON
 * object or lacks `merchant_id`, `timestamp` or `notify_type`, since then nothing can be verified.
 */
export function verifyWebhook(
  rawBody: string | Buffer,
  headers: WebhookHeaders,
  platformPublicKey: PublicKeyInput,
  options: VerifyWebhookOptions = {},
): Notification {
  return verifyWithKey(rawBody, headers, toPublicKey(platformPublicKey), options);
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

  /** `verifyWebhook` with the client's platform key, merchant id and clock. */
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

  const header = headerValue(headers, 'signature');
  if (header === undefined || header.trim() === '') {
    throw new OpenKKASignatureError('notification has no signature header', UNAUTHORIZED);
  }
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

  const toleranceMs = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
  const now = (options.now ?? Date.now)();
  if (Math.abs(now - Number(timestamp)) > toleranceMs) {
    throw new OpenKKASignatureError(
      `notification timestamp ${timestamp} is more than ${toleranceMs} ms from now (${now})`,
      UNAUTHORIZED,
    );
  }
  if (options.merchantId !== undefined && options.merchantId !== merchantId) {
    throw new OpenKKASignatureError(
      `notification is for merchant ${merchantId}, not ${options.merchantId}`,
      UNAUTHORIZED,
    );
  }
  return body as unknown as Notification;
}

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
