/**
 * Opens the encrypted card fields of a payment (the scheme is the SDK's card-encryption.ts):
 * one key agreement for the four fields, then each field's payload is checked: the right
 * field, one client key that is this merchant's, a generation time neither older than a
 * blob's lifetime nor ahead of the clock. The plain card exists only in the returned object,
 * in memory, and goes down the plain card's path from there; nothing here logs or keeps it.
 *
 * A field that cannot be read is a business outcome (the order fails with a specific code,
 * never an exception); a field that decrypts to something that is not a card value is refused
 * like the same plain field would be (010000), naming the field, never its value.
 */
import { createPublicKey, diffieHellman } from 'node:crypto';
import {
  type CardFieldHeader,
  type CardFieldName,
  type CardFieldPayload,
  contentKey,
  decryptJwe,
  type ParsedJwe,
  parseCompactJwe,
  readCardFieldPayload,
} from '@openkka/sdk/card-encryption';
import type { EncryptedCardFields, OpenedCard } from '../../core/orders/payment-source.ts';
import { type ClientKeys, holdsClientKey } from '../../domain/client-key.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError, type BusinessCodeName } from '../../domain/errors.ts';
import { BLOB_LIFETIME_MS, CLOCK_SKEW_MS } from '../../vault/card-encryption-keys.ts';
import type { DecryptingKey } from './gateway-keys.ts';

/** Where the private half of a header's `kid` comes from (GatewayKeys; a fixed set in unit tests). */
export interface DecryptingKeys {
  forKid(kid: string): Promise<DecryptingKey | undefined>;
}

const refused = (reason: BusinessCodeName, pan?: string): OpenedCard => ({ kind: 'unreadable', reason, pan });

export class CardDecryption {
  constructor(
    private readonly keys: DecryptingKeys,
    private readonly clock: Clock,
  ) {}

  async open(merchant: ClientKeys, fields: EncryptedCardFields): Promise<OpenedCard> {
    const named: [CardFieldName, string][] = [
      ['card_no', fields.card_no],
      ['exp_month', fields.exp_month],
      ['exp_year', fields.exp_year],
    ];
    if (fields.cvv !== undefined) named.push(['cvv', fields.cvv]);
    const first = parseCompactJwe(named[0]![1]);
    if (!first) return refused('CARD_DECRYPTION_FAILED');
    const parsed = named.map(([field, text], i) => ({
      field,
      jwe: i === 0 ? first : parseCompactJwe(text, first),
    }));
    if (parsed.some((p) => p.jwe === null)) return refused('CARD_DECRYPTION_FAILED');
    const jwes = parsed as { field: CardFieldName; jwe: ParsedJwe }[];
    // One card, one ephemeral key: a field made for another card cannot be slipped in.
    const header = jwes[0]!.jwe;
    if (jwes.some((p) => p.jwe.protectedB64 !== header.protectedB64))
      return refused('CARD_DECRYPTION_FAILED');

    const key = await this.keys.forKid(header.header.kid);
    if (!key) return refused('CARD_ENCRYPTION_KEY_UNKNOWN');
    const sharedSecret = agree(key, header.header.epk);
    if (!sharedSecret) return refused('CARD_DECRYPTION_FAILED');
    const cek = contentKey(sharedSecret);

    const payloads = new Map<CardFieldName, CardFieldPayload>();
    for (const { field, jwe } of jwes) {
      const plaintext = decryptJwe(cek, jwe);
      const payload = plaintext && readCardFieldPayload(plaintext);
      // A field moved to another field's place decrypts, but says which field it is.
      if (!payload || payload.field !== field) return refused('CARD_DECRYPTION_FAILED');
      payloads.set(field, payload);
    }
    const all = [...payloads.values()];
    const clientKey = all[0]!.client_key;
    if (all.some((p) => p.client_key !== clientKey)) return refused('CARD_DECRYPTION_FAILED');
    const now = this.clock.now();
    if (!holdsClientKey(merchant, clientKey, now)) return refused('CARD_ENCRYPTED_FOR_ANOTHER_MERCHANT');
    if (all.some((p) => p.generated_at > now + CLOCK_SKEW_MS)) return refused('CARD_ENCRYPTION_IN_FUTURE');

    const number = payloads.get('card_no')!.value;
    if (all.some((p) => now - p.generated_at > BLOB_LIFETIME_MS)) {
      return refused('CARD_ENCRYPTION_EXPIRED', isCardNumber(number) ? digitsOf(number) : undefined);
    }
    const pan = cardNumber(number);
    const cvv = payloads.get('cvv')?.value;
    return {
      kind: 'card',
      pan,
      expMonth: integer(payloads.get('exp_month')!.value, 2, 'encrypted_exp_month', 'a month'),
      expYear: integer(payloads.get('exp_year')!.value, 4, 'encrypted_exp_year', 'a year'),
      cvv: cvv === undefined || cvv === '' ? undefined : cvvOf(cvv),
    };
  }
}

/**
 * The shared secret with the sender's ephemeral key, on its curve; null when there is none.
 * P-256 refuses a point off the curve (an invalid-curve attack needs one); X25519 refuses the
 * low-order points whose secret is all zeros (OpenSSL checks, RFC 7748 §6.1).
 */
function agree(key: DecryptingKey, epk: CardFieldHeader['epk']): Buffer | null {
  try {
    if (epk.kty === 'OKP') {
      const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epk.x }, format: 'jwk' });
      return diffieHellman({ privateKey: key.x25519, publicKey });
    }
    return key.ecdh.computeSecret(
      Buffer.concat([Buffer.from([4]), Buffer.from(epk.x, 'base64url'), Buffer.from(epk.y, 'base64url')]),
    );
  } catch {
    return null;
  }
}

/** The same rules as the plain `card_no`: digits, optionally grouped by spaces or dashes, at most 23 characters. */
function cardNumber(value: string): string {
  if (!isCardNumber(value)) {
    throw new ApiError(
      'INVALID_REQUEST',
      'payment.encrypted_card_no must hold only digits, spaces and dashes',
    );
  }
  return digitsOf(value);
}

const isCardNumber = (value: string) => value.length <= 23 && /^[\d -]+$/.test(value);
const digitsOf = (value: string) => value.replace(/[ -]/g, '');

/** As the plain `exp_month` (0–99) and `exp_year` (0–9999) digit strings. */
function integer(value: string, digits: number, name: string, what: string): number {
  if (!new RegExp(`^\\d{1,${digits}}$`).test(value)) {
    throw new ApiError('INVALID_REQUEST', `payment.${name} must hold ${what} of at most ${digits} digits`);
  }
  return Number(value);
}

function cvvOf(value: string): string {
  if (!/^\d{1,4}$/.test(value)) {
    throw new ApiError('INVALID_REQUEST', 'payment.encrypted_cvv must hold at most 4 digits');
  }
  return value;
}
