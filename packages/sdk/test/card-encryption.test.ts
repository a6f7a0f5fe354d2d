/**
 * The SDK's card-encryption helpers, for merchants' tests and tools: encryptCard makes the four
 * fields the browser library makes, in either layout (checked here by decrypting them with the
 * gateway key's private half and the module's own parsing), and fetchGatewayKey reads GET /cp/keys/{clientKey},
 * checking the platform signature when given the platform key, with the SDK's typed errors.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  concatKdf,
  contentKey,
  decryptJwe,
  encryptCard,
  fetchGatewayKey,
  type GatewayPublicKey,
  parseCompactJwe,
  readCardFieldPayload,
  readCardPayload,
} from '../src/card-encryption.ts';
import {
  OpenKKAApiError,
  OpenKKAConnectionError,
  OpenKKAError,
  OpenKKASignatureError,
} from '../src/errors.ts';
import { stringToSign } from '../src/signing.ts';

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = pair.privateKey.export({ format: 'jwk' });
const KEY: GatewayPublicKey = {
  kty: 'EC',
  crv: 'P-256',
  x: jwk.x!,
  y: jwk.y!,
  kid: 'gk_0123456789ab',
  use: 'enc',
  alg: 'ECDH-ES',
};
const xPair = generateKeyPairSync('x25519');
const xJwk = xPair.privateKey.export({ format: 'jwk' });
const X_KEY: GatewayPublicKey = {
  kty: 'OKP',
  crv: 'X25519',
  x: xJwk.x!,
  kid: 'gk_0123456789ab',
  use: 'enc',
  alg: 'ECDH-ES',
};
const CLIENT_KEY = 'ck_0123456789abcdef0123456789abcdef';
const NOW = 1_767_225_600_000;

/** The plaintexts of the fields: one agreement from the shared header, then each field. */
function plaintexts(fields: Record<string, string>) {
  const parsed = Object.values(fields).map((f) => parseCompactJwe(f)!);
  const { epk } = parsed[0]!.header;
  const cek = contentKey(
    epk.kty === 'EC'
      ? diffieHellman({
          privateKey: createPrivateKey({ key: jwk, format: 'jwk' }),
          publicKey: createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: epk.x, y: epk.y }, format: 'jwk' }),
        })
      : diffieHellman({
          privateKey: xPair.privateKey,
          publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epk.x }, format: 'jwk' }),
        }),
  );
  return parsed.map((jwe) => decryptJwe(cek, jwe)!);
}

describe('encryptCard', () => {
  const CARD = { number: '4242424242424242', expiryMonth: 7, expiryYear: 2031, cvv: '123' };
  const FIELD_NAMES = ['encrypted_card_no', 'encrypted_exp_month', 'encrypted_exp_year', 'encrypted_cvv'];

  it.each([
    ['P-256', KEY, 'EC'],
    ['X25519', X_KEY, 'OKP'],
  ])(
    'encrypts the card as one JWE to the gateway key (%s), the same in every field, with the time and the client key inside',
    (_curve, key, kty) => {
      const fields = encryptCard({ key, clientKey: CLIENT_KEY, card: CARD, now: NOW });
      expect(Object.keys(fields)).toEqual(FIELD_NAMES);
      expect(new Set(Object.values(fields)).size).toBe(1);
      const [plaintext] = plaintexts({ card: fields.encrypted_card_no });
      expect(readCardPayload(plaintext!)).toEqual({
        card_no: '4242424242424242',
        exp_month: '7',
        exp_year: '2031',
        cvv: '123',
        generated_at: NOW,
        client_key: CLIENT_KEY,
      });
      // Not a field's payload: the gateway cannot read it as one value.
      expect(readCardFieldPayload(plaintext!)).toBeNull();
      expect(parseCompactJwe(fields.encrypted_card_no)!.header).toMatchObject({
        alg: 'ECDH-ES',
        enc: 'A256GCM',
        kid: KEY.kid,
        epk: { kty, crv: key.crv },
      });
    },
  );

  it.each([
    ['P-256', KEY, 'EC'],
    ['X25519', X_KEY, 'OKP'],
  ])(
    'per-field: encrypts each field to the gateway key (%s), with its name, the time and the client key inside',
    (_curve, key, kty) => {
      const fields = encryptCard({ key, clientKey: CLIENT_KEY, card: CARD, now: NOW, layout: 'per-field' });
      expect(Object.keys(fields)).toEqual(FIELD_NAMES);
      const payloads = plaintexts(fields as unknown as Record<string, string>).map(readCardFieldPayload);
      expect(payloads).toEqual([
        { field: 'card_no', value: '4242424242424242', generated_at: NOW, client_key: CLIENT_KEY },
        { field: 'exp_month', value: '7', generated_at: NOW, client_key: CLIENT_KEY },
        { field: 'exp_year', value: '2031', generated_at: NOW, client_key: CLIENT_KEY },
        { field: 'cvv', value: '123', generated_at: NOW, client_key: CLIENT_KEY },
      ]);
      expect(parseCompactJwe(fields.encrypted_cvv)!.header).toMatchObject({ epk: { kty, crv: key.crv } });
    },
  );

  it('reads a per-card payload only with exactly its members, each of its type', () => {
    const good = {
      card_no: '4242',
      exp_month: '7',
      exp_year: '2031',
      generated_at: NOW,
      client_key: CLIENT_KEY,
    };
    const read = (value: unknown) => readCardPayload(Buffer.from(JSON.stringify(value)));
    expect(read(good)).toEqual(good);
    expect(read({ ...good, cvv: '123' })).toEqual({ ...good, cvv: '123' });
    for (const bad of [
      { ...good, extra: 1 },
      { ...good, cvv: 123 },
      { ...good, card_no: 4242 },
      { ...good, exp_year: 'x'.repeat(65) },
      { ...good, generated_at: -1 },
      { ...good, generated_at: 1.5 },
      { ...good, client_key: null },
      { field: 'card_no', value: '4242', generated_at: NOW, client_key: CLIENT_KEY },
      [good],
    ]) {
      expect(read(bad), JSON.stringify(bad)).toBeNull();
    }
    const { exp_month: _m, ...noMonth } = good;
    expect(read(noMonth)).toBeNull();
    expect(readCardPayload(Buffer.from('{"card_no":'))).toBeNull();
  });

  it('leaves encrypted_cvv out when no CVV is given (and the card holds none); two cards never share an ephemeral key', () => {
    const card = { number: '4242424242424242', expiryMonth: '12', expiryYear: '2031' };
    const a = encryptCard({ key: KEY, clientKey: CLIENT_KEY, card });
    const b = encryptCard({ key: KEY, clientKey: CLIENT_KEY, card });
    expect(a).not.toHaveProperty('encrypted_cvv');
    expect(readCardPayload(plaintexts({ card: a.encrypted_card_no })[0]!)).not.toHaveProperty('cvv');
    expect(encryptCard({ key: KEY, clientKey: CLIENT_KEY, card, layout: 'per-field' })).not.toHaveProperty(
      'encrypted_cvv',
    );
    expect(a.encrypted_card_no.split('.')[0]).not.toBe(b.encrypted_card_no.split('.')[0]);
  });

  it('refuses a key that is not an X25519 or P-256 public JWK with a kid', () => {
    const card = { number: '4242424242424242', expiryMonth: '12', expiryYear: '2031' };
    expect(() =>
      encryptCard({ key: { ...KEY, crv: 'P-384' as 'P-256' }, clientKey: CLIENT_KEY, card }),
    ).toThrow(OpenKKAError);
    expect(() =>
      encryptCard({ key: { ...X_KEY, crv: 'X448' as 'X25519' }, clientKey: CLIENT_KEY, card }),
    ).toThrow(OpenKKAError);
    expect(() =>
      encryptCard({ key: { ...X_KEY, kid: undefined as unknown as string }, clientKey: CLIENT_KEY, card }),
    ).toThrow(/kid/);
  });
});

describe('parsing a card field', () => {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const field = () =>
    encryptCard({
      key: X_KEY,
      clientKey: CLIENT_KEY,
      card: { number: '4242424242424242', expiryMonth: 7, expiryYear: 2031 },
    }).encrypted_card_no;

  it('reads each part in its one canonical base64url spelling only', () => {
    // Ciphertexts of 1, 2 and 3 bytes past a multiple of 3 end in 2, 3 and 4 characters.
    for (const extra of [1, 2, 3]) {
      const parts = field().split('.');
      const bytes = Buffer.alloc(30 + extra, 0xa5);
      const canonical = bytes.toString('base64url');
      parts[3] = canonical;
      expect(parseCompactJwe(parts.join('.'))?.ciphertext).toEqual(bytes);
      // Every other last character that decodes to the same bytes is another spelling: refused.
      for (const last of ALPHABET) {
        const spelling = canonical.slice(0, -1) + last;
        if (spelling === canonical || !Buffer.from(spelling, 'base64url').equals(bytes)) continue;
        parts[3] = spelling;
        expect(parseCompactJwe(parts.join('.'))).toBeNull();
      }
      // Padding, the other alphabet, and a length no byte string has.
      const lone = `${canonical.slice(0, canonical.length - (canonical.length % 4))}A`;
      for (const bad of [`${canonical}=`, `${canonical.slice(0, -1)}+`, lone]) {
        parts[3] = bad;
        expect(parseCompactJwe(parts.join('.'))).toBeNull();
      }
    }
  });

  it('derives the content key as one Concat KDF round for A256GCM', () => {
    const secret = Buffer.alloc(32, 7);
    expect(contentKey(secret)).toEqual(concatKdf(secret, 'A256GCM', 256));
  });
});

describe('fetchGatewayKey', () => {
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const body = JSON.stringify({
    ret_code: '000000',
    ret_msg: 'Success',
    data: { timestamp: NOW, client_key: CLIENT_KEY, key: KEY },
  });
  const signed = (text: string, timestamp = String(NOW)) =>
    sign('sha256', stringToSign('', timestamp, text), platform.privateKey).toString('base64');
  const answering =
    (status: number, text: string, headers: Record<string, string> = {}): typeof fetch =>
    async (input) => {
      expect(String(input)).toBe(`https://gw.example/cp/keys/${CLIENT_KEY}`);
      return new Response(text, { status, headers });
    };

  it('takes the first key offered in data.keys, or the first on the curve asked for', async () => {
    const both = JSON.stringify({
      ret_code: '000000',
      ret_msg: 'Success',
      data: { timestamp: NOW, client_key: CLIENT_KEY, key: KEY, keys: [X_KEY, KEY] },
    });
    const fetchImpl = answering(200, both);
    const options = { baseUrl: 'https://gw.example', clientKey: CLIENT_KEY, fetch: fetchImpl };
    expect(await fetchGatewayKey(options)).toEqual(X_KEY);
    expect(await fetchGatewayKey({ ...options, curve: 'P-256' })).toEqual(KEY);
    // A gateway that offers only `key` (P-256) has no X25519 half to give.
    await expect(
      fetchGatewayKey({ ...options, fetch: answering(200, body), curve: 'X25519' }),
    ).rejects.toThrow(/no gateway key on X25519/);
  });

  it('reads the key, and checks the platform signature when given the platform key', async () => {
    const fetchImpl = answering(200, body, { signature: signed(body), timestamp: String(NOW) });
    expect(
      await fetchGatewayKey({ baseUrl: 'https://gw.example/', clientKey: CLIENT_KEY, fetch: fetchImpl }),
    ).toEqual(KEY);
    expect(
      await fetchGatewayKey({
        baseUrl: 'https://gw.example',
        clientKey: CLIENT_KEY,
        platformPublicKey: platform.publicKey,
        fetch: fetchImpl,
      }),
    ).toEqual(KEY);
  });

  it('refuses an unsigned or wrongly signed answer when given the platform key', async () => {
    const wrong: Record<string, string>[] = [{}, { signature: signed(body, '1'), timestamp: String(NOW) }];
    for (const headers of wrong) {
      const error = await fetchGatewayKey({
        baseUrl: 'https://gw.example',
        clientKey: CLIENT_KEY,
        platformPublicKey: platform.publicKey,
        fetch: answering(200, body, headers),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenKKASignatureError);
    }
  });

  it('reports a refusal, a body that is not JSON and no answer as the SDK’s typed errors', async () => {
    const notFound = await fetchGatewayKey({
      baseUrl: 'https://gw.example',
      clientKey: CLIENT_KEY,
      fetch: answering(404, '{"ret_code":"300060","ret_msg":"Client key does not exist"}'),
    }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(OpenKKAApiError);
    expect(notFound).toMatchObject({ retCode: '300060', httpStatus: 404 });
    const html = await fetchGatewayKey({
      baseUrl: 'https://gw.example',
      clientKey: CLIENT_KEY,
      fetch: answering(502, '<html>bad gateway</html>'),
    }).catch((e: unknown) => e);
    expect(html).toBeInstanceOf(OpenKKAError);
    const down = await fetchGatewayKey({
      baseUrl: 'https://gw.example',
      clientKey: CLIENT_KEY,
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(OpenKKAConnectionError);
  });
});
