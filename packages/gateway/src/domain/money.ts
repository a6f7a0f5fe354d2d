/**
 * Money: amounts are integers in a currency's minor unit. This module owns the ISO 4217
 * exponent table, parsing of wire amounts (number or numeric string) and display formatting.
 */

export interface CurrencyInfo {
  code: string;
  exponent: number;
}

// Active ISO 4217 codes grouped by minor-unit exponent. Fund codes (CHE, BOV, …) are listed
// because ISO lists them; precious metals and other codes without a minor unit are not.
const BY_EXPONENT: Readonly<Record<number, string>> = {
  0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  2: [
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN',
    'BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP',
    'GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP',
    'LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR',
    'NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN',
    'SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR',
    'ZMW ZWG',
  ].join(' '),
  3: 'BHD IQD JOD KWD LYD OMR TND',
  4: 'CLF UYW',
};

const CURRENCIES: ReadonlyMap<string, CurrencyInfo> = new Map(
  Object.entries(BY_EXPONENT).flatMap(([exponent, codes]) =>
    codes.split(' ').map((code): [string, CurrencyInfo] => [code, { code, exponent: Number(exponent) }]),
  ),
);

/** Every known currency, for listings and tests. */
export function allCurrencies(): CurrencyInfo[] {
  return [...CURRENCIES.values()];
}

/** Exact upper-case ISO code only: the wire uses upper case, so "usd" is unknown. */
export function findCurrency(code: string): CurrencyInfo | undefined {
  return CURRENCIES.get(code);
}

export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

export type AmountParse = { ok: true; value: number } | { ok: false; reason: string };

const NOT_POSITIVE = 'must be a positive integer in minor units';
const TOO_LARGE = `must not exceed ${MAX_AMOUNT}`;

/** Reads a wire amount: a JS integer or a string of ASCII digits, 1 … 2^53−1. */
export function parseMinorAmount(value: unknown): AmountParse {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value <= 0) return { ok: false, reason: NOT_POSITIVE };
    if (value > MAX_AMOUNT) return { ok: false, reason: TOO_LARGE };
    return { ok: true, value };
  }
  if (typeof value === 'string') {
    if (!/^[0-9]+$/.test(value)) return { ok: false, reason: NOT_POSITIVE };
    // BigInt keeps the comparison exact for digit strings longer than a double can hold.
    const big = BigInt(value);
    if (big === 0n) return { ok: false, reason: NOT_POSITIVE };
    if (big > BigInt(MAX_AMOUNT)) return { ok: false, reason: TOO_LARGE };
    return { ok: true, value: Number(big) };
  }
  return { ok: false, reason: NOT_POSITIVE };
}

/** Minor units to a major-unit decimal string: 1050 USD → "10.50", 500 JPY → "500". */
export function formatMajor(amount: number, currency: CurrencyInfo): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be a safe integer: ${amount}`);
  const digits = String(Math.abs(amount));
  const sign = amount < 0 ? '-' : '';
  const exp = currency.exponent;
  if (exp === 0) return sign + digits;
  const padded = digits.padStart(exp + 1, '0');
  return sign + padded.slice(0, -exp) + '.' + padded.slice(-exp);
}
