/**
 * `--load-curve`: after the interleaved measurement, the gateway is loaded open-loop at fixed
 * fractions of what it was measured to sustain, one step after another, and each step's
 * latency percentiles and achieved rate are kept: the honest form of "p99 at half load".
 */
import type { GeneratorClient } from './generator-client.ts';
import type { Side } from './interleave.ts';
import type { OpenLoopResult } from './protocol.ts';

/** The steps, as fractions of the measured capacity. */
export const CURVE_FRACTIONS = [0.25, 0.5, 0.75, 0.9] as const;

export interface CurveStep extends OpenLoopResult {
  /** Percent of the measured capacity the step was sent at. */
  load_pct: number;
}

export interface CurvePlan {
  /** Complete iterations per second the gateway sustained in the interleaved slices. */
  capacity: number;
  stepS: number;
  leadS: number;
  maxAgeMs: (seconds: number) => number;
}

/** Headroom over the step's own arrivals: every request it sends is a fresh one. */
const HEADROOM = 1.05;

export async function loadCurve(
  generator: GeneratorClient,
  side: Side,
  plan: CurvePlan,
): Promise<CurveStep[]> {
  const steps: CurveStep[] = [];
  for (const fraction of CURVE_FRACTIONS) {
    const ratePerS = Math.max(1, plan.capacity * fraction);
    const seconds = plan.leadS + plan.stepS;
    const result = await generator.openLoop({
      target: `${side.name} ${Math.round(fraction * 100)}%`,
      pool: side.pool,
      urls: side.urls,
      ratePerS,
      leadS: plan.leadS,
      durationS: plan.stepS,
      ensure: Math.ceil(ratePerS * seconds * HEADROOM) + 8,
      maxAgeMs: plan.maxAgeMs(seconds),
    });
    steps.push({ load_pct: Math.round(fraction * 100), ...result });
  }
  return steps;
}
