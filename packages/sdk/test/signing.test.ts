import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeSignatureHeader,
  signAsync,
  stringToSign,
  toPrivateKey,
  toPublicKey,
  verifyAsync,
  verifySignature,
} from '../src/signing.ts';

let pair: { privateKey: KeyObject; publicKey: KeyObject };

beforeAll(() => {
  pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
});

const data = stringToSign('M100', 1_700_000_000_000, '{"a":1}');

describe('stringToSign', () => {
  it('joins merchant id, timestamp and the raw body bytes', () => {
    expect(data.toString('utf8')).toBe('merchantId=M100&timestamp=1700000000000&requestBody={"a":1}');
  });
});

describe('decodeSignatureHeader', () => {
  const raw = Buffer.from([0xfb, 0xff, 0xfe, 0x01, 0x02]);
  const base64 = raw.toString('base64'); // "+//+AQI=": exercises '+', '/' and '='

  it('decodes plain base64', () => {
    expect(decodeSignatureHeader(base64)).toEqual(raw);
  });

  it('decodes a percent-encoded value', () => {
    expect(encodeURIComponent(base64)).toContain('%');
    expect(decodeSignatureHeader(encodeURIComponent(base64))).toEqual(raw);
  });

  it('strips a Bearer prefix, in any case, also before percent-encoding', () => {
    expect(decodeSignatureHeader(`Bearer ${base64}`)).toEqual(raw);
    expect(decodeSignatureHeader(`bearer ${encodeURIComponent(base64)}`)).toEqual(raw);
  });

  it('returns null for empty, non-base64 or broken percent-encoding', () => {
    expect(decodeSignatureHeader('')).toBeNull();
    expect(decodeSignatureHeader('not base64!')).toBeNull();
    expect(decodeSignatureHeader('%E0%A4%A')).toBeNull();
  });
});

describe('key input', () => {
  it('accepts a bare base64 DER private key (PKCS#8) and public key (SPKI)', async () => {
    const privateDer = pair.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    const publicDer = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const signature = await signAsync(data, toPrivateKey(privateDer));

    expect(await verifyAsync(data, Buffer.from(signature, 'base64'), toPublicKey(publicDer))).toBe(true);
    expect(verifySignature(data, Buffer.from(signature, 'base64'), pair.publicKey)).toBe(true);
  });

  it('accepts bare base64 DER in PKCS#1 form', () => {
    const privateDer = pair.privateKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
    const publicDer = pair.publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
    const signature = sign('sha256', data, toPrivateKey(privateDer));

    expect(verifySignature(data, signature, toPublicKey(publicDer))).toBe(true);
  });

  it('accepts PEM with surrounding whitespace, and derives a public key from a private one', () => {
    const pem = `\n${pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()}\n`;
    const key = toPrivateKey(pem);
    const signature = sign('sha256', data, key);

    expect(verifySignature(data, signature, toPublicKey(key))).toBe(true);
  });

  it('rejects a signature made over different bytes', () => {
    const signature = sign('sha256', data, pair.privateKey);
    const other = stringToSign('M100', 1_700_000_000_001, '{"a":1}');
    expect(verifySignature(other, signature, pair.publicKey)).toBe(false);
  });
});
