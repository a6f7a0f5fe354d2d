// The key pairs the load generator makes for encrypted cards in place of generateKeyPairSync's
// own (src/safe-keygen.ts): working pairs on both curves, every other call left to Node.
import { diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ephemeralKeyPair, safeGenerateKeyPairSync } from '../src/safe-keygen.ts';

const agree = (a: { privateKey: KeyObject; publicKey: KeyObject }, b: typeof a) =>
  diffieHellman({ privateKey: a.privateKey, publicKey: b.publicKey }).equals(
    diffieHellman({ privateKey: b.privateKey, publicKey: a.publicKey }),
  );

describe('ephemeralKeyPair', () => {
  it('X25519: a private and a public key object that agree with any other X25519 key', () => {
    const pair = ephemeralKeyPair('x25519');
    expect([pair.privateKey.type, pair.publicKey.type]).toEqual(['private', 'public']);
    expect(pair.publicKey.asymmetricKeyType).toBe('x25519');
    expect(agree(pair, generateKeyPairSync('x25519'))).toBe(true);
    expect(pair.publicKey.export({ format: 'jwk' })).toMatchObject({ kty: 'OKP', crv: 'X25519' });
    expect(ephemeralKeyPair('x25519').publicKey.equals(pair.publicKey)).toBe(false);
  });

  it('P-256: the same, on the named curve', () => {
    const pair = ephemeralKeyPair('ec', { namedCurve: 'P-256' });
    expect(pair.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(agree(pair, generateKeyPairSync('ec', { namedCurve: 'P-256' }))).toBe(true);
  });
});

describe('safeGenerateKeyPairSync', () => {
  it("answers encryptCard's two calls with such pairs", () => {
    expect(safeGenerateKeyPairSync('x25519').publicKey.asymmetricKeyType).toBe('x25519');
    expect(safeGenerateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.asymmetricKeyType).toBe('ec');
  });

  it('leaves every other call to Node, encodings and all', () => {
    const pem = safeGenerateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    expect(pem.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(safeGenerateKeyPairSync('ed25519').publicKey.asymmetricKeyType).toBe('ed25519');
  });
});
