/**
 * One closed-loop run (a slice of an interleaved measurement, or a warm-up): `concurrency`
 * loops, each sending its next request as soon as the previous answer is in, for the lead-in
 * and then the timed window. Throughput counts the answers that arrive inside the window,
 * latency the requests sent inside it; the totals count everything.
 */
import { STEPS } from './bodies.ts';
import { endpointsFor, turnOf } from './endpoints.ts';
import { iterationOf, type Signer } from './mix-iteration.ts';
import type { ProgressSnapshot } from './progress.ts';
import { tickProgress } from './progress-ticker.ts';
import type { LoadResult, RunCommand } from './protocol.ts';
import type { SignedPool, SignedRequest } from './signed-pool.ts';
import { LatencySample, summarize } from './stats.ts';
import { StepLatencies } from './step-latencies.ts';
import { Tally } from './tally.ts';

export interface LoadContext extends Signer {
  pool: SignedPool;
  progress: (snapshot: ProgressSnapshot) => void;
}

/** Latencies travel to the bench for merging across slices; 10 µs is finer than they mean. */
const toHundredths = (ms: number) => Math.round(ms * 100) / 100;

export async function runLoad(ctx: LoadContext, command: RunCommand): Promise<LoadResult> {
  const targets = endpointsFor(command.urls, command.concurrency);
  const okByUrl = targets.map(() => 0);
  const startedAt = performance.now();
  const windowStart = startedAt + command.warmupS * 1000;
  const windowEnd = windowStart + command.durationS * 1000;

  const latencies = new LatencySample();
  const kept: number[] = [];
  const byStep = new StepLatencies(command.keepLatencies);
  const tally = new Tally(STEPS[ctx.mix][0]!, ctx.protocol);
  let signedInRun = 0;
  let cycled = 0;

  const inWindow = (at: number) => at >= windowStart && at < windowEnd;
  const iterations = targets.map((target, k) =>
    iterationOf(ctx, target, (step, outcome) => {
      // Latency is of requests *sent* in the window (answered in it or in the drain), so a slow
      // first answer of a cold server, sent during the lead-in, never counts.
      if (inWindow(outcome.endedAt - outcome.ms)) {
        latencies.add(outcome.ms);
        byStep.add(step, outcome.ms);
        if (command.keepLatencies) kept.push(toHundredths(outcome.ms));
      }
      const verdict = tally.record(step, outcome, inWindow(outcome.endedAt));
      if (verdict.ok) okByUrl[k]!++;
      return verdict;
    }),
  );

  const next = async (): Promise<SignedRequest> => {
    if (command.reuse) return ctx.pool.cycle(cycled++);
    const entry = ctx.pool.take();
    if (entry) return entry;
    signedInRun++;
    return ctx.pool.extend();
  };

  // Each loop is one connection, kept on one gateway: the loops are handed out in turn.
  const loop = async (_: unknown, connection: number) => {
    const iteration = iterations[turnOf(connection, iterations.length)]!;
    while (performance.now() < windowEnd) {
      if ((await iteration(await next())) && inWindow(performance.now())) tally.window.iterations++;
    }
  };

  const stopTicking = tickProgress(
    { target: command.target, startedAt, windowStart, windowEnd },
    tally,
    ctx.progress,
  );

  try {
    await Promise.all(Array.from({ length: command.concurrency }, loop));
  } finally {
    stopTicking();
    for (const target of targets) target.agent.destroy();
  }

  // A warm-up has no window: its answers count in the totals only.
  const perSecond = (n: number) =>
    command.durationS === 0 ? 0 : Math.round((n * 10) / command.durationS) / 10;
  return {
    target: command.target,
    window: {
      requests: tally.window.requests,
      ok: tally.window.ok,
      errors: tally.window.errors,
      throughput: perSecond(tally.window.ok),
      iterations_per_s: perSecond(tally.window.iterations),
      latency: summarize(latencies),
    },
    total: { ...tally.total },
    error_kinds: tally.kinds(),
    ok_by_url: okByUrl,
    response_bytes: tally.meanBytes(),
    signed_in_run: signedInRun,
    duration_s: command.durationS,
    ...(command.keepLatencies ? { latencies_ms: kept } : {}),
    step_latency: byStep.summaries(),
    ...(command.keepLatencies ? { step_latencies_ms: byStep.latencies() } : {}),
  };
}
