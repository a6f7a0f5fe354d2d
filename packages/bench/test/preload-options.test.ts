// `openkka bench --preload N`: read as a whole number of orders, refused where it cannot work.
import { describe, expect, it } from 'vitest';
import { BenchOptionError, MAX_PRELOAD, resolveOptions } from '../src/options.ts';

describe('--preload', () => {
  it('is off unless given, and read as a count of orders', () => {
    expect(resolveOptions({}).preload).toBeUndefined();
    expect(resolveOptions({ preload: '1000000' }).preload).toBe(1_000_000);
    expect(resolveOptions({ preload: String(MAX_PRELOAD), store: 'postgres' }).preload).toBe(MAX_PRELOAD);
  });

  it.each([
    ['0', /--preload must be from 1 to 100000000/],
    ['10M', /--preload: "10M" is not a whole number/],
    ['-1', /is not a whole number/],
    [String(MAX_PRELOAD + 1), /--preload must be from 1/],
  ])('refuses %s', (preload, message) => {
    expect(() => resolveOptions({ preload })).toThrow(BenchOptionError);
    expect(() => resolveOptions({ preload })).toThrow(message);
  });

  it('is refused with --url: the bench fills only a store it made itself', () => {
    expect(() =>
      resolveOptions({ preload: '1000', url: 'http://127.0.0.1:8080', merchantId: '1', privateKey: 'k.pem' }),
    ).toThrow(/--preload fills the fresh store of a gateway the bench starts/);
  });
});
