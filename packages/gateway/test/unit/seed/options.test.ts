// `openkka seed` options: defaults, parsing, and what is refused before any store is opened.
import { describe, expect, it } from 'vitest';
import { resolveSeedOptions, SeedOptionError } from '../../../src/seed/options.ts';
import { maxOrders } from '../../../src/seed/span.ts';

describe('resolveSeedOptions', () => {
  it('needs only --orders: five merchants over three years, 20,000 orders a transaction', () => {
    expect(resolveSeedOptions({ orders: '1000000' })).toEqual({
      orders: 1_000_000,
      merchants: 5,
      named: [],
      days: 1095,
      chunk: 20_000,
      json: false,
    });
  });

  it('reads every option, the named merchants among the count', () => {
    expect(
      resolveSeedOptions({
        orders: '10000',
        merchants: '3',
        merchant: ['18356675194960', '22222222222222'],
        days: '30',
        chunk: '500',
        json: true,
      }),
    ).toEqual({
      orders: 10_000,
      merchants: 3,
      named: ['18356675194960', '22222222222222'],
      days: 30,
      chunk: 500,
      json: true,
    });
  });

  it.each([
    [{}, /--orders N is required/],
    [{ orders: '0' }, /--orders must be from 1 to/],
    [{ orders: '-5' }, /--orders: "-5" is not a whole number/],
    [{ orders: '1e6' }, /--orders: "1e6" is not a whole number/],
    [{ orders: '2.5' }, /not a whole number/],
    [{ orders: '100000001' }, /--orders must be from 1 to 100,000,000/],
    [{ orders: '10', merchants: '0' }, /--merchants must be from 1 to 1,000/],
    [{ orders: '10', merchants: '1001' }, /--merchants must be from 1 to 1,000/],
    [{ orders: '10', days: '0' }, /--days must be from 1 to 7,300/],
    [{ orders: '10', chunk: '99' }, /--chunk must be from 100/],
    [{ orders: '10', merchant: ["1'; drop table orders; --"] }, /--merchant: .* is not a merchant id/],
    [{ orders: '10', merchant: [''] }, /is not a merchant id/],
    [{ orders: '10', merchant: ['11111111111111', '11111111111111'] }, /names a merchant twice/],
    [
      { orders: '10', merchants: '1', merchant: ['11111111111111', '22222222222222'] },
      /names 2 merchants but --merchants is 1/,
    ],
  ])('refuses %j', (raw, message) => {
    expect(() => resolveSeedOptions(raw)).toThrow(SeedOptionError);
    expect(() => resolveSeedOptions(raw)).toThrow(message);
  });

  it('refuses more orders than the days hold, one 10 ms tick each (their ids begin with it)', () => {
    expect(maxOrders(1)).toBe(8_634_000);
    expect(resolveSeedOptions({ orders: '8634000', days: '1' }).orders).toBe(8_634_000);
    expect(() => resolveSeedOptions({ orders: '8634001', days: '1' })).toThrow(
      /--orders must be from 1 to 8,634,000/,
    );
  });
});
