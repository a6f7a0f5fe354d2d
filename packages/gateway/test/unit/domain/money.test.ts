// Currency table, wire amount parsing and major-unit formatting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allCurrencies,
  findCurrency,
  formatMajor,
  MAX_AMOUNT,
  parseMinorAmount,
} from '../../../src/domain/money.ts';

const currency = (code: string) => {
  const found = findCurrency(code);
  if (!found) throw new Error(`missing currency ${code}`);
  return found;
};

describe('currency table', () => {
  it('holds at least 150 unique, well-formed codes', () => {
    const all = allCurrencies();
    expect(all.length).toBeGreaterThanOrEqual(150);
    expect(new Set(all.map((c) => c.code)).size).toBe(all.length);
    for (const c of all) {
      expect(c.code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(c.exponent);
    }
  });

  it('has the currencies docs/api.md enables, and common ones, at exponent 2', () => {
    const common =
      'CNY USD RUB EUR GBP HKD AUD CAD INR SGD CHF NZD SEK NOK DKK PLN CZK HUF MXN BRL ZAR TRY THB MYR IDR PHP TWD AED SAR ILS EGP NGN KES';
    for (const code of common.split(' ')) expect(findCurrency(code)).toEqual({ code, exponent: 2 });
  });

  it.each('BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' '))(
    '%s has no minor unit',
    (code) => expect(currency(code).exponent).toBe(0),
  );

  it.each('BHD IQD JOD KWD LYD OMR TND'.split(' '))('%s has three decimals', (code) =>
    expect(currency(code).exponent).toBe(3),
  );

  it.each(['CLF', 'UYW'])('%s has four decimals', (code) => expect(currency(code).exponent).toBe(4));

  it('matches only the exact upper-case code', () => {
    expect(findCurrency('usd')).toBeUndefined();
    expect(findCurrency('Usd')).toBeUndefined();
    expect(findCurrency(' USD')).toBeUndefined();
    expect(findCurrency('')).toBeUndefined();
    expect(findCurrency('XXX')).toBeUndefined();
    expect(findCurrency('XAU')).toBeUndefined();
  });
});

describe('parseMinorAmount', () => {
  it.each([
    ['300', 300],
    [300, 300],
    ['0300', 300],
    ['1', 1],
    [1, 1],
    [1e3, 1000],
    [MAX_AMOUNT, MAX_AMOUNT],
    ['9007199254740991', MAX_AMOUNT],
    ['0009007199254740991', MAX_AMOUNT],
  ])('accepts %j', (input, value) => {
    expect(parseMinorAmount(input)).toEqual({ ok: true, value });
  });

  it.each([
    0,
    -0,
    -1,
    1.5,
    '1.5',
    '1e3',
    ' 3',
    '3 ',
    '+3',
    '-1',
    '0',
    '000',
    '',
    '٣',
    '0x10',
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    true,
    false,
    null,
    undefined,
    {},
    [300],
  ])('refuses %j as not a positive integer', (input) => {
    expect(parseMinorAmount(input)).toEqual({
      ok: false,
      reason: 'must be a positive integer in minor units',
    });
  });

  it('refuses a bigint', () => {
    expect(parseMinorAmount(300n)).toEqual({
      ok: false,
      reason: 'must be a positive integer in minor units',
    });
  });

  it.each([2 ** 53, 1e300, '9007199254740992', '99999999999999999999999999'])(
    'refuses %j as too large',
    (input) => {
      expect(parseMinorAmount(input)).toEqual({ ok: false, reason: 'must not exceed 9007199254740991' });
    },
  );

  it('reads every safe positive integer the same as a number or a digit string', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_AMOUNT }), (n) => {
        expect(parseMinorAmount(n)).toEqual({ ok: true, value: n });
        expect(parseMinorAmount(String(n))).toEqual({ ok: true, value: n });
      }),
    );
  });
});

describe('formatMajor', () => {
  it.each([
    [1050, 'USD', '10.50'],
    [1, 'USD', '0.01'],
    [100, 'EUR', '1.00'],
    [500, 'JPY', '500'],
    [1234, 'KWD', '1.234'],
    [5, 'KWD', '0.005'],
    [12345, 'CLF', '1.2345'],
    [MAX_AMOUNT, 'USD', '90071992547409.91'],
    [-1050, 'USD', '-10.50'],
    [0, 'USD', '0.00'],
  ])('%d %s → %s', (amount, code, text) => {
    expect(formatMajor(amount, currency(code))).toBe(text);
  });

  it('refuses a non-integer amount', () => {
    expect(() => formatMajor(1.5, currency('USD'))).toThrow(RangeError);
  });

  it('round-trips to the same minor amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_AMOUNT }), fc.constantFrom(0, 2, 3, 4), (n, exponent) => {
        const text = formatMajor(n, { code: 'TST', exponent });
        expect(parseMinorAmount(text.replace('.', ''))).toEqual({ ok: true, value: n });
        expect(text.split('.')[1]?.length ?? 0).toBe(exponent);
      }),
    );
  });
});
