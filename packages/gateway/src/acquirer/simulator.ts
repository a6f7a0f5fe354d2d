/**
 * The simulated acquirer: decides by card number (test-cards.ts), with configurable latency
 * and a random failure rate for fault injection. It stands in for the card networks, the one
 * part of a payment that cannot run on this machine.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { testCardBehaviour } from './test-cards.ts';
import type { Acquirer, AuthorizeRequest, AuthorizeResult } from './types.ts';

export interface SimulatorOptions {
  /** Added to every call, in ms. */
  latencyMs?: number;
  /** 0..1: share of calls that end in an acquirer processing error. */
  failureRate?: number;
  random?: () => number;
}

export class SimulatedAcquirer implements Acquirer {
  constructor(private readonly options: SimulatorOptions = {}) {}

  async authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult> {
    const acquirerRef = `SIM${randomBytes(8).toString('hex').toUpperCase()}`;
    const behaviour = testCardBehaviour(request.card.pan);
    if (behaviour.kind === 'no-answer') {
      // Hang until the caller gives up, as a network partition would look.
      await delay(2 ** 31 - 1, undefined, { signal });
    }
    if (this.options.latencyMs) await delay(this.options.latencyMs, undefined, { signal });
    const random = this.options.random ?? Math.random;
    if (this.options.failureRate && random() < this.options.failureRate) {
      return { outcome: 'DECLINED', reason: 'ACQUIRER_ERROR', acquirerRef };
    }
    if (behaviour.kind === 'decline') return { outcome: 'DECLINED', reason: behaviour.reason, acquirerRef };
    if (behaviour.kind === 'challenge' && behaviour.thenDecline) {
      return { outcome: 'DECLINED', reason: behaviour.thenDecline, acquirerRef };
    }
    return { outcome: 'APPROVED', acquirerRef };
  }
}
