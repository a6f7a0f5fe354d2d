// Identifier shapes and uniqueness.
import { describe, expect, it } from 'vitest';
import {
  type IdPrefix,
  newId,
  newKeyId,
  newMerchantId,
  newNotifyId,
  newOrderId,
} from '../../../src/domain/ids.ts';

const DRAWS = 10_000;

function draw(make: () => string): string[] {
  return Array.from({ length: DRAWS }, make);
}

describe('newId', () => {
  it.each<IdPrefix>(['RG', 'TK', 'RA', 'CS'])('%s ids are the prefix + 20 digits, all distinct', (prefix) => {
    const ids = draw(() => newId(prefix));
    for (const id of ids) expect(id).toMatch(new RegExp(`^${prefix}[0-9]{20}$`));
    expect(new Set(ids).size).toBe(DRAWS);
  });

  it('spreads digits evenly over every position', () => {
    // 10,000 ids × 20 positions: each digit should hold ~10% of each position.
    const counts = Array.from({ length: 20 }, () => new Array<number>(10).fill(0));
    for (const id of draw(() => newId('CS'))) {
      for (let i = 0; i < 20; i++) counts[i]![Number(id[i + 2])]!++;
    }
    for (const position of counts) {
      for (const n of position) expect(n).toBeGreaterThan(800);
      for (const n of position) expect(n).toBeLessThan(1200);
    }
  });
});

describe('newOrderId', () => {
  const at = Date.UTC(2026, 10, 26, 12, 0, 0, 5);

  it('is GW + the 10 ms tick (12 digits) + 8 digits, all distinct within one tick', () => {
    const ids = draw(() => newOrderId(at));
    for (const id of ids) expect(id).toMatch(/^GW[0-9]{20}$/);
    for (const id of ids) expect(id.slice(2, 14)).toBe(String(Math.floor(at / 10)).padStart(12, '0'));
    expect(new Set(ids).size).toBe(DRAWS);
  });

  it('sorts by the tick it was drawn in', () => {
    const [first, sameTick, ...later] = [at, at + 4, at + 5, at + 1_000, at + 86_400_000].map((t) =>
      newOrderId(t),
    );
    expect(sameTick!.slice(0, 14)).toBe(first!.slice(0, 14));
    let previous = sameTick!;
    for (const id of later) {
      expect(id > previous && id > first!).toBe(true);
      previous = id;
    }
  });

  it('draws its last 8 digits evenly', () => {
    const counts = Array.from({ length: 8 }, () => new Array<number>(10).fill(0));
    for (const id of draw(() => newOrderId(at + 20))) {
      for (let i = 0; i < 8; i++) counts[i]![Number(id[14 + i])]!++;
    }
    for (const position of counts) {
      for (const n of position) expect(n).toBeGreaterThan(800);
      for (const n of position) expect(n).toBeLessThan(1200);
    }
  });
});

describe('newMerchantId', () => {
  it('is 14 digits with a non-zero first digit, all distinct', () => {
    const ids = draw(newMerchantId);
    for (const id of ids) expect(id).toMatch(/^[1-9][0-9]{13}$/);
    expect(new Set(ids).size).toBe(DRAWS);
  });
});

describe('newNotifyId', () => {
  it('is NT + 20 digits, all distinct', () => {
    const ids = draw(newNotifyId);
    for (const id of ids) expect(id).toMatch(/^NT[0-9]{20}$/);
    expect(new Set(ids).size).toBe(DRAWS);
  });
});

describe('newKeyId', () => {
  it('is key_ + 16 lower-case hex characters, all distinct', () => {
    const ids = draw(newKeyId);
    for (const id of ids) expect(id).toMatch(/^key_[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(DRAWS);
  });
});
