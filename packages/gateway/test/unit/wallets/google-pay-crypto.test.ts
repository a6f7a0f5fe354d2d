/**
 * The crypto of Google Pay's ECv2 tokens, without a gateway: the signature chain (root →
 * intermediate signing key → message, over Google's length-prefixed strings), ECIES-v2
 * decryption, the message's expiry and replay. One token is assembled by hand from Google's
 * documented format, so the minting module and the reader cannot agree on a shared mistake.
 * Every refusal is a specific business code, never an exception.
 */
import {
  createCipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawGooglePayToken } from '../../../src/core/input/google-pay-token.ts';
import { BUSINESS_CODES } from '../../../src/domain/errors.ts';
import { open, readSignedMessage, seal } from '../../../src/modules/wallets/google-pay/ecies.ts';
import { uncompressedPoint } from '../../../src/modules/wallets/google-pay/recipient.ts';
import type { RootKey } from '../../../src/modules/wallets/google-pay/root-keys.ts';
import { lengthPrefixed, messageBytes } from '../../../src/modules/wallets/google-pay/signed-bytes.ts';
import { ecdhOf } from '../../../src/modules/wallets/google-pay/stored-keys.ts';
import { mintTestToken, type TestTokenOptions } from '../../../src/modules/wallets/google-pay/test-token.ts';
import { GooglePayTokens } from '../../../src/modules/wallets/google-pay/token-opener.ts';
import type { UsedGooglePayMessages } from '../../../src/modules/wallets/google-pay/used-messages.ts';

const NOW = Date.UTC(2026, 5, 1);
const newKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const root = newKey();
const recipient = newKey();
const roots: RootKey[] = [
  { publicKey: createPublicKey(root), protocolVersion: 'ECv2', expiresAt: undefined },
];

/** Remembers claimed message ids in memory, as the store's table does. */
function memoryClaims(): UsedGooglePayMessages {
  const owners = new Map<string, string>();
  return {
    async claim(message: { messageId: string }, payment: { merchantId: string; transId: string }) {
      const who = `${payment.merchantId}/${payment.transId}`;
      if (!owners.has(message.messageId)) owners.set(message.messageId, who);
      return owners.get(message.messageId) === who;
    },
  } as unknown as UsedGooglePayMessages;
}

function reader(options: { roots?: RootKey[]; recipientKey?: KeyObject } = {}) {
  const keys = {
    roots: async () => options.roots ?? roots,
    recipient: async () => ecdhOf(options.recipientKey ?? recipient),
  };
  return new GooglePayTokens(keys, memoryClaims(), { now: () => NOW });
}

function mint(overrides: Partial<TestTokenOptions> = {}): string {
  return mintTestToken({
    rootKey: root,
    recipientPoint: uncompressedPoint(createPublicKey(recipient)),
    pan: '4242424242424242',
    expMonth: 12,
    expYear: 2030,
    now: NOW,
    ...overrides,
  });
}

const payment = { merchantId: 'M1', transId: 't-1' };

async function outcome(token: string, r = reader(), p = payment) {
  return r.open(rawGooglePayToken(token)!, p);
}

/** The token with its signedMessage changed and the message signature made again. */
function resigned(token: string, intermediate: KeyObject, change: (m: Record<string, string>) => void) {
  const parsed = JSON.parse(token);
  const message = JSON.parse(parsed.signedMessage);
  change(message);
  parsed.signedMessage = JSON.stringify(message);
  parsed.signature = sign('sha256', messageBytes('gateway:openkka', parsed.signedMessage), {
    key: intermediate,
    dsaEncoding: 'der',
  }).toString('base64');
  return JSON.stringify(parsed);
}

/** Flips one character of a base64 string (the first one that can be flipped). */
const flip = (b64: string) => (b64[0] === 'A' ? `B${b64.slice(1)}` : `A${b64.slice(1)}`);

describe('signed strings', () => {
  it('prefixes each part with its UTF-8 length, 4 bytes little endian', () => {
    expect(lengthPrefixed('Google', 'ECv2').toString('hex')).toBe(
      `06000000${Buffer.from('Google').toString('hex')}04000000${Buffer.from('ECv2').toString('hex')}`,
    );
    expect(lengthPrefixed('é').subarray(0, 4).readUInt32LE()).toBe(2);
  });
});

describe('a token assembled by hand from Google’s documented format', () => {
  it('verifies, decrypts and pays as CRYPTOGRAM_3DS', async () => {
    const intermediate = newKey();
    const prefixed = (...parts: string[]) =>
      Buffer.concat(
        parts.flatMap((p) => {
          const n = Buffer.alloc(4);
          n.writeUInt32LE(Buffer.byteLength(p));
          return [n, Buffer.from(p)];
        }),
      );
    const signedKey = JSON.stringify({
      keyValue: createPublicKey(intermediate).export({ type: 'spki', format: 'der' }).toString('base64'),
      keyExpiration: String(NOW + 60_000),
    });
    const plaintext = JSON.stringify({
      messageExpiration: String(NOW + 60_000),
      messageId: 'hand-made-1',
      paymentMethod: 'CARD',
      paymentMethodDetails: {
        pan: '5555555555554444',
        expirationMonth: 11,
        expirationYear: 2031,
        authMethod: 'CRYPTOGRAM_3DS',
        cryptogram: 'AAAAAA==',
        eciIndicator: '02',
      },
    });
    // ECIES-v2 as documented: HKDF-SHA256 (zero salt, info "Google") over ephemeral ‖ shared.
    const ephemeral = createECDH('prime256v1');
    const ephemeralPoint = ephemeral.generateKeys();
    const shared = ephemeral.computeSecret(uncompressedPoint(createPublicKey(recipient)));
    const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();
    const prk = hmac(Buffer.alloc(32), Buffer.concat([ephemeralPoint, shared]));
    const t1 = hmac(prk, Buffer.concat([Buffer.from('Google'), Buffer.from([1])]));
    const t2 = hmac(prk, Buffer.concat([t1, Buffer.from('Google'), Buffer.from([2])]));
    const cipher = createCipheriv('aes-256-ctr', t1, Buffer.alloc(16));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const signedMessage = JSON.stringify({
      encryptedMessage: ciphertext.toString('base64'),
      ephemeralPublicKey: ephemeralPoint.toString('base64'),
      tag: hmac(t2, ciphertext).toString('base64'),
    });
    const der = (key: KeyObject, data: Buffer) => sign('sha256', data, key).toString('base64');
    const token = JSON.stringify({
      protocolVersion: 'ECv2',
      signature: der(intermediate, prefixed('Google', 'gateway:paykkaeu', 'ECv2', signedMessage)),
      intermediateSigningKey: { signedKey, signatures: [der(root, prefixed('Google', 'ECv2', signedKey))] },
      signedMessage,
    });
    expect(await outcome(token)).toEqual({
      kind: 'wallet',
      pan: '5555555555554444',
      expMonth: 11,
      expYear: 2031,
      cvv: undefined,
      cryptogram: 'AAAAAA==',
      eci: '02',
    });
  });
});

describe('ECIES-v2', () => {
  const point = uncompressedPoint(createPublicKey(recipient));

  it('opens what was sealed to the recipient, and nothing sealed to another key', () => {
    const sealed = seal(point, Buffer.from('{"hello":1}'));
    expect(open(ecdhOf(recipient), sealed)?.toString()).toBe('{"hello":1}');
    expect(open(ecdhOf(newKey()), sealed)).toBeUndefined();
  });

  it('refuses a tag altered by one bit, a shortened tag, and a point off the curve', () => {
    const sealed = seal(point, Buffer.from('card'));
    const tag = Buffer.from(sealed.tag, 'base64');
    tag[31]! ^= 1;
    expect(open(ecdhOf(recipient), { ...sealed, tag: tag.toString('base64') })).toBeUndefined();
    expect(
      open(ecdhOf(recipient), { ...sealed, tag: tag.subarray(0, 16).toString('base64') }),
    ).toBeUndefined();
    const offCurve = Buffer.from(sealed.ephemeralPublicKey, 'base64');
    offCurve[64]! ^= 1;
    expect(
      open(ecdhOf(recipient), { ...sealed, ephemeralPublicKey: offCurve.toString('base64') }),
    ).toBeUndefined();
  });

  it('reads only a signedMessage of three base64 strings', () => {
    expect(
      readSignedMessage('{"encryptedMessage":"AA==","ephemeralPublicKey":"AA==","tag":"AA=="}'),
    ).toBeDefined();
    for (const bad of [
      '',
      'null',
      '[]',
      '{"encryptedMessage":1}',
      '{"encryptedMessage":"%%","ephemeralPublicKey":"","tag":""}',
    ]) {
      expect(readSignedMessage(bad)).toBeUndefined();
    }
  });
});

describe('reading a token', () => {
  it('CRYPTOGRAM_3DS → a wallet card with its cryptogram and ECI', async () => {
    expect(await outcome(mint())).toMatchObject({ kind: 'wallet', pan: '4242424242424242', eci: '05' });
  });

  it('PAN_ONLY → a plain card, without CVV (3-D Secure decides later)', async () => {
    expect(await outcome(mint({ authMethod: 'PAN_ONLY' }))).toEqual({
      kind: 'card',
      pan: '4242424242424242',
      expMonth: 12,
      expYear: 2030,
      cvv: undefined,
    });
  });

  it('accepts both recipient ids, gateway:openkka and gateway:paykkaeu', async () => {
    for (const recipientId of ['gateway:openkka', 'gateway:paykkaeu']) {
      expect((await outcome(mint({ recipientId }))).kind).toBe('wallet');
    }
  });
});

describe('refusals, each with its business code', () => {
  const refusedWith = async (token: string, code: keyof typeof BUSINESS_CODES, r = reader()) => {
    const result = await outcome(token, r);
    expect(result).toMatchObject({ kind: 'unreadable', reason: code });
    expect(BUSINESS_CODES[code].code).toMatch(/^50\d\d$/);
    return result;
  };

  it('5020: the intermediate key signed by a root that is not configured', async () => {
    await refusedWith(mint({ rootKey: newKey() }), 'GOOGLE_PAY_SIGNING_KEY_UNTRUSTED');
  });

  it('5020: a configured root that has expired, or is for another protocol', async () => {
    const expired = [{ ...roots[0]!, expiresAt: NOW }];
    await refusedWith(mint(), 'GOOGLE_PAY_SIGNING_KEY_UNTRUSTED', reader({ roots: expired }));
    const ecv1 = [{ ...roots[0]!, protocolVersion: 'ECv1' }];
    await refusedWith(mint(), 'GOOGLE_PAY_SIGNING_KEY_UNTRUSTED', reader({ roots: ecv1 }));
  });

  it('5020: the signed key altered after the root signed it (a later expiry)', async () => {
    const token = JSON.parse(mint());
    const key = JSON.parse(token.intermediateSigningKey.signedKey);
    token.intermediateSigningKey.signedKey = JSON.stringify({ ...key, keyExpiration: String(NOW + 1e12) });
    await refusedWith(JSON.stringify(token), 'GOOGLE_PAY_SIGNING_KEY_UNTRUSTED');
  });

  it('5021: an expired intermediate signing key', async () => {
    await refusedWith(mint({ signingKeyExpiresAt: NOW - 1 }), 'GOOGLE_PAY_SIGNING_KEY_EXPIRED');
    await refusedWith(mint({ signingKeyExpiresAt: NOW }), 'GOOGLE_PAY_SIGNING_KEY_EXPIRED');
  });

  it('5022: a token signed for another recipient id', async () => {
    await refusedWith(mint({ recipientId: 'gateway:othergateway' }), 'GOOGLE_PAY_SIGNATURE_INVALID');
    await refusedWith(mint({ recipientId: 'merchant:12345678901234567890' }), 'GOOGLE_PAY_SIGNATURE_INVALID');
  });

  it('5022: a tampered signature, or a tag altered without signing again', async () => {
    const token = JSON.parse(mint());
    await refusedWith(
      JSON.stringify({ ...token, signature: flip(token.signature) }),
      'GOOGLE_PAY_SIGNATURE_INVALID',
    );
    const message = JSON.parse(token.signedMessage);
    const altered = { ...token, signedMessage: JSON.stringify({ ...message, tag: flip(message.tag) }) };
    await refusedWith(JSON.stringify(altered), 'GOOGLE_PAY_SIGNATURE_INVALID');
  });

  it('5023: a tampered tag under a valid signature, checked before decrypting', async () => {
    const intermediate = newKey();
    const token = resigned(mint({ intermediateKey: intermediate }), intermediate, (m) => {
      m.tag = flip(m.tag!);
    });
    await refusedWith(token, 'GOOGLE_PAY_DECRYPTION_FAILED');
  });

  it('5023: a token encrypted to another recipient key (e.g. PayKKa’s own)', async () => {
    await refusedWith(
      mint({ recipientPoint: uncompressedPoint(createPublicKey(newKey())) }),
      'GOOGLE_PAY_DECRYPTION_FAILED',
    );
  });

  it('5024: an expired message, keeping the card number for an idempotent replay', async () => {
    const result = await refusedWith(mint({ messageExpiresAt: NOW }), 'GOOGLE_PAY_MESSAGE_EXPIRED');
    expect(result).toMatchObject({ pan: '4242424242424242' });
  });

  it('5025: the same token for another payment; the same payment again is still its own', async () => {
    const r = reader();
    const token = mint();
    expect((await outcome(token, r)).kind).toBe('wallet');
    expect((await outcome(token, r)).kind).toBe('wallet');
    expect(await outcome(token, r, { merchantId: 'M1', transId: 't-2' })).toMatchObject({
      reason: 'GOOGLE_PAY_TOKEN_ALREADY_USED',
    });
    expect(await outcome(token, r, { merchantId: 'M2', transId: 't-1' })).toMatchObject({
      reason: 'GOOGLE_PAY_TOKEN_ALREADY_USED',
    });
  });

  it('5026: a validly signed message that is not a card openkka can charge', async () => {
    const intermediate = newKey();
    const point = uncompressedPoint(createPublicKey(recipient));
    for (const message of [
      {
        messageId: 'x',
        messageExpiration: String(NOW + 1000),
        paymentMethod: 'TOKENIZED_CARD',
        paymentMethodDetails: {},
      },
      { messageId: 'y', messageExpiration: 'soon', paymentMethod: 'CARD', paymentMethodDetails: {} },
      {
        messageId: 'z',
        messageExpiration: String(NOW + 1000),
        paymentMethod: 'CARD',
        paymentMethodDetails: {
          pan: '4242424242424242',
          expirationMonth: 1,
          expirationYear: 2030,
          authMethod: 'CRYPTOGRAM_3DS',
        },
      },
    ]) {
      const token = resigned(mint({ intermediateKey: intermediate }), intermediate, (m) => {
        Object.assign(m, seal(point, Buffer.from(JSON.stringify(message))));
      });
      await refusedWith(token, 'GOOGLE_PAY_PAYMENT_DATA_INVALID');
    }
  });
});

describe('whatever a validly signed token holds', () => {
  const intermediate = newKey();
  const point = uncompressedPoint(createPublicKey(recipient));
  const signedWith = (change: (m: Record<string, string>) => void) =>
    resigned(mint({ intermediateKey: intermediate }), intermediate, change);

  it('a signedMessage of any JSON is refused with a business code, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.base64String(), fc.json())),
        async (m) => {
          const token = signedWith((message) => {
            for (const k of Object.keys(message)) delete message[k];
            Object.assign(message, m);
          });
          const result = await outcome(token);
          expect(result.kind).toBe('unreadable');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a decrypted message of any JSON is a card or a business refusal, never an exception', async () => {
    const details = fc.record(
      {
        pan: fc.oneof(fc.constant('4242424242424242'), fc.string()),
        expirationMonth: fc.oneof(fc.integer(), fc.string()),
        expirationYear: fc.oneof(fc.integer(), fc.string()),
        authMethod: fc.constantFrom('PAN_ONLY', 'CRYPTOGRAM_3DS', 'OTHER'),
        cryptogram: fc.oneof(fc.string(), fc.integer()),
        eciIndicator: fc.oneof(fc.string(), fc.integer()),
      },
      { requiredKeys: [] },
    );
    const message = fc.record(
      {
        messageId: fc.oneof(fc.string(), fc.integer()),
        messageExpiration: fc.oneof(fc.constant(String(NOW + 1000)), fc.string()),
        paymentMethod: fc.constantFrom('CARD', 'TOKENIZED_CARD'),
        paymentMethodDetails: fc.oneof(details, fc.json()),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(message, fc.json()), async (plain) => {
        const token = signedWith((m) => {
          Object.assign(
            m,
            seal(point, Buffer.from(typeof plain === 'string' ? plain : JSON.stringify(plain))),
          );
        });
        const result = await outcome(token, reader());
        expect(['card', 'wallet', 'unreadable']).toContain(result.kind);
        if (result.kind === 'unreadable') expect(result.reason).toMatch(/^GOOGLE_PAY_/);
      }),
      { numRuns: 200 },
    );
  });
});
