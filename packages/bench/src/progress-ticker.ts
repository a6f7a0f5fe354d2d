/**
 * The progress snapshots of one run (a closed-loop slice or an open-loop step), sent every
 * 250 ms: the phase by the clock, the ok answers and errors so far, the rate since the last tick.
 */
import { every } from './interval.ts';
import type { Phase, ProgressSnapshot } from './progress.ts';
import type { Tally } from './tally.ts';

const PROGRESS_EVERY_MS = 250;

export interface RunClock {
  target: string;
  startedAt: number;
  windowStart: number;
  windowEnd: number;
}

/** Starts the ticks; the returned function stops them. */
export function tickProgress(
  clock: RunClock,
  tally: Tally,
  send: (snapshot: ProgressSnapshot) => void,
): () => void {
  let lastOk = 0;
  let lastAt = clock.startedAt;
  return every(PROGRESS_EVERY_MS, () => {
    const now = performance.now();
    const rate = ((tally.total.ok - lastOk) * 1000) / Math.max(1, now - lastAt);
    lastOk = tally.total.ok;
    lastAt = now;
    const before = now < clock.windowStart;
    const [phase, done, length]: [Phase, number, number] = before
      ? ['warm-up', now - clock.startedAt, clock.windowStart - clock.startedAt]
      : now < clock.windowEnd
        ? ['measuring', now - clock.windowStart, clock.windowEnd - clock.windowStart]
        : ['draining', 0, 0];
    send({
      target: clock.target,
      phase,
      done: done / 1000,
      total: length / 1000,
      ok: before ? tally.total.ok : tally.window.ok,
      errors: before ? tally.total.errors : tally.window.errors,
      rate,
    });
  });
}
