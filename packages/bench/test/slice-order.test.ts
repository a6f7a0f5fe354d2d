// The order of the sides in each round: a fresh permutation, so no side always follows another.
import { describe, expect, it } from 'vitest';
import { shuffled } from '../src/slice-order.ts';

/** A seeded generator, so the test sees the same draws every time. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('shuffled', () => {
  it('returns every side exactly once and leaves its input alone', () => {
    const sides = ['ceiling', 'openkka', 'ref'];
    const out = shuffled(sides, seeded(1));
    expect([...out].sort()).toEqual([...sides].sort());
    expect(sides).toEqual(['ceiling', 'openkka', 'ref']);
  });

  it('draws both orders of a pair about equally often', () => {
    const random = seeded(42);
    let ceilingFirst = 0;
    for (let i = 0; i < 2000; i++)
      if (shuffled(['ceiling', 'openkka'], random)[0] === 'ceiling') ceilingFirst++;
    expect(ceilingFirst).toBeGreaterThan(900);
    expect(ceilingFirst).toBeLessThan(1100);
  });

  it('reaches all six orders of three sides', () => {
    const random = seeded(7);
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) seen.add(shuffled(['a', 'b', 'c'], random).join(''));
    expect(seen.size).toBe(6);
  });

  it('follows the random source: the first side is the one the draw picks for the last slot', () => {
    // random() = 0 swaps every slot with slot 0: [a, b, c] → [b, c, a].
    expect(shuffled(['a', 'b', 'c'], () => 0)).toEqual(['b', 'c', 'a']);
    // random() just under 1 keeps every slot.
    expect(shuffled(['a', 'b', 'c'], () => 0.999)).toEqual(['a', 'b', 'c']);
  });
});
