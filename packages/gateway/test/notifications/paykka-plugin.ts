/**
 * The receiving end of PayKKa's WooCommerce plugin (1.5.x), rebuilt for tests from the facts in
 * the v3 notes (§8), not from its code: how it verifies a v3 notification with the platform
 * public key, how it answers, and how it tells a refund notice from a payment notice. A test
 * that passes these checks is one the real plugin would accept.
 */
import { constants, createPublicKey, verify } from 'node:crypto';
import type { Behaviour, ReceivedRequest } from './receiver.ts';

const REQUIRED = ['x-paykka-timestamp', 'x-paykka-nonce', 'x-paykka-sign'] as const;

/**
 * `POST` LF path of the request URI (no query) LF timestamp LF nonce LF raw body, an empty part
 * one space; the sign percent-decoded, base64-decoded, RSA-SHA256 PKCS#1 v1.5 verified.
 */
export function pluginVerifies(req: ReceivedRequest, platformPublicKeyPem: string): boolean {
  const values = REQUIRED.map((name) => req.headers[name]);
  if (values.some((v) => typeof v !== 'string' || v === '')) return false;
  const [timestamp, nonce, sign] = values as string[];
  const path = req.path.split('?')[0]!;
  const signed = ['POST', path, timestamp, nonce, req.rawBody].map((p) => (p === '' ? ' ' : p)).join('\n');
  let signature: Buffer;
  try {
    signature = Buffer.from(decodeURIComponent(sign!), 'base64');
  } catch {
    return false;
  }
  return verify(
    'sha256',
    Buffer.from(signed, 'utf8'),
    { key: createPublicKey(platformPublicKeyPem), padding: constants.RSA_PKCS1_PADDING },
    signature,
  );
}

/** The plugin's answer: 401 `Invalid signature` to a bad signature, else 200 `000000`. */
export function pluginAnswer(platformPublicKeyPem: string): (req: ReceivedRequest) => Behaviour {
  return (req) => (pluginVerifies(req, platformPublicKeyPem) ? 'ok' : 'unauthorized');
}

/**
 * A refund notice: `event_type` or `notify_type` is REFUND.SUCCESS / REFUND.FAILURE or contains
 * REFUND, or `refund_trans_id` / `refund_order_id` is present.
 */
// biome-ignore lint/suspicious/noExplicitAny: the plugin reads an untyped JSON body
export function pluginSeesRefund(body: any): boolean {
  const kinds = [body.event_type, body.notify_type].map((k) => String(k ?? '').toUpperCase());
  return (
    kinds.some((k) => k.includes('REFUND')) ||
    body.refund_trans_id !== undefined ||
    body.refund_order_id !== undefined
  );
}
