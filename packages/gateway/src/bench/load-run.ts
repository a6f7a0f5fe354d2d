/**
 * One load run: `concurrency` loops, each sending its next request as soon as the previous
 * answer is in, for the warm-up and then the timed window. Throughput counts the answers that
 * arrive inside the window, latency the requests sent inside it; the totals count everything.
 */
import type { KeyObject } from 'node:crypto';
import {
  CAPTURE_PATH,
  captureBody,
  judge,
  PAYMENT_PATH,
  QUERY_PATH,
  queryBody,
  REFUND_PATH,
  refundBody,
  STEPS,
  type Step,
} from './bodies.ts';
import { endpoint, type PostOutcome, post } from './http-post.ts';
import type { Mix } from './options.ts';
import type { Phase, ProgressSnapshot } from './progress.ts';
import type { LoadResult, RunCommand } from './protocol.ts';
import { type SignedPool, type SignedRequest, signRequest } from './signed-pool.ts';
import { LatencySample, summarize } from './stats.ts';

export interface LoadContext {
  mix: Mix;
  merchantId: string;
  key: KeyObject;
  pool: SignedPool;
  progress: (snapshot: ProgressSnapshot) => void;
}

const PROGRESS_EVERY_MS = 250;

export async function runLoad(ctx: LoadContext, command: RunCommand): Promise<LoadResult> {
  const target = endpoint(command.url, command.concurrency);
  const startedAt = performance.now();
  const windowStart = startedAt + command.warmupS * 1000;
  const windowEnd = windowStart + command.durationS * 1000;

  const latencies = new LatencySample();
  const window = { requests: 0, ok: 0, errors: 0, iterations: 0 };
  const total = { requests: 0, ok: 0, errors: 0, orders_ok: 0 };
  const errorKinds = new Map<string, number>();
  let bytes = 0;
  let answers = 0;
  let signedInRun = 0;
  let cycled = 0;

  const inWindow = (at: number) => at >= windowStart && at < windowEnd;

  /** Records one answer; returns the order id of a good one. */
  const record = (step: Step, outcome: PostOutcome): { ok: boolean; orderId: string | undefined } => {
    const counted = inWindow(outcome.endedAt);
    total.requests++;
    if (counted) window.requests++;
    // Latency is of requests *sent* in the window (answered in it or in the drain), so a slow
    // first answer of a cold server, sent during the warm-up, never counts.
    if (inWindow(outcome.endedAt - outcome.ms)) latencies.add(outcome.ms);
    let verdict: ReturnType<typeof judge>;
    if (outcome.kind === 'failed') {
      verdict = { ok: false, kind: `${step}: ${outcome.error}` };
    } else {
      bytes += outcome.bytes;
      answers++;
      verdict = judge(step, outcome.status, outcome.body);
    }
    if (verdict.ok) {
      total.ok++;
      if (step === STEPS[ctx.mix][0]) total.orders_ok++;
      if (counted) window.ok++;
      return { ok: true, orderId: verdict.orderId };
    }
    total.errors++;
    if (counted) window.errors++;
    errorKinds.set(verdict.kind, (errorKinds.get(verdict.kind) ?? 0) + 1);
    return { ok: false, orderId: undefined };
  };

  const first = async (): Promise<SignedRequest> => {
    if (command.reuse) return ctx.pool.cycle(cycled++);
    const entry = ctx.pool.take();
    if (entry) return entry;
    signedInRun++;
    return ctx.pool.extend();
  };

  /** Signs a later lifecycle step now: its body needs the order id from the first answer. */
  const signedPost = async (path: string, bodyAt: (timestamp: number) => string) => {
    const timestamp = Date.now();
    const request = await signRequest(ctx.merchantId, bodyAt(timestamp), timestamp, ctx.key);
    return post(target, path, request.body, request.signature);
  };

  /** One iteration of the mix; the later lifecycle steps need the order id, so they are signed here. */
  const iteration = async () => {
    const request = await first();
    const opening = record(
      STEPS[ctx.mix][0]!,
      await post(target, PAYMENT_PATH, request.body, request.signature),
    );
    if (STEPS[ctx.mix].length === 1) {
      if (opening.ok && inWindow(performance.now())) window.iterations++;
      return;
    }
    const orderId = opening.orderId;
    if (!opening.ok || !orderId) return;
    const transId = (JSON.parse(request.body.toString('utf8')) as { trans_id: string }).trans_id;
    const steps: Array<[Step, string, (timestamp: number) => string]> = [
      ['capture', CAPTURE_PATH, (t) => captureBody(ctx.merchantId, orderId, t)],
      ['refund', REFUND_PATH, (t) => refundBody(ctx.merchantId, transId, orderId, t)],
      ['query', QUERY_PATH, (t) => queryBody(ctx.merchantId, orderId, t)],
    ];
    for (const [step, path, body] of steps) {
      if (!record(step, await signedPost(path, body)).ok) return;
    }
    if (inWindow(performance.now())) window.iterations++;
  };

  const loop = async () => {
    while (performance.now() < windowEnd) await iteration();
  };

  let lastOk = 0;
  let lastAt = startedAt;
  const ticker = setInterval(() => {
    const now = performance.now();
    const rate = ((total.ok - lastOk) * 1000) / Math.max(1, now - lastAt);
    lastOk = total.ok;
    lastAt = now;
    const [phase, done, length]: [Phase, number, number] =
      now < windowStart
        ? ['warm-up', (now - startedAt) / 1000, command.warmupS]
        : now < windowEnd
          ? ['measuring', (now - windowStart) / 1000, command.durationS]
          : ['draining', 0, 0];
    ctx.progress({
      target: command.target,
      phase,
      done,
      total: length,
      ok: now < windowStart ? total.ok : window.ok,
      errors: now < windowStart ? total.errors : window.errors,
      rate,
    });
  }, PROGRESS_EVERY_MS);

  try {
    await Promise.all(Array.from({ length: command.concurrency }, loop));
  } finally {
    clearInterval(ticker);
    target.agent.destroy();
  }

  const round1 = (n: number) => Math.round(n * 10) / 10;
  return {
    target: command.target,
    window: {
      requests: window.requests,
      ok: window.ok,
      errors: window.errors,
      throughput: round1(window.ok / command.durationS),
      iterations_per_s: round1(window.iterations / command.durationS),
      latency: summarize(latencies),
    },
    total,
    error_kinds: Object.fromEntries([...errorKinds].sort((a, b) => b[1] - a[1])),
    response_bytes: answers === 0 ? null : Math.round(bytes / answers),
    signed_in_run: signedInRun,
  };
}
