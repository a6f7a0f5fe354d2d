// The share of the CPU other processes took during a run, from /proc/stat and /proc/<pid>/stat.
import { describe, expect, it } from 'vitest';
import { otherCpuPercent, parsePidStat, parseProcStat } from '../src/cpu-share.ts';

describe('parsing /proc', () => {
  it('reads the aggregate cpu line, leaving guest time out (it is already in user)', () => {
    const stat = 'cpu  100 5 50 800 20 3 2 0 40 0\ncpu0 50 2 25 400 10 1 1 0 20 0\nintr 1\n';
    expect(parseProcStat(stat)).toEqual({ total: 980, busy: 160 });
    expect(() => parseProcStat('intr 1\n')).toThrow();
  });

  it('reads utime + stime of a process, even when its name holds spaces and parentheses', () => {
    const line = '4242 (node (bench) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 731 122 0 0 20 0 11 0 5 0 0\n';
    expect(parsePidStat(line)).toBe(853);
  });
});

describe('otherCpuPercent', () => {
  it('is the busy time not spent by our processes, as a share of all CPU time', () => {
    const before = { total: 1000, busy: 100, ours: 50 };
    const after = { total: 3000, busy: 1700, ours: 1450 };
    // busy +1600, ours +1400: others took 200 of 2000 ticks.
    expect(otherCpuPercent(before, after)).toBe(10);
  });

  it('is never negative, and unknown without both snapshots', () => {
    expect(otherCpuPercent({ total: 0, busy: 0, ours: 0 }, { total: 100, busy: 50, ours: 60 })).toBe(0);
    expect(otherCpuPercent(null, { total: 1, busy: 1, ours: 1 })).toBeNull();
    expect(otherCpuPercent({ total: 5, busy: 1, ours: 1 }, { total: 5, busy: 1, ours: 1 })).toBeNull();
  });
});
