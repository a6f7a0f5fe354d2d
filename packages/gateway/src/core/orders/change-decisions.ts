/**
 * Deciding a batch of planned changes (plan.ts) on orders as they were read, with no SQL: what
 * each request answers and what the batch writes. Several changes of one order are decided one
 * after another on the row as the earlier ones left it. Both PostgreSQL ways of writing a batch
 * (change-writer.ts: under a lock, or guarded by the rows' versions) decide through this.
 */
import { ApiError } from '../../domain/errors.ts';
import type { EventInsert, NotificationInsert } from './final-insert.ts';
import type { OrderRow } from './order-row.ts';
import { type AppliedStep, applyPlan, type Planner } from './plan.ts';
import type { RefundRow } from './refund-row.ts';

export interface ChangeRequest<T> {
  /** The order is looked up within this merchant's: another merchant's does not exist. */
  merchantId: string;
  orderId: string;
  plan: Planner<T>;
  /** The notification an applied step causes, or null. */
  notify: (step: AppliedStep, now: number) => Promise<NotificationInsert | null>;
}

/** The order after the change and the plan's result; or 'taken': the plan's new refund's key was. */
export type ChangeOutcome<T> = { order: OrderRow; result: T; queued: boolean } | 'taken';

export type ChangeResult = { ok: true; value: ChangeOutcome<unknown> } | { ok: false; error: unknown };

/** What a decided batch writes, and each request's answer should the write go through. */
export interface DecidedBatch {
  results: ChangeResult[];
  /** Orders a step changed, by id, as the last of their changes left them. */
  changed: Map<string, OrderRow>;
  /** New refunds, in key order, so two batches inserting the same keys wait in one order. */
  refunds: RefundRow[];
  events: EventInsert[];
  notifications: NotificationInsert[];
}

export interface Decided<T> {
  order: OrderRow;
  applied: AppliedStep[];
  events: EventInsert[];
  refund: RefundRow | undefined;
  result: T;
}

export function decide<T>(request: ChangeRequest<T>, row: OrderRow | undefined, now: number): Decided<T> {
  if (!row || row.merchant_id !== request.merchantId) throw new ApiError('ORDER_NOT_FOUND');
  const plan = request.plan(row, now);
  const { order, applied } = applyPlan(row, plan.steps, now);
  return { order, applied, events: applied.map((a) => a.row), refund: plan.newRefund, result: plan.result };
}

export async function notificationsOf<T>(
  request: ChangeRequest<T>,
  applied: AppliedStep[],
  now: number,
): Promise<NotificationInsert[]> {
  const rows: NotificationInsert[] = [];
  for (const step of applied) {
    const row = await request.notify(step, now);
    if (row) rows.push(row);
  }
  return rows;
}

/** Decides every request in order on `current` (read or locked rows by order id). */
export async function decideBatch(
  requests: ChangeRequest<unknown>[],
  current: Map<string, OrderRow>,
  now: number,
): Promise<DecidedBatch> {
  const batch: DecidedBatch = { results: [], changed: new Map(), refunds: [], events: [], notifications: [] };
  for (const request of requests) {
    let decided: Decided<unknown>;
    try {
      decided = decide(request, current.get(request.orderId), now);
    } catch (error) {
      batch.results.push({ ok: false, error });
      continue;
    }
    if (decided.refund) {
      // A second new refund with the same key in one batch: the first one is the refund.
      if (batch.refunds.some((r) => r.refund_trans_id === decided.refund!.refund_trans_id)) {
        batch.results.push({ ok: true, value: 'taken' });
        continue;
      }
      batch.refunds.push(decided.refund);
    }
    // A plan of no step leaves its order as it was: nothing of it needs writing.
    if (decided.applied.length > 0 || decided.refund) {
      current.set(request.orderId, decided.order);
      batch.changed.set(request.orderId, decided.order);
    }
    batch.events.push(...decided.events);
    const queued = await notificationsOf(request, decided.applied, now);
    batch.notifications.push(...queued);
    batch.results.push({
      ok: true,
      value: { order: decided.order, result: decided.result, queued: queued.length > 0 },
    });
  }
  batch.refunds.sort((a, b) => (a.refund_trans_id < b.refund_trans_id ? -1 : 1));
  return batch;
}
