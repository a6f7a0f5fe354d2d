/**
 * Identifier shapes: prefixed random decimal ids for orders, refunds, tokens, agreements and
 * sessions, plus merchant, notification and key ids. Every digit comes from the CSPRNG via
 * `randomInt`, which is unbiased, so ids cannot be guessed from one another.
 */
import { randomBytes, randomInt } from 'node:crypto';

export type IdPrefix = 'GW' | 'RG' | 'TK' | 'RA' | 'CS';

const TEN_DIGITS = 10_000_000_000;

// randomInt's range is capped below 2^48, so 20 digits are drawn as two 10-digit halves.
function randomDigits20(): string {
  return (
    String(randomInt(0, TEN_DIGITS)).padStart(10, '0') + String(randomInt(0, TEN_DIGITS)).padStart(10, '0')
  );
}

/** `GW…`, `RG…`, `TK…`, `RA…`, `CS…`: prefix + 20 decimal digits. */
export function newId(prefix: IdPrefix): string {
  return prefix + randomDigits20();
}

/** 14 decimal digits, the first non-zero, like PayKKa's "18356675194960". */
export function newMerchantId(): string {
  return String(randomInt(10_000_000_000_000, 100_000_000_000_000));
}

/** `NT` + 20 decimal digits. */
export function newNotifyId(): string {
  return 'NT' + randomDigits20();
}

/** `key_` + 16 lower-case hex characters. */
export function newKeyId(): string {
  return 'key_' + randomBytes(8).toString('hex');
}
