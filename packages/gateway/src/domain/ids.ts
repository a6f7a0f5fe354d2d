/**
 * Identifier shapes: prefixed decimal ids for orders, refunds, tokens, agreements and sessions,
 * plus merchant, notification and key ids. Random digits come from the CSPRNG via `randomInt`,
 * which is unbiased. Order ids start with the time they were made (see newOrderId); every
 * other id is random throughout, so it cannot be guessed from another.
 */
import { randomBytes, randomInt } from 'node:crypto';

export type IdPrefix = 'RG' | 'TK' | 'RA' | 'CS';

const TEN_DIGITS = 10_000_000_000;

// randomInt's range is capped below 2^48, so 20 digits are drawn as two 10-digit halves.
function randomDigits20(): string {
  return (
    String(randomInt(0, TEN_DIGITS)).padStart(10, '0') + String(randomInt(0, TEN_DIGITS)).padStart(10, '0')
  );
}

/** `RG…`, `TK…`, `RA…`, `CS…`: prefix + 20 random decimal digits. */
export function newId(prefix: IdPrefix): string {
  return prefix + randomDigits20();
}

const TICK_MS = 10;
const EIGHT_DIGITS = 100_000_000;

/** The order ids drawn in the current tick, so this process never draws one twice. */
const drawn = { tick: -1, ids: new Set<string>() };

/**
 * `GW` + 20 digits: the creation time in 10 ms ticks since 1970 (12 digits, enough until the
 * year 2286), then 8 random digits. Orders made together sort together, so every index keyed
 * by order id (orders, their events, notifications, refunds) takes new rows on its last pages
 * instead of one random page each: a batch of payments then writes a few pages, not one per
 * index per payment. This process never repeats an id; another process sharing the store can,
 * about once in 10^8 ids made in the same tick, and the insert then finds it taken and the
 * payment draws again (PaymentService).
 */
export function newOrderId(now: number = Date.now()): string {
  const tick = Math.floor(now / TICK_MS);
  if (tick !== drawn.tick) {
    drawn.tick = tick;
    drawn.ids.clear();
  }
  const head = 'GW' + String(tick).padStart(12, '0');
  for (;;) {
    const id = head + String(randomInt(0, EIGHT_DIGITS)).padStart(8, '0');
    if (!drawn.ids.has(id)) {
      drawn.ids.add(id);
      return id;
    }
  }
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

/**
 * A value a header can carry plainly and echo safely: 1 to 64 visible ASCII characters, no
 * spaces (v3 app ids and nonces; PayKKa's are 14 and 16 digits).
 */
export const HEADER_TOKEN = /^[\x21-\x7e]{1,64}$/;
