/**
 * One attempt of a notification as it goes on the wire, in the protocol chosen for it
 * (docs/notifications.md): its bytes and its headers, signed with the platform key afresh for
 * every attempt. The stored body is the v1.2 body without its timestamp; both protocols build
 * on it, so one event keeps one `notify_id` and one snapshot whichever way it is sent.
 */
import type { KeyObject } from 'node:crypto';
import {
  API_VERSION,
  encodeV3Signature,
  newNonce,
  SIGNATURE_TYPE,
  signAsync,
  stringToSign,
  V3_HEADERS,
  V3_SIGN_ALG,
  v3StringToSign,
} from '@openkka/sdk/signing';
import type { ClaimedNotification } from './repo.ts';

export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

export async function signedDelivery(
  n: ClaimedNotification,
  timestamp: number,
  key: KeyObject,
): Promise<Delivery> {
  const delivery = await (n.protocol === 'v3'
    ? v3Delivery(n, timestamp, key)
    : v12Delivery(n, timestamp, key));
  // Unsigned on both wires, as on the answers: it names the request, it proves nothing.
  if (n.request_id !== null) delivery.headers['x-request-id'] = n.request_id;
  return delivery;
}

/** v1.2: the timestamp leads the body, and the signature covers merchant id, timestamp and body. */
async function v12Delivery(n: ClaimedNotification, timestamp: number, key: KeyObject): Promise<Delivery> {
  const body = `{"timestamp":${timestamp},${n.body.slice(1)}`;
  return {
    headers: {
      'content-type': 'application/json',
      signature: await signAsync(stringToSign(n.merchant_id, timestamp, body), key),
      type: SIGNATURE_TYPE,
      version: API_VERSION,
    },
    body,
  };
}

/**
 * v3: the time and a fresh nonce travel in `x-paykka-*` headers, signed with the method, the
 * notify_url's path and the body, as PayKKa's plugin verifies them. The body carries no time of
 * its own, so it is the same bytes on every attempt (docs/decisions.md, PayKKa v3).
 */
async function v3Delivery(n: ClaimedNotification, timestamp: number, key: KeyObject): Promise<Delivery> {
  const body = v3Body(n);
  const nonce = newNonce();
  // The path as fetch sends it (percent-encoded, never empty); the query is not signed.
  const path = new URL(n.url).pathname;
  const signature = await signAsync(v3StringToSign('POST', path, timestamp, nonce, body), key);
  return {
    headers: {
      'content-type': 'application/json',
      [V3_HEADERS.timestamp]: String(timestamp),
      [V3_HEADERS.nonce]: nonce,
      [V3_HEADERS.signAlg]: V3_SIGN_ALG,
      [V3_HEADERS.sign]: encodeV3Signature(signature),
    },
    body,
  };
}

/**
 * The v1.2 body plus what a v3 reader looks for: `event_type` (the plugin reads either name),
 * and for a refund the payment it refunds (`ori_order_id`) and its checkout session. A payment
 * body already carries its `session_id`, and a refund body never does, so no key is doubled.
 */
export function v3Body(n: ClaimedNotification): string {
  const refund = n.notify_type.startsWith('REFUND.');
  const added = JSON.stringify({
    event_type: n.notify_type,
    ...(refund ? { ori_order_id: n.order_id } : {}),
    ...(refund && n.session_id !== null ? { session_id: n.session_id } : {}),
  });
  return `${added.slice(0, -1)},${n.body.slice(1)}`;
}
