/**
 * `--compare-mix`: a second mix sent to the same gateway in the same rounds, with a ceiling
 * side of its own (the ceiling answers each mix's bodies, which cost the load generator
 * differently). Its figures, and what the main mix costs against it round by round: two
 * back-to-back runs of one mix each drift with the machine, one run of both does not.
 */
import type { Side, SideRecord } from './interleave.ts';
import type { Mix } from './options.ts';
import type { LoadResult } from './protocol.ts';
import { type CompareMixReport, sideReport } from './report.ts';
import { okPerSecond } from './slice-merge.ts';
import { roundCosts, roundRatios, spread } from './spread.ts';

/** Pools (and side names) of the second mix: on the gateway, and on the ceiling. */
export const OTHER_MIX_POOL = 'other-mix';
export const OTHER_MIX_CEILING_POOL = 'ceiling-other-mix';

/** The two sides the second mix adds, beside the main mix's gateway and ceiling sides. */
export function otherMixSides(mix: Mix, gateway: Side, ceiling: Side | undefined): Side[] {
  const sides: Side[] = [{ ...gateway, name: OTHER_MIX_POOL, pool: OTHER_MIX_POOL, mix }];
  if (ceiling) sides.push({ ...ceiling, name: OTHER_MIX_CEILING_POOL, pool: OTHER_MIX_CEILING_POOL, mix });
  return sides;
}

export interface OtherMixFigures {
  mix: Mix;
  merged: LoadResult;
  ceiling: LoadResult;
  cpuMsPerOk: number | null;
  ordersInStore: number | null;
}

export function compareMixReport(
  main: { record: SideRecord; ceiling: SideRecord },
  other: { record: SideRecord; ceiling: SideRecord },
  figures: OtherMixFigures,
): CompareMixReport {
  const ours = okPerSecond(main.record.slices);
  const oursCeiling = okPerSecond(main.ceiling.slices);
  const theirs = okPerSecond(other.record.slices);
  const theirsCeiling = okPerSecond(other.ceiling.slices);
  const ratios = spread(roundRatios(theirs, theirsCeiling));
  const costs = spread(roundCosts(ours, oursCeiling, theirs, theirsCeiling));
  // Per round, by payments (or requests) per second alone, the ceilings left aside.
  const throughputCosts = spread(ours.map((value, i) => 1 - value / theirs[i]!).filter(Number.isFinite));
  return {
    mix: figures.mix,
    ...sideReport(figures.merged, ratios, figures.ordersInStore, figures.cpuMsPerOk),
    ceiling: figures.ceiling.window.throughput,
    cost: costs?.median ?? null,
    cost_p10: costs?.p10 ?? null,
    cost_p90: costs?.p90 ?? null,
    throughput_cost: throughputCosts?.median ?? null,
  };
}
