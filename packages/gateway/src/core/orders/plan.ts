/**
 * A change of an existing order decided from the locked row alone, with no SQL of its own.
 * Because deciding needs no round trip, the writer can lock many orders, decide each change
 * and write them all in a few statements (change-writer.ts). Steps apply in order, each with
 * its event: a refund the acquirer answered in process is reserved and settled in one change.
 */
import type { EventInsert } from './final-insert.ts';
import type { EventType, OrderRow } from './order-row.ts';
import type { RefundRow } from './refund-row.ts';

/** What a planned step may change: the status, the balances, and when the authorization lapses. */
export type MoneyColumns = Pick<
  OrderRow,
  'status' | 'authed_amount' | 'captured_amount' | 'voided_amount' | 'refunded_amount' | 'refunding_amount'
> &
  Partial<Pick<OrderRow, 'auth_expires_at'>>;

/** The event a change appends; refund events carry the refund as it is after the step. */
export interface PlannedEvent {
  type: EventType;
  amount: number;
  refund?: RefundRow;
}

export interface PlanStep {
  changes: MoneyColumns;
  event: PlannedEvent;
}

export interface Plan<T> {
  steps: PlanStep[];
  /**
   * A refund written with the change unless its (merchant_id, refund_trans_id) is taken: then
   * nothing of the change is written and the caller is told so.
   */
  newRefund?: RefundRow;
  result: T;
}

/** Decides from the locked row at `now`; throws an ApiError to refuse, and nothing is written. */
export type Planner<T> = (row: OrderRow, now: number) => Plan<T>;

/** One applied step: the order as the step left it, its event, and the event's row. */
export interface AppliedStep {
  order: OrderRow;
  event: PlannedEvent;
  row: EventInsert;
}

/** The order after every step, each step numbered in the order's event log. */
export function applyPlan(
  row: OrderRow,
  steps: PlanStep[],
  now: number,
): { order: OrderRow; applied: AppliedStep[] } {
  let order = row;
  const applied: AppliedStep[] = [];
  for (const step of steps) {
    order = { ...order, ...step.changes, event_seq: order.event_seq + 1, updated_at: now };
    applied.push({ order, event: step.event, row: eventRow(order, step.event, now) });
  }
  return { order, applied };
}

/** An event as order_events stores it: numbered by the order's event_seq, with the status it left. */
export function eventRow(order: OrderRow, event: PlannedEvent, now: number): EventInsert {
  return {
    order_id: order.order_id,
    seq: order.event_seq,
    type: event.type,
    amount: event.amount,
    status: order.status,
    refund_order_id: event.refund?.refund_order_id ?? null,
    created_at: now,
  };
}
