/**
 * ECIES-v2 as Google Pay's ECv2 uses it: ECDH over P-256 between an ephemeral key and the
 * recipient key; HKDF-SHA256 (salt 32 zero bytes, info "Google", input the ephemeral public
 * point followed by the shared secret) gives 64 bytes, the first 32 an AES-256-CTR key (zero
 * IV), the last 32 an HMAC-SHA256 key whose tag covers the ciphertext. The tag is checked, in
 * constant time, before a byte is decrypted. `seal` is the sender's half, for test tokens.
 */
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHmac,
  type ECDH,
  hkdfSync,
  timingSafeEqual,
} from 'node:crypto';

export interface SignedMessage {
  encryptedMessage: string;
  ephemeralPublicKey: string;
  tag: string;
}

const ZERO_SALT = Buffer.alloc(32);
const ZERO_IV = Buffer.alloc(16);
const INFO = 'Google';

function derive(ephemeralPoint: Buffer, sharedSecret: Buffer): { aesKey: Buffer; macKey: Buffer } {
  const ikm = Buffer.concat([ephemeralPoint, sharedSecret]);
  const okm = Buffer.from(hkdfSync('sha256', ikm, ZERO_SALT, INFO, 64));
  return { aesKey: okm.subarray(0, 32), macKey: okm.subarray(32) };
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** The signed message's JSON, or undefined when it is not the three base64 strings it must be. */
export function readSignedMessage(signedMessage: string): SignedMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(signedMessage);
  } catch {
    return undefined;
  }
  const { encryptedMessage, ephemeralPublicKey, tag } = (parsed ?? {}) as Record<string, unknown>;
  const base64 = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v);
  if (!base64(encryptedMessage) || !base64(ephemeralPublicKey) || !base64(tag)) return undefined;
  return { encryptedMessage, ephemeralPublicKey, tag };
}

/**
 * The plaintext, or undefined when the message was not encrypted to `recipient` (or was
 * altered): a point not on the curve, or a tag that does not match.
 */
export function open(recipient: ECDH, message: SignedMessage): Buffer | undefined {
  const ephemeralPoint = Buffer.from(message.ephemeralPublicKey, 'base64');
  let sharedSecret: Buffer;
  try {
    // Refuses a point that is not on P-256, which an invalid-curve attack would need.
    sharedSecret = recipient.computeSecret(ephemeralPoint);
  } catch {
    return undefined;
  }
  const { aesKey, macKey } = derive(ephemeralPoint, sharedSecret);
  const ciphertext = Buffer.from(message.encryptedMessage, 'base64');
  const expected = hmac(macKey, ciphertext);
  const tag = Buffer.from(message.tag, 'base64');
  if (tag.length !== expected.length || !timingSafeEqual(tag, expected)) return undefined;
  const decipher = createDecipheriv('aes-256-ctr', aesKey, ZERO_IV);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/** Encrypts `plaintext` to the recipient's uncompressed public point (what Google does). */
export function seal(recipientPoint: Buffer, plaintext: Buffer): SignedMessage {
  const ephemeral = createECDH('prime256v1');
  const ephemeralPoint = ephemeral.generateKeys();
  const { aesKey, macKey } = derive(ephemeralPoint, ephemeral.computeSecret(recipientPoint));
  const cipher = createCipheriv('aes-256-ctr', aesKey, ZERO_IV);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    encryptedMessage: ciphertext.toString('base64'),
    ephemeralPublicKey: ephemeralPoint.toString('base64'),
    tag: hmac(macKey, ciphertext).toString('base64'),
  };
}
