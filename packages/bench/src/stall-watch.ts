/**
 * The watchdog of one command to the load generator. The generator reports progress at least
 * every 250 ms while it works (signing ticks, run ticks), so a command that stops moving is
 * stuck, not slow: a blocked event loop sends nothing, a signature that never comes back leaves
 * the signed count where it was. Pure: the caller feeds it snapshots and asks it on a timer.
 */
import { formatProgress, type ProgressSnapshot } from './progress.ts';

/**
 * How long a command may go without moving. Far above any pause a busy machine causes (a tick
 * is due every 250 ms; 500 signatures take about a second), far below the smoke test's limit.
 */
export const STALL_MS = 30_000;

export class StallWatch {
  private movedAt: number;
  private last: { snapshot: ProgressSnapshot; at: number } | undefined;

  constructor(
    /** What the command does, for the message: `signing 3,008 requests for the openkka pool`. */
    private readonly doing: string,
    private readonly now: () => number,
    private readonly limitMs = STALL_MS,
  ) {
    this.movedAt = now();
  }

  /**
   * A snapshot from the generator. Signing moves when a signature is added; a run, by ticking
   * (its requests time out, so a run that ticks ends).
   */
  saw(snapshot: ProgressSnapshot): void {
    const before = this.last?.snapshot;
    const at = this.now();
    this.last = { snapshot, at };
    const stillSigning =
      snapshot.phase === 'signing' &&
      before?.phase === 'signing' &&
      before.target === snapshot.target &&
      before.total === snapshot.total &&
      before.done === snapshot.done;
    if (!stillSigning) this.movedAt = at;
  }

  /** Undefined while the command moves; once it has not for `limitMs`, what it is stuck on. */
  stalled(): string | undefined {
    const now = this.now();
    const quietS = Math.round((now - this.movedAt) / 1000);
    if (now - this.movedAt < this.limitMs) return undefined;
    if (!this.last) return `${this.doing}: it has reported nothing for ${quietS} s`;
    const { snapshot, at } = this.last;
    const heard = Math.round((now - at) / 1000);
    // A run's ticks always count as moving, so only signing can stall while still ticking.
    const waitsOn =
      heard >= quietS
        ? 'its event loop is blocked (no message since)'
        : 'it still ticks, but no signature has come back from the thread pool since';
    const last = formatProgress(snapshot).replace(/\s+/g, ' ').trim();
    return `${this.doing}: no progress for ${quietS} s, ${waitsOn}; last progress "${last}" ${heard} s ago`;
  }
}
