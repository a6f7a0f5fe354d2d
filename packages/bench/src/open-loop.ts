/**
 * One step of the load curve: requests sent at a constant rate (open loop), each a fresh
 * pre-signed payment, for a lead-in and then the timed window. Its latency runs from the
 * intended send time to the end of the iteration's last answer, so a queue that builds up in
 * front of a saturated server shows in the percentiles instead of slowing the sender down.
 */
import { STEPS } from './bodies.ts';
import { turnOf } from './endpoints.ts';
import { endpoint } from './http-post.ts';
import { every } from './interval.ts';
import type { LoadContext } from './load-run.ts';
import { iterationOf } from './mix-iteration.ts';
import { dueBy, intendedAt } from './open-loop-schedule.ts';
import { tickProgress } from './progress-ticker.ts';
import type { OpenLoopCommand, OpenLoopResult } from './protocol.ts';
import { LatencySample, percentile } from './stats.ts';
import { Tally } from './tally.ts';

/** How often the sender wakes to send what has fallen due; lateness is charged, not hidden. */
const SEND_EVERY_MS = 1;
/** Sockets at most: enough for any backlog a few seconds of overload builds on one machine. */
const MAX_SOCKETS = 2048;

const round2 = (ms: number | null) => (ms === null ? null : Math.round(ms * 100) / 100);

export async function runOpenLoop(ctx: LoadContext, command: OpenLoopCommand): Promise<OpenLoopResult> {
  const targets = command.urls.map((url) => endpoint(url, MAX_SOCKETS));
  const start = performance.now() + 10;
  const windowStart = start + command.leadS * 1000;
  const windowEnd = windowStart + command.durationS * 1000;
  const arrivals = Math.floor((command.leadS + command.durationS) * command.ratePerS);

  const tally = new Tally(STEPS[ctx.mix][0]!, ctx.protocol);
  const latencies = new LatencySample();
  const inWindow = (at: number) => at >= windowStart && at < windowEnd;
  const iterations = targets.map((target) =>
    iterationOf(ctx, target, (step, outcome) => tally.record(step, outcome, inWindow(outcome.endedAt))),
  );
  let signedInRun = 0;
  let completedInWindow = 0;

  const launch = async (i: number) => {
    const intended = intendedAt(start, command.ratePerS, i);
    let request = ctx.pool.take();
    if (!request) {
      signedInRun++;
      request = await ctx.pool.extend();
    }
    // Request by request, in turn over the gateways.
    const ok = await iterations[turnOf(i, iterations.length)]!(request);
    const endedAt = performance.now();
    if (intended >= windowStart) latencies.add(endedAt - intended);
    if (ok && inWindow(endedAt)) completedInWindow++;
  };

  const stopTicking = tickProgress(
    { target: command.target, startedAt: start, windowStart, windowEnd },
    tally,
    ctx.progress,
  );
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    const stop = every(SEND_EVERY_MS, () => {
      const due = dueBy(start, command.ratePerS, performance.now(), arrivals);
      while (sent < due) inFlight.push(launch(sent++));
      if (sent === arrivals) {
        stop();
        resolve();
      }
    });
  });
  try {
    await Promise.all(inFlight);
  } finally {
    stopTicking();
    for (const target of targets) target.agent.destroy();
  }

  const sorted = latencies.sorted();
  return {
    target_rate: Math.round(command.ratePerS * 10) / 10,
    achieved_rate: Math.round((completedInWindow / command.durationS) * 10) / 10,
    sent,
    p50_ms: round2(percentile(sorted, 50)),
    p99_ms: round2(percentile(sorted, 99)),
    p999_ms: round2(percentile(sorted, 99.9)),
    max_ms: round2(percentile(sorted, 100)),
    ok: tally.total.ok,
    orders_ok: tally.total.orders_ok,
    errors: tally.total.errors,
    error_kinds: tally.kinds(),
    signed_in_run: signedInRun,
  };
}
