/**
 * Delivers queued notifications: claims due rows (a lease keeps other processes off them),
 * POSTs each one in its protocol, signed with a fresh timestamp (deliveries.ts), to an address
 * the outbound policy allows (outbound/), records the attempt, and reschedules failures on the
 * backoff schedule. Only HTTP 200 with `ret_code` 000000 counts as delivered, in either protocol
 * (docs/notifications.md).
 *
 * Claims are fair (slots.ts): each merchant, and each receiving host, has a share of the
 * attempts in flight, the free slots go to the merchants with the fewest in flight, and a slot
 * is claimed again as soon as an attempt ends, not when a whole batch has. So a merchant whose
 * receiver hangs delays another merchant's notification by at most one attempt timeout.
 */
import type { KeyObject } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../domain/clock.ts';
import type { Store } from '../../store/db.ts';
import { inTransaction, type Tx } from '../../store/tx.ts';
import { signedDelivery } from './deliveries.ts';
import type { OutboundPolicy } from './outbound/policy.ts';
import { type Answer, Poster, TimeoutError } from './outbound/post.ts';
import type { ClaimedNotification, NotificationRepo, NotificationRow } from './repo.ts';
import { DeliverySlots } from './slots.ts';

export interface DispatcherSettings {
  /** Waits before each retry; the number of entries is the number of retries. */
  notifyBackoffMs: readonly number[];
  notifyTimeoutMs: number;
  /** Attempts one process has in flight at most. */
  notifyConcurrency: number;
  /** … of them for one merchant. */
  notifyPerMerchant: number;
  /** … of them to one receiving host and port. */
  notifyPerHost: number;
}

/** What became of one attempt: delivered, failed with a retry scheduled, or failed with none left. */
export type AttemptOutcome = 'delivered' | 'failed' | 'given_up';

export interface DispatcherDeps {
  store: Store;
  repo: NotificationRepo;
  platformKey: KeyObject;
  clock: Clock;
  settings: DispatcherSettings;
  outbound: OutboundPolicy;
  log: FastifyBaseLogger;
  /** Hears each attempt once it is recorded (the metrics, wired in app.ts). */
  onAttempt?: ((outcome: AttemptOutcome) => void) | undefined;
}

export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly slots: DeliverySlots;
  private readonly poster = new Poster();
  /** Attempts in flight, each settling once its slot is free again. */
  private readonly active = new Set<Promise<void>>();
  /** Claims run one after another, each planning with the slots the one before took. */
  private claims: Promise<unknown> = Promise.resolve();
  private claimQueued = false;
  /** Attempts settled so far: runDue claims again when one settled while it was claiming. */
  private settled = 0;

  constructor(private readonly deps: DispatcherDeps) {
    const { notifyConcurrency, notifyPerMerchant, notifyPerHost } = deps.settings;
    this.slots = new DeliverySlots({
      total: notifyConcurrency,
      perMerchant: notifyPerMerchant,
      perHost: notifyPerHost,
    });
  }

  /**
   * Delivers everything due now, waiting for every attempt it started, and returns how many it
   * made (tests call it after moving a manual clock, with the wake-ups stopped).
   */
  async runDue(): Promise<number> {
    let made = 0;
    for (;;) {
      // An attempt that settles while the claim runs may free a later notification of its
      // order that this claim already passed over: that claim is not the last word.
      const settledBefore = this.settled;
      const claim = this.claims.then(() => this.claimAll());
      this.claims = claim.catch(() => {});
      made += await claim;
      if (this.active.size > 0) await Promise.race(this.active);
      else if (this.settled === settledBefore) return made;
    }
  }

  /** Wakes the dispatcher: after a commit that queued a notification, and when a slot frees. */
  poke(): void {
    if (this.stopped || this.claimQueued) return;
    this.claimQueued = true;
    this.claims = this.claims
      .then(() => {
        this.claimQueued = false;
        return this.claimAll();
      })
      .catch((err: unknown) => this.deps.log.error({ err }, 'notification dispatch failed'));
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.poke(), intervalMs);
    this.timer.unref();
    this.poke();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.claims;
    await Promise.all(this.active);
    // Idle kept-alive connections go; an agent still opens new ones (tests deliver after stop).
    this.poster.close();
  }

  /** Claims into the free slots until nothing due is left that a slot may take. */
  private async claimAll(): Promise<number> {
    let started = 0;
    while (this.slots.free > 0) {
      const claimed = await this.claim();
      if (claimed.length === 0) break;
      for (const n of claimed) this.launch(n);
      started += claimed.length;
    }
    return started;
  }

  private async claim(): Promise<ClaimedNotification[]> {
    const { store, repo, clock, settings } = this.deps;
    const now = clock.now();
    // The lease outlasts one attempt, so a crashed process's claim simply expires.
    const leaseUntil = now + settings.notifyTimeoutMs + 5_000;
    const taken: ClaimedNotification[] = [];
    const claim = async (tx: Tx) => {
      const plan = this.slots.plan(await repo.dueMerchants(tx, now));
      for (const [merchantId, count] of plan) {
        for (const n of await repo.lockDue(tx, merchantId, now, count)) {
          // A row whose host is full stays due, unleased, for a later claim.
          if (this.slots.take(merchantId, hostOf(n.url))) taken.push(n);
        }
      }
      await repo.lease(
        tx,
        taken.map((n) => n.notify_id),
        leaseUntil,
      );
    };
    try {
      await inTransaction(store, claim);
    } catch (err) {
      for (const n of taken) this.slots.release(n.merchant_id, hostOf(n.url));
      throw err;
    }
    return taken;
  }

  private launch(n: ClaimedNotification): void {
    const attempt: Promise<void> = this.deliver(n)
      .catch((err: unknown) =>
        this.deps.log.error({ err, notifyId: n.notify_id }, 'notification attempt failed'),
      )
      .finally(() => {
        this.slots.release(n.merchant_id, hostOf(n.url));
        this.active.delete(attempt);
        this.settled++;
        this.poke();
      });
    this.active.add(attempt);
  }

  private async deliver(n: ClaimedNotification): Promise<void> {
    const { clock, platformKey, settings, outbound } = this.deps;
    const timestamp = clock.now();
    const started = performance.now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    let answerExcerpt: string | null = null;
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
        answerExcerpt = excerptOf(answer.body);
      }
    } catch (err) {
      error = describe(err);
    }
    await this.record(n, {
      timestamp,
      latencyMs: Math.round(performance.now() - started),
      httpStatus,
      error,
      answerExcerpt,
    });
  }

  private async record(
    n: NotificationRow,
    a: {
      timestamp: number;
      latencyMs: number;
      httpStatus: number | null;
      error: string | null;
      answerExcerpt: string | null;
    },
  ): Promise<void> {
    const { store, repo, clock, settings } = this.deps;
    const now = clock.now();
    const delivered = a.error === null;
    let outcome: AttemptOutcome = 'failed';
    await inTransaction(store, async (tx) => {
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
      if (delivered) outcome = 'delivered';
      else if (changes.status === 'FAILED') outcome = 'given_up';
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
          answer_excerpt: a.answerExcerpt,
          request_id: n.request_id,
        },
        { ...changes, updated_at: now },
      );
    });
    this.deps.onAttempt?.(outcome);
  }
}

/** How much of a receiver's answer each attempt keeps: enough to tell why it failed. */
export const ANSWER_EXCERPT_LENGTH = 200;

/**
 * The start of the answer as text, control characters as spaces (NUL cannot be stored in
 * PostgreSQL text); null for an empty answer. Whoever shows it escapes it: it is the
 * receiver's, not ours.
 */
export function excerptOf(body: Buffer): string | null {
  const text = body
    .subarray(0, ANSWER_EXCERPT_LENGTH * 4)
    .toString('utf8')
    .replace(/\p{Cc}/gu, ' ');
  const excerpt = [...text].slice(0, ANSWER_EXCERPT_LENGTH).join('').trim();
  return excerpt === '' ? null : excerpt;
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

/** The host a delivery goes to, as the per-host share counts it: name and effective port. */
function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError('timed out')), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
