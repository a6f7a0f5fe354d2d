/**
 * The bytes ECv2 signatures cover: each part prefixed by its UTF-8 length as 4 bytes, little
 * endian. The intermediate signing key's signature covers (sender id, protocol version, signed
 * key); the token's signature covers (sender id, recipient id, protocol version, signed message).
 */
import { PROTOCOL_VERSION } from '../../../core/input/google-pay-token.ts';

/** Google signs as this sender id, in production and test alike. */
export const GOOGLE_SENDER_ID = 'Google';

export function lengthPrefixed(...parts: string[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length);
    chunks.push(length, bytes);
  }
  return Buffer.concat(chunks);
}

export const signingKeyBytes = (signedKey: string): Buffer =>
  lengthPrefixed(GOOGLE_SENDER_ID, PROTOCOL_VERSION, signedKey);

export const messageBytes = (recipientId: string, signedMessage: string): Buffer =>
  lengthPrefixed(GOOGLE_SENDER_ID, recipientId, PROTOCOL_VERSION, signedMessage);
