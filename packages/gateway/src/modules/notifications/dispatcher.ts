/**
 * Delivers queued notifications: claim due rows (a lease keeps other processes off them),
 * POST each one in its protocol, signed with a fresh timestamp (deliveries.ts), to an address
 * the outbound policy allows (outbound/), record the attempt, and reschedule failures on the
 * backoff schedule. Only HTTP 200 with `ret_code` 000000 counts as delivered, in either
 * protocol (docs/notifications.md).
 */
import type { KeyObject } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../domain/clock.ts';
import type { Store } from '../../store/db.ts';
import { inTransaction } from '../../store/tx.ts';
import { signedDelivery } from './deliveries.ts';
import type { OutboundPolicy } from './outbound/policy.ts';
import { type Answer, Poster, TimeoutError } from './outbound/post.ts';
import type { ClaimedNotification, NotificationRepo, NotificationRow } from './repo.ts';

export interface DispatcherSettings {
  /** Waits before each retry; the number of entries is the number of retries. */
  notifyBackoffMs: readonly number[];
  notifyTimeoutMs: number;
}

export interface DispatcherDeps {
  store: Store;
  repo: NotificationRepo;
  platformKey: KeyObject;
  clock: Clock;
  settings: DispatcherSettings;
  outbound: OutboundPolicy;
  log: FastifyBaseLogger;
}

const BATCH = 64;

export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private stopped = false;
  private readonly poster = new Poster();

  constructor(private readonly deps: DispatcherDeps) {}

  /** One pass: delivers everything due now (in batches) and returns how many attempts it made. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await this.claim();
      if (claimed.length === 0) return total;
      await Promise.all(claimed.map((n) => this.deliver(n)));
      total += claimed.length;
    }
  }

  /** Wakes the dispatcher after a commit that queued a notification. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runDue()
      .catch((err: unknown) => {
        this.deps.log.error({ err }, 'notification dispatch failed');
        return 0;
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          setImmediate(() => this.poke());
        }
      });
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.poke(), intervalMs);
    this.timer.unref();
    this.poke();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    // Idle kept-alive connections go; an agent still opens new ones (tests deliver after stop).
    this.poster.close();
  }

  private claim(): Promise<ClaimedNotification[]> {
    const { store, repo, clock, settings } = this.deps;
    const now = clock.now();
    // The lease outlasts one attempt, so a crashed process's claim simply expires.
    const leaseUntil = now + settings.notifyTimeoutMs + 5_000;
    return inTransaction(store, (tx) => repo.claimDue(tx, now, leaseUntil, BATCH));
  }

  private async deliver(n: ClaimedNotification): Promise<void> {
    const { clock, platformKey, settings, outbound } = this.deps;
    const timestamp = clock.now();
    const started = performance.now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      // Resolving the name is part of the attempt, and of its timeout.
      const target = await within(outbound.target(n.url), settings.notifyTimeoutMs);
      if ('refused' in target) {
        error = `not allowed: ${target.refused}`;
      } else if ('unresolved' in target) {
        error = target.unresolved;
      } else {
        // The stored body has no timestamp; each attempt is signed with a fresh one.
        const { headers, body } = await signedDelivery(n, timestamp, platformKey);
        const answer = await this.poster.post({
          url: target.url,
          addresses: target.addresses,
          headers,
          body,
          timeoutMs: Math.max(1, settings.notifyTimeoutMs - (performance.now() - started)),
        });
        httpStatus = answer.status;
        error = acknowledgement(answer);
      }
    } catch (err) {
      error = describe(err);
    }
    await this.record(n, {
      timestamp,
      latencyMs: Math.round(performance.now() - started),
      httpStatus,
      error,
    });
  }

  private record(
    n: NotificationRow,
    a: { timestamp: number; latencyMs: number; httpStatus: number | null; error: string | null },
  ): Promise<void> {
    const { store, repo, clock, settings } = this.deps;
    const now = clock.now();
    const delivered = a.error === null;
    return inTransaction(store, async (tx) => {
      // Numbered from the row as it is now, not as it was claimed: a redelivery while this
      // attempt was in flight lets another dispatcher attempt it too, and then both attempts
      // must be recorded (the same number twice broke the attempts key and lost the record),
      // and a late failure must not undo the other's delivery.
      const current = await repo.lockState(tx, n.notify_id);
      const attempt = current.attempts + 1;
      // A redelivered, exhausted notification has no retry left: if this attempt fails, FAILED again.
      const retryIn = settings.notifyBackoffMs[attempt - 1];
      const changes: Partial<NotificationRow> = delivered
        ? {
            status: 'DELIVERED',
            attempts: attempt,
            delivered_at: now,
            next_attempt_at: null,
            last_error: null,
          }
        : current.status === 'DELIVERED'
          ? { attempts: attempt }
          : retryIn === undefined
            ? { status: 'FAILED', attempts: attempt, next_attempt_at: null, last_error: a.error }
            : { attempts: attempt, next_attempt_at: now + retryIn, last_error: a.error };
      if (!delivered)
        this.deps.log.warn(
          { notifyId: n.notify_id, attempt, error: a.error },
          'notification not acknowledged',
        );
      await repo.recordAttempt(
        tx,
        {
          notify_id: n.notify_id,
          attempt,
          started_at: a.timestamp,
          latency_ms: a.latencyMs,
          http_status: a.httpStatus,
          error: a.error,
          delivered: delivered ? 1 : 0,
        },
        { ...changes, updated_at: now },
      );
    });
  }
}

/** null when the receiver acknowledged; otherwise why not. Only the answer's start was read. */
function acknowledgement(answer: Answer): string | null {
  if (answer.status !== 200) return `HTTP ${answer.status}`;
  try {
    const body = JSON.parse(answer.body.toString('utf8')) as { ret_code?: unknown };
    return body.ret_code === '000000' ? null : `ret_code ${JSON.stringify(body.ret_code ?? null)}`;
  } catch {
    return answer.cut ? 'answer over 64 KiB is not JSON' : 'body is not JSON';
  }
}

/** An error code or a short reason; never the URL, which may carry what logs must not. */
function describe(err: unknown): string {
  const e = err as Error & { code?: unknown; cause?: { code?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  if (typeof e.code === 'string') return e.code;
  return e.cause?.code ?? e.name;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError('timed out')), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
