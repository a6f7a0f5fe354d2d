/** The messages between `openkka bench` and its child processes (node IPC, structured clone). */
import type { CardEncryptionTarget } from './bodies.ts';
import type { Mix } from './options.ts';
import type { ProgressSnapshot } from './progress.ts';
import type { LatencySummary } from './stats.ts';
import type { Protocol } from './wire.ts';

export interface PrepareCommand {
  type: 'prepare';
  /** The pool to sign into: one per side (`ceiling`, and one per gateway, each its own merchant). */
  pool: string;
  merchantId: string;
  privateKeyPem: string;
  mix: Mix;
  /** The wire every request of the pool (and of its lifecycles) goes over. */
  protocol: Protocol;
  /** v3's `x-paykka-appid`: the merchant id unless the merchant was given an app id. */
  appId: string;
  runId: string;
  /** Requests to sign before anything is sent. */
  count: number;
  /** The encrypted mix's gateway key and client key. */
  encryptTo?: CardEncryptionTarget;
}

export interface RunCommand {
  type: 'run';
  /** A label for progress and results (`ceiling`, `openkka`, `ref`). */
  target: string;
  pool: string;
  /** The gateways to spread the connections over, in turn (endpoints.ts); one URL is one gateway. */
  urls: string[];
  concurrency: number;
  warmupS: number;
  durationS: number;
  /**
   * true for a target that stores nothing (the ceiling): cycle through the signed requests.
   * false: every request is used once, so every payment is a new order.
   */
  reuse: boolean;
  /**
   * Before the run (outside the window), sign until the pool holds this many: in all with
   * `reuse`, not yet used without it.
   */
  ensure: number;
  /** Sign again every unused request older than this before the run. */
  maxAgeMs: number;
  /** Send back every latency of the window, so the bench can merge slices exactly. */
  keepLatencies?: boolean;
}

/** One step of the load curve: a constant arrival rate, every request a fresh one. */
export interface OpenLoopCommand {
  type: 'open-loop';
  target: string;
  pool: string;
  /** The gateways to spread the requests over, in turn. */
  urls: string[];
  ratePerS: number;
  /** Sent at the rate but not measured: the queue of the step before drains meanwhile. */
  leadS: number;
  durationS: number;
  ensure: number;
  maxAgeMs: number;
}

export interface OpenLoopResult {
  /** Iterations per second the step sent at. */
  target_rate: number;
  /** Complete ok iterations per second that finished inside the window. */
  achieved_rate: number;
  sent: number;
  /** From the intended send time to the last answer of the iteration. */
  p50_ms: number | null;
  p99_ms: number | null;
  p999_ms: number | null;
  max_ms: number | null;
  ok: number;
  orders_ok: number;
  errors: number;
  error_kinds: Record<string, number>;
  signed_in_run: number;
}

/** Signs ahead, outside any window: a round's slices then follow each other with no gap. */
export interface TopUpCommand {
  type: 'top-up';
  pool: string;
  /** Unused requests the pool should hold afterwards. */
  unused: number;
  maxAgeMs: number;
}

export type ToGenerator = PrepareCommand | RunCommand | OpenLoopCommand | TopUpCommand | { type: 'exit' };

export interface LoadResult {
  target: string;
  /** Answers that arrived within the timed window; `latency` is of the requests sent within it. */
  window: {
    requests: number;
    ok: number;
    errors: number;
    /** ok answers per second of the window. */
    throughput: number;
    /** Iterations of the mix whose every step was ok, per second (= throughput for purchase). */
    iterations_per_s: number;
    latency: LatencySummary;
  };
  /** Everything the run sent: warm-up, window and the requests still in flight at its end. */
  total: {
    requests: number;
    ok: number;
    errors: number;
    /** ok answers to the first step: the orders the target should now hold. */
    orders_ok: number;
  };
  /** Error kinds (`purchase: HTTP 401 ret_code 206003`, `ECONNRESET`…) and how often each came. */
  error_kinds: Record<string, number>;
  /** ok answers of the whole run from each URL of the command, in its order. */
  ok_by_url: number[];
  /** Mean answer size in bytes. */
  response_bytes: number | null;
  /** Requests signed inside the run because the pre-signed ones ran out (0 is the aim). */
  signed_in_run: number;
  /** Length of the timed window, in seconds. */
  duration_s: number;
  /** Every latency of the window (ms), when the command asked for them. */
  latencies_ms?: number[];
  /** Latency of each step of the mix in the window (the lifecycle's authorize, capture, refund, query). */
  step_latency?: Record<string, LatencySummary>;
  /** Every latency of the window by step, when the command asked for them. */
  step_latencies_ms?: Record<string, number[]>;
}

export type FromGenerator =
  | { type: 'progress'; snapshot: ProgressSnapshot }
  | { type: 'prepared'; count: number }
  | { type: 'result'; result: LoadResult }
  | { type: 'open-loop-result'; result: OpenLoopResult }
  | { type: 'failed'; message: string };

export interface CeilingSetup {
  type: 'setup';
  merchantPublicKeyPem: string;
  answerBytes: number;
}

export type FromCeiling = { type: 'listening'; url: string } | { type: 'failed'; message: string };
