// The load generator's watchdog, on a clock of its own: what counts as moving, and what a stall
// is reported as.
import { describe, expect, it } from 'vitest';
import type { ProgressSnapshot } from '../src/progress.ts';
import { STALL_MS, StallWatch } from '../src/stall-watch.ts';

const signing = (done: number): ProgressSnapshot => ({
  target: 'openkka',
  phase: 'signing',
  done,
  total: 3008,
  ok: 0,
  errors: 0,
  rate: null,
});
const tick = (done: number): ProgressSnapshot => ({
  target: 'openkka 1/3',
  phase: 'measuring',
  done,
  total: 2,
  ok: 10,
  errors: 0,
  rate: 100,
});

describe('StallWatch', () => {
  let now = 0;
  const watch = () => new StallWatch('signing 3,008 v1.2 requests for the openkka pool', () => now);

  it('is quiet while signatures keep coming or a run keeps ticking', () => {
    now = 0;
    const w = watch();
    for (let i = 1; i <= 200; i++) {
      now += 1_000;
      w.saw(i % 2 ? signing(i * 10) : tick(i));
      expect(w.stalled()).toBeUndefined();
    }
  });

  it('reports a blocked generator: nothing heard since its last progress', () => {
    now = 0;
    const w = watch();
    w.saw(signing(500));
    now = STALL_MS - 1;
    expect(w.stalled()).toBeUndefined();
    now = STALL_MS;
    expect(w.stalled()).toBe(
      'signing 3,008 v1.2 requests for the openkka pool: no progress for 30 s, its event loop is blocked (no message since); last progress "openkka signing [####....................] 500/3,008 signed" 30 s ago',
    );
  });

  it('reports signing that ticks but adds no signature', () => {
    now = 0;
    const w = watch();
    w.saw(signing(2_990));
    for (let i = 0; i < 40; i++) {
      now += 1_000;
      w.saw(signing(2_990));
    }
    expect(w.stalled()).toMatch(
      /no progress for 40 s, it still ticks, but no signature has come back from the thread pool since; last progress ".*2,990\/3,008 signed" 0 s ago$/,
    );
  });

  it('reports a generator that never answered at all', () => {
    now = 0;
    const w = watch();
    now = STALL_MS + 5_000;
    expect(w.stalled()).toBe(
      'signing 3,008 v1.2 requests for the openkka pool: it has reported nothing for 35 s',
    );
  });
});
