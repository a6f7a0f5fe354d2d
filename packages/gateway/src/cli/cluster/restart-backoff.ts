/**
 * When the primary starts a worker again after it died. A worker that ran a while is replaced
 * at once; one that keeps dying soon after it started (a bad setting, a store that refuses it)
 * waits longer each time, so a crash loop cannot spin the CPU on forks and store openings.
 */

export interface RestartPolicy {
  /** A worker that ran less than this before it died died quickly. */
  quickDeathMs: number;
  /** The wait after the first quick death; it doubles with each one in a row. */
  firstWaitMs: number;
  maxWaitMs: number;
}

export const RESTART_POLICY: RestartPolicy = { quickDeathMs: 10_000, firstWaitMs: 1_000, maxWaitMs: 60_000 };

/** One per worker slot: the deaths in a row are that slot's. */
export class RestartBackoff {
  private quickDeaths = 0;

  constructor(private readonly policy: RestartPolicy = RESTART_POLICY) {}

  /** The wait before starting the next worker, given how long the one that died had run. */
  next(ranMs: number): number {
    const { quickDeathMs, firstWaitMs, maxWaitMs } = this.policy;
    this.quickDeaths = ranMs < quickDeathMs ? this.quickDeaths + 1 : 0;
    if (this.quickDeaths === 0) return 0;
    return Math.min(maxWaitMs, firstWaitMs * 2 ** (this.quickDeaths - 1));
  }
}
