/**
 * Shared pieces of the background-job tests: a merchant's view of the gateway on a moved clock
 * (SDK for payments, hand-signed requests for capture, void and refund), the order row and its
 * event log read straight from the store, and an acquirer wrapper whose answers a test can
 * script while every call is counted.
 */
import { OpenKKA } from '@openkka/sdk';
import pino from 'pino';
import { expect } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import type {
  Acquirer,
  AuthorizeRequest,
  AuthorizeResult,
  RefundRequest,
  RefundResult,
} from '../../src/acquirer/types.ts';
import { type App, buildApp } from '../../src/app.ts';
import type { OrderEvent, OrderRow } from '../../src/core/orders/order-row.ts';
import { OrderRepo, toOrderRow } from '../../src/core/orders/repo.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { TestGateway, TestMerchant } from './gateway.ts';
import { type RawResponse, signedPost } from './raw.ts';

export const SECOND = 1_000;
export const DAY = 86_400_000;

/** The merchant's side: every request signed with the gateway's (possibly manual) clock. */
export class Shop {
  readonly client: OpenKKA;

  constructor(
    readonly gw: TestGateway,
    readonly merchant: TestMerchant,
    private readonly clock: Clock,
  ) {
    // No retries: a retried request would hide a 5xx.
    this.client = new OpenKKA({
      baseUrl: gw.baseUrl,
      merchantId: merchant.merchantId,
      privateKey: merchant.privateKeyPem,
      platformPublicKey: gw.platformPublicKeyPem,
      maxRetries: 0,
      now: () => this.nextTimestamp(),
    });
  }

  /**
   * The time each request is signed at, the SDK's and the hand-signed ones alike: a signature is
   * accepted once, and a void and a query of one order send the same body, so in one millisecond
   * they would carry the same signature. Later than the last, unless the clock was moved back.
   */
  private signedAt = 0;
  private nextTimestamp(): number {
    const now = this.clock.now();
    this.signedAt = now > this.signedAt || now < this.signedAt - 60_000 ? now : this.signedAt + 1;
    return this.signedAt;
  }

  post(path: string, fields: Record<string, unknown>): Promise<RawResponse> {
    const body = { merchant_id: this.merchant.merchantId, ...fields, timestamp: this.nextTimestamp() };
    return signedPost(this.gw.baseUrl, path, body, this.merchant);
  }

  async capture(orderId: string, amount: number, final: boolean): Promise<RawResponse> {
    return this.post('/apis/payments/capture', {
      order_id: orderId,
      amount,
      currency: 'USD',
      capture_final: final,
    });
  }

  void(orderId: string): Promise<RawResponse> {
    return this.post('/apis/payments/void', { order_id: orderId });
  }

  refund(orderId: string, amount: number, refundTransId = `r-${Math.random().toString(36).slice(2)}`) {
    return this.post('/apis/payments/refund', {
      refund_trans_id: refundTransId,
      ori_order_id: orderId,
      refund_amount: amount,
      currency: 'USD',
    });
  }

  query(orderId: string) {
    return this.client.payments.query({ order_id: orderId });
  }
}

/** A request the gateway accepted (ret_code 000000); its data. */
export function accepted(res: RawResponse): Record<string, unknown> {
  expect(res.json.ret_code, res.text).toBe('000000');
  expect(res.status).toBe(200);
  return res.json.data as Record<string, unknown>;
}

export async function orderRow(gw: TestGateway, orderId: string): Promise<OrderRow> {
  const row = await gw.runtime.store.writer
    .selectFrom('orders')
    .selectAll()
    .where('order_id', '=', orderId)
    .executeTakeFirstOrThrow();
  return toOrderRow(row);
}

export function eventsOf(gw: TestGateway, orderId: string): Promise<OrderEvent[]> {
  return new OrderRepo(gw.runtime.store).events(orderId);
}

export async function eventTypes(gw: TestGateway, orderId: string): Promise<string[]> {
  return (await eventsOf(gw, orderId)).map((e) => e.type);
}

/**
 * A second gateway on the same store (as a second process on one PostgreSQL would be): its own
 * services and job runner, the same tables. Nothing is listening; only its jobs are used.
 * Close its app when done.
 */
export function secondGateway(gw: TestGateway, clock: Clock, acquirer: Acquirer): App {
  return buildApp({
    ...gw.runtime,
    acquirer,
    clock,
    logger: pino({ level: 'silent' }),
    settings: gw.config,
  });
}

type OutcomeAnswer = (request: AuthorizeRequest, signal: AbortSignal) => Promise<AuthorizeResult | 'UNKNOWN'>;

/**
 * The simulator with every call counted by order (or refund) id. `outcome` replaces the
 * answer to the reconciler's question; `rejectRefunds` makes the next n refund calls fail as a
 * lost connection would.
 */
export class ProbeAcquirer implements Acquirer {
  readonly authorizeCalls: string[] = [];
  readonly outcomeCalls: string[] = [];
  /** What the reconciler sent when asking (to check that no CVV goes with it). */
  readonly outcomeRequests: AuthorizeRequest[] = [];
  readonly refundCalls: string[] = [];
  outcome: OutcomeAnswer | undefined;
  rejectRefunds = 0;

  constructor(private readonly inner: Acquirer = new SimulatedAcquirer()) {}

  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult> {
    this.authorizeCalls.push(request.orderId);
    return this.inner.authorize(request, signal);
  }

  authorizationOutcome(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult | 'UNKNOWN'> {
    this.outcomeCalls.push(request.orderId);
    this.outcomeRequests.push(request);
    return this.outcome ? this.outcome(request, signal) : this.inner.authorizationOutcome(request, signal);
  }

  challengeRequired(pan: string): boolean {
    return this.inner.challengeRequired(pan);
  }

  async refund(request: RefundRequest, signal: AbortSignal): Promise<RefundResult> {
    this.refundCalls.push(request.refundId);
    if (this.rejectRefunds > 0) {
      this.rejectRefunds--;
      throw new Error('connection reset before the acquirer answered');
    }
    return this.inner.refund(request, signal);
  }

  count(calls: readonly string[], id: string): number {
    return calls.filter((c) => c === id).length;
  }
}
