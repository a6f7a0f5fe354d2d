/**
 * Card rules that need no network: PAN normalisation, Luhn, brand from the BIN, length by
 * brand, expiry and CVV shape, and the only views of a PAN that may leave the card vault
 * (bin + last4, masked form).
 */

export type CardBrand =
  | 'VISA'
  | 'MASTERCARD'
  | 'AMEX'
  | 'DISCOVER'
  | 'JCB'
  | 'DINERS'
  | 'UNIONPAY'
  | 'EFTPOS';

// Checked in order, so narrower ranges come before the wider ones they sit inside
// (Discover's 622126–622925 before UnionPay's 62). `digits` is how many leading digits to compare.
export const BIN_RANGES: ReadonlyArray<{ brand: CardBrand; digits: number; from: number; to: number }> = [
  { brand: 'DISCOVER', digits: 6, from: 622126, to: 622925 },
  { brand: 'DISCOVER', digits: 4, from: 6011, to: 6011 },
  { brand: 'DISCOVER', digits: 3, from: 644, to: 649 },
  { brand: 'DISCOVER', digits: 2, from: 65, to: 65 },
  { brand: 'JCB', digits: 4, from: 3528, to: 3589 },
  { brand: 'DINERS', digits: 4, from: 3095, to: 3095 },
  { brand: 'DINERS', digits: 3, from: 300, to: 305 },
  { brand: 'DINERS', digits: 2, from: 36, to: 36 },
  { brand: 'DINERS', digits: 2, from: 38, to: 39 },
  { brand: 'AMEX', digits: 2, from: 34, to: 34 },
  { brand: 'AMEX', digits: 2, from: 37, to: 37 },
  { brand: 'MASTERCARD', digits: 4, from: 2221, to: 2720 },
  { brand: 'MASTERCARD', digits: 2, from: 51, to: 55 },
  { brand: 'UNIONPAY', digits: 2, from: 62, to: 62 },
  { brand: 'UNIONPAY', digits: 2, from: 81, to: 81 },
  { brand: 'VISA', digits: 1, from: 4, to: 4 },
  // eftpos-only cards of the simulated card network: ranges of openkka's choosing, outside every
  // other brand's. Real eftpos cards are mostly co-badged and carry a Visa or Mastercard BIN.
  { brand: 'EFTPOS', digits: 4, from: 5020, to: 5020 },
  { brand: 'EFTPOS', digits: 4, from: 6100, to: 6100 },
];

export const LENGTHS: Readonly<Record<CardBrand, readonly number[]>> = {
  VISA: [13, 16, 19],
  MASTERCARD: [16],
  AMEX: [15],
  DISCOVER: [16, 17, 18, 19],
  JCB: [16, 17, 18, 19],
  DINERS: [14, 15, 16, 17, 18, 19],
  UNIONPAY: [16, 17, 18, 19],
  EFTPOS: [16, 17, 18, 19],
};

/** Every brand the card checks know. */
export const ALL_BRANDS: ReadonlySet<CardBrand> = new Set(Object.keys(LENGTHS) as CardBrand[]);

/** Luhn (mod 10) check of a digits-only string; anything else is false. */
export function luhnValid(pan: string): boolean {
  if (!/^[0-9]+$/.test(pan)) return false;
  let sum = 0;
  let double = false;
  for (let i = pan.length - 1; i >= 0; i--) {
    let d = pan.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function detectBrand(pan: string): CardBrand | undefined {
  if (!/^[0-9]+$/.test(pan)) return undefined;
  for (const range of BIN_RANGES) {
    if (pan.length < range.digits) continue;
    const prefix = Number(pan.slice(0, range.digits));
    if (prefix >= range.from && prefix <= range.to) return range.brand;
  }
  return undefined;
}

export function allowedLengths(brand: CardBrand): readonly number[] {
  return LENGTHS[brand];
}

/** Strips spaces and dashes; undefined unless 12–19 ASCII digits remain. */
export function normalisePan(input: string): string | undefined {
  const pan = input.replace(/[ -]/g, '');
  return /^[0-9]{12,19}$/.test(pan) ? pan : undefined;
}

export type CardCheck =
  | { ok: true; brand: CardBrand }
  | { ok: false; reason: 'INVALID_CARD' | 'CARD_NOT_SUPPORTED'; detail: string };

export interface CardInput {
  pan: string;
  expMonth: number;
  expYear: number;
  cvv?: string | undefined;
}

const invalid = (detail: string): CardCheck => ({ ok: false, reason: 'INVALID_CARD', detail });

/** Four-digit year; two-digit years (0–99) mean 2000+. Undefined when not a plausible year. */
function fullYear(expYear: number): number | undefined {
  if (!Number.isInteger(expYear)) return undefined;
  if (expYear >= 0 && expYear <= 99) return 2000 + expYear;
  if (expYear >= 1000 && expYear <= 9999) return expYear;
  return undefined;
}

/**
 * Checks a card as entered, in the order docs/api.md names; `nowMs` is the caller's clock and
 * `brands` the brands the payment method takes (a brand it does not take is not supported).
 */
export function validateCard(
  input: CardInput,
  nowMs: number,
  brands: ReadonlySet<CardBrand> = ALL_BRANDS,
): CardCheck {
  const pan = normalisePan(input.pan);
  if (pan === undefined) return invalid('card number must be 12 to 19 digits');
  if (!luhnValid(pan)) return invalid('card number fails the Luhn check');
  const brand = detectBrand(pan);
  if (brand === undefined) {
    return { ok: false, reason: 'CARD_NOT_SUPPORTED', detail: 'card brand is not supported' };
  }
  if (!brands.has(brand)) {
    return {
      ok: false,
      reason: 'CARD_NOT_SUPPORTED',
      detail: `${brand} is not taken by this payment method`,
    };
  }
  if (!LENGTHS[brand].includes(pan.length)) return invalid(`card number length is not valid for ${brand}`);
  const month = input.expMonth;
  if (!Number.isInteger(month) || month < 1 || month > 12) return invalid('expiry month must be 01 to 12');
  const year = fullYear(input.expYear);
  if (year === undefined) return invalid('expiry year is not valid');
  // Valid through the last day of the expiry month (UTC): expired from the 1st of the next.
  // `month` is 1-based, so as a 0-based month index it already names the following month.
  if (nowMs >= Date.UTC(year, month, 1)) return invalid('card expired');
  if (input.cvv !== undefined) {
    const amex = brand === 'AMEX';
    const shape = amex ? /^[0-9]{4}$/ : /^[0-9]{3}$/;
    if (!shape.test(input.cvv)) return invalid(amex ? 'cvv must be 4 digits' : 'cvv must be 3 digits');
  }
  return { ok: true, brand };
}

const digitsOnly = (pan: string): string => pan.replace(/[ -]/g, '');

/** The parts of a PAN a response may carry. */
export function cardInfo(
  pan: string,
  brand: CardBrand,
): { bin: string; last4: string; card_brand: CardBrand } {
  const digits = digitsOnly(pan);
  return { bin: digits.slice(0, 6), last4: digits.slice(-4), card_brand: brand };
}

/** First 6 and last 4 digits visible, the rest starred: "424242******4242". */
export function maskPan(pan: string): string {
  const digits = digitsOnly(pan);
  // Too short to show 6 + 4 and still hide something: show only the last 4.
  if (digits.length <= 10) return '*'.repeat(Math.max(0, digits.length - 4)) + digits.slice(-4);
  return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
}
