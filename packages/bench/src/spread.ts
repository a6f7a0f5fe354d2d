/**
 * The figure of an interleaved run: one value per round (a ratio, or a difference of ratios),
 * summed up by its median and its 10th and 90th percentiles. A median of many short rounds
 * shrugs off the few rounds a neighbour's burst landed on. Pure.
 */
import { percentile } from './stats.ts';

export interface Spread {
  median: number;
  p10: number;
  p90: number;
  /** How many rounds the figures come from. */
  count: number;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** The middle value, or the mean of the two middle ones; null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: round3(median(sorted)!),
    p10: round3(percentile(sorted, 10)!),
    p90: round3(percentile(sorted, 90)!),
    count: values.length,
  };
}

/**
 * `side[i] / ceiling[i]` for every round: both were measured within seconds of each other, so
 * whatever the machine's neighbours took then weighs on both. A round whose ceiling answered
 * nothing has no ratio and is left out.
 */
export function roundRatios(side: readonly number[], ceiling: readonly number[]): number[] {
  if (side.length !== ceiling.length) throw new RangeError('one ceiling slice per round is needed');
  const ratios: number[] = [];
  side.forEach((value, i) => {
    if (ceiling[i]! > 0) ratios.push(value / ceiling[i]!);
  });
  return ratios;
}

/**
 * `a[i] / ceiling[i] - b[i] / ceiling[i]` per round: how far one checkout's ratio beats the
 * other's when both ran beside the same ceiling slice. Rounds without a ceiling are left out.
 */
export function roundDifferences(
  a: readonly number[],
  b: readonly number[],
  ceiling: readonly number[],
): number[] {
  if (a.length !== b.length) throw new RangeError('both sides need the same rounds');
  const ratiosA = roundRatios(a, ceiling);
  const ratiosB = roundRatios(b, ceiling);
  return ratiosA.map((value, i) => value - ratiosB[i]!);
}

/**
 * `1 - (a[i] / ceilingA[i]) / (b[i] / ceilingB[i])` per round: how much less mix A does than mix
 * B on the same gateway, each against the ceiling under its own bodies (the load generator
 * works harder for some). A round where either side or ceiling answered nothing is left out.
 */
export function roundCosts(
  a: readonly number[],
  ceilingA: readonly number[],
  b: readonly number[],
  ceilingB: readonly number[],
): number[] {
  if (new Set([a.length, ceilingA.length, b.length, ceilingB.length]).size !== 1)
    throw new RangeError('every side needs the same rounds');
  const costs: number[] = [];
  a.forEach((value, i) => {
    const ratioB = ceilingA[i]! > 0 && ceilingB[i]! > 0 ? b[i]! / ceilingB[i]! : 0;
    if (ratioB > 0) costs.push(1 - value / ceilingA[i]! / ratioB);
  });
  return costs;
}
