/**
 * As docs/api.md#routes and docs/three-ds.md says: the Apple Pay merchant session. `data` is a JSON string (not an object) of an
 * opaque session with Apple's field names, signed by the platform key; `domain_name` must be a
 * bare host name and `display_name` at most 75 characters, else 010000.
 */
import { verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedContent } from '../../src/modules/wallets/apple-pay-session.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { post } from '../helpers/payments.ts';
import { responseSignatureValid } from '../helpers/raw.ts';

const PATH = '/apis/payments/apple-pay/create-session';
let gw: TestGateway;
let merchant: TestMerchant;

beforeAll(async () => {
  gw = await startGateway();
  merchant = await gw.createMerchant({ name: 'Harbour Books' });
});
afterAll(() => gw?.close());

describe('a merchant session', () => {
  it('is a JSON string with epoch times, identifiers, the domain and a verifiable signature', async () => {
    const before = Date.now();
    const res = await post(gw, merchant, { domain_name: 'Shop.Example.com', display_name: 'Harbour' }, PATH);
    expect(res.status).toBe(200);
    expect(res.json.ret_code).toBe('000000');
    expect(responseSignatureValid(res, merchant.merchantId, gw.platformPublicKeyPem)).toBe(true);
    expect(typeof res.json.data).toBe('string');
    const session = JSON.parse(res.json.data as string);
    expect(Object.keys(session).sort()).toEqual(
      [
        'displayName',
        'domainName',
        'epochTimestamp',
        'expiresAt',
        'merchantIdentifier',
        'merchantSessionIdentifier',
        'nonce',
        'signature',
      ].sort(),
    );
    expect(session.epochTimestamp).toBeGreaterThanOrEqual(before);
    expect(session.expiresAt).toBe(session.epochTimestamp + 60 * 60 * 1000);
    expect(session.domainName).toBe('shop.example.com');
    expect(session.displayName).toBe('Harbour');
    expect(session.merchantSessionIdentifier).toMatch(/^SSH[0-9A-F]{32}$/);
    expect(session.merchantIdentifier).toMatch(/^[0-9A-F]{64}$/);
    expect(session.nonce).toMatch(/^[0-9a-f]{8}$/);

    const { signature, ...rest } = session;
    const signed = signedContent(rest);
    expect(verify('sha256', signed, gw.platformPublicKeyPem, Buffer.from(signature, 'base64'))).toBe(true);
    // Any change to the session breaks the signature.
    const tampered = signedContent({ ...rest, domainName: 'evil.example.com' });
    expect(verify('sha256', tampered, gw.platformPublicKeyPem, Buffer.from(signature, 'base64'))).toBe(false);
  });

  it('without display_name shows the merchant name; each session is new; served without /apis too', async () => {
    const a = await post(
      gw,
      merchant,
      { domain_name: 'pay.example.org' },
      '/payments/apple-pay/create-session',
    );
    const b = await post(gw, merchant, { domain_name: 'pay.example.org' }, PATH);
    const first = JSON.parse(a.json.data as string);
    const second = JSON.parse(b.json.data as string);
    expect(first.displayName).toBe('Harbour Books');
    expect(first.merchantSessionIdentifier).not.toBe(second.merchantSessionIdentifier);
    expect(first.merchantIdentifier).toBe(second.merchantIdentifier);
  });

  it('is a POST only, like every operation', async () => {
    const res = await fetch(`${gw.baseUrl}${PATH}`);
    expect(res.status).toBe(405);
  });
});

describe('refusals (010000, HTTP 400)', () => {
  it.each([
    ['missing domain_name', {}],
    ['empty domain_name', { domain_name: '' }],
    ['a scheme', { domain_name: 'https://shop.example.com' }],
    ['a port', { domain_name: 'shop.example.com:443' }],
    ['a path', { domain_name: 'shop.example.com/checkout' }],
    ['a query', { domain_name: 'shop.example.com?x=1' }],
    ['user info', { domain_name: 'me@shop.example.com' }],
    ['a single label', { domain_name: 'localhost' }],
    ['bad characters', { domain_name: 'shop_example.com' }],
    ['a number', { domain_name: 42 }],
    ['display_name over 75', { domain_name: 'shop.example.com', display_name: 'x'.repeat(76) }],
  ])('%s', async (_name, fields) => {
    const res = await post(gw, merchant, fields, PATH);
    expect(res.status).toBe(400);
    expect(res.json.ret_code).toBe('010000');
    expect(String(res.json.ret_msg)).toMatch(/domain_name|display_name/);
  });

  it('display_name of exactly 75 is accepted', async () => {
    const res = await post(
      gw,
      merchant,
      { domain_name: 'shop.example.com', display_name: 'y'.repeat(75) },
      PATH,
    );
    expect(res.status).toBe(200);
  });
});
