/** The messages between `openkka bench` and its child processes (node IPC, structured clone). */
import type { CardEncryptionTarget } from './bodies.ts';
import type { Mix } from './options.ts';
import type { ProgressSnapshot } from './progress.ts';
import type { LatencySummary } from './stats.ts';

export interface PrepareCommand {
  type: 'prepare';
  merchantId: string;
  privateKeyPem: string;
  mix: Mix;
  runId: string;
  /** Requests to sign before anything is sent. */
  count: number;
  /** The encrypted mix's gateway key and client key. */
  encryptTo?: CardEncryptionTarget;
}

export interface RunCommand {
  type: 'run';
  /** `ceiling` or `openkka`: a label for progress and results. */
  target: string;
  url: string;
  concurrency: number;
  warmupS: number;
  durationS: number;
  /**
   * true for a target that stores nothing (the ceiling): cycle through the signed requests.
   * false: every request is used once, so every payment is a new order.
   */
  reuse: boolean;
  /** Sign up to this many requests before the run (outside the window). */
  ensure: number;
  /** Sign again every request older than this before the run. */
  maxAgeMs: number;
}

export type ToGenerator = PrepareCommand | RunCommand | { type: 'exit' };

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
  /** Mean answer size in bytes. */
  response_bytes: number | null;
  /** Requests signed inside the run because the pre-signed ones ran out (0 is the aim). */
  signed_in_run: number;
}

export type FromGenerator =
  | { type: 'progress'; snapshot: ProgressSnapshot }
  | { type: 'prepared'; count: number }
  | { type: 'result'; result: LoadResult }
  | { type: 'failed'; message: string };

export interface CeilingSetup {
  type: 'setup';
  merchantPublicKeyPem: string;
  answerBytes: number;
}

export type FromCeiling = { type: 'listening'; url: string } | { type: 'failed'; message: string };
