/**
 * Who openkka is to Google Pay. A merchant's page names a gateway (`gateway: 'openkka'`, or
 * `'paykkaeu'` as PayKKa's integrations already do); Google signs each token for the recipient
 * id `gateway:<that name>` and encrypts it to the public key registered for it, which is the
 * one `openkka keys google-pay` prints.
 */
import type { KeyObject } from 'node:crypto';

export const GOOGLE_PAY_GATEWAY_ID = 'openkka';
/** PayKKa's gateway name, which an unmodified PayKKa integration sends. */
export const GOOGLE_PAY_GATEWAY_ALIAS = 'paykkaeu';
/** The recipient ids a token's signature may be made for; any other recipient's token is refused. */
export const GOOGLE_PAY_RECIPIENT_IDS: readonly string[] = [
  `gateway:${GOOGLE_PAY_GATEWAY_ID}`,
  `gateway:${GOOGLE_PAY_GATEWAY_ALIAS}`,
];

/** An EC P-256 public key as Google takes it: the uncompressed point (0x04 ‖ X ‖ Y), base64. */
export function uncompressedPoint(key: KeyObject): Buffer {
  const { x, y } = key.export({ format: 'jwk' });
  return Buffer.concat([Buffer.from([4]), Buffer.from(x!, 'base64url'), Buffer.from(y!, 'base64url')]);
}
