// The open-loop sender's intended send times: a constant rate, whatever the server does.
import { describe, expect, it } from 'vitest';
import { dueBy, intendedAt } from '../src/open-loop-schedule.ts';

describe('intendedAt', () => {
  it('spaces arrivals 1/rate apart from the start', () => {
    expect(intendedAt(1000, 500, 0)).toBe(1000);
    expect(intendedAt(1000, 500, 1)).toBe(1002);
    expect(intendedAt(1000, 500, 500)).toBe(2000);
    expect(intendedAt(0, 3, 2)).toBeCloseTo(666.667, 3);
  });
});

describe('dueBy', () => {
  it('counts the arrivals intended at or before now', () => {
    expect(dueBy(1000, 500, 999, 100)).toBe(0);
    expect(dueBy(1000, 500, 1000, 100)).toBe(1);
    expect(dueBy(1000, 500, 1001.9, 100)).toBe(1);
    expect(dueBy(1000, 500, 1002, 100)).toBe(2);
  });

  it('catches up after a late wake-up instead of sliding the schedule, and stops at the limit', () => {
    // The sender woke 50 ms late: all 25 arrivals due by then are sent at once.
    expect(dueBy(0, 500, 50, 1000)).toBe(26);
    expect(dueBy(0, 500, 10_000, 1000)).toBe(1000);
  });

  it('agrees with intendedAt: arrival i is due exactly from its intended time', () => {
    for (const i of [0, 1, 7, 123, 999]) {
      const at = intendedAt(250, 333, i);
      expect(dueBy(250, 333, at + 1e-6, 10_000)).toBeGreaterThanOrEqual(i + 1);
      expect(dueBy(250, 333, at - 1e-3, 10_000)).toBeLessThanOrEqual(i);
    }
  });
});
