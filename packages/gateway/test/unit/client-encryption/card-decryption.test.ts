/**
 * The encrypted-card scheme end to end without a store: the SDK's encryptCard makes the four
 * fields (in either layout: one JWE per card, or one per field), the gateway's CardDecryption
 * opens them. Every way a field can be wrong must end in
 * its own business code (or, for a decrypted value that is no card value, a 010000 naming
 * the field), never in another exception; fast-check throws arbitrary bytes and mutations at it.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { type CardEncryptionLayout, encryptCard, type GatewayPublicKey } from '@openkka/sdk';
import { concatKdf } from '@openkka/sdk/card-encryption';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EncryptedCardFields } from '../../../src/core/orders/payment-source.ts';
import type { ClientKeys } from '../../../src/domain/client-key.ts';
import { ManualClock } from '../../../src/domain/clock.ts';
import { ApiError } from '../../../src/domain/errors.ts';
import {
  CardDecryption,
  type DecryptingKeys,
} from '../../../src/modules/client-encryption/card-decryption.ts';
import {
  decryptingKey,
  publicKeyOf,
  x25519PublicKeyOf,
} from '../../../src/modules/client-encryption/gateway-keys.ts';
import {
  BLOB_LIFETIME_MS,
  CLOCK_SKEW_MS,
  type GatewayKey,
  newGatewayKey,
} from '../../../src/vault/card-encryption-keys.ts';

const NOW = Date.UTC(2026, 5, 1, 12);
const HOUR = 3_600_000;
const CARD = { number: '4242 4242 4242 4242', expiryMonth: '07', expiryYear: '2031', cvv: '123' };
const ours: ClientKeys = {
  client_key: 'ck_0123456789abcdef0123456789abcdef',
  previous_client_key: 'ck_ffffffffffffffffffffffffffffffff',
  previous_client_key_expires_at: NOW + HOUR,
};
const FOREIGN = 'ck_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

/** A fixed set of gateway keys standing in for the store's. */
function keys(...list: GatewayKey[]): DecryptingKeys {
  const byKid = new Map(list.map((k) => [k.kid, decryptingKey(k)]));
  return { forKid: async (kid) => byKid.get(kid) };
}

const current = newGatewayKey(NOW - HOUR);
const clock = new ManualClock(NOW);
const decryption = new CardDecryption(keys(current), clock);

const LAYOUTS: CardEncryptionLayout[] = ['per-card', 'per-field'];

interface FieldOptions {
  key?: GatewayPublicKey;
  clientKey?: string;
  now?: number;
  card?: Partial<typeof CARD>;
  layout?: CardEncryptionLayout;
}

/** The request's fields from the SDK's output (the per-card layout unless told). */
function fields(options: FieldOptions = {}) {
  const made = encryptCard({
    key: options.key ?? publicKeyOf(current),
    clientKey: options.clientKey ?? ours.client_key,
    card: { ...CARD, ...options.card },
    now: options.now ?? NOW,
    ...(options.layout ? { layout: options.layout } : {}),
  });
  return {
    card_no: made.encrypted_card_no,
    exp_month: made.encrypted_exp_month,
    exp_year: made.encrypted_exp_year,
    cvv: made.encrypted_cvv,
  } satisfies EncryptedCardFields;
}

/** The header of a card's fields, decoded. */
const headerOf = (f: EncryptedCardFields) =>
  JSON.parse(Buffer.from(f.card_no.split('.')[0]!, 'base64url').toString());

/** The four fields with `header` (any JSON) put in place of theirs. */
function withHeader(f: EncryptedCardFields, header: unknown): EncryptedCardFields {
  const b64 = Buffer.from(JSON.stringify(header)).toString('base64url');
  const swap = (jwe: string) => [b64, ...jwe.split('.').slice(1)].join('.');
  return {
    card_no: swap(f.card_no),
    exp_month: swap(f.exp_month),
    exp_year: swap(f.exp_year),
    cvv: swap(f.cvv!),
  };
}

const reason = async (f: EncryptedCardFields, merchant: ClientKeys = ours) => {
  const opened = await decryption.open(merchant, f);
  return opened.kind === 'unreadable' ? opened.reason : 'card';
};

const OPENED = { kind: 'card', pan: '4242424242424242', expMonth: 7, expYear: 2031, cvv: '123' };

/** A compact JWE's five parts. */
const partsOf = (jwe: string) => jwe.split('.');

describe('a card encrypted by the SDK', () => {
  it.each(LAYOUTS)(
    '%s: opens to the card typed, digits only, with the month and year as numbers',
    async (layout) => {
      expect(await decryption.open(ours, fields({ layout }))).toEqual(OPENED);
    },
  );

  it('per-card (the default): every field holds the same JWE, and no card digit shows', () => {
    const f = fields();
    expect(new Set([f.card_no, f.exp_month, f.exp_year, f.cvv]).size).toBe(1);
    const parts = partsOf(f.card_no);
    expect(parts).toHaveLength(5);
    expect(parts[1]).toBe('');
    expect(headerOf(f)).toEqual({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      kid: current.kid,
      epk: { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) },
    });
    expect(JSON.stringify(f)).not.toMatch(/4242|2031/);
  });

  it('per-field: four JWEs sharing one header (one ephemeral key), each with its own IV', () => {
    const f = fields({ layout: 'per-field' });
    const parts = [f.card_no, f.exp_month, f.exp_year, f.cvv!].map(partsOf);
    for (const p of parts) expect(p).toHaveLength(5);
    expect(new Set(parts.map((p) => p[0])).size).toBe(1);
    expect(new Set(parts.map((p) => p[2])).size).toBe(4);
    expect(parts.every((p) => p[1] === '')).toBe(true);
    expect(JSON.stringify(f)).not.toMatch(/4242|2031/);
  });

  it.each(LAYOUTS)(
    '%s: without a CVV opens with none, like a plain card sent without cvv',
    async (layout) => {
      const f = { ...fields({ layout }), cvv: undefined };
      expect(await decryption.open(ours, f)).toMatchObject({ kind: 'card', cvv: undefined });
    },
  );

  it('per-card: the CVV inside counts only when encrypted_cvv is sent; none typed, none read', async () => {
    const noCvv = fields({ card: { cvv: undefined } });
    expect(noCvv.cvv).toBeUndefined();
    expect(await decryption.open(ours, noCvv)).toMatchObject({ kind: 'card', cvv: undefined });
    // The same JWE sent as encrypted_cvv too: the card holds no CVV, so there is none.
    expect(await decryption.open(ours, { ...noCvv, cvv: noCvv.card_no })).toMatchObject({
      kind: 'card',
      cvv: undefined,
    });
  });

  it.each(LAYOUTS)(
    '%s: encrypted to the X25519 half of the same key, opens to the same card; its header names X25519',
    async (layout) => {
      const f = fields({ key: x25519PublicKeyOf(current), layout });
      const header = headerOf(f);
      expect(header.epk).toEqual({ kty: 'OKP', crv: 'X25519', x: expect.stringMatching(/^[\w-]{43}$/) });
      expect(header.kid).toBe(current.kid);
      expect(await decryption.open(ours, f)).toEqual(OPENED);
    },
  );

  it('the X25519 half is derived from the P-256 private key: the same for every process, another for another key', () => {
    const again = x25519PublicKeyOf({ ...current, jwk: { ...current.jwk } });
    expect(again).toEqual(x25519PublicKeyOf(current));
    expect(x25519PublicKeyOf(newGatewayKey(NOW)).x).not.toBe(again.x);
  });

  it.each(LAYOUTS)(
    "%s: opens under the merchant's previous client key during its grace period, not after",
    async (layout) => {
      const f = fields({ clientKey: ours.previous_client_key!, layout });
      expect(await reason(f)).toBe('card');
      expect(await reason(f, { ...ours, previous_client_key_expires_at: NOW })).toBe(
        'CARD_ENCRYPTED_FOR_ANOTHER_MERCHANT',
      );
    },
  );
});

describe.each(LAYOUTS)('refusals, %s', (layout) => {
  const made = (options: FieldOptions = {}) => fields({ ...options, layout });

  it("another merchant's client key → 5012", async () => {
    expect(await reason(made({ clientKey: FOREIGN }))).toBe('CARD_ENCRYPTED_FOR_ANOTHER_MERCHANT');
  });

  it('older than 24 h → 2005, with the card number kept for idempotency; 24 h exactly still opens', async () => {
    expect(await reason(made({ now: NOW - BLOB_LIFETIME_MS }))).toBe('card');
    const opened = await decryption.open(ours, made({ now: NOW - BLOB_LIFETIME_MS - 1 }));
    expect(opened).toEqual({
      kind: 'unreadable',
      reason: 'CARD_ENCRYPTION_EXPIRED',
      pan: '4242424242424242',
    });
  });

  it('made further ahead of the clock than the skew allows → 5013; within it → opens', async () => {
    expect(await reason(made({ now: NOW + CLOCK_SKEW_MS }))).toBe('card');
    expect(await reason(made({ now: NOW + CLOCK_SKEW_MS + 1 }))).toBe('CARD_ENCRYPTION_IN_FUTURE');
  });

  it('a kid the gateway does not hold → 5011 (retired keys: test/client-encryption/gateway-keys)', async () => {
    const other = newGatewayKey(NOW);
    expect(await reason(made({ key: publicKeyOf(other) }))).toBe('CARD_ENCRYPTION_KEY_UNKNOWN');
  });

  it('a field flipped anywhere (header, IV, ciphertext, tag), in one field or in all → 2004', async () => {
    const f = made();
    const flipped = (jwe: string, at: number) => {
      const parts = partsOf(jwe);
      const text = parts[at]!;
      // The first character always carries payload bits, so the bytes really change.
      parts[at] = (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
      return parts.join('.');
    };
    for (const at of [0, 2, 3, 4]) {
      expect(await reason({ ...f, exp_year: flipped(f.exp_year, at) }), `part ${at}`).toBe(
        'CARD_DECRYPTION_FAILED',
      );
      const everywhere = {
        card_no: flipped(f.card_no, at),
        exp_month: flipped(f.exp_month, at),
        exp_year: flipped(f.exp_year, at),
        cvv: flipped(f.cvv!, at),
      };
      expect(await reason(everywhere), `part ${at} everywhere`).toBe('CARD_DECRYPTION_FAILED');
    }
  });

  it('the same header tampered in all four fields (another epk) → 2004, not an exception', async () => {
    const otherHeader = partsOf(made().card_no)[0]!;
    const f = made();
    const swap = (jwe: string) => [otherHeader, ...partsOf(jwe).slice(1)].join('.');
    expect(
      await reason({
        card_no: swap(f.card_no),
        exp_month: swap(f.exp_month),
        exp_year: swap(f.exp_year),
        cvv: swap(f.cvv!),
      }),
    ).toBe('CARD_DECRYPTION_FAILED');
  });

  it('fields of two cards → 2004', async () => {
    const a = made();
    const b = made();
    expect(await reason({ ...a, cvv: b.cvv })).toBe('CARD_DECRYPTION_FAILED');
    expect(await reason({ ...a, exp_month: b.exp_month, exp_year: b.exp_year })).toBe(
      'CARD_DECRYPTION_FAILED',
    );
  });

  it('truncated, empty, the plugin’s RSA-OAEP placeholders, a non-canonical encoding → 2004', async () => {
    const f = made();
    expect(await reason({ ...f, card_no: f.card_no.slice(0, -5) })).toBe('CARD_DECRYPTION_FAILED');
    expect(await reason({ ...f, card_no: f.card_no.slice(0, f.card_no.lastIndexOf('.')) })).toBe(
      'CARD_DECRYPTION_FAILED',
    );
    expect(await reason({ ...f, card_no: '' })).toBe('CARD_DECRYPTION_FAILED');
    const all = (text: string) => ({ card_no: text, exp_month: text, exp_year: text, cvv: text });
    expect(await reason(all(''))).toBe('CARD_DECRYPTION_FAILED');
    expect(await reason(all(f.card_no.slice(0, -5)))).toBe('CARD_DECRYPTION_FAILED');
    expect(
      await reason({
        card_no: 'eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-card',
        exp_year: 'eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-year',
        exp_month: 'eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-month',
        cvv: 'eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-cvv',
      }),
    ).toBe('CARD_DECRYPTION_FAILED');
    // A tag whose last character differs only in bits base64url drops decodes to the same
    // bytes: refused all the same, so no field has two spellings.
    const parts = partsOf(f.cvv!);
    const tag = parts[4]!;
    const last = tag.at(-1)!;
    const sibling = 'AQgw'.includes(last) ? String.fromCharCode(last.charCodeAt(0) + 1) : last;
    expect(Buffer.from(tag.slice(0, -1) + sibling, 'base64url')).toEqual(Buffer.from(tag, 'base64url'));
    if (sibling !== last) {
      parts[4] = tag.slice(0, -1) + sibling;
      expect(await reason({ ...f, cvv: parts.join('.') })).toBe('CARD_DECRYPTION_FAILED');
      expect(await reason(all(parts.join('.')))).toBe('CARD_DECRYPTION_FAILED');
    }
  });

  it('an ephemeral key that is not a point of P-256 (an invalid-curve attack) → 2004', async () => {
    const f = made();
    const header = headerOf(f);
    header.epk.y = Buffer.alloc(32, 7).toString('base64url');
    expect(await reason(withHeader(f, header))).toBe('CARD_DECRYPTION_FAILED');
  });

  it('an X25519 ephemeral key of low order (all-zero secret) or a P-256 header cut to X25519 → 2004', async () => {
    const f = made({ key: x25519PublicKeyOf(current) });
    const header = headerOf(f);
    const lowOrder = [
      Buffer.alloc(32),
      Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]),
      // A point of order 8 (on the list RFC 7748 §7 implementations refuse).
      Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex'),
    ];
    const p256 = headerOf(made());
    const headers = [
      ...lowOrder.map((x) => ({ ...header, epk: { ...header.epk, x: x.toString('base64url') } })),
      { ...header, epk: { kty: 'OKP', crv: 'X25519', x: p256.epk.x } },
      { ...header, epk: { ...header.epk, y: p256.epk.y } },
      { ...header, epk: { ...header.epk, crv: 'X448' } },
    ];
    for (const bad of headers) expect(await reason(withHeader(f, bad))).toBe('CARD_DECRYPTION_FAILED');
  });

  it('a decrypted value that is no card value is refused like the plain field (010000), naming the field only', async () => {
    const cases: [Partial<typeof CARD>, RegExp][] = [
      [{ number: '4242x4242' }, /payment\.encrypted_card_no must hold only digits/],
      [{ expiryMonth: 'July' }, /payment\.encrypted_exp_month must hold a month/],
      [{ expiryYear: '20311' }, /payment\.encrypted_exp_year must hold a year/],
      [{ cvv: '12a' }, /payment\.encrypted_cvv must hold at most 4 digits/],
    ];
    for (const [change, message] of cases) {
      const error = await decryption.open(ours, made({ card: change })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).entry.code).toBe('010000');
      expect((error as ApiError).message).toMatch(message);
      expect((error as ApiError).message).not.toContain(Object.values(change)[0]);
    }
  });
});

describe('the two layouts are not mixed', () => {
  it('a field in another field’s place (per-field) → 2004', async () => {
    const a = fields({ layout: 'per-field' });
    expect(await reason({ ...a, exp_month: a.exp_year, exp_year: a.exp_month })).toBe(
      'CARD_DECRYPTION_FAILED',
    );
  });

  it('one per-field JWE given as every field → 2004: it holds one value, not the card', async () => {
    const { card_no } = fields({ layout: 'per-field' });
    expect(await reason({ card_no, exp_month: card_no, exp_year: card_no, cvv: card_no })).toBe(
      'CARD_DECRYPTION_FAILED',
    );
  });

  it('a per-card JWE among per-field ones, or in some fields only → 2004', async () => {
    const whole = fields();
    const each = fields({ layout: 'per-field' });
    expect(await reason({ ...each, card_no: whole.card_no })).toBe('CARD_DECRYPTION_FAILED');
    expect(await reason({ ...whole, cvv: each.cvv })).toBe('CARD_DECRYPTION_FAILED');
    // Even when the per-field JWEs share the per-card JWE's header (the same card's key).
    const header = partsOf(whole.card_no)[0]!;
    const rehead = (jwe: string) => [header, ...partsOf(jwe).slice(1)].join('.');
    expect(await reason({ ...whole, exp_year: rehead(each.exp_year) })).toBe('CARD_DECRYPTION_FAILED');
  });
});

describe.each(LAYOUTS)('malformed input, fuzzed, %s', (layout) => {
  const CODES = new Set(['CARD_DECRYPTION_FAILED', 'CARD_ENCRYPTION_KEY_UNKNOWN']);
  const valid = fields({ layout });

  it('arbitrary strings in any field end in 2004 or 5011, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('card_no', 'exp_month', 'exp_year', 'cvv'),
        fc.oneof(
          fc.string({ maxLength: 600 }),
          fc.base64String({ maxLength: 600 }),
          fc.string({ unit: 'binary' }),
        ),
        async (field, text) => {
          const opened = await decryption.open(ours, { ...valid, [field]: text });
          expect(opened.kind).toBe('unreadable');
          expect(CODES).toContain((opened as { reason: string }).reason);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a valid field with characters replaced, removed or inserted, in one field or all, never opens and never throws', async () => {
    const alphabet = fc.constantFrom(...'ABCabc019-_.={}"'.split(''));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('card_no', 'exp_month', 'exp_year', 'cvv', 'all'),
        fc.nat(),
        fc.constantFrom('replace', 'remove', 'insert'),
        alphabet,
        async (field, at, how, char) => {
          const mutate = (text: string) => {
            const i = at % text.length;
            return how === 'replace'
              ? text.slice(0, i) + char + text.slice(i + 1)
              : how === 'remove'
                ? text.slice(0, i) + text.slice(i + 1)
                : text.slice(0, i) + char + text.slice(i);
          };
          const input =
            field === 'all'
              ? {
                  card_no: mutate(valid.card_no),
                  exp_month: mutate(valid.exp_month),
                  exp_year: mutate(valid.exp_year),
                  cvv: mutate(valid.cvv!),
                }
              : { ...valid, [field]: mutate(valid[field as keyof typeof valid]!) };
          fc.pre(
            input.card_no !== valid.card_no ||
              input.exp_year !== valid.exp_year ||
              input.exp_month !== valid.exp_month ||
              input.cvv !== valid.cvv,
          );
          const opened = await decryption.open(ours, input);
          expect(opened.kind).toBe('unreadable');
          expect(CODES).toContain((opened as { reason: string }).reason);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a header of arbitrary JSON shared by all four fields ends in 2004 or 5011', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (json) => {
        const header = Buffer.from(JSON.stringify(json)).toString('base64url');
        const swap = (jwe: string) => [header, ...partsOf(jwe).slice(1)].join('.');
        const opened = await decryption.open(ours, {
          card_no: swap(valid.card_no),
          exp_month: swap(valid.exp_month),
          exp_year: swap(valid.exp_year),
          cvv: swap(valid.cvv!),
        });
        expect(opened.kind).toBe('unreadable');
      }),
      { numRuns: 200 },
    );
  });
});

describe('Concat KDF', () => {
  it('derives the key of RFC 7518 Appendix C (ECDH-ES, A128GCM, apu "Alice", apv "Bob")', async () => {
    const { createPrivateKey, createPublicKey, diffieHellman } = await import('node:crypto');
    const alice = createPrivateKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: 'gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0',
        y: 'SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps',
        d: '0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo',
      },
      format: 'jwk',
    });
    const bob = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: 'weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ',
        y: 'e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck',
      },
      format: 'jwk',
    });
    const z = diffieHellman({ privateKey: alice, publicKey: bob });
    expect(concatKdf(z, 'A128GCM', 128, Buffer.from('Alice'), Buffer.from('Bob')).toString('base64url')).toBe(
      'VqqN6vgjbSBcIijNcacQGg',
    );
  });

  it('for A256GCM with empty party info is one SHA-256 round over counter, Z and OtherInfo', () => {
    const z = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }).d!;
    const secret = Buffer.from(z, 'base64url');
    const otherInfo = Buffer.concat([
      Buffer.from([0, 0, 0, 7]),
      Buffer.from('A256GCM'),
      Buffer.alloc(8),
      Buffer.from([0, 0, 1, 0]),
    ]);
    const expected = createHash('sha256')
      .update(Buffer.from([0, 0, 0, 1]))
      .update(secret)
      .update(otherInfo)
      .digest();
    expect(concatKdf(secret, 'A256GCM', 256)).toEqual(expected);
  });
});
