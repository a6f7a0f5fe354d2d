// Card number rules: Luhn, brand from the BIN, length by brand, expiry, CVV, masking.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedLengths,
  type CardBrand,
  cardInfo,
  detectBrand,
  luhnValid,
  maskPan,
  normalisePan,
  validateCard,
} from '../../../src/domain/card.ts';

/** Pads `prefix` with zeros to `length - 1` digits and appends the Luhn check digit. */
function withCheckDigit(prefix: string, length: number): string {
  const body = prefix.padEnd(length - 1, '0');
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

const NOW = Date.UTC(2025, 4, 6, 6, 40, 43); // 2025-05-06
const FUTURE = { expMonth: 12, expYear: 2030 };

const TEST_CARDS: Array<[string, CardBrand]> = [
  ['4242424242424242', 'VISA'],
  ['5555555555554444', 'MASTERCARD'],
  ['378282246310005', 'AMEX'],
  ['6011111111111117', 'DISCOVER'],
  ['3566002020360505', 'JCB'],
  ['30569309025904', 'DINERS'],
  ['36227206271667', 'DINERS'],
  ['6200000000000005', 'UNIONPAY'],
  ['2223003122003222', 'MASTERCARD'],
  ['4000000000000002', 'VISA'],
  ['4000002760003184', 'VISA'],
  ['4000000000000408', 'VISA'],
  ['5020000000000005', 'EFTPOS'],
  ['6100000000000006', 'EFTPOS'],
  ['5020000000000021', 'EFTPOS'],
  ['6100000000009957', 'EFTPOS'],
];

describe('luhnValid', () => {
  it.each(TEST_CARDS)('%s passes', (pan) => expect(luhnValid(pan)).toBe(true));

  it('fails the spec card with a wrong check digit', () => {
    expect(luhnValid('4242424242424241')).toBe(false);
  });

  it('refuses anything but digits', () => {
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('4242 4242 4242 4242')).toBe(false);
    expect(luhnValid('42424242424242a2')).toBe(false);
  });

  it('accepts exactly one check digit for any body', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 18 }), (digits) => {
        const body = digits.join('');
        const valid = [...'0123456789'].filter((d) => luhnValid(body + d));
        expect(valid).toHaveLength(1);
      }),
    );
  });

  it('catches any single-digit change of a valid number', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 18 }),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (digits, at, delta) => {
          const pan = withCheckDigit(digits.join(''), digits.length + 1);
          const i = at % pan.length;
          const changed = pan.slice(0, i) + ((Number(pan[i]) + delta) % 10) + pan.slice(i + 1);
          expect(luhnValid(changed)).toBe(false);
        },
      ),
    );
  });
});

describe('detectBrand', () => {
  it.each(TEST_CARDS)('%s is %s', (pan, brand) => expect(detectBrand(pan)).toBe(brand));

  it.each<[string, CardBrand | undefined]>([
    ['4', 'VISA'],
    ['51', 'MASTERCARD'],
    ['55', 'MASTERCARD'],
    ['50', undefined],
    ['56', undefined],
    ['2221', 'MASTERCARD'],
    ['2720', 'MASTERCARD'],
    ['2220', undefined],
    ['2721', undefined],
    ['34', 'AMEX'],
    ['37', 'AMEX'],
    ['35', undefined],
    ['6011', 'DISCOVER'],
    ['6012', undefined],
    ['644', 'DISCOVER'],
    ['649', 'DISCOVER'],
    ['643', undefined],
    ['65', 'DISCOVER'],
    ['622126', 'DISCOVER'],
    ['622925', 'DISCOVER'],
    ['622125', 'UNIONPAY'],
    ['622926', 'UNIONPAY'],
    ['62', 'UNIONPAY'],
    ['81', 'UNIONPAY'],
    ['3528', 'JCB'],
    ['3589', 'JCB'],
    ['3527', undefined],
    ['3590', undefined],
    ['300', 'DINERS'],
    ['305', 'DINERS'],
    ['306', undefined],
    ['3095', 'DINERS'],
    ['3096', undefined],
    ['36', 'DINERS'],
    ['38', 'DINERS'],
    ['39', 'DINERS'],
    ['1', undefined],
    ['9', undefined],
    ['7', undefined],
    ['5020', 'EFTPOS'],
    ['6100', 'EFTPOS'],
    ['5019', undefined],
    ['5021', undefined],
    ['6099', undefined],
    ['6101', undefined],
  ])('BIN %s → %s', (bin, brand) => {
    expect(detectBrand(bin.padEnd(16, '0'))).toBe(brand);
  });

  it('needs digits', () => {
    expect(detectBrand('')).toBeUndefined();
    expect(detectBrand('4x')).toBeUndefined();
  });
});

describe('normalisePan', () => {
  it('strips spaces and dashes', () => {
    expect(normalisePan('4242 4242-4242 4242')).toBe('4242424242424242');
    expect(normalisePan(' 4242424242424242 ')).toBe('4242424242424242');
  });

  it('keeps 12 to 19 digits only', () => {
    expect(normalisePan('1'.repeat(12))).toBe('1'.repeat(12));
    expect(normalisePan('1'.repeat(19))).toBe('1'.repeat(19));
    expect(normalisePan('1'.repeat(11))).toBeUndefined();
    expect(normalisePan('1'.repeat(20))).toBeUndefined();
    expect(normalisePan('')).toBeUndefined();
    expect(normalisePan('4242.4242.4242.4242')).toBeUndefined();
    expect(normalisePan('4242\t4242424242424')).toBeUndefined();
    expect(normalisePan('４２４２４２４２４２４２４２４２')).toBeUndefined();
  });
});

describe('validateCard', () => {
  const check = (pan: string, extra: Partial<Parameters<typeof validateCard>[0]> = {}, now = NOW) =>
    validateCard({ pan, ...FUTURE, ...extra }, now);

  it.each(TEST_CARDS)('accepts %s as %s', (pan, brand) => {
    expect(check(pan)).toEqual({ ok: true, brand });
  });

  it('accepts a formatted number', () => {
    expect(check('4242 4242 4242 4242')).toEqual({ ok: true, brand: 'VISA' });
  });

  it('refuses a malformed number', () => {
    expect(check('4242')).toMatchObject({ ok: false, reason: 'INVALID_CARD' });
    expect(check('4242abcd42424242')).toMatchObject({ ok: false, reason: 'INVALID_CARD' });
  });

  it('refuses a Luhn failure', () => {
    expect(check('4242424242424241')).toEqual({
      ok: false,
      reason: 'INVALID_CARD',
      detail: 'card number fails the Luhn check',
    });
  });

  it('refuses an unknown brand as not supported', () => {
    expect(check(withCheckDigit('9', 16))).toMatchObject({ ok: false, reason: 'CARD_NOT_SUPPORTED' });
    expect(check(withCheckDigit('1', 16))).toMatchObject({ ok: false, reason: 'CARD_NOT_SUPPORTED' });
  });

  it('checks Luhn before the brand', () => {
    const good = withCheckDigit('9', 16);
    const bad = good.slice(0, -1) + ((Number(good.at(-1)) + 1) % 10);
    expect(check(bad)).toMatchObject({ ok: false, reason: 'INVALID_CARD' });
  });

  const brandPrefix: Record<CardBrand, string> = {
    VISA: '4',
    MASTERCARD: '51',
    AMEX: '34',
    DISCOVER: '6011',
    JCB: '3528',
    DINERS: '36',
    UNIONPAY: '62',
    EFTPOS: '5020',
  };

  it.each(Object.entries(brandPrefix) as Array<[CardBrand, string]>)(
    'enforces lengths for %s',
    (brand, prefix) => {
      for (let length = 12; length <= 19; length++) {
        const result = check(withCheckDigit(prefix, length), { cvv: undefined });
        if (allowedLengths(brand).includes(length)) expect(result).toEqual({ ok: true, brand });
        else
          expect(result).toMatchObject({
            ok: false,
            reason: 'INVALID_CARD',
            detail: expect.stringMatching(/length/),
          });
      }
    },
  );

  it('knows the allowed lengths', () => {
    expect(allowedLengths('VISA')).toEqual([13, 16, 19]);
    expect(allowedLengths('MASTERCARD')).toEqual([16]);
    expect(allowedLengths('AMEX')).toEqual([15]);
    expect(allowedLengths('DISCOVER')).toEqual([16, 17, 18, 19]);
    expect(allowedLengths('JCB')).toEqual([16, 17, 18, 19]);
    expect(allowedLengths('DINERS')).toEqual([14, 15, 16, 17, 18, 19]);
    expect(allowedLengths('UNIONPAY')).toEqual([16, 17, 18, 19]);
  });

  it.each([0, 13, -1, 1.5, Number.NaN])('refuses expiry month %d', (expMonth) => {
    expect(check('4242424242424242', { expMonth })).toMatchObject({
      ok: false,
      reason: 'INVALID_CARD',
      detail: expect.stringMatching(/month/),
    });
  });

  it.each([1, 12])('accepts expiry month %d', (expMonth) => {
    expect(check('4242424242424242', { expMonth })).toEqual({ ok: true, brand: 'VISA' });
  });

  it.each([-1, 100, 999, 10000, 2030.5])('refuses expiry year %d', (expYear) => {
    expect(check('4242424242424242', { expYear })).toMatchObject({ ok: false, reason: 'INVALID_CARD' });
  });

  it('reads a two-digit year as 20xx', () => {
    expect(check('4242424242424242', { expMonth: 5, expYear: 25 })).toEqual({ ok: true, brand: 'VISA' });
    expect(check('4242424242424242', { expMonth: 4, expYear: 25 })).toMatchObject({ detail: 'card expired' });
    expect(check('4242424242424242', { expMonth: 1, expYear: 99 })).toEqual({ ok: true, brand: 'VISA' });
    expect(check('4242424242424242', { expMonth: 1, expYear: 0 })).toMatchObject({ detail: 'card expired' });
  });

  it('is valid through the last moment of the expiry month (UTC), expired the next day', () => {
    const card = { expMonth: 2, expYear: 2028 }; // 2028 is a leap year
    const lastDay = Date.UTC(2028, 1, 29, 0, 0, 0);
    const lastMs = Date.UTC(2028, 2, 1) - 1;
    const nextDay = Date.UTC(2028, 2, 1);
    expect(check('4242424242424242', card, lastDay)).toEqual({ ok: true, brand: 'VISA' });
    expect(check('4242424242424242', card, lastMs)).toEqual({ ok: true, brand: 'VISA' });
    expect(check('4242424242424242', card, nextDay)).toEqual({
      ok: false,
      reason: 'INVALID_CARD',
      detail: 'card expired',
    });
  });

  it('rolls December expiry into January of the next year', () => {
    const card = { expMonth: 12, expYear: 2025 };
    expect(check('4242424242424242', card, Date.UTC(2025, 11, 31, 23, 59, 59))).toEqual({
      ok: true,
      brand: 'VISA',
    });
    expect(check('4242424242424242', card, Date.UTC(2026, 0, 1))).toMatchObject({ detail: 'card expired' });
  });

  it('wants 3 CVV digits, 4 for AMEX', () => {
    expect(check('4242424242424242', { cvv: '123' })).toEqual({ ok: true, brand: 'VISA' });
    expect(check('4242424242424242', { cvv: '000' })).toEqual({ ok: true, brand: 'VISA' });
    expect(check('378282246310005', { cvv: '1234' })).toEqual({ ok: true, brand: 'AMEX' });
    for (const cvv of ['12', '1234', '', '12a', ' 123', '１２３']) {
      expect(check('4242424242424242', { cvv })).toEqual({
        ok: false,
        reason: 'INVALID_CARD',
        detail: 'cvv must be 3 digits',
      });
    }
    for (const cvv of ['123', '12345']) {
      expect(check('378282246310005', { cvv })).toEqual({
        ok: false,
        reason: 'INVALID_CARD',
        detail: 'cvv must be 4 digits',
      });
    }
  });

  it('checks in the spec order', () => {
    // Luhn failure wins over a bad month, expiry and CVV.
    expect(check('4242424242424241', { expMonth: 13, expYear: 2001, cvv: '1' })).toMatchObject({
      detail: 'card number fails the Luhn check',
    });
    // Unknown brand wins over a bad month.
    expect(check(withCheckDigit('9', 16), { expMonth: 13 })).toMatchObject({ reason: 'CARD_NOT_SUPPORTED' });
    // Length wins over month.
    expect(check(withCheckDigit('51', 15), { expMonth: 13 })).toMatchObject({
      detail: expect.stringMatching(/length/),
    });
    // Month wins over expiry, expiry over CVV.
    expect(check('4242424242424242', { expMonth: 13, expYear: 2001 })).toMatchObject({
      detail: expect.stringMatching(/month/),
    });
    expect(check('4242424242424242', { expYear: 2001, cvv: '1' })).toMatchObject({ detail: 'card expired' });
  });
});

describe('cardInfo and maskPan', () => {
  it('shows the BIN and the last four only', () => {
    expect(cardInfo('4242424242424242', 'VISA')).toEqual({
      bin: '424242',
      last4: '4242',
      card_brand: 'VISA',
    });
    expect(cardInfo('378282246310005', 'AMEX')).toEqual({ bin: '378282', last4: '0005', card_brand: 'AMEX' });
  });

  it('masks everything between the first 6 and the last 4', () => {
    expect(maskPan('4242424242424242')).toBe('424242******4242');
    expect(maskPan('378282246310005')).toBe('378282*****0005');
    expect(maskPan('4242 4242 4242 4242')).toBe('424242******4242');
    expect(maskPan('4000000000000000001')).toBe('400000*********0001');
  });

  it('never reveals more than 10 digits of any PAN', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 19 }), (digits) => {
        const pan = digits.join('');
        const masked = maskPan(pan);
        expect(masked).toHaveLength(pan.length);
        const visible = pan.length > 10 ? 10 : Math.min(4, pan.length);
        expect(masked.replace(/\*/g, '')).toHaveLength(visible);
        expect(masked.endsWith(pan.slice(-4))).toBe(true);
      }),
    );
  });
});

describe('validateCard with the brands a payment method takes', () => {
  const card = (pan: string) => ({ pan, ...FUTURE, cvv: '123' });
  const eftposTakes = new Set<CardBrand>(['EFTPOS', 'VISA', 'MASTERCARD']);
  const schemesTake = new Set<CardBrand>([
    'VISA',
    'MASTERCARD',
    'AMEX',
    'DISCOVER',
    'JCB',
    'DINERS',
    'UNIONPAY',
  ]);

  it('takes a brand in the set', () => {
    expect(validateCard(card('5020000000000005'), NOW, eftposTakes)).toEqual({ ok: true, brand: 'EFTPOS' });
    expect(validateCard(card('4242424242424242'), NOW, eftposTakes)).toEqual({ ok: true, brand: 'VISA' });
  });

  it('finds a brand outside it not supported (2006), after the Luhn check', () => {
    expect(validateCard(card('5020000000000005'), NOW, schemesTake)).toMatchObject({
      ok: false,
      reason: 'CARD_NOT_SUPPORTED',
      detail: 'EFTPOS is not taken by this payment method',
    });
    expect(validateCard(card('3566002020360505'), NOW, eftposTakes)).toMatchObject({
      reason: 'CARD_NOT_SUPPORTED',
    });
    expect(validateCard(card('5020000000000006'), NOW, schemesTake)).toMatchObject({
      reason: 'INVALID_CARD',
    });
  });

  it('takes every known brand when no set is given', () => {
    expect(validateCard(card('6100000000000006'), NOW)).toEqual({ ok: true, brand: 'EFTPOS' });
  });
});
