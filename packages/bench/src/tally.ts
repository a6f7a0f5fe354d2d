/**
 * Counts the answers of one run, closed-loop or open-loop: the ones inside the timed window,
 * every one of the run (for the orders the store must hold), and the kinds of error.
 */
import type { Step, Verdict } from './bodies.ts';
import type { PostOutcome } from './http-post.ts';
import { verdictOf } from './mix-iteration.ts';
import type { Protocol } from './wire.ts';

export class Tally {
  readonly window = { requests: 0, ok: 0, errors: 0, iterations: 0 };
  readonly total = { requests: 0, ok: 0, errors: 0, orders_ok: 0 };
  private readonly errorKinds = new Map<string, number>();
  private bytes = 0;
  private answers = 0;

  /**
   * `openingStep` is the mix's first step: each ok answer to it is one new order. `protocol` is
   * the wire the requests went over, whose signature an ok answer carries.
   */
  constructor(
    private readonly openingStep: Step,
    private readonly protocol: Protocol,
  ) {}

  /** Counts one answer; `inWindow` says whether it arrived inside the timed window. */
  record(step: Step, outcome: PostOutcome, inWindow: boolean): Verdict {
    this.total.requests++;
    if (inWindow) this.window.requests++;
    if (outcome.kind === 'answer') {
      this.bytes += outcome.bytes;
      this.answers++;
    }
    const verdict = verdictOf(step, outcome, this.protocol);
    if (verdict.ok) {
      this.total.ok++;
      if (step === this.openingStep) this.total.orders_ok++;
      if (inWindow) this.window.ok++;
    } else {
      this.total.errors++;
      if (inWindow) this.window.errors++;
      this.errorKinds.set(verdict.kind, (this.errorKinds.get(verdict.kind) ?? 0) + 1);
    }
    return verdict;
  }

  /** Error kinds, most frequent first. */
  kinds(): Record<string, number> {
    return Object.fromEntries([...this.errorKinds].sort((a, b) => b[1] - a[1]));
  }

  /** Mean answer size in bytes, or null when nothing answered. */
  meanBytes(): number | null {
    return this.answers === 0 ? null : Math.round(this.bytes / this.answers);
  }
}
