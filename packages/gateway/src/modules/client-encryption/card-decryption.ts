/**
 * Opens the encrypted card fields of a payment (the scheme is the SDK's card-encryption.ts).
 * Fields that all hold the same string are the per-card layout: one JWE holding the whole
 * card, opened once. Fields that differ are the per-field layout: one key agreement for the
 * four, then each field's payload must name that field. Either way the payload must carry one
 * client key that is this merchant's and a generation time neither older than a blob's
 * lifetime nor ahead of the clock. The plain card exists only in the returned object, in
 * memory, and goes down the plain card's path from there; nothing here logs or keeps it.
 *
 * A field that cannot be read is a business outcome (the order fails with a specific code,
 * never an exception); a field that decrypts to something that is not a card value is refused
 * like the same plain field would be (010000), naming the field, never its value.
 */
import { createPublicKey, diffieHellman } from 'node:crypto';
import {
  type CardFieldHeader,
  type CardFieldName,
  contentKey,
  decryptJwe,
  type ParsedJwe,
  parseCompactJwe,
  readCardFieldPayload,
  readCardPayload,
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

/** What a card's fields hold once decrypted, in either layout, before it is judged. */
interface DecryptedCard {
  values: { card_no: string; exp_month: string; exp_year: string; cvv: string | undefined };
  clientKey: string;
  /** The earliest and latest generation times among its JWEs (one JWE: the same). */
  oldest: number;
  newest: number;
}

type Unreadable = Extract<OpenedCard, { kind: 'unreadable' }>;

const refused = (reason: BusinessCodeName, pan?: string): Unreadable => ({ kind: 'unreadable', reason, pan });

export class CardDecryption {
  constructor(
    private readonly keys: DecryptingKeys,
    private readonly clock: Clock,
  ) {}

  async open(merchant: ClientKeys, fields: EncryptedCardFields): Promise<OpenedCard> {
    const { card_no, cvv } = fields;
    const oneJwe =
      fields.exp_month === card_no && fields.exp_year === card_no && (cvv === undefined || cvv === card_no);
    const decrypted = oneJwe ? await this.openPerCard(fields) : await this.openPerField(fields);
    return 'kind' in decrypted ? decrypted : this.judge(merchant, decrypted);
  }

  /** The per-card layout: one JWE; its CVV counts only when `encrypted_cvv` was sent, as in the other layout. */
  private async openPerCard(fields: EncryptedCardFields): Promise<DecryptedCard | Unreadable> {
    const jwe = parseCompactJwe(fields.card_no);
    if (!jwe) return refused('CARD_DECRYPTION_FAILED');
    const cek = await this.contentKeyOf(jwe);
    if (!Buffer.isBuffer(cek)) return cek;
    const plaintext = decryptJwe(cek, jwe);
    const card = plaintext && readCardPayload(plaintext);
    if (!card) return refused('CARD_DECRYPTION_FAILED');
    const { card_no, exp_month, exp_year, generated_at } = card;
    return {
      values: { card_no, exp_month, exp_year, cvv: fields.cvv === undefined ? undefined : card.cvv },
      clientKey: card.client_key,
      oldest: generated_at,
      newest: generated_at,
    };
  }

  /** The per-field layout: a JWE per field, one header (one ephemeral key) for all. */
  private async openPerField(fields: EncryptedCardFields): Promise<DecryptedCard | Unreadable> {
    const first = parseCompactJwe(fields.card_no);
    if (!first) return refused('CARD_DECRYPTION_FAILED');
    const jwes: [CardFieldName, ParsedJwe][] = [['card_no', first]];
    for (const field of ['exp_month', 'exp_year', 'cvv'] as const) {
      const text = fields[field];
      if (text === undefined) continue;
      const jwe = parseCompactJwe(text, first);
      // One card, one ephemeral key: a field made for another card cannot be slipped in.
      if (!jwe || jwe.protectedB64 !== first.protectedB64) return refused('CARD_DECRYPTION_FAILED');
      jwes.push([field, jwe]);
    }
    const cek = await this.contentKeyOf(first);
    if (!Buffer.isBuffer(cek)) return cek;

    const values: DecryptedCard['values'] = { card_no: '', exp_month: '', exp_year: '', cvv: undefined };
    let clientKey: string | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    let newest = Number.NEGATIVE_INFINITY;
    for (const [field, jwe] of jwes) {
      const plaintext = decryptJwe(cek, jwe);
      const payload = plaintext && readCardFieldPayload(plaintext);
      // A field moved to another field's place decrypts, but says which field it is.
      if (!payload || payload.field !== field) return refused('CARD_DECRYPTION_FAILED');
      if (clientKey !== undefined && payload.client_key !== clientKey)
        return refused('CARD_DECRYPTION_FAILED');
      clientKey = payload.client_key;
      values[field] = payload.value;
      oldest = Math.min(oldest, payload.generated_at);
      newest = Math.max(newest, payload.generated_at);
    }
    return { values, clientKey: clientKey!, oldest, newest };
  }

  /** The content key of a card's JWEs, or why there is none. */
  private async contentKeyOf(jwe: ParsedJwe): Promise<Buffer | Unreadable> {
    const key = await this.keys.forKid(jwe.header.kid);
    if (!key) return refused('CARD_ENCRYPTION_KEY_UNKNOWN');
    const sharedSecret = agree(key, jwe.header.epk);
    return sharedSecret ? contentKey(sharedSecret) : refused('CARD_DECRYPTION_FAILED');
  }

  /** Whose, and how old: then the values as the plain card's fields would be read. */
  private judge(merchant: ClientKeys, card: DecryptedCard): OpenedCard {
    const now = this.clock.now();
    if (!holdsClientKey(merchant, card.clientKey, now)) return refused('CARD_ENCRYPTED_FOR_ANOTHER_MERCHANT');
    if (card.newest > now + CLOCK_SKEW_MS) return refused('CARD_ENCRYPTION_IN_FUTURE');
    const { card_no: number, exp_month, exp_year, cvv } = card.values;
    if (now - card.oldest > BLOB_LIFETIME_MS) {
      return refused('CARD_ENCRYPTION_EXPIRED', isCardNumber(number) ? digitsOf(number) : undefined);
    }
    return {
      kind: 'card',
      pan: cardNumber(number),
      expMonth: integer(exp_month, MONTH, 'encrypted_exp_month', 'a month of at most 2 digits'),
      expYear: integer(exp_year, YEAR, 'encrypted_exp_year', 'a year of at most 4 digits'),
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

const MONTH = /^\d{1,2}$/;
const YEAR = /^\d{1,4}$/;

/** As the plain `exp_month` (0–99) and `exp_year` (0–9999) digit strings. */
function integer(value: string, digits: RegExp, name: string, what: string): number {
  if (!digits.test(value)) throw new ApiError('INVALID_REQUEST', `payment.${name} must hold ${what}`);
  return Number(value);
}

function cvvOf(value: string): string {
  if (!/^\d{1,4}$/.test(value)) {
    throw new ApiError('INVALID_REQUEST', 'payment.encrypted_cvv must hold at most 4 digits');
  }
  return value;
}
