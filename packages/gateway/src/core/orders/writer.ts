/**
 * The one way an existing order changes: a short transaction that locks the row, lets the
 * caller decide from the row as it is now, writes the change and appends it to the order's
 * event log. Two writers of one order never interleave (SQLite: BEGIN IMMEDIATE; PostgreSQL:
 * SELECT … FOR UPDATE), so a decision can never be made on stale balances.
 */
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import type { Store } from '../../store/db.ts';
import { inTransaction, type Tx } from '../../store/tx.ts';
import { type ChangeOutcome, ChangeWriter } from './change-writer.ts';
import { FinalOrderInsert, type NotificationInsert } from './final-insert.ts';
import type { EventType, OrderRow } from './order-row.ts';
import { type AppliedStep, eventRow, type Planner } from './plan.ts';
import type { RefundRow } from './refund-row.ts';
import type { OrderRepo } from './repo.ts';

export interface OrderChange {
  changes: Partial<OrderRow>;
  /** The refund, as it is after this change, for refund events (notifications carry it). */
  event?: { type: EventType; amount: number; refund?: RefundRow };
}

/** What the caller already knows that an event's listener would otherwise look up. */
export interface EventHints {
  /** The merchant's default notify_url, as read for this request's authentication. */
  merchantNotifyUrl?: string | null;
  /**
   * The API request that causes the event: its notification carries the id, in the same
   * insert (docs/decisions.md, request ids). Absent for the jobs' events.
   */
  requestId?: string | undefined;
}

/** Hears every committed event inside its transaction (the notification outbox). */
export interface EventListener {
  onEvent(
    tx: Tx,
    order: OrderRow,
    event: { type: EventType; refund?: RefundRow },
    now: number,
    hints?: EventHints,
  ): Promise<boolean>;
  /** The row onEvent would insert, for a write that inserts it itself (FinalOrderInsert). */
  rowFor(
    read: Tx,
    order: OrderRow,
    event: { type: EventType },
    now: number,
    hints?: EventHints,
  ): Promise<NotificationInsert | null>;
}

/**
 * Hears each payment's authorization outcome once it is committed: the order after an
 * AUTHORIZATION or DECLINE event (the metrics, wired in app.ts). Captures, voids, expiries and
 * refunds are not outcomes of a payment and are not heard.
 */
export type OutcomeObserver = (order: OrderRow) => void;

const isOutcome = (type: EventType) => type === 'AUTHORIZATION' || type === 'DECLINE';

export type Decide<T> = (row: OrderRow, tx: Tx) => Promise<(OrderChange & { result?: T }) | null>;

/** Who asks for a change, as their request's authentication read them. */
export interface ChangingMerchant {
  merchant_id: string;
  notify_url: string | null;
  /** The id of the request asking (http/request-id.ts), for the notifications it causes. */
  request_id?: string | undefined;
}

export class OrderWriter {
  private readonly finalInsert: FinalOrderInsert;
  private readonly changes: ChangeWriter;

  constructor(
    private readonly store: Store,
    private readonly repo: OrderRepo,
    private readonly clock: Clock,
    private readonly listener?: EventListener,
    /** Called after a commit whose listener queued work (wakes the dispatcher). */
    private readonly afterCommit: () => void = () => {},
    private readonly onOutcome?: OutcomeObserver,
  ) {
    this.finalInsert = new FinalOrderInsert(store);
    this.changes = new ChangeWriter(store, clock);
  }

  /**
   * Applies a change decided from the locked row alone (plan.ts), with its events and
   * notifications, in a few round trips shared with the changes asked for at the same moment
   * (change-writer.ts). Null when the plan's new refund's refund_trans_id was taken: then
   * nothing was written.
   */
  async change<T>(
    merchant: ChangingMerchant,
    orderId: string,
    plan: Planner<T>,
  ): Promise<{ order: OrderRow; result: T } | null> {
    const hints: EventHints = { merchantNotifyUrl: merchant.notify_url, requestId: merchant.request_id };
    const outcome: ChangeOutcome<T> = await this.changes.run({
      merchantId: merchant.merchant_id,
      orderId,
      plan,
      notify: (step: AppliedStep, now: number) =>
        this.listener
          ? this.listener.rowFor(this.store.reader, step.order, step.event, now, hints)
          : Promise.resolve(null),
    });
    if (outcome === 'taken') return null;
    if (outcome.queued) this.afterCommit();
    return { order: outcome.order, result: outcome.result };
  }

  /**
   * Runs `decide` on the locked order. `merchantId` scopes the lookup (another merchant's
   * order does not exist); null is for the gateway's own jobs. Returns the order after the change.
   */
  mutate(
    merchantId: string | null,
    orderId: string,
    decide: Decide<never>,
    hints?: EventHints,
  ): Promise<OrderRow> {
    return this.mutateWith(merchantId, orderId, decide, hints).then((r) => r.order);
  }

  async mutateWith<T>(
    merchantId: string | null,
    orderId: string,
    decide: Decide<T>,
    hints?: EventHints,
  ): Promise<{ order: OrderRow; result: T | undefined }> {
    let queued = false;
    let decidedOutcome = false;
    const outcome = await inTransaction(this.store, async (tx) => {
      const row = await this.repo.lock(tx, orderId, merchantId ?? undefined);
      if (!row) throw new ApiError('ORDER_NOT_FOUND');
      const decided = await decide(row, tx);
      if (!decided) return { order: row, result: undefined };
      if (!decided.event && Object.keys(decided.changes).length === 0)
        return { order: row, result: decided.result };
      const now = this.clock.now();
      const changes: Partial<OrderRow> = { ...decided.changes, updated_at: now };
      if (decided.event) changes.event_seq = row.event_seq + 1;
      await this.repo.update(tx, orderId, changes);
      const order = { ...row, ...changes };
      if (decided.event) {
        queued = await this.recordEvent(tx, order, decided.event, now, hints);
        decidedOutcome = isOutcome(decided.event.type);
      }
      return { order, result: decided.result };
    });
    if (queued) this.afterCommit();
    if (decidedOutcome) this.onOutcome?.(outcome.order);
    return outcome;
  }

  /** Inserts a new order (PROCESSING intent) unless its trans_id is taken; joins the group commit. */
  insert(row: OrderRow, alongside?: (tx: Tx) => Promise<void>): Promise<boolean> {
    return inTransaction(this.store, async (tx) => {
      if (!(await this.repo.insertIfNew(tx, row))) return false;
      if (alongside) await alongside(tx);
      return true;
    });
  }

  /**
   * Inserts an order created already final (a card refused before the acquirer, an outcome
   * known before the first write), with its event and notification, atomically. False when
   * the trans_id was taken meanwhile: then nothing was written.
   */
  async insertFinal(
    row: OrderRow,
    event: { type: EventType; amount: number },
    hints?: EventHints,
  ): Promise<boolean> {
    const order = { ...row, event_seq: 1 };
    const now = row.created_at;
    const notification = this.listener
      ? await this.listener.rowFor(this.store.reader, order, event, now, hints)
      : null;
    const inserted = await this.finalInsert.run(order, eventRow(order, event, now), notification);
    if (inserted && notification) this.afterCommit();
    if (inserted && isOutcome(event.type)) this.onOutcome?.(order);
    return inserted;
  }

  private async recordEvent(
    tx: Tx,
    order: OrderRow,
    event: NonNullable<OrderChange['event']>,
    now: number,
    hints?: EventHints,
  ) {
    await this.repo.appendEvent(tx, eventRow(order, event, now));
    return this.listener ? this.listener.onEvent(tx, order, event, now, hints) : false;
  }
}
