/**
 * Mints Google Pay tokens exactly as Google makes them (ECv2), signed by a root key openkka
 * holds (the sandbox root, or a test's own) rather than by Google: `openkka google-pay
 * test-token` and the tests pay with these. Each token gets a fresh intermediate signing key,
 * signed by the root, and is encrypted to the recipient's public key. The options that break a
 * token on purpose (expired, for another recipient) exist for tests and docs.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { PROTOCOL_VERSION } from '../../../core/input/google-pay-token.ts';
import { seal } from './ecies.ts';
import { GOOGLE_PAY_RECIPIENT_IDS } from './recipient.ts';
import { messageBytes, signingKeyBytes } from './signed-bytes.ts';

export interface TestTokenOptions {
  /** The root private key that signs the intermediate signing key. */
  rootKey: KeyObject;
  /** The recipient's public key as Google takes it: the uncompressed point. */
  recipientPoint: Buffer;
  pan: string;
  expMonth: number;
  expYear: number;
  authMethod?: 'CRYPTOGRAM_3DS' | 'PAN_ONLY';
  now: number;
  /** Defaults to the first of openkka's recipient ids (`gateway:openkka`). */
  recipientId?: string;
  /** Defaults to an hour from now, as Google's tokens last about that long. */
  messageExpiresAt?: number;
  /** Defaults to a week from now. */
  signingKeyExpiresAt?: number;
  messageId?: string;
  gatewayMerchantId?: string;
  /** The intermediate signing key (a fresh one unless given: tests sign altered tokens again with it). */
  intermediateKey?: KeyObject;
}

const HOUR_MS = 60 * 60_000;

const ecdsa = (key: KeyObject, data: Buffer) =>
  sign('sha256', data, { key, dsaEncoding: 'der' }).toString('base64');

export function mintTestToken(options: TestTokenOptions): string {
  const { now, authMethod = 'CRYPTOGRAM_3DS' } = options;
  const intermediate =
    options.intermediateKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const signedKey = JSON.stringify({
    keyValue: createPublicKey(intermediate).export({ type: 'spki', format: 'der' }).toString('base64'),
    keyExpiration: String(options.signingKeyExpiresAt ?? now + 7 * 24 * HOUR_MS),
  });
  const message = {
    ...(options.gatewayMerchantId ? { gatewayMerchantId: options.gatewayMerchantId } : {}),
    messageExpiration: String(options.messageExpiresAt ?? now + HOUR_MS),
    messageId: options.messageId ?? `test-${randomBytes(16).toString('hex')}`,
    paymentMethod: 'CARD',
    paymentMethodDetails: {
      expirationYear: options.expYear,
      expirationMonth: options.expMonth,
      pan: options.pan,
      authMethod,
      ...(authMethod === 'CRYPTOGRAM_3DS'
        ? { cryptogram: randomBytes(20).toString('base64'), eciIndicator: '05' }
        : {}),
    },
  };
  const signedMessage = JSON.stringify(seal(options.recipientPoint, Buffer.from(JSON.stringify(message))));
  const recipientId = options.recipientId ?? GOOGLE_PAY_RECIPIENT_IDS[0]!;
  return JSON.stringify({
    signature: ecdsa(intermediate, messageBytes(recipientId, signedMessage)),
    intermediateSigningKey: {
      signedKey,
      signatures: [ecdsa(options.rootKey, signingKeyBytes(signedKey))],
    },
    protocolVersion: PROTOCOL_VERSION,
    signedMessage,
  });
}
