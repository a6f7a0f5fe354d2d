// The bench's one repeating timer, behind the progress ticks, the memory samples and the open-loop sender.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { every } from '../src/interval.ts';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('every', () => {
  it('ticks once per interval, first after one interval, and never again once stopped', () => {
    vi.useFakeTimers();
    const ticks: number[] = [];
    const started = Date.now();
    const stop = every(250, () => ticks.push(Date.now() - started));
    vi.advanceTimersByTime(249);
    expect(ticks).toEqual([]);
    vi.advanceTimersByTime(751);
    expect(ticks).toEqual([250, 500, 750, 1000]);
    stop();
    vi.advanceTimersByTime(1000);
    expect(ticks).toHaveLength(4);
  });

  it('keeps separate loops apart: stopping one leaves the other ticking', () => {
    vi.useFakeTimers();
    let fast = 0;
    let slow = 0;
    const stopFast = every(10, () => fast++);
    const stopSlow = every(100, () => slow++);
    vi.advanceTimersByTime(100);
    stopFast();
    vi.advanceTimersByTime(100);
    stopSlow();
    expect([fast, slow]).toEqual([10, 2]);
  });

  it('does not keep the process alive: its timer is unreferenced', () => {
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const stop = every(60_000, () => undefined);
    try {
      const timer = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
    } finally {
      stop();
    }
  });
});
