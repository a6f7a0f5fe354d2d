/**
 * Shared pieces of the money-movement tests (capture, void, refund): a hand-signing client
 * that checks the balance invariants of docs/api.md#order-status-and-balances on every order it sees, readers of the
 * order's event log and refund rows straight from the store, and a guard asserting that a
 * refused request changed nothing.
 */
import type { Balances } from '@openkka/sdk';
import { DistinctTimestamps } from '@openkka/sdk/timestamps';
import { expect } from 'vitest';
import { type Clock, systemClock } from '../../src/domain/clock.ts';
import { cardPayment } from './cards.ts';
import type { TestGateway, TestMerchant } from './gateway.ts';
import { type RawResponse, signedPost } from './raw.ts';

export const CARDS = {
  approved: '4242424242424242',
  declined: '4000000000000002',
  refundsFail: '4000000000005126',
  noAnswer: '4000000000000408',
} as const;

/** Every status of docs/api.md#order-status-and-balances, in the order the table lists them. */
export const STATUSES = [
  'PROCESSING',
  'AUTHORIZED',
  'SUCCESS',
  'FAILURE',
  'CANCELED',
  'PARTIALLY_REVERSED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
] as const;

export interface Order {
  order_id: string;
  trans_id: string;
  merchant_id: string;
  status: string;
  amount: number;
  currency: string;
  capture_method: string;
  error_code: string;
  balances: Balances;
}

export interface Refund {
  refund_trans_id: string;
  refund_order_id: string;
  ori_order_id: string;
  merchant_id: string;
  status: string;
  amount: number;
  currency: string;
  error_code: string;
  error_description: string;
}

export interface OrderEvent {
  seq: number;
  type: string;
  amount: number;
  status: string;
  refund_order_id: string | null;
}

const BALANCE_KEYS: (keyof Balances)[] = [
  'authed_amount',
  'captured_amount',
  'able_to_capture_amount',
  'voided_amount',
  'able_to_void_amount',
  'refunded_amount',
  'able_to_refund_amount',
  'refunding_amount',
];

/**
 * The status docs/api.md#order-status-and-balances table gives for an order that has left PROCESSING/FAILURE, written
 * from the table itself (not from the gateway's code) so the two can disagree.
 */
function statusFromTable(b: Balances): string {
  if (b.refunded_amount > 0) {
    return b.refunded_amount === b.captured_amount && b.able_to_capture_amount === 0
      ? 'REFUNDED'
      : 'PARTIALLY_REFUNDED';
  }
  if (b.voided_amount > 0) return b.captured_amount === 0 ? 'CANCELED' : 'PARTIALLY_REVERSED';
  if (b.captured_amount > 0) return 'SUCCESS';
  return 'AUTHORIZED';
}

/** As docs/api.md#order-status-and-balances says invariants; fails the test, naming the order, when one does not hold. */
export function expectInvariants(order: Order): void {
  const b = order.balances;
  const where = `${order.order_id} ${order.status} ${JSON.stringify(b)}`;
  expect(STATUSES, where).toContain(order.status);
  expect(Object.keys(b).sort(), where).toEqual([...BALANCE_KEYS].sort());
  for (const key of BALANCE_KEYS) {
    expect(Number.isSafeInteger(b[key]) && b[key] >= 0, `${key} of ${where}`).toBe(true);
  }
  expect(b.authed_amount, `authed = captured + voided + able_to_capture: ${where}`).toBe(
    b.captured_amount + b.voided_amount + b.able_to_capture_amount,
  );
  expect(b.able_to_void_amount, `able_to_void = able_to_capture: ${where}`).toBe(b.able_to_capture_amount);
  expect(
    b.refunded_amount + b.refunding_amount,
    `refunded + refunding ≤ captured: ${where}`,
  ).toBeLessThanOrEqual(b.captured_amount);
  expect(b.able_to_refund_amount, `able_to_refund = captured − refunded − refunding: ${where}`).toBe(
    b.captured_amount - b.refunded_amount - b.refunding_amount,
  );
  expect(b.authed_amount, `authed ≤ amount: ${where}`).toBeLessThanOrEqual(order.amount);
  if (order.status === 'PROCESSING' || order.status === 'FAILURE') {
    for (const key of BALANCE_KEYS) expect(b[key], `${key} of ${where}`).toBe(0);
  } else {
    expect(order.status, `status from the §6 table: ${where}`).toBe(statusFromTable(b));
  }
}

export function expectRefused(res: RawResponse, http: number, retCode: string): void {
  expect({ status: res.status, ret_code: res.json.ret_code }, res.text).toEqual({
    status: http,
    ret_code: retCode,
  });
  expect(res.json.data, res.text).toBeUndefined();
}

function isOrder(data: unknown): data is Order {
  return typeof data === 'object' && data !== null && 'balances' in data && 'order_id' in data;
}

/** One merchant talking to the gateway over HTTP, every request signed by hand (docs/signing.md). */
export class MoneyApi {
  readonly prefix: string;
  /** A signature is accepted once: identical requests (sent at once on purpose) each get their own. */
  private readonly timestamps: DistinctTimestamps;

  constructor(
    readonly gw: TestGateway,
    readonly merchant: TestMerchant,
    readonly clock: Clock = systemClock,
    prefix = '/apis',
  ) {
    this.prefix = prefix;
    this.timestamps = new DistinctTimestamps(() => clock.now());
  }

  /**
   * Signs and posts `fields` to `path` (below the prefix unless `raw`), with merchant_id and a
   * timestamp from the gateway's clock (a millisecond later for a body sent before at that
   * time). Every order in an answer has its invariants checked; a refund answer is followed by
   * a query of its order, checked the same way.
   */
  async post(path: string, fields: Record<string, unknown>, raw = false): Promise<RawResponse> {
    const timestamp = this.timestamps.next(JSON.stringify(fields));
    const body = { merchant_id: this.merchant.merchantId, ...fields, timestamp };
    const res = await signedPost(this.gw.baseUrl, raw ? path : `${this.prefix}${path}`, body, this.merchant);
    expect(res.status, `no 5xx: ${res.text}`).toBeLessThan(500);
    const data = res.json.data;
    if (isOrder(data)) expectInvariants(data);
    if (res.status === 200 && typeof data === 'object' && data !== null && 'ori_order_id' in data) {
      await this.order(String((data as Refund).ori_order_id));
    }
    return res;
  }

  /** Asserts HTTP 200 / 000000 and returns `data`, without the response's own `timestamp`. */
  async ok<T>(path: string, fields: Record<string, unknown>, raw = false): Promise<T> {
    const res = await this.post(path, fields, raw);
    expect({ status: res.status, ret_code: res.json.ret_code }, res.text).toEqual({
      status: 200,
      ret_code: '000000',
    });
    const { timestamp: _answeredAt, ...data } = res.json.data as Record<string, unknown>;
    return data as T;
  }

  /** Creates a card payment (AUTOMATIC unless `capture_method: 'MANUAL'`). */
  pay(overrides: Record<string, unknown> = {}, card: Record<string, unknown> = {}): Promise<Order> {
    return this.ok<Order>('/payments', cardPayment(overrides, card));
  }

  /** A MANUAL payment that is AUTHORIZED for `amount`. */
  async authorized(amount = 1000, card: Record<string, unknown> = {}): Promise<Order> {
    const order = await this.pay({ amount, capture_method: 'MANUAL' }, card);
    expect(order).toMatchObject({ status: 'AUTHORIZED', balances: { able_to_capture_amount: amount } });
    return order;
  }

  /** An AUTOMATIC payment captured in full (SUCCESS). */
  async captured(amount = 1000, card: Record<string, unknown> = {}): Promise<Order> {
    const order = await this.pay({ amount }, card);
    expect(order).toMatchObject({ status: 'SUCCESS', balances: { captured_amount: amount } });
    return order;
  }

  /** The order as /payments/query answers it now (invariants checked). */
  order(orderId: string): Promise<Order> {
    return this.ok<Order>('/payments/query', { order_id: orderId });
  }

  capture(orderId: string, amount: unknown, extra: Record<string, unknown> = {}): Promise<RawResponse> {
    return this.post('/payments/capture', { order_id: orderId, amount, currency: 'USD', ...extra });
  }

  void(orderId: string, extra: Record<string, unknown> = {}): Promise<RawResponse> {
    return this.post('/payments/void', { order_id: orderId, ...extra });
  }

  refund(orderId: string, amount: unknown, extra: Record<string, unknown> = {}): Promise<RawResponse> {
    return this.post('/payments/refund', {
      refund_trans_id: `r-${Math.random().toString(36).slice(2)}`,
      ori_order_id: orderId,
      refund_amount: amount,
      currency: 'USD',
      reason: 'REQUESTED_BY_CUSTOMER',
      ...extra,
    });
  }

  refundQuery(by: { refund_trans_id?: string; refund_order_id?: string }): Promise<RawResponse> {
    return this.post('/payments/refund/query', by);
  }
}

export async function events(gw: TestGateway, orderId: string): Promise<OrderEvent[]> {
  const rows = await gw.runtime.store.writer
    .selectFrom('order_events')
    .select(['seq', 'type', 'amount', 'status', 'refund_order_id'])
    .where('order_id', '=', orderId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), amount: Number(r.amount) }));
}

export async function eventCount(gw: TestGateway, orderId: string): Promise<number> {
  const { n } = await gw.runtime.store.writer
    .selectFrom('order_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('order_id', '=', orderId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

export async function refundRows(gw: TestGateway, orderId: string): Promise<number> {
  const { n } = await gw.runtime.store.writer
    .selectFrom('refunds')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('order_id', '=', orderId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * Runs a request that must be refused (docs/api.md#the-envelope: a refusal changes nothing) and asserts the
 * order's status, balances, event log and refund rows are exactly as before.
 */
export async function expectUnchanged(
  api: MoneyApi,
  orderId: string,
  refused: () => Promise<RawResponse>,
  http: number,
  retCode: string,
): Promise<RawResponse> {
  const before = await api.order(orderId);
  const eventsBefore = await eventCount(api.gw, orderId);
  const refundsBefore = await refundRows(api.gw, orderId);
  const res = await refused();
  expectRefused(res, http, retCode);
  const after = await api.order(orderId);
  expect({ status: after.status, balances: after.balances }).toEqual({
    status: before.status,
    balances: before.balances,
  });
  expect(await eventCount(api.gw, orderId), 'order_events rows').toBe(eventsBefore);
  expect(await refundRows(api.gw, orderId), 'refund rows').toBe(refundsBefore);
  return res;
}
