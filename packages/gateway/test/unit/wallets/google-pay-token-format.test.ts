/**
 * Malformed Google Pay tokens: a wrong outer shape is a request-level refusal (010000) naming
 * the field; whatever passes that shape but is not a real token is a business refusal. Nothing
 * throws anything else, whatever the input (fast-check), so no token can make a 5xx.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawGooglePayToken } from '../../../src/core/input/google-pay-token.ts';
import { ApiError } from '../../../src/domain/errors.ts';
import { ecdhOf } from '../../../src/modules/wallets/google-pay/stored-keys.ts';
import { GooglePayTokens } from '../../../src/modules/wallets/google-pay/token-opener.ts';
import type { UsedGooglePayMessages } from '../../../src/modules/wallets/google-pay/used-messages.ts';

const valid = {
  protocolVersion: 'ECv2',
  signature: 'MEUCIQ==',
  intermediateSigningKey: { signedKey: '{"keyValue":"x","keyExpiration":"1"}', signatures: ['MEUCIQ=='] },
  signedMessage: '{"encryptedMessage":"","ephemeralPublicKey":"","tag":""}',
};

function refusal(tokenData: unknown): string {
  try {
    rawGooglePayToken(tokenData);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).entry.code).toBe('010000');
    return (err as ApiError).message;
  }
  throw new Error('expected a refusal');
}

describe('the outer shape', () => {
  it('reads a raw token from a JSON string or an object', () => {
    expect(rawGooglePayToken(JSON.stringify(valid))).toEqual({
      signature: valid.signature,
      intermediateSigningKey: valid.intermediateSigningKey,
      signedMessage: valid.signedMessage,
    });
    expect(rawGooglePayToken(valid)).toBeDefined();
  });

  it('leaves decrypted wallet data and what is not JSON to the decrypted-data reader', () => {
    for (const other of [
      '{"dpan":"4242424242424242"}',
      '{not json',
      '',
      42,
      null,
      [valid],
      { signature: 'x' },
    ]) {
      expect(rawGooglePayToken(other)).toBeUndefined();
    }
  });

  const { signature: _s, ...noSignature } = valid;
  const { signedMessage: _m, ...noMessage } = valid;
  const huge = 'A'.repeat(40 * 1024);
  it.each([
    ['a wrong protocolVersion', { ...valid, protocolVersion: 'ECv1' }, 'protocolVersion must be ECv2'],
    ['no protocolVersion', { ...valid, protocolVersion: undefined }, 'protocolVersion must be ECv2'],
    ['a numeric protocolVersion', { ...valid, protocolVersion: 2 }, 'protocolVersion must be ECv2'],
    ['no signature', noSignature, 'token_data.signature'],
    ['a signature that is not text', { ...valid, signature: 12 }, 'token_data.signature'],
    ['no signedMessage', noMessage, 'token_data.signedMessage'],
    ['a huge signedMessage', { ...valid, signedMessage: huge }, 'token_data.signedMessage'],
    ['a huge signature', { ...valid, signature: huge }, 'token_data.signature'],
    [
      'no intermediateSigningKey',
      { ...valid, intermediateSigningKey: undefined },
      'intermediateSigningKey must be',
    ],
    [
      'an intermediateSigningKey array',
      { ...valid, intermediateSigningKey: [] },
      'intermediateSigningKey must be',
    ],
    [
      'no signatures',
      { ...valid, intermediateSigningKey: { signedKey: 'x', signatures: [] } },
      'intermediateSigningKey.signatures',
    ],
    [
      'signatures that are not text',
      { ...valid, intermediateSigningKey: { signedKey: 'x', signatures: [1] } },
      'intermediateSigningKey.signatures',
    ],
    [
      'too many signatures',
      { ...valid, intermediateSigningKey: { signedKey: 'x', signatures: Array(9).fill('MEU=') } },
      'intermediateSigningKey.signatures',
    ],
    [
      'no signedKey',
      { ...valid, intermediateSigningKey: { signatures: ['MEU='] } },
      'intermediateSigningKey.signedKey',
    ],
  ])('%s → 010000', (_name, token, message) => {
    expect(refusal(JSON.stringify(token))).toContain(message);
  });
});

describe('any input', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const tokens = new GooglePayTokens(
    {
      roots: async () => [{ publicKey: createPublicKey(key), protocolVersion: 'ECv2', expiresAt: undefined }],
      recipient: async () => ecdhOf(key),
    },
    { claim: async () => true } as unknown as UsedGooglePayMessages,
    { now: () => Date.now() },
  );
  const part = fc.oneof(
    fc.string(),
    fc.base64String(),
    fc.json(),
    fc.constant(''),
    fc.integer(),
    fc.constant(null),
  );

  it('is refused with 010000 or read, never anything else', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            protocolVersion: fc.oneof(fc.constant('ECv2'), part),
            signature: part,
            intermediateSigningKey: fc.oneof(
              part,
              fc.record({ signedKey: part, signatures: fc.array(part, { maxLength: 10 }) }),
            ),
            signedMessage: part,
          },
          { requiredKeys: [] },
        ),
        (token) => {
          try {
            rawGooglePayToken(JSON.stringify(token));
          } catch (err) {
            expect(err).toBeInstanceOf(ApiError);
            expect((err as ApiError).entry.code).toBe('010000');
          }
        },
      ),
    );
  });

  it('that passes the shape is a business refusal, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string(),
        fc.oneof(fc.string(), fc.json(), fc.base64String()),
        fc.array(fc.oneof(fc.string({ minLength: 1 }), fc.base64String({ minLength: 4 })), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.oneof(fc.string(), fc.json()),
        async (signature, signedKey, signatures, signedMessage) => {
          const result = await tokens.open(
            { signature, intermediateSigningKey: { signedKey, signatures }, signedMessage },
            {
              merchantId: 'M',
              transId: 't',
            },
          );
          expect(result.kind).toBe('unreadable');
        },
      ),
      { numRuns: 200 },
    );
  });
});
