/**
 * The interleaved measurement: every side (the ceiling and one or two gateways) is up at once,
 * and the timed window is cut into rounds of short slices, one per side, in an order drawn
 * afresh each round. Whatever the machine's neighbours take in a moment weighs on the slices
 * of that round alike, so a per-round ratio holds still where back-to-back runs do not.
 */
import { STEPS } from './bodies.ts';
import { addCpu, type CpuSnapshot, cpuBetween, cpuSnapshot, processTicks } from './cpu-share.ts';
import type { GeneratorClient } from './generator-client.ts';
import type { Mix } from './options.ts';
import type { LoadResult, RunCommand } from './protocol.ts';
import { shuffled } from './slice-order.ts';

/** One server the load alternates between. */
export interface Side {
  /** `ceiling`, `openkka` (this checkout) or `ref` (the --compare checkout). */
  name: string;
  /** Its gateways (one, or --gateways K), or the ceiling. */
  urls: string[];
  /** The load generator's pool of signed requests for this side. */
  pool: string;
  /** The mix its pool holds, when not the plan's (--compare-mix). */
  mix?: Mix;
  /** The ceiling stores nothing, so it cycles through a small pool instead of using each once. */
  reuse: boolean;
  /** The processes (with the ones under them, and PostgreSQL database) whose CPU is this side's own. */
  pids: number[];
  databaseNames: string[];
}

export interface SideRecord {
  /** The timed slices, one per round, in round order. */
  slices: LoadResult[];
  /** The warm-up run: its orders count in the store, its figures nowhere else. */
  warmup: LoadResult | null;
  /** CPU of the whole machine and of the bench's processes, over this side's slices. */
  cpu: CpuSnapshot | null;
  /** CPU ticks of this side's own processes over its slices. */
  ownTicks: number | null;
}

export interface InterleavePlan {
  mix: Mix;
  concurrency: number;
  rounds: number;
  sliceS: number;
  /** Unmeasured load at the start of each slice, so its window begins with every loop busy. */
  leadS: number;
  warmupS: number;
  /** Requests/s to sign for before any slice has shown how fast the client goes. */
  presignRate: number;
  /** Pool size of a side that reuses its requests. */
  reusePool: number;
  /** Oldest a pre-signed request may be when its slice starts, in ms. */
  maxAgeMs: (seconds: number) => number;
  random?: () => number;
}

/** Headroom over the fastest pace seen, when signing for a side that uses each request once. */
const HEADROOM = 1.3;

export async function interleave(
  generator: GeneratorClient,
  sides: Side[],
  plan: InterleavePlan,
  benchPids: number[],
): Promise<Map<string, SideRecord>> {
  const records = new Map<string, SideRecord>(
    sides.map((s) => [s.name, { slices: [], warmup: null, cpu: null, ownTicks: null }]),
  );
  const allPids = [...benchPids, ...sides.flatMap((s) => s.pids)];
  const allDatabases = sides.flatMap((s) => s.databaseNames);
  // Requests per second the fastest side has answered so far: what the next slice may use.
  let pace: number | null = null;

  /** Requests a side that uses each once needs for a run of `seconds` at the pace seen so far. */
  const needed = (side: Side, seconds: number) =>
    Math.ceil(((pace ?? plan.presignRate) * seconds * HEADROOM) / STEPS[side.mix ?? plan.mix].length) +
    4 * plan.concurrency;

  const run = async (side: Side, label: string, warmupS: number, durationS: number, timed: boolean) => {
    const seconds = warmupS + durationS;
    const ensure = side.reuse ? plan.reusePool : needed(side, seconds);
    const command: Omit<RunCommand, 'type'> = {
      target: label,
      pool: side.pool,
      urls: side.urls,
      concurrency: plan.concurrency,
      warmupS,
      durationS,
      reuse: side.reuse,
      ensure,
      maxAgeMs: plan.maxAgeMs(seconds),
      keepLatencies: timed,
    };
    const before = timed ? await cpuSnapshot(allPids, allDatabases) : null;
    const ticksBefore = timed ? await processTicks(side.pids, side.databaseNames) : null;
    // The pool is topped up inside `run`, before the command's clock starts.
    const result = await generator.run(command);
    const ticksAfter = timed ? await processTicks(side.pids, side.databaseNames) : null;
    const after = timed ? await cpuSnapshot(allPids, allDatabases) : null;
    pace = Math.max(pace ?? 0, result.total.requests / seconds);
    const record = records.get(side.name)!;
    if (timed) {
      record.slices.push(result);
      record.cpu = addCpu(record.cpu, cpuBetween(before, after));
      if (ticksBefore !== null && ticksAfter !== null)
        record.ownTicks = (record.ownTicks ?? 0) + ticksAfter - ticksBefore;
    }
    return result;
  };

  // Each side warms up once (compiling, filling caches), the fast one first so its pace sizes
  // the pools of the others.
  for (const side of [...sides].sort((a, b) => Number(b.reuse) - Number(a.reuse))) {
    if (plan.warmupS > 0) records.get(side.name)!.warmup = await run(side, side.name, plan.warmupS, 0, false);
  }
  for (let round = 0; round < plan.rounds; round++) {
    // Signed before the round, so its slices run back to back under the same neighbours; the
    // reused pool is only signed again once its requests grow old.
    const seconds = plan.leadS + plan.sliceS;
    for (const side of sides) {
      const unused = side.reuse ? plan.reusePool : needed(side, seconds);
      await generator.topUp({ pool: side.pool, unused, maxAgeMs: plan.maxAgeMs(seconds) });
    }
    for (const side of shuffled(sides, plan.random)) {
      await run(side, `${side.name} ${round + 1}/${plan.rounds}`, plan.leadS, plan.sliceS, true);
    }
  }
  return records;
}
