// The two wires the load speaks: where each operation goes, how a request is signed (v1.2 and
// v3, docs/signing.md), and v3 nonces that never repeat.
import { generateKeyPairSync } from 'node:crypto';
import {
  decodeSignatureHeader,
  stringToSign,
  V3_HEADERS,
  v3StringToSign,
  verifySignature,
} from '@openkka/sdk/signing';
import { describe, expect, it } from 'vitest';
import { paymentBody } from '../src/bodies.ts';
import { nonceSource, PATHS, type RequestSigner, signRequest } from '../src/wire.ts';

const T = Date.UTC(2026, 0, 15, 12);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let k = 0;
const signer = (protocol: 'v1.2' | 'v3', appId = 'M1'): RequestSigner => ({
  protocol,
  merchantId: 'M1',
  appId,
  key: privateKey,
  nonce: () => `nonce-${++k}`,
});

describe('signRequest', () => {
  it('v1.2: the signature header over docs/signing.md string-to-sign with the body timestamp', async () => {
    const body = paymentBody('purchase', signer('v1.2'), 'abc', 1, T);
    const signed = await signRequest(signer('v1.2'), PATHS['v1.2'].pay, body, T);
    expect(signed).toMatchObject({ path: '/apis/payments', signedAt: T });
    expect(signed.body.toString()).toBe(body);
    expect(Object.keys(signed.headers).sort()).toEqual(['signature', 'type', 'version']);
    expect(signed.headers).toMatchObject({ type: 'RSA256', version: 'v1.2' });
    const signature = Buffer.from(signed.headers.signature!, 'base64');
    expect(verifySignature(stringToSign('M1', T, signed.body), signature, publicKey)).toBe(true);
    expect(verifySignature(stringToSign('M1', T + 1, signed.body), signature, publicKey)).toBe(false);
  });

  it('v3: the x-paykka-* headers, signed over method, path, timestamp, nonce and body', async () => {
    const body = paymentBody('purchase', signer('v3'), 'abc', 1, T);
    const signed = await signRequest(signer('v3', 'app-7'), PATHS.v3.pay, body, T);
    expect(signed).toMatchObject({ path: '/v3/payment/acq/pay', signedAt: T });
    expect(Object.keys(signed.headers).sort()).toEqual(Object.values(V3_HEADERS).sort());
    const nonce = signed.headers[V3_HEADERS.nonce]!;
    expect(signed.headers).toMatchObject({
      [V3_HEADERS.appId]: 'app-7',
      [V3_HEADERS.timestamp]: String(T),
      [V3_HEADERS.signAlg]: 'SHA256_WITH_RSA',
    });
    // Percent-encoded, as PayKKa's clients send it.
    const header = signed.headers[V3_HEADERS.sign]!;
    expect(header).not.toMatch(/[+/=]/);
    const signature = decodeSignatureHeader(header)!;
    const over = (path: string, n: string) => v3StringToSign('POST', path, T, n, signed.body);
    expect(verifySignature(over('/v3/payment/acq/pay', nonce), signature, publicKey)).toBe(true);
    expect(verifySignature(over('/v3/payment/acq/pay', `${nonce}0`), signature, publicKey)).toBe(false);
    expect(verifySignature(over('/v3/payment/acq/query', nonce), signature, publicKey)).toBe(false);
  });

  it('v3: every signing takes a new nonce, even of the same body', async () => {
    const s = signer('v3');
    const body = paymentBody('purchase', s, 'abc', 1, T);
    const a = await signRequest(s, PATHS.v3.pay, body, T);
    const b = await signRequest(s, PATHS.v3.pay, body, T);
    expect(a.headers[V3_HEADERS.nonce]).not.toBe(b.headers[V3_HEADERS.nonce]);
  });

  it('each operation has its path on each wire', () => {
    expect(PATHS).toEqual({
      'v1.2': {
        pay: '/apis/payments',
        capture: '/apis/payments/capture',
        refund: '/apis/payments/refund',
        query: '/apis/payments/query',
      },
      v3: {
        pay: '/v3/payment/acq/pay',
        capture: '/v3/payment/acq/capture',
        refund: '/v3/payment/acq/refund',
        query: '/v3/payment/acq/query',
      },
    });
  });
});

describe('nonceSource', () => {
  let seed = 0n;
  const random = () => (seed += 0x9e3779b97f4a7c15n);

  it('hands out 16 decimal digits, never the same one twice', () => {
    const next = nonceSource(random);
    const seen = new Set<string>();
    let wellFormed = 0;
    for (let i = 0; i < 200_000; i++) {
      const nonce = next();
      if (/^\d{16}$/.test(nonce)) wellFormed++;
      seen.add(nonce);
    }
    expect(wellFormed).toBe(200_000);
    expect(seen.size).toBe(200_000);
  });

  it('spreads them over the range, as random ones are, and each source has its own', () => {
    const next = nonceSource(random);
    const firstDigits = new Set(Array.from({ length: 100 }, () => next()[0]));
    expect(firstDigits.size).toBeGreaterThan(5);
    expect(nonceSource(random)()).not.toBe(nonceSource(random)());
  });

  it('needs no luck: an even or zero multiplier is made prime to 10', () => {
    const zeros = nonceSource(() => 0n);
    expect([zeros(), zeros(), zeros()]).toEqual(['0000000000000000', '0000000000000001', '0000000000000002']);
  });
});
