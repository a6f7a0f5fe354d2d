/**
 * Latency per step of a mix (the lifecycle's authorize, capture, refund and query), beside the
 * latency of every request together: a store that grows slows its operations unequally, and
 * one figure for all four would hide which one. Kept per slice, merged over the slices.
 */
import { STEPS, type Step } from './bodies.ts';
import { LatencySample, type LatencySummary, summarize } from './stats.ts';

/** Every step in the order a mix takes them. */
const ORDER: readonly Step[] = [...new Set(Object.values(STEPS).flat())];

/** Latencies travel to the bench for merging across slices; 10 µs is finer than they mean. */
const toHundredths = (ms: number) => Math.round(ms * 100) / 100;

export class StepLatencies {
  private readonly samples = new Map<Step, LatencySample>();
  private readonly kept = new Map<Step, number[]>();

  /** `keep`: hold every latency too, for merging the slices exactly. */
  constructor(private readonly keep = false) {}

  add(step: Step, ms: number): void {
    let sample = this.samples.get(step);
    if (!sample) {
      sample = new LatencySample();
      this.samples.set(step, sample);
      this.kept.set(step, []);
    }
    sample.add(ms);
    if (this.keep) this.kept.get(step)!.push(toHundredths(ms));
  }

  /** Each step's percentiles, in the order a mix takes the steps. */
  summaries(): Record<string, LatencySummary> {
    const steps = [...this.samples.keys()].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
    return Object.fromEntries(steps.map((step) => [step, summarize(this.samples.get(step)!)]));
  }

  /** Each step's latencies, when kept. */
  latencies(): Record<string, number[]> | undefined {
    return this.keep ? Object.fromEntries(this.kept) : undefined;
  }
}

/** The steps' percentiles over every latency the slices kept. */
export function mergeStepLatencies(
  slices: readonly { step_latencies_ms?: Record<string, number[]> }[],
): Record<string, LatencySummary> {
  const merged = new StepLatencies();
  for (const slice of slices) {
    for (const [step, values] of Object.entries(slice.step_latencies_ms ?? {})) {
      for (const ms of values) merged.add(step as Step, ms);
    }
  }
  return merged.summaries();
}
