/**
 * The simulated acquirer: decides by card number (test-cards.ts), with configurable latency
 * and a random failure rate for fault injection. It stands in for the card networks, the one
 * part of a payment that cannot run on this machine. It keeps no state: what it must remember
 * about an authorization (refunds of it fail) travels in the reference it hands out, so it
 * answers the same after a gateway restart.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type Clock, systemClock } from '../domain/clock.ts';
import { testCardBehaviour } from './test-cards.ts';
import type { Acquirer, AuthorizeRequest, AuthorizeResult, RefundRequest, RefundResult } from './types.ts';

export interface SimulatorOptions {
  /** Added to every call, in ms. */
  latencyMs?: number;
  /** 0..1: share of authorizations that end in an acquirer processing error. */
  failureRate?: number;
  /** How long a refund of the refund-failing test card stays pending before it fails. */
  refundFailureDelayMs?: number;
  random?: () => number;
  clock?: Clock;
}

/** Marks authorizations whose refunds fail (test card 4000000000005126). */
const REFUNDS_FAIL = 'SIMRF';
const PLAIN = 'SIM';

export class SimulatedAcquirer implements Acquirer {
  constructor(private readonly options: SimulatorOptions = {}) {}

  async authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult> {
    const behaviour = testCardBehaviour(request.card.pan);
    if (behaviour.kind === 'no-answer') {
      // Hang until the caller gives up, as a network partition would look.
      await delay(2 ** 31 - 1, undefined, { signal });
    }
    await this.latency(signal);
    return this.answer(request);
  }

  private answer(request: AuthorizeRequest): AuthorizeResult {
    const random = this.options.random ?? Math.random;
    if (this.options.failureRate && random() < this.options.failureRate) {
      return { outcome: 'DECLINED', reason: 'ACQUIRER_ERROR', acquirerRef: ref(PLAIN) };
    }
    return decide(request);
  }

  /**
   * Answers at once unless a latency is configured or the card is the one that never answers:
   * those stand in for a slow or lost network answer, so they take the two-phase path.
   */
  answerInProcess(request: AuthorizeRequest): AuthorizeResult | null {
    if (this.options.latencyMs) return null;
    if (testCardBehaviour(request.card.pan).kind === 'no-answer') return null;
    return this.answer(request);
  }

  async authorizationOutcome(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult> {
    await this.latency(signal);
    // The no-answer card's authorization went through; the answer was lost on the way back.
    return decide(request);
  }

  challengeRequired(pan: string): boolean {
    return testCardBehaviour(pan).kind === 'challenge';
  }

  async refund(request: RefundRequest, signal: AbortSignal): Promise<RefundResult> {
    await this.latency(signal);
    return this.refundAnswer(request);
  }

  /** Answers at once unless a latency is configured, as `answerInProcess` does. */
  refundInProcess(request: RefundRequest): RefundResult | null {
    return this.options.latencyMs ? null : this.refundAnswer(request);
  }

  private refundAnswer(request: RefundRequest): RefundResult {
    const acquirerRef = `${request.paymentRef}-R`;
    if (!request.paymentRef.startsWith(REFUNDS_FAIL)) return { status: 'SUCCESS', acquirerRef };
    const failAt = request.requestedAt + (this.options.refundFailureDelayMs ?? 5_000);
    const now = (this.options.clock ?? systemClock).now();
    return now >= failAt
      ? { status: 'FAILURE', acquirerRef }
      : { status: 'PENDING', acquirerRef, retryAfterMs: failAt - now };
  }

  private async latency(signal: AbortSignal): Promise<void> {
    if (this.options.latencyMs) await delay(this.options.latencyMs, undefined, { signal });
  }
}

/** 16 random hex digits; from randomUUID's pooled entropy, one kernel call per 128 references. */
function ref(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(-16).toUpperCase()}`;
}

function decide(request: AuthorizeRequest): AuthorizeResult {
  const behaviour = testCardBehaviour(request.card.pan);
  if (behaviour.kind === 'decline')
    return { outcome: 'DECLINED', reason: behaviour.reason, acquirerRef: ref(PLAIN) };
  if (behaviour.kind === 'challenge' && behaviour.thenDecline) {
    return { outcome: 'DECLINED', reason: behaviour.thenDecline, acquirerRef: ref(PLAIN) };
  }
  return {
    outcome: 'APPROVED',
    acquirerRef: ref(behaviour.kind === 'approve-refunds-fail' ? REFUNDS_FAIL : PLAIN),
  };
}
