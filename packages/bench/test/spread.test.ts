// The figures of an interleaved run: per-round ratios and differences, and their median and spread.
import { describe, expect, it } from 'vitest';
import { median, roundCosts, roundDifferences, roundRatios, spread } from '../src/spread.ts';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNull();
  });
});

describe('roundRatios', () => {
  it('divides each round by its own ceiling, not by the ceiling of the whole run', () => {
    // A neighbour halved the machine in round 2: both sides slowed, the ratio did not move.
    expect(roundRatios([600, 300, 660], [1000, 500, 1100])).toEqual([0.6, 0.6, 0.6]);
  });

  it('leaves out a round whose ceiling answered nothing, and refuses rounds that do not line up', () => {
    expect(roundRatios([600, 10], [1000, 0])).toEqual([0.6]);
    expect(() => roundRatios([1, 2], [1])).toThrow(RangeError);
  });
});

describe('roundDifferences', () => {
  it('is this checkout’s ratio minus the other’s, round by round, against the same ceiling slice', () => {
    const diffs = roundDifferences([700, 350], [600, 320], [1000, 500]);
    expect(diffs[0]).toBeCloseTo(0.1, 10);
    expect(diffs[1]).toBeCloseTo(0.06, 10);
    expect(() => roundDifferences([1], [1, 2], [1])).toThrow(RangeError);
  });
});

describe('spread', () => {
  it('gives the median with nearest-rank p10 and p90, rounded to three places, and the count', () => {
    const values = [0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67, 0.68, 0.69, 0.7];
    expect(spread(values)).toEqual({ median: 0.655, p10: 0.61, p90: 0.69, count: 10 });
  });

  it('is not moved by one wild round, as a mean would be', () => {
    const steady = [0.6, 0.61, 0.6, 0.62, 0.61, 0.6, 0.61, 0.6, 0.62, 0.61];
    const withBurst = [...steady.slice(0, 9), 0.2];
    expect(spread(steady)!.median).toBe(0.61);
    expect(spread(withBurst)!.median).toBe(0.605);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(steady) - mean(withBurst)).toBeGreaterThan(0.04);
  });

  it('has nothing to say about no rounds', () => {
    expect(spread([])).toBeNull();
  });
});

describe('roundCosts', () => {
  it('is one minus mix A’s ratio over mix B’s, each against its own ceiling, round by round', () => {
    // Round 1: A 500/1000 = 0.5, B 600/1000 = 0.6 → 1 − 0.5/0.6. Round 2: A's ceiling is
    // slower (its bodies cost the client more): 450/900 = 0.5 against 500/1000 = 0.5 → 0.
    const costs = roundCosts([500, 450], [1000, 900], [600, 500], [1000, 1000]);
    expect(costs[0]).toBeCloseTo(1 - 0.5 / 0.6, 10);
    expect(costs[1]).toBeCloseTo(0, 10);
  });

  it('leaves out a round where a ceiling or mix B answered nothing, and refuses rounds that do not line up', () => {
    expect(roundCosts([500, 500, 500], [1000, 0, 1000], [600, 600, 0], [1000, 1000, 1000])).toEqual([
      1 - 0.5 / 0.6,
    ]);
    expect(() => roundCosts([1, 2], [1, 2], [1], [1, 2])).toThrow(RangeError);
  });
});
