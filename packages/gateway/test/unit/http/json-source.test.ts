// numberTextAt: the source text of a number in a JSON body, which JSON.parse does not keep.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberTextAt } from '../../../src/protocols/v1/json-source.ts';

describe('numberTextAt', () => {
  it.each([
    ['{"trans_id":1e3}', ['trans_id'], '1e3'],
    ['{"trans_id":1000.0}', ['trans_id'], '1000.0'],
    ['{"trans_id":-0}', ['trans_id'], '-0'],
    ['{"trans_id":1967860}', ['trans_id'], '1967860'],
    ['{\n    "trans_id": 1967860,\n    "amount": 2500\n}', ['trans_id'], '1967860'],
    ['{"payment":{"shopper_reference":7E+2}}', ['payment', 'shopper_reference'], '7E+2'],
    ['{"trans_id":"1967860"}', ['trans_id'], undefined],
    ['{"trans_id":null}', ['trans_id'], undefined],
    ['{"amount":5}', ['trans_id'], undefined],
    ['{}', ['trans_id'], undefined],
  ])('%s at %j → %s', (json, path, text) => {
    expect(numberTextAt(json, path)).toBe(text);
  });

  it('finds the top-level key only, not one nested elsewhere or inside a string', () => {
    const json =
      '{"goods":[{"trans_id":1},{"x":"}\\"trans_id\\":2"}],"customer":{"trans_id":3},' +
      '"note":"{\\"trans_id\\":4}","trans_id":5}';
    expect(numberTextAt(json, ['trans_id'])).toBe('5');
    expect(numberTextAt(json, ['customer', 'trans_id'])).toBe('3');
  });

  it('reads duplicate keys as JSON.parse does: the last one counts, whatever it holds', () => {
    expect(numberTextAt('{"trans_id":1000,"trans_id":1e3}', ['trans_id'])).toBe('1e3');
    expect(numberTextAt('{"trans_id":1e3,"trans_id":1000}', ['trans_id'])).toBe('1000');
    expect(numberTextAt('{"trans_id":1e3,"trans_id":"x"}', ['trans_id'])).toBeUndefined();
    const twice = '{"payment":{"shopper_reference":1e3},"payment":{"shopper_reference":12}}';
    expect(numberTextAt(twice, ['payment', 'shopper_reference'])).toBe('12');
    const gone = '{"payment":{"shopper_reference":1e3},"payment":{}}';
    expect(numberTextAt(gone, ['payment', 'shopper_reference'])).toBeUndefined();
  });

  it('decodes escaped keys, as JSON.parse does', () => {
    expect(numberTextAt('{"trans\\u005fid":1.5}', ['trans_id'])).toBe('1.5');
  });

  it('agrees with JSON.parse on any body, pretty or not: the text is of the number parsed', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.oneof(fc.maxSafeNat(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        fc.constantFrom(0, 2, 4, '\t'),
        (rest, value, space) => {
          const json = JSON.stringify({ ...rest, trans_id: value }, null, space);
          const text = numberTextAt(json, ['trans_id']);
          expect(text).toBeDefined();
          expect(Number(text)).toBe((JSON.parse(json) as { trans_id: number }).trans_id);
        },
      ),
    );
  });
});
