// Identifiers sent as JSON integers: read as the digits the client wrote, or left to be refused.
import { describe, expect, it } from 'vitest';
import { readJsonObjectWithNumbers } from '../../../src/http/json-body.ts';
import { IDENTIFIER_PATHS, identifiersAsText } from '../../../src/protocols/v1/identifiers.ts';

function read(json: string): Record<string, unknown> {
  const { value, numberTexts } = readJsonObjectWithNumbers(Buffer.from(json), IDENTIFIER_PATHS);
  identifiersAsText(value, numberTexts);
  return value;
}

describe('identifiersAsText', () => {
  it('reads each identifier sent in plain digits as those digits', () => {
    const body = read(
      '{"merchant_id":13954142990646,"trans_id":1967860,"refund_trans_id":0,' +
        '"shopper_reference":7,"payment":{"shopper_reference":9007199254740991},"amount":2500}',
    );
    expect(body).toEqual({
      merchant_id: '13954142990646',
      trans_id: '1967860',
      refund_trans_id: '0',
      shopper_reference: '7',
      payment: { shopper_reference: '9007199254740991' },
      // Not an identifier: left as it came.
      amount: 2500,
    });
  });

  it('reads pretty-printed bodies and escaped keys the same way', () => {
    const body = read('{\n    "trans\\u005fid": 1967860,\n    "payment": { "shopper_reference" : 7 }\n}');
    expect(body).toEqual({ trans_id: '1967860', payment: { shopper_reference: '7' } });
  });

  it.each([
    ['an exponent', '1e3'],
    ['a capital exponent', '1E3'],
    ['a fraction that is whole', '1000.0'],
    ['a fraction', '1.5'],
    ['a negative', '-5'],
    ['minus zero', '-0'],
    ['2^53, past the safe integers', '9007199254740992'],
  ])('leaves %s (%s) a number, for the field checks to refuse', (_what, text) => {
    const body = read(`{"trans_id":${text},"payment":{"shopper_reference":${text}}}`);
    expect(typeof body.trans_id).toBe('number');
    expect(typeof (body.payment as Record<string, unknown>).shopper_reference).toBe('number');
  });

  it('leaves strings, other types and misplaced identifiers alone', () => {
    const body = read(
      '{"trans_id":"007","merchant_id":true,"payment":[{"shopper_reference":5}],"customer":{"trans_id":6}}',
    );
    expect(body).toEqual({
      trans_id: '007',
      merchant_id: true,
      payment: [{ shopper_reference: 5 }],
      customer: { trans_id: 6 },
    });
  });
});
