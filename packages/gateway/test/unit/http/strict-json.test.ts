// The strict JSON reader: what JSON.parse lets through and a payment body must not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/domain/errors.ts';
import { readJsonObject, readJsonObjectWithNumbers } from '../../../src/http/json-body.ts';
import { checkJsonText, namesAnInteger } from '../../../src/http/strict-json.ts';

/** The message of the 010000 `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).entry.code).toBe('010000');
    return (err as ApiError).message;
  }
  throw new Error('not refused');
}

/** What checkJsonText finds wrong with `json`. */
function problem(json: string): string {
  const found = checkJsonText(json).problem;
  expect(found, json).toBeDefined();
  return found!;
}

const clean = (json: string) => expect(checkJsonText(json).problem, json).toBeUndefined();

describe('duplicate keys', () => {
  it.each([
    ['at the top', '{"amount":1000,"currency":"USD","amount":1}', 'duplicate key "amount"'],
    [
      'in an object',
      '{"payment":{"card_no":"4242","cvv":"1","card_no":"4000"}}',
      'duplicate key "card_no" in payment',
    ],
    ['in an object in an array', '{"goods":[{"a":1},{"b":2,"b":3}]}', 'duplicate key "b" in goods.1'],
    ['written escaped', '{"amount":1000,"\\u0061mount":1}', 'duplicate key "amount"'],
    ['as whole objects', '{"payment":{},"payment":{"x":1}}', 'duplicate key "payment"'],
    ['after a nested object closes', '{"a":{"b":{"c":1}},"d":[],"a":2}', 'duplicate key "a"'],
  ])('refused %s', (_where, json, message) => {
    expect(problem(json)).toContain(message);
  });

  it('allows the same key in different objects and a key that is a value elsewhere', () => {
    clean('{"a":{"a":"a"},"b":[{"a":1},{"a":2}],"c":"a","d":{"x":{"a":1},"a":{"a":2}}}');
  });

  it('reads keys and strings with quotes, backslashes and braces in them', () => {
    clean('{"a\\"b":1,"a\\\\":"}\\"{","a\\\\\\"":2,"x":"\\\\"}');
    expect(problem('{"a\\\\":"\\\\","a\\\\":1}')).toContain('duplicate key "a\\\\"');
  });

  it('handles objects with many keys', () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    const json = JSON.stringify(many);
    clean(json);
    expect(problem(`${json.slice(0, -1)},"k4999":0}`)).toContain('"k4999"');
  });
});

describe('numbers read as another integer', () => {
  it.each([
    [
      '1000.00000000000001',
      'amount must be an integer: 1000.00000000000001 is not one, though it would be read as 1000',
    ],
    ['999.9999999999999999', 'amount must be an integer'],
    ['1e-400', 'amount must be an integer'],
    // Past 2^53 every double is an integer: a fraction there is lost too.
    ['123456789012345678901234567890e-10', 'amount must be an integer'],
    ['1e400', 'amount is too large a number'],
    ['-1e400', 'amount is too large a number'],
  ])('refuses %s', (text, message) => {
    expect(problem(`{"amount":${text}}`)).toContain(message);
  });

  it('names the field, nested or in an array', () => {
    expect(problem('{"payment":{"exp_month":12.0000000000000001}}')).toContain(
      'payment.exp_month must be an integer',
    );
    expect(problem('{"goods":[{"price":1},{"price":5.0000000000000001}]}')).toContain(
      'goods.1.price must be an integer',
    );
  });

  it.each([
    '1000',
    '-1000',
    '0',
    '-0',
    '1e3',
    '1E+3',
    '1000.0',
    '1.5e3',
    '1.5',
    '0.1',
    '-2.5e-7',
    '9007199254740991',
    '9007199254740992',
    '1e21',
    // Past 2^53−1 no double is exact: the field checks refuse such an amount or identifier.
    '9007199254740993',
    '59051569023232620',
  ])('accepts %s: an integer, or not one and not read as one', (text) => {
    clean(`{"amount":${text}}`);
  });

  it.each([
    ['1e3', true],
    ['-12.50e1', true],
    ['0.000', true],
    ['0e-5', true],
    ['100e-2', true],
    ['1.05e1', false],
    ['100e-3', false],
    ['1000.00000000000001', false],
  ])('namesAnInteger(%s) is %s', (text, integer) => {
    expect(namesAnInteger(text)).toBe(integer);
  });
});

describe('number texts at the paths asked for', () => {
  it('answers the source text of numbers at those paths only', () => {
    const json =
      '{"goods":[{"trans_id":1}],"customer":{"trans_id":3},"note":"\\"trans_id\\":4",' +
      '"trans_id":1e3,"payment":{"shopper_reference":7.0},"amount":5}';
    const { numberTexts } = checkJsonText(json, [
      ['trans_id'],
      ['payment', 'shopper_reference'],
      ['merchant_id'],
    ]);
    expect([...numberTexts]).toEqual([
      ['trans_id', '1e3'],
      ['payment.shopper_reference', '7.0'],
    ]);
  });

  it('agrees with JSON.parse on any body it accepts, pretty or not', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.oneof(fc.maxSafeNat(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        fc.constantFrom(0, 2, '\t'),
        (rest, value, space) => {
          const json = JSON.stringify({ ...rest, trans_id: value }, null, space);
          // What JSON.stringify writes is never refused: it writes each number exactly as read.
          const { numberTexts, problem } = checkJsonText(json, [['trans_id']]);
          expect(problem).toBeUndefined();
          expect(Number(numberTexts.get('trans_id'))).toBe(
            (JSON.parse(json) as { trans_id: number }).trans_id,
          );
        },
      ),
    );
  });
});

describe('readJsonObject', () => {
  it.each([
    ['a byte that is never UTF-8', [0xff]],
    ['a lone continuation byte', [0x80]],
    ['an overlong "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a sequence cut short', [0xe2, 0x82]],
  ])('refuses %s inside a string', (_what, bytes) => {
    const raw = Buffer.concat([Buffer.from('{"trans_id":"a'), Buffer.from(bytes), Buffer.from('"}')]);
    expect(refusal(() => readJsonObject(raw))).toBe('Invalid request: the body is not valid UTF-8');
  });

  it('reads UTF-8 in every length, and refuses a byte-order mark as malformed JSON', () => {
    expect(readJsonObject(Buffer.from('{"name":"é中😀"}'))).toEqual({ name: 'é中😀' });
    expect(refusal(() => readJsonObject(Buffer.from('\uFEFF{}')))).toContain('malformed JSON');
  });

  it('throws what checkJsonText finds, after the rest of the body was read', () => {
    expect(refusal(() => readJsonObject(Buffer.from('{"a":1,"a":2}')))).toBe(
      'Invalid request: duplicate key "a"',
    );
    const read = readJsonObjectWithNumbers(Buffer.from('{"merchant_id":7,"amount":1.00000000000000001}'), [
      ['merchant_id'],
    ]);
    expect(read.refusal?.message).toBe(
      'Invalid request: amount must be an integer: 1.00000000000000001 is not one, though it would be read as 1',
    );
    expect(read.numberTexts.get('merchant_id')).toBe('7');
  });

  it('reads 30,000 nested arrays and 9,000 nested objects', () => {
    const arrays = `{"x":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    const objects = `{"x":${'{"a":'.repeat(9000)}0${'}'.repeat(9000)}}`;
    expect(() => readJsonObject(Buffer.from(arrays))).not.toThrow();
    expect(() => readJsonObjectWithNumbers(Buffer.from(objects), [['x']])).not.toThrow();
  });
});
